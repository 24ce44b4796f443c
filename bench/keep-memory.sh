#!/usr/bin/env bash
# Peak resident memory (VmHWM) of the host agent's Keep processes, one deployment per guest memory limit. The guest
# (donjon-keep's test module grow_memory.wasm) grows its linear memory to the limit in 1 MiB steps, touching every
# page, so each Keep reaches its worst case: guest memory full plus the copy Chicory makes while growing it.
#
#   bench/keep-memory.sh                 # limits 64 256 1024 2000 MiB
#   bench/keep-memory.sh 128 512         # other limits (MiB)
#
# Starts `donjon host serve --backend nil` on 127.0.0.1:$PORT (default 26010), deploys with `donjon deploy --max-memory`,
# samples /proc/PID/status of each Keep process every 20 ms until its deployment ends. Prints, per limit: the guest
# limit, the process bound the agent computed (GET /v1/keeps/ID, field processMiB, when the agent reports it), the
# peak RSS measured, and whether the guest reached its limit.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-26010}
limits=("$@")
[ ${#limits[@]} -eq 0 ] && limits=(64 256 1024 2000)
work=$(mktemp -d)
agent=
cleanup() { [ -n "$agent" ] && kill "$agent" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

./donjon host serve --backend nil --listen "127.0.0.1:$PORT" --spare-keeps 0 2>"$work/agent.log" &
agent=$!
for _ in $(seq 1 300); do grep -q "listening" "$work/agent.log" 2>/dev/null && break; sleep 0.2; done
grep -q "listening" "$work/agent.log" || { cat "$work/agent.log" >&2; exit 1; }
# the launcher execs java: $agent is the agent's JVM and every Keep is its child
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %-12s %-14s %s\n' guest_MiB bound_MiB peak_rss_MiB guest_said
for mib in "${limits[@]}"; do
  pkg="$work/pkg-$mib"
  mkdir -p "$pkg"
  cp donjon-keep/src/test/resources/wasm/grow_memory.wasm "$pkg/main.wasm"
  # leave 4 MiB of the limit for the guest's stack and static data
  printf '[env]\nGROW_MIB = "%d"\n[[files]]\nkind = "stdin"\n[[files]]\nkind = "stdout"\n[[files]]\nkind = "stderr"\n' \
      $((mib - 4)) > "$pkg/Enarx.toml"
  ./donjon deploy --host "http://127.0.0.1:$PORT" --allow-insecure-backend --max-memory "${mib}MiB" "$pkg" \
      >"$work/out-$mib" 2>"$work/err-$mib" &
  deploy=$!
  peak=0; bound=?
  while kill -0 "$deploy" 2>/dev/null; do
    for pid in $(pgrep -P "$agent" 2>/dev/null || true); do
      hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      [ -n "$hwm" ] && [ "$hwm" -gt "$peak" ] && peak=$hwm
    done
    id=$(grep -o 'Keep k[0-9a-f]* created' "$work/err-$mib" 2>/dev/null | head -n 1 | cut -d' ' -f2 || true)
    if [ "$bound" = "?" ] && [ -n "$id" ]; then
      bound=$(curl -s "http://127.0.0.1:$PORT/v1/keeps/$id" | grep -o '"processMiB":[0-9]*' | cut -d: -f2 || true)
      [ -z "$bound" ] && bound=?
    fi
    sleep 0.02
  done
  wait "$deploy" || true
  said=$(head -c 200 "$work/out-$mib" | tr '\n' ' ')
  [ -z "$said" ] && said="(no output) $(tail -n 1 "$work/err-$mib")"
  printf '%-10s %-12s %-14s %s\n' "$mib" "$bound" $((peak / 1024)) "$said"
done
