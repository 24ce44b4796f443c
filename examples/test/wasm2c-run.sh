#!/usr/bin/env bash
# Runs an example .wasm natively through wasm2c (apt-get install wabt) and wasi-sock-host.c, which
# pre-opens the listening socket as fd 3 the way a Keep does. For testing the committed .wasm files
# (their WASI side: FD_NAMES lookup, sock_* and poll_oneoff use) without Donjon.
#
#   PORT=10020 examples/test/wasm2c-run.sh examples/rot13/rot13.wasm ROT13
#   examples/test/wasm2c-run.sh examples/hello/hello.wasm none
set -euo pipefail
wasm=$1 name=$2
here=$(cd "$(dirname "$0")" && pwd)
command -v wasm2c >/dev/null || { echo "wasm2c not found: apt-get install wabt" >&2; exit 1; }
out=$here/../target/wasm2c/$(basename "$(dirname "$wasm")")
mkdir -p "$out"
wasm2c "$wasm" -n mod -o "$out/mod.c"
rt=/usr/share/wabt/wasm2c
cc -O1 -w -I"$out" -I"$rt" -DMOD=mod '-DMOD_HEADER="mod.h"' -o "$out/host" \
  "$here/wasi-sock-host.c" "$out/mod.c" "$rt/wasm-rt-impl.c" -lm
exec "$out/host" "$name"
