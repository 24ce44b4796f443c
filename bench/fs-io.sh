#!/usr/bin/env bash
# File-system benchmark: bench/fs/fsbench.c (fd_write/fd_read throughput at 4 KiB and 1 MiB, path_open and stat
# rates through a four-component path) natively, under node:wasi, under Donjon and, to compare two builds, under a
# second Donjon, all in the same run. The guest times itself (clock_gettime), ROUNDS rounds per figure, median shown,
# so start-up does not count.
#
#   bench/fs-io.sh
#
# Environment: ROUNDS (default 7); DONJON (default ./donjon); BEFORE: a second Donjon command line to compare with,
# e.g. BEFORE="java -XX:-DontCompileHugeMethods -jar /path/to/other/donjon-cli/target/donjon.jar" (the options the
# launcher gives every guest JVM); NODE (default node); SKIP="node native" to leave runtimes out.
# Each runtime works in its own fresh directory under TMPDIR (default /tmp).
set -uo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-7}
DONJON=${DONJON:-./donjon}
BEFORE=${BEFORE:-}
NODE=${NODE:-node}
SKIP=${SKIP:-}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
bench/fs/build.sh --native-only || exit 1

run() { # name command... (the directory is the last word but one: fsbench's DIR)
  local name=$1; shift
  if [[ " $SKIP " == *" $name "* ]]; then return; fi
  local dir; dir=$(mktemp -d)
  if "$@" "$dir" >"$OUT/$name" 2>"$OUT/$name.err"; then :; else echo "$name failed: $(tail -1 "$OUT/$name.err")" >&2; fi
  rm -rf "$dir"
}

names=()
names+=(native); run native sh -c 'exec bench/fs/target/fsbench "$0" '"$ROUNDS"
if command -v "$NODE" >/dev/null; then
  names+=(node); run node sh -c 'exec '"$NODE"' --no-warnings bench/fs/run-node.mjs bench/fs/fsbench.wasm "$0" '"$ROUNDS"
fi
if [ -n "$BEFORE" ]; then
  names+=(before); run before sh -c 'exec '"$BEFORE"' run --no-module-cache --dir "$0::/data" bench/fs/fsbench.wasm -- /data '"$ROUNDS"
fi
names+=(donjon); run donjon sh -c 'exec '"$DONJON"' run --no-module-cache --dir "$0::/data" bench/fs/fsbench.wasm -- /data '"$ROUNDS"

echo "fsbench, median of $ROUNDS rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s' measurement; for n in "${names[@]}"; do printf '%14s' "$n"; done
[ -n "$BEFORE" ] && printf '%16s' "donjon/before"
echo
for m in "write 4KiB" "read 4KiB" "write 1MiB" "read 1MiB" "open" "stat"; do
  printf '%-12s' "$m"
  for n in "${names[@]}"; do
    v=$(grep "^$m:" "$OUT/$n" 2>/dev/null | awk '{print $(NF-1)}')
    printf '%14s' "${v:--}"
  done
  if [ -n "$BEFORE" ]; then
    a=$(grep "^$m:" "$OUT/donjon" 2>/dev/null | awk '{print $(NF-1)}'); b=$(grep "^$m:" "$OUT/before" 2>/dev/null | awk '{print $(NF-1)}')
    if [ -n "$a" ] && [ -n "$b" ]; then printf '%15.2fx' "$(echo "$a / $b" | bc -l)"; else printf '%16s' -; fi
  fi
  echo
done
echo "(write/read: MiB/s; open, stat: calls per second; higher is better)"
