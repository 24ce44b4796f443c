#!/usr/bin/env bash
# Start-up: the whole process running a small WASI module (JVM start, module check, compile or cache load, run,
# exit), for Donjon with and without its compiled-module cache, node (node:wasi, V8) on the same module, and the
# same C program built natively. Uses hyperfine (mean ± σ wall, user and system CPU); without it, /usr/bin/time.
#
#   bench/startup.sh [MODULE.wasm]      # default examples/hello/hello.wasm
#
# Also `donjon --version` against a bare JVM (`java -version`, the floor of any Java command's start).
#
# Environment: RUNS (default 10), WARMUP (default 1: builds Donjon if needed, makes its start-up cache and fills the
# compiled-module cache), DONJON (default ./donjon), BEFORE (another launcher, e.g. of main: its rows are added, to
# compare two builds in the same run), NODE (default node), EXPORT=file.json to keep hyperfine's raw figures.
set -uo pipefail
cd "$(dirname "$0")/.."
MODULE=${1:-examples/hello/hello.wasm}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-1}
DONJON=${DONJON:-./donjon}
NODE=${NODE:-node}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

cmds=() names=()
add() { # name command: kept only if it runs
  if sh -c "$2" >/dev/null 2>&1; then
    names+=("$1") cmds+=("$2")
  else
    echo "$1: not available ($2 failed)"
  fi
}
add "donjon (compiled-module cache)" "$DONJON run $MODULE"
add "donjon --no-module-cache" "$DONJON run --no-module-cache $MODULE"
add "donjon --version" "$DONJON --version"
if [ -n "${BEFORE:-}" ]; then
  add "before (compiled-module cache)" "$BEFORE run $MODULE"
  add "before --version" "$BEFORE --version"
fi
. ./.mvn/find-jdk.sh
add "java -version (bare JVM)" "$JAVA_HOME/bin/java -Xshare:auto -version"
command -v "$NODE" >/dev/null && add "node:wasi" "$NODE --no-warnings bench/compute/run-node.mjs $MODULE" || echo "node: not available"
src=${MODULE%.wasm}.c
if [ -f "$src" ] && command -v clang-19 >/dev/null && clang-19 -O2 -o "$OUT/native" "$src" 2>/dev/null; then
  add "native ($(basename "$src"), clang-19 -O2)" "$OUT/native"
fi

echo "start-up of $MODULE: $RUNS runs each after $WARMUP warm-up; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v hyperfine >/dev/null; then
  args=()
  for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
  hyperfine -N --style basic -w "$WARMUP" -r "$RUNS" --export-json "${EXPORT:-$OUT/hf.json}" "${args[@]}" 2>&1 |
    grep -v '^ *$'
  echo
  # One line per command: wall mean and median, CPU (user + system) mean, in ms.
  python3 - "${EXPORT:-$OUT/hf.json}" <<'EOF'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
print(f"{'command':<40} {'wall_mean':>10} {'wall_med':>10} {'wall_min':>10} {'cpu_mean':>10}")
for x in r:
    print(f"{x['command']:<40} {x['mean']*1e3:10.0f} {x['median']*1e3:10.0f} {x['min']*1e3:10.0f} {(x['user']+x['system'])*1e3:10.0f}")
EOF
else
  tf=$OUT/time
  printf '%-40s %10s %10s %10s\n' command wall_med wall_min cpu_med
  for i in "${!cmds[@]}"; do
    for _ in $(seq "$WARMUP"); do sh -c "${cmds[$i]}" >/dev/null 2>&1; done
    for _ in $(seq "$RUNS"); do
      /usr/bin/time -o "$tf" -f '%e %U %S' sh -c "${cmds[$i]}" >/dev/null 2>&1
      tail -1 "$tf"
    done | python3 -c '
import statistics, sys
rows = [line.split() for line in sys.stdin if line.strip()]
wall = [float(r[0]) * 1000 for r in rows]
cpu = [(float(r[1]) + float(r[2])) * 1000 for r in rows]
print(f"{sys.argv[1]:<40} {statistics.median(wall):10.0f} {min(wall):10.0f} {statistics.median(cpu):10.0f}")
' "${names[$i]}" # python, not awk: asort is in gawk only (Debian's awk is mawk)
  done
fi
