#!/usr/bin/env bash
# Compute benchmark: six C kernels, native vs node (V8) vs Donjon (Chicory), in the same run.
#
#   bench/compute.sh [KERNEL...]        # default: nbody fannkuch sha256 matmul json hashtable (also: calls)
#
# Environment: ITERATIONS (default 6), DONJON (launcher, default ./donjon), NODE (default node),
#              SKIP="node donjon" to leave runtimes out, REBUILD_WASM=1 to rebuild the .wasm first.
#
# Each kernel times every iteration itself (clock_gettime(CLOCK_MONOTONIC)); "first" is iteration 1
# (for a JIT runtime it includes compiling/tiering up), "steady" the median of iterations 2..N. "wall"
# is the whole process, start-up included (Donjon's with its compiled-module cache warm: each kernel runs once,
# untimed, at size 1 first). Every runtime must print the same checksum as native,
# otherwise the row is marked MISMATCH and the script exits 1. A runtime that is missing or cannot
# run is reported as "not available" with the reason; it does not stop the others.
set -uo pipefail
cd "$(dirname "$0")/.."

KERNELS=${*:-nbody fannkuch sha256 matmul json hashtable}
ITERATIONS=${ITERATIONS:-6}
DONJON=${DONJON:-./donjon}
NODE=${NODE:-node}
SKIP=${SKIP:-}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

if [ "${REBUILD_WASM:-0}" = 1 ]; then
  bench/compute/build.sh --native || exit 1
else
  bench/compute/build.sh --native-only || exit 1
fi

# Which runtimes can run here (checked once, untimed).
runtimes="native"
declare -A why
if [[ " $SKIP " == *" node "* ]]; then
  why[node]="skipped (SKIP)"
elif ! command -v "$NODE" >/dev/null; then
  why[node]="not available: $NODE not found"
elif ! out=$("$NODE" --no-warnings bench/compute/run-node.mjs bench/compute/fannkuch.wasm 1 5 2>&1) ||
     ! grep -q '^checksum ' <<<"$out"; then
  why[node]="not available: $(head -1 <<<"$out")"
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

run_one() { # runtime kernel -> $OUT/runtime.kernel (stdout), prints wall ms
  local rt=$1 k=$2 t0 t1 rc
  t0=$(date +%s%N)
  case $rt in
    native) bench/compute/target/"$k" "$ITERATIONS" ;;
    node) "$NODE" --no-warnings bench/compute/run-node.mjs bench/compute/"$k".wasm "$ITERATIONS" ;;
    donjon) "$DONJON" run bench/compute/"$k".wasm -- "$ITERATIONS" ;;
  esac >"$OUT/$rt.$k" 2>"$OUT/$rt.$k.err"
  rc=$?
  t1=$(date +%s%N)
  [ $rc = 0 ] || echo "exit $rc" >>"$OUT/$rt.$k.err"
  echo $(( (t1 - t0) / 1000000 ))
}
field() { awk -v f="$1" '$1 == f { print $2 }' "$2" 2>/dev/null; }

echo "compute benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, ITERATIONS=$ITERATIONS"
echo "  native: $(clang-19 --version | head -1) -O2"
[ -n "${why[node]:-}" ] && echo "  node:   ${why[node]}" || echo "  node:   $("$NODE" --version) (node:wasi)"
[ -n "${why[donjon]:-}" ] && echo "  donjon: ${why[donjon]}" || echo "  donjon: $DONJON run"
echo
printf '%-10s %-7s %10s %10s %10s %10s %10s %10s  %s\n' kernel runtime first_ms "x native" steady_ms "x native" wall_ms "x native" checksum
status=0
for k in $KERNELS; do
  if [ ! -f "bench/compute/$k.c" ]; then echo "unknown kernel $k" >&2; exit 2; fi
  nsum="" nfirst=0 nsteady=0 nwall=0
  for rt in native node donjon; do
    if [[ " $runtimes " != *" $rt "* ]]; then
      printf '%-10s %-7s %s\n' "$k" "$rt" "not available"
      continue
    fi
    # One untimed run at size 1 first: the compiled-module cache then holds the kernel, as after any earlier run
    # (issue 13 measures start-up "with the cache a first run leaves"; a changed cache key would otherwise put a
    # one-time compile into the first kernel's whole-process figure).
    [ "$rt" = donjon ] && "$DONJON" run bench/compute/"$k".wasm -- 1 1 >/dev/null 2>&1
    wall=$(run_one "$rt" "$k")
    first=$(field first_ms "$OUT/$rt.$k"); steady=$(field steady_ms "$OUT/$rt.$k"); sum=$(field checksum "$OUT/$rt.$k")
    if [ -z "$sum" ]; then
      printf '%-10s %-7s FAILED: %s\n' "$k" "$rt" "$(tail -1 "$OUT/$rt.$k.err")"
      status=1
      continue
    fi
    if [ "$rt" = native ]; then
      nfirst=$first nsteady=${steady:-$first} nwall=$wall nsum=$sum
    fi
    mark=""
    if [ "$sum" != "${nsum:-}" ]; then mark=" MISMATCH (native $nsum)"; status=1; fi
    awk -v k="$k" -v rt="$rt" -v f="$first" -v s="${steady:-$first}" -v w="$wall" \
        -v nf="$nfirst" -v ns="$nsteady" -v nw="$nwall" -v c="$sum$mark" '
      function r(a, b) { return b > 0 ? a / b : 0 }
      BEGIN { printf "%-10s %-7s %10.1f %9.2fx %10.1f %9.2fx %10d %9.2fx  %s\n", k, rt, f, r(f, nf), s, r(s, ns), w, r(w, nw), c }'
    awk -v rt="$rt" -v f="$first" -v s="${steady:-$first}" -v w="$wall" -v nf="$nfirst" -v ns="$nsteady" -v nw="$nwall" \
        'BEGIN { if (nf > 0 && ns > 0 && nw > 0) print rt, f / nf, s / ns, w / nw }' >>"$OUT/ratios"
  done
done
# Geometric means of the ratios over the kernels that ran.
[ -f "$OUT/ratios" ] && awk '
  { n[$1]++; f[$1] += log($2); s[$1] += log($3); w[$1] += log($4) }
  END { for (rt in n) if (rt != "native")
          printf "%-10s %-7s %10s %9.2fx %10s %9.2fx %10s %9.2fx  (%d kernels)\n", "geomean", rt, "", exp(f[rt] / n[rt]), "", exp(s[rt] / n[rt]), "", exp(w[rt] / n[rt]), n[rt] }' "$OUT/ratios"
exit $status
