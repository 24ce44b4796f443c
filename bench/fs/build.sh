#!/usr/bin/env bash
# Builds fsbench.wasm (wasm32-wasi, committed) and, with --native, a native fsbench into bench/fs/target/ (not
# committed), both with clang-19 -O2 from the same source.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-clang-19}
command -v "$CC" >/dev/null || { echo "build.sh: $CC not found (apt-get install clang-19 lld-19 wasi-libc)" >&2; exit 1; }
if [ "${1:-}" != --native-only ]; then
  "$CC" --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Wl,--strip-debug -o fsbench.wasm fsbench.c
fi
if [ "${1:-}" = --native ] || [ "${1:-}" = --native-only ]; then
  mkdir -p target
  "$CC" -O2 -Wall -Wextra -Werror -o target/fsbench fsbench.c
fi
