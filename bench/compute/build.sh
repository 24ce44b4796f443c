#!/usr/bin/env bash
# Builds the compute kernels: <kernel>.wasm (wasm32-wasi, committed) and, with --native, native
# binaries into bench/compute/target/ (built at bench time, not committed). Both with clang-19 -O2,
# so native and wasm come from the same compiler; -ffp-contract=off keeps floating point bit-exact
# across targets (no fused multiply-add), so every runtime must print the same checksum.
set -euo pipefail
cd "$(dirname "$0")"
KERNELS="nbody fannkuch sha256 matmul json hashtable calls"
CC=${CC:-clang-19}
if ! command -v "$CC" >/dev/null; then
  echo "build.sh: $CC not found (apt-get install clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32)" >&2
  exit 1
fi
COMMON="-O2 -Wall -Wextra -Werror -ffp-contract=off"
native=0 wasm=1
for a in "$@"; do
  case $a in
    --native) native=1 ;;
    --native-only) native=1 wasm=0 ;;
    *) echo "usage: build.sh [--native|--native-only]" >&2; exit 2 ;;
  esac
done
for k in $KERNELS; do
  if [ $wasm = 1 ]; then
    # shellcheck disable=SC2086
    "$CC" --target=wasm32-wasi $COMMON -Wl,--strip-debug -o "$k.wasm" "$k.c"
  fi
  if [ $native = 1 ]; then
    mkdir -p target
    # shellcheck disable=SC2086
    "$CC" $COMMON -o "target/$k" "$k.c" -lm
  fi
done
echo "built: $KERNELS ($([ $wasm = 1 ] && echo wasm) $([ $native = 1 ] && echo native))"
