#!/usr/bin/env bash
# Rebuilds every example's .wasm from source. The committed .wasm files are exactly what this produces.
#
#   examples/build.sh            # all examples
#   examples/build.sh --native   # also native Linux builds of the C servers into examples/target/native/
#                                # (for testing their logic without a WASI runtime: PORT=10010 examples/target/native/echo)
#
# Needs: clang-19 + wasm-ld-19 + wasi-libc (+ libclang-rt-19-dev-wasm32) for C,
#        node + npm for AssemblyScript (installed locally under examples/node_modules by this script).
set -euo pipefail
cd "$(dirname "$0")"

CC=${CC_WASM:-clang-19}
# poll() in wasi-libc keeps its poll_oneoff subscriptions on the stack (80 bytes per socket):
# an 8 MiB stack lets a server poll about 50,000 sockets.
SERVER_LDFLAGS="-Wl,-z,stack-size=8388608"
# -mbulk-memory: memcpy/memmove/memset in these sources become wasm's memory.copy/memory.fill (one host copy), not a
# loop of loads and stores in wasm (the echo server: about 6% less CPU per 64 KiB request, bench/README.md). It is
# part of WebAssembly 2.0 and what clang 20 and later enable by default; clang-19 still needs asking.
CFLAGS="--target=wasm32-wasi -O2 -mbulk-memory -Wall -Wextra -Werror -Icommon -Wl,--strip-debug"

missing=()
command -v "$CC" >/dev/null || missing+=("clang-19 (apt-get install clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32)")
command -v wasm-ld-19 >/dev/null || command -v wasm-ld >/dev/null || missing+=("wasm-ld (apt-get install lld-19)")
[ -f /usr/lib/wasm32-wasi/libc.a ] || [ -n "${WASI_SYSROOT:-}" ] || missing+=("wasi-libc (apt-get install wasi-libc)")
command -v npm >/dev/null || missing+=("npm (apt-get install nodejs npm) for the AssemblyScript examples")
if [ ${#missing[@]} -gt 0 ]; then
  echo "build.sh: missing tools:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
[ -n "${WASI_SYSROOT:-}" ] && CFLAGS="$CFLAGS --sysroot=$WASI_SYSROOT"

c_example() { # dir name [extra ldflags]
  local dir=$1 name=$2 extra=${3:-}
  # shellcheck disable=SC2086
  "$CC" $CFLAGS $extra -o "$dir/$name.wasm" "$dir/$name.c"
  echo "built $dir/$name.wasm ($(wc -c <"$dir/$name.wasm") bytes)"
}

c_example hello hello
c_example echo echo "$SERVER_LDFLAGS"
c_example rot13 rot13 "$SERVER_LDFLAGS"
c_example http http "$SERVER_LDFLAGS"
c_example chat chat "$SERVER_LDFLAGS"
c_example secrets show-secrets

# AssemblyScript: the compiler version is pinned in package.json / package-lock.json.
if [ ! -x node_modules/.bin/asc ]; then
  npm ci --no-audit --no-fund --silent
fi
as_example() { # dir name
  local dir=$1 name=$2
  node_modules/.bin/asc "$dir/$name.ts" --config "$dir/asconfig.json" --target release -o "$dir/$name.wasm"
  echo "built $dir/$name.wasm ($(wc -c <"$dir/$name.wasm") bytes)"
}
as_example hello-as hello
as_example rot13-as rot13

if [ "${1:-}" = "--native" ]; then
  mkdir -p target/native
  for s in echo rot13 http chat; do
    ${CC_NATIVE:-cc} -O2 -Wall -Wextra -Werror -Icommon -o "target/native/$s" "$s/$s.c"
  done
  echo "built native servers in examples/target/native/"
fi
