#!/usr/bin/env bash
# Paired A/B of two sets of JVM options for Donjon's guests: the same modules, processes taking turns, medians.
#
#   bench/ab.sh "OPTIONS_A" "OPTIONS_B" [MODULE.wasm...]    # default: the six kernels in bench/compute
#
#   e.g. bench/ab.sh -Ddonjon.memory-in-locals=false "" bench/compute/nbody.wasm bench/programs/lua.wasm
#
# Environment: RUNS (default 5: processes per option set and module), ITERATIONS (default 6: the module's argument),
#              DONJON (launcher, default ./donjon).
#
# Why medians of several processes: the JIT's outcome for one guest differs from one process to the next (a kernel's
# steady state can be 130 ms in one process and 230 ms in the next, bench/README.md "Memory in locals"), so one pair
# of processes says little. Each option set first runs each module once untimed (so that both find their compiled
# classes in the module cache), then RUNS rounds run every module under A and then B. The options go to the JVM as
# DONJON_JAVA_OPTS; the guest runs with `--backend nil`. Every process must print the same checksum, otherwise the
# script says MISMATCH and exits 1. Prints, per module, the median steady state (iterations 2..N) and first iteration
# in ms of A and B, B / A, and each process's steady figure; then the geomeans of B / A (steady and first) over the modules.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
A=$1 B=$2
shift 2
MODULES=${*:-bench/compute/nbody.wasm bench/compute/fannkuch.wasm bench/compute/sha256.wasm bench/compute/matmul.wasm bench/compute/json.wasm bench/compute/hashtable.wasm}
RUNS=${RUNS:-5}
ITERATIONS=${ITERATIONS:-6}
DONJON=${DONJON:-./donjon}
OUT=$(mktemp)
trap 'rm -f "$OUT" "$OUT.ratios"' EXIT

for m in $MODULES; do
  [ -f "$m" ] || { echo "no such module: $m" >&2; exit 2; }
done

run() { # variant-name options module -> appends "module variant first steady checksum" to $OUT
  local figures
  figures=$(DONJON_JAVA_OPTS="$2" "$DONJON" run --backend nil "$3" -- "$ITERATIONS" 2>/dev/null |
    awk '$1 == "first_ms" { f = $2 } $1 == "steady_ms" { s = $2 } $1 == "checksum" { c = $2 }
         END { if (s == "" || c == "") print "failed"; else print f, s, c }')
  if [ "$figures" = failed ]; then
    echo "$3 failed under options '$2': run it by hand to see why" >&2
    exit 1
  fi
  echo "$3 $1 $figures" >>"$OUT"
}

echo "A/B: A = '$A', B = '$B'; RUNS=$RUNS, ITERATIONS=$ITERATIONS; $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
for m in $MODULES; do
  DONJON_JAVA_OPTS="$A" "$DONJON" run --backend nil "$m" -- 1 >/dev/null 2>&1
  DONJON_JAVA_OPTS="$B" "$DONJON" run --backend nil "$m" -- 1 >/dev/null 2>&1
done
for ((r = 1; r <= RUNS; r++)); do
  for m in $MODULES; do
    run A "$A" "$m"
    run B "$B" "$m"
  done
done

median() { # module variant field
  awk -v m="$1" -v v="$2" -v f="$3" '$1 == m && $2 == v { print $f }' "$OUT" | sort -g |
    awk '{ x[NR] = $1 } END { print (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2 }'
}
each() { awk -v m="$1" -v v="$2" '$1 == m && $2 == v { printf "%.0f ", $4 }' "$OUT"; }

status=0
printf '%-34s %9s %9s %7s %9s %9s  %s\n' module "A steady" "B steady" "B / A" "A first" "B first" "steady of each process (A | B)"
for m in $MODULES; do
  if [ "$(awk -v m="$m" '$1 == m { print $5 }' "$OUT" | sort -u | wc -l)" != 1 ]; then
    echo "$m: MISMATCH: the processes printed different checksums" >&2
    status=1
  fi
  as=$(median "$m" A 4) bs=$(median "$m" B 4) af=$(median "$m" A 3) bf=$(median "$m" B 3)
  printf '%-34s %9.1f %9.1f %7.2f %9.1f %9.1f  %s| %s\n' "$m" "$as" "$bs" "$(awk -v a="$as" -v b="$bs" 'BEGIN { print b / a }')" \
    "$af" "$bf" "$(each "$m" A)" "$(each "$m" B)"
  echo "$as $bs $af $bf" >>"$OUT.ratios"
done
awk '{ s += log($2 / $1); f += log($4 / $3); n++ }
     END { printf "geomean B / A: steady %.2f, first iteration %.2f, over %d modules\n", exp(s / n), exp(f / n), n }' "$OUT.ratios"
exit $status
