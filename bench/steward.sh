#!/usr/bin/env bash
# Steward throughput and latency on loopback: `donjon steward serve` in its own JVM, wrk POSTing a real keep CSR
# (replayed, the clock pinned to when its evidence was valid). Every request does the full work: CSR signature,
# evidence signature, chain (memoized, validity and CRLs re-judged at the pinned instant), binding, policy, a freshly
# signed certificate. "sim": SIM_CSRS distinct sim Keeps (each its own key and report, made beforehand by
# dev.donjon.bench.StewardSimCsrs with donjon-platform's sim backend), sent in turn, with the real clock.
# Prints one line per kind; exits 1 if any request was not answered 200.
#
#   bench/steward.sh                  # SNP (milan.signed.crl.csr), SGX (icelake i5 CSR), then sim
#   KINDS=snp DURATION=30s CONNECTIONS=32 bench/steward.sh
#   ENGINES="native java" bench/steward.sh   # each kind with AWS-LC, then with BouncyCastle (steward serve --crypto)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VECTORS=${VECTORS:-$ROOT/../shared/vectors}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-30s}
CONNECTIONS=${CONNECTIONS:-16}
PORT=${PORT:-39391}
KINDS=${KINDS:-snp sgx sim}
ENGINES=${ENGINES:-native}
SIM_CSRS=${SIM_CSRS:-2000}
command -v wrk >/dev/null || { echo "bench/steward.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }

"$ROOT/donjon" --version >/dev/null # build once, outside the timing

# user + system CPU time of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' /proc/$1/stat; }

# SIM_CSRS distinct sim Keeps, made once per run (a sim chain of their own, under a directory removed at the end)
sims=
sim_csrs() {
  sims=$(mktemp -d)
  (cd "$ROOT" && ./mvnw -B -ntp -q -pl bench -am package -Dmaven.test.skip=true)
  java=${JAVA_HOME:-$(ls -d /usr/lib/jvm/*25* | head -n 1)}/bin/java
  "$java" -cp "$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/classpath.txt")" dev.donjon.bench.StewardSimCsrs "$sims" "$SIM_CSRS" >/dev/null
}

failed=0
for engine in $ENGINES; do
for kind in $KINDS; do
  policy=$VECTORS/enarx/steward/steward.toml
  export CSR_LIST= CSR=
  case $kind in
    snp) CSR=$VECTORS/enarx/steward/milan.signed.crl.csr; clock=(--now 2023-01-15T00:00:00Z) ;;
    sgx) CSR=$VECTORS/enarx/steward/icelake.signed.tcb.crl.single.i5.csr; clock=(--now 2023-02-01T00:00:00Z) ;;
    sim)
      [ -n "$sims" ] || sim_csrs # once for all engines
      CSR_LIST=$sims/csrs.txt; CSR=$(head -n 1 "$CSR_LIST"); policy=$sims/policy.toml; clock=() ;;
    *) echo "unknown kind $kind (snp, sgx, sim)" >&2; exit 2 ;;
  esac
  csr=$CSR
  log=$(mktemp)
  "$ROOT/donjon" steward serve --listen 127.0.0.1:$PORT --policy "$policy" --insecure-generated-ca --crypto "$engine" "${clock[@]}" >"$log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do
    grep -q "serving on" "$log" && break
    kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  curl -fsS -o /dev/null -H 'Content-Type: application/pkcs10' --data-binary @"$csr" http://127.0.0.1:$PORT/ \
    || { echo "$kind: the Steward does not issue for $csr" >&2; cat "$log" >&2; exit 1; }
  wrk -t1 -c$CONNECTIONS -d$WARMUP --timeout 10s -s "$ROOT/bench/steward/post-csr.lua" http://127.0.0.1:$PORT/ >/dev/null
  cpu0=$(cpu_ticks $pid)
  out=$(wrk -t1 -c$CONNECTIONS -d$DURATION --timeout 10s -s "$ROOT/bench/steward/post-csr.lua" http://127.0.0.1:$PORT/)
  cpu1=$(cpu_ticks $pid)
  line=$(grep '^RESULT' <<<"$out")
  ok=$(awk '{for (i = 1; i < NF; i++) if ($i == "ok") print $(i + 1)}' <<<"$line")
  # the Steward's own CPU per answered request, and what two cores would give at that cost (wrk's CPU excluded)
  cost=$(awk -v t=$((cpu1 - cpu0)) -v hz=$(getconf CLK_TCK) -v n=$ok 'BEGIN { if (n > 0) printf "cpu_ms_per_request %.2f two_core_capacity_per_second %.0f", t * 1000 / hz / n, 2 * n * hz / (t > 0 ? t : 1) }')
  echo "$kind $engine connections $CONNECTIONS ${line#RESULT } $cost"
  grep -q " failed 0 " <<<"$line" || failed=1
  kill $pid; wait $pid 2>/dev/null || true
  trap - EXIT
  rm -f "$log"
done
done
[ -z "$sims" ] || rm -rf "$sims"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
exit $failed
