#!/usr/bin/env bash
# Two commands taking turns: the median wall time of each over N rounds (and min, max).
#
#   bench/alternate.sh "COMMAND_A" "COMMAND_B"
#   e.g. bench/alternate.sh './donjon run examples/hello/hello.wasm' '../main/donjon run examples/hello/hello.wasm'
#
# Environment: N (default 30 rounds).
# Builds nothing: it runs the two commands it is given, which build what they need (./donjon builds itself).
#
# Why not hyperfine: it runs one command's runs, then the other's, and this machine's speed drifts by up to 30% from
# one minute to the next (bench/README.md, Start-up), which a comparison of two builds then mistakes for the builds.
# Each command's output is discarded; a command that fails stops the script.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: bench/alternate.sh COMMAND_A COMMAND_B" >&2; exit 2; }
rounds=${N:-30}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for _ in $(seq "$rounds"); do
  for which in A B; do
    if [ "$which" = A ]; then command=$1; else command=$2; fi
    start=$(date +%s%N)
    if ! bash -c "$command" >/dev/null 2>&1; then
      echo "bench/alternate.sh: command $which failed: $command" >&2
      exit 1
    fi
    end=$(date +%s%N)
    echo "$which $(((end - start) / 1000000))" >>"$out"
  done
done
for which in A B; do
  if [ "$which" = A ]; then command=$1; else command=$2; fi
  grep "^$which " "$out" | cut -d' ' -f2 | sort -n |
    awk -v w="$which" -v c="$command" '{ a[NR] = $1 } END {
      printf "%s median %d ms (min %d, max %d, %d runs): %s\n", w, a[int((NR + 1) / 2)], a[1], a[NR], NR, c }'
done
