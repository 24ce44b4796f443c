#!/usr/bin/env bash
# Real-programs benchmark: SQLite, Lua, PCRE2 and Zstandard built from Debian's sources, native vs node (V8) vs
# Donjon (Chicory), in the same run.
#
#   bench/programs.sh [PROGRAM...]        # default: sqlite lua pcre2 zstd
#
# Environment: ITERATIONS (default 5), RUNS (default 3: processes per program and runtime, interleaved; the
#              medians are reported), DONJON (launcher, default ./donjon), NODE (default node),
#              SKIP="node donjon" to leave runtimes out, DONJON_ARGS (extra arguments to `donjon run`),
#              REBUILD_WASM=1 to rebuild the committed .wasm first (bench/programs/build.sh).
#
# Each program times its iterations itself (clock_gettime(CLOCK_MONOTONIC)): "first" is iteration 1 (for a JIT
# runtime it includes compiling and tiering up), "steady" the median of iterations 2..N. "wall" and "cpu" (user +
# system, all threads) are the whole process, start-up included (Donjon's with its compiled-module cache warm: each
# program runs once, untimed, at size 1 first). Every runtime must print the same checksum as
# native, otherwise the row is marked MISMATCH and the script exits 1. Each row is the median of RUNS processes,
# the runtimes taking turns so that a change in the machine's load hits all of them alike; ratios are to native and
# to node. A runtime that is missing or cannot run is reported as "not available"; it does not stop the others.
set -uo pipefail
cd "$(dirname "$0")/.."

PROGRAMS=${*:-sqlite lua pcre2 zstd}
ITERATIONS=${ITERATIONS:-5}
RUNS=${RUNS:-3}
DONJON=${DONJON:-./donjon}
NODE=${NODE:-node}
SKIP=${SKIP:-}
DONJON_ARGS=${DONJON_ARGS:-}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

if [ "${REBUILD_WASM:-0}" = 1 ]; then
  bench/programs/build.sh --native $PROGRAMS || exit 1
elif ! bench/programs/build.sh --native-only $PROGRAMS >"$OUT/build.log" 2>&1; then
  echo "native builds failed (see below); native column not available" >&2
  tail -5 "$OUT/build.log" >&2
fi

runtimes=""
declare -A why
for p in $PROGRAMS; do
  [ -x "bench/programs/target/$p" ] || why[native]="not available: bench/programs/target/$p not built"
done
[ -n "${why[native]:-}" ] || runtimes="native"
if [[ " $SKIP " == *" node "* ]]; then
  why[node]="skipped (SKIP)"
elif ! command -v "$NODE" >/dev/null; then
  why[node]="not available: $NODE not found"
else
  runtimes+=" node"
fi
if [[ " $SKIP " == *" donjon "* ]]; then
  why[donjon]="skipped (SKIP)"
elif [ ! -x "$DONJON" ]; then
  why[donjon]="not available: $DONJON not found"
elif ! out=$("$DONJON" run bench/compute/fannkuch.wasm -- 1 5 2>&1) || ! grep -q '^checksum ' <<<"$out"; then
  why[donjon]="not available: '$DONJON run bench/compute/fannkuch.wasm -- 1 5' failed: $(grep -v '^\s*$' <<<"$out" | tail -1)"
else
  runtimes+=" donjon"
fi

