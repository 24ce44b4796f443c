#!/usr/bin/env bash
# Start-up: wall and CPU time of a whole `donjon run examples/hello/hello.wasm` (JVM start, module check and
# compile, run, exit), against node (node:wasi) running the same module. RUNS times each, after one untimed
# run (which builds Donjon if needed and writes its class-data-sharing archive).
#
#   bench/startup.sh [MODULE.wasm]      # default examples/hello/hello.wasm; RUNS (default 10), DONJON, NODE
set -uo pipefail
cd "$(dirname "$0")/.."
MODULE=${1:-examples/hello/hello.wasm}
tf=$(mktemp)
trap 'rm -f "$tf"' EXIT
RUNS=${RUNS:-10}
DONJON=${DONJON:-./donjon}
NODE=${NODE:-node}

measure() { # name command...: prints median and min wall ms, median CPU ms
  local name=$1; shift
  "$@" >/dev/null 2>&1 || { echo "$name: not available ($* failed)"; return; }
  local walls=() cpus=()
  for _ in $(seq "$RUNS"); do
    local t
    /usr/bin/time -o "$tf" -f '%e %U %S' "$@" >/dev/null 2>&1
    t=$(tail -1 "$tf")
    read -r w u s <<<"$t"
    walls+=("$(awk -v w="$w" 'BEGIN{printf "%d", w*1000}')")
    cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%d", (u+s)*1000}')")
  done
  local med min cpu
  med=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  min=$(printf '%s\n' "${walls[@]}" | sort -n | head -1)
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  printf '%-8s %10s %10s %12s\n' "$name" "$med" "$min" "$cpu"
}

echo "start-up of $MODULE, $RUNS runs each; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %10s %10s %12s\n' runtime wall_med wall_min cpu_med_ms
measure donjon "$DONJON" run "$MODULE"
if command -v "$NODE" >/dev/null; then
  measure node "$NODE" --no-warnings bench/compute/run-node.mjs "$MODULE"
else
  echo "node: not available"
fi
