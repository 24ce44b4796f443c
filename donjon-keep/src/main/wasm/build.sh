#!/usr/bin/env bash
# Rebuilds training.wasm (what a Keep compiles and runs to train itself) from training.c; the committed .wasm is
# exactly what this produces. Needs clang-19, lld-19 and wasi-libc (apt-get install clang-19 lld-19 wasi-libc
# libclang-rt-19-dev-wasm32).
set -euo pipefail
cd "$(dirname "$0")"
"${CC_WASM:-clang-19}" --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Wl,--strip-debug -o training.wasm training.c
echo "built training.wasm ($(wc -c <training.wasm) bytes)"
