#!/bin/sh
# Rebuilds the test modules; the built .wasm files are committed so the tests need no compiler.
# C: Debian's clang-19 and wasi-libc (apt-get install clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32).
# WebAssembly text: wat2wasm from the npm package wabt 1.0.39 (Debian's wabt 1.0.32 predates try_table).
set -eu
cd "$(dirname "$0")"
for src in *.c; do
    clang-19 --target=wasm32-wasi -O2 -Wl,--strip-all -o "${src%.c}.wasm" "$src"
done
for src in *.wat; do
    npx --yes -p wabt@1.0.39 wat2wasm --enable-exceptions --debug-names -o "${src%.wat}.wasm" "$src"
done