run_one() { # runtime program run -> $OUT/runtime.program.run (stdout), appends "wall_ms cpu_ms" to .times
  local rt=$1 p=$2 n=$3 t
  t=$( { TIMEFORMAT='%R %U %S'; time {
    case $rt in
      native) bench/programs/target/"$p" "$ITERATIONS" ;;
      node) "$NODE" --no-warnings bench/compute/run-node.mjs bench/programs/"$p".wasm "$ITERATIONS" ;;
      # shellcheck disable=SC2086
      donjon) "$DONJON" run $DONJON_ARGS bench/programs/"$p".wasm -- "$ITERATIONS" ;;
    esac >"$OUT/$rt.$p.$n" 2>"$OUT/$rt.$p.$n.err"
    echo "exit $?" >>"$OUT/$rt.$p.$n.err"
  }; } 2>&1 )
  awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' <<<"$t" >>"$OUT/$rt.$p.times"
}
field() { awk -v f="$1" '$1 == f { print $2 }' "$2" 2>/dev/null; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "real-programs benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, ITERATIONS=$ITERATIONS, RUNS=$RUNS (medians)"
echo "  load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  native: $(clang-19 --version 2>/dev/null | head -1) -O2"
[ -n "${why[node]:-}" ] && echo "  node:   ${why[node]}" || echo "  node:   $("$NODE" --version) (node:wasi)"
[ -n "${why[donjon]:-}" ] && echo "  donjon: ${why[donjon]}" || echo "  donjon: $DONJON run $DONJON_ARGS"
echo
status=0
for p in $PROGRAMS; do
  if [ ! -f "bench/programs/$p.wasm" ]; then echo "unknown program $p" >&2; exit 2; fi
  # One untimed Donjon run at size 1 first: the compiled-module cache then holds the program, as after any earlier
  # run (a changed cache key would otherwise put a one-time compile into the first process: PCRE2 44 s against 14 s).
  [[ " $runtimes " == *" donjon "* ]] && "$DONJON" run $DONJON_ARGS bench/programs/"$p".wasm -- 1 1 >/dev/null 2>&1
  for n in $(seq "$RUNS"); do
    for rt in $runtimes; do run_one "$rt" "$p" "$n"; done
  done
done
echo "  load average at end:   $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-8s %-7s %9s %8s %9s %8s %8s %8s %8s %8s %8s  %s\n' program runtime first_ms x_native steady_ms x_native \
  x_node wall_ms x_node cpu_ms x_node checksum
for p in $PROGRAMS; do
  declare -A first steady wall cpu sum
  for rt in native node donjon; do
    if [[ " $runtimes " != *" $rt "* ]]; then
      printf '%-8s %-7s %s\n' "$p" "$rt" "${why[$rt]:-not available}"
      continue
    fi
    sums=$(for n in $(seq "$RUNS"); do field checksum "$OUT/$rt.$p.$n"; done | sort -u)
    if [ -z "$sums" ]; then
      printf '%-8s %-7s FAILED: %s\n' "$p" "$rt" "$(grep -v '^exit 0$' "$OUT/$rt.$p.1.err" | tail -2 | tr '\n' ' ')"
      status=1
      continue
    fi
    first[$rt]=$(for n in $(seq "$RUNS"); do field first_ms "$OUT/$rt.$p.$n"; done | median)
    steady[$rt]=$(for n in $(seq "$RUNS"); do field steady_ms "$OUT/$rt.$p.$n"; done | median)
    wall[$rt]=$(awk '{ print $1 }' "$OUT/$rt.$p.times" | median)
    cpu[$rt]=$(awk '{ print $2 }' "$OUT/$rt.$p.times" | median)
    sum[$rt]=$sums
    mark=""
    if [ "$rt" != native ] && [ -n "${sum[native]:-}" ] && [ "$sums" != "${sum[native]}" ]; then
      mark=" MISMATCH (native ${sum[native]})"
      status=1
    fi
    awk -v p="$p" -v rt="$rt" -v f="${first[$rt]}" -v s="${steady[$rt]}" -v w="${wall[$rt]}" -v c="${cpu[$rt]}" \
        -v nf="${first[native]:-0}" -v ns="${steady[native]:-0}" -v vs="${steady[node]:-0}" -v vw="${wall[node]:-0}" \
        -v vc="${cpu[node]:-0}" -v sum="$(echo $sums)$mark" '
      function r(a, b) { return b > 0 ? sprintf("%7.2fx", a / b) : "      - " }
      BEGIN { printf "%-8s %-7s %9.1f %8s %9.1f %8s %8s %8d %8s %8d %8s  %s\n", p, rt, f, r(f, nf), s, r(s, ns), r(s, vs), w, r(w, vw), c, r(c, vc), sum }'
    echo "$p $rt ${first[$rt]} ${steady[$rt]} ${wall[$rt]} ${cpu[$rt]}" >>"$OUT/rows"
  done
  unset first steady wall cpu sum
done
# Geometric means of the ratios over the programs that ran on all three runtimes.
[ -f "$OUT/rows" ] && awk '
  { f[$1, $2] = $3; s[$1, $2] = $4; w[$1, $2] = $5; c[$1, $2] = $6; prog[$1] = 1 }
  END {
    for (rt in rts) ;
    split("node donjon", list, " ")
    for (i = 1; i <= 2; i++) {
      rt = list[i]; n = 0; lf = ls = lv = lw = lc = 0
      for (p in prog) if (((p, rt) in s) && ((p, "native") in s) && ((p, "node") in s)) {
        n++; lf += log(f[p, rt] / f[p, "native"]); ls += log(s[p, rt] / s[p, "native"])
        lv += log(s[p, rt] / s[p, "node"]); lw += log(w[p, rt] / w[p, "node"]); lc += log(c[p, rt] / c[p, "node"])
      }
      if (n > 0 && rt != "node")
        printf "%-8s %-7s %9s %7.2fx %9s %7.2fx %7.2fx %8s %7.2fx %8s %7.2fx  (%d programs)\n", "geomean", rt, "", exp(lf / n), "", exp(ls / n), exp(lv / n), "", exp(lw / n), "", exp(lc / n), n
      else if (n > 0)
        printf "%-8s %-7s %9s %7.2fx %9s %7.2fx\n", "geomean", rt, "", exp(lf / n), "", exp(ls / n)
    }
  }' "$OUT/rows"
exit $status
