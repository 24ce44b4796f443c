#!/usr/bin/env bash
# Runs every example and checks it: hello / hello-as print "Hello, world!"; each server is started and
# loadtest.py runs its protocol with many concurrent clients.
#
#   examples/test/run-all.sh                 # the committed .wasm through wasm2c (apt-get install wabt)
#   examples/test/run-all.sh native          # the native builds (examples/build.sh --native)
#   examples/test/run-all.sh donjon          # ./donjon run --wasmcfgfile <example>/Enarx.toml (ports 10010...)
#
# CLIENTS (default 1000) sets the concurrent clients for echo/rot13/http; chat uses CLIENTS/5.
set -uo pipefail
cd "$(dirname "$0")/../.."
mode=${1:-wasm2c}
CLIENTS=${CLIENTS:-1000}
fail=0
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT

start() { # dir name listen_name port -> starts the server in the background
  local d=$1 n=$2 l=$3 p=$4
  local log=/tmp/run-all.$d.log
  # each command execs its server, so $! is the server's own pid
  case $mode in
    wasm2c) PORT=$p examples/test/wasm2c-run.sh "examples/$d/$n.wasm" "$l" >"$log" 2>&1 & ;;
    native) PORT=$p "examples/target/native/$n" >"$log" 2>&1 & ;;
    donjon) ./donjon run --wasmcfgfile "examples/$d/Enarx.toml" "examples/$d/$n.wasm" >"$log" 2>&1 & ;;
  esac
  pids+=($!)
}
wait_port() { # port: wait up to 60 s for the server to listen
  for _ in $(seq 600); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1).close()" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

for h in hello:hello hello-as:hello; do
  IFS=: read -r d n <<<"$h"
  [ "$mode" = native ] && continue
  case $mode in
    wasm2c) out=$(examples/test/wasm2c-run.sh "examples/$d/$n.wasm" none 2>&1) ;;
    donjon) out=$(./donjon run "examples/$d/$n.wasm" 2>&1) ;;
  esac
  if [ "$out" = "Hello, world!" ]; then echo "PASS $d"; else echo "FAIL $d: $out"; fail=1; fi
done

# dir name listen-name port(wasm2c/native) port(Enarx.toml) protocol clients
servers="echo:echo:ECHO:19010:10010:echo:$CLIENTS
rot13:rot13:ROT13:19020:10020:rot13:$CLIENTS
rot13-as:rot13:ROT13:19021:10021:rot13:$CLIENTS
http:http:HTTP:19030:10030:http:$CLIENTS
chat:chat:CHAT:19040:10040:chat:$((CLIENTS / 5))"
while IFS=: read -r d n l p ep proto c; do
  [ "$mode" = native ] && [ "$d" = rot13-as ] && continue
  [ "$mode" = donjon ] && p=$ep
  start "$d" "$n" "$l" "$p"
  if ! wait_port "$p"; then
    echo "FAIL $d: not listening on $p ($(tail -1 "/tmp/run-all.$d.log"))"
    fail=1
    continue
  fi
  if res=$(python3 examples/loadtest.py "$proto" "$p" --clients "$c" 2>&1); then
    echo "PASS $d: $(tail -1 <<<"$res")"
  else
    echo "FAIL $d: $(tail -1 <<<"$res")"
    fail=1
  fi
  kill "${pids[-1]}" 2>/dev/null
done <<<"$servers"
exit $fail
