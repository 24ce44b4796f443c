#!/bin/sh
# Rebuilds the test modules; the built .wasm files are committed so the tests need no compiler.
# Needs Debian's clang-19 and wasi-libc (apt-get install clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32).
set -eu
cd "$(dirname "$0")"
for src in *.c; do
    clang-19 --target=wasm32-wasi -O2 -Wl,--strip-all -o "${src%.c}.wasm" "$src"
done
