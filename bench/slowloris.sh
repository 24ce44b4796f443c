#!/usr/bin/env bash
# Issue 12: slow clients must not starve real ones. Starts one service (`donjon ... serve` in its own JVM, plain HTTP
# on loopback), measures a real client (a fresh connection per request, 10 s deadline), then opens CONNECTIONS slow
# connections from two attacker JVMs (dev.donjon.server.probe.Slowloris: request heads trickled a byte every 5 s,
# reconnecting when closed) and measures the real client again while they hold. One line per phase.
#   bench/slowloris.sh steward|drawbridge|agent [CONNECTIONS] [MODE]      # defaults: 20000 for the Steward, 2000 otherwise; trickle
#   DONJON=/other/checkout/donjon bench/slowloris.sh steward               # the server from another checkout (before/after)
# Each JVM here is limited to the machine's open-file limit (ulimit -n): the server's connection cap stays below it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVICE=${1:?steward, drawbridge or agent}
case $SERVICE in steward) N=${2:-20000} ;; drawbridge|agent) N=${2:-2000} ;; *) echo "unknown service $SERVICE" >&2; exit 2 ;; esac
MODE=${3:-trickle}
PORT=${PORT:-25100}
DONJON=${DONJON:-$ROOT/donjon}
HOLD=${HOLD:-40}
(cd "$ROOT" && ./mvnw -B -ntp -q -pl bench -am package -DskipTests)
java=${JAVA_HOME:-$(ls -d /usr/lib/jvm/*25* | head -n 1)}/bin/java
CP="$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/classpath.txt")"
"$DONJON" --version >/dev/null
work=$(mktemp -d)
log=$work/server.log
case $SERVICE in
  steward) "$DONJON" steward serve --listen 127.0.0.1:$PORT --policy "$ROOT/../shared/vectors/enarx/steward/steward.toml" --insecure-generated-ca >"$log" 2>&1 & ;;
  drawbridge) "$DONJON" drawbridge serve --store "$work/store" --listen 127.0.0.1:$PORT >"$log" 2>&1 & ;;
  agent)
    flag=--insecure-plain-http; "$DONJON" host serve --help 2>/dev/null | grep -q -- "$flag" || flag= # an agent from before the flag
    "$DONJON" host serve --backend nil --spare-keeps 0 --listen 127.0.0.1:$PORT $flag >"$log" 2>&1 & ;;
esac
pid=$!
attackers=()
cleanup() { kill "${attackers[@]}" $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 600); do grep -q "serving on\|listening on" "$log" && break; kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }; sleep 0.1; done
case $SERVICE in steward) url=http://127.0.0.1:$PORT/ ;; drawbridge) url=http://127.0.0.1:$PORT/api/v0.1.0/nobody ;; agent) url=http://127.0.0.1:$PORT/ ;; esac
probe() { "$java" -cp "$CP" dev.donjon.server.probe.RealClient "$url" 20 250 10000; }
echo "$SERVICE quiet: $(probe)"
half=$(( N / 2 ))
for _ in 1 2; do
  "$java" -Xmx512m -cp "$CP" dev.donjon.server.probe.Slowloris 127.0.0.1 $PORT $half $MODE 5000 $HOLD >"$work/attack.$_.log" 2>&1 &
  attackers+=($!)
done
sleep $(( HOLD / 2 ))
held=$(for f in "$work"/attack.*.log; do tail -n 1 "$f" | awk '{print $3}'; done | paste -sd+ | bc)
echo "$SERVICE during a $MODE slowloris of $N ($held open): $(probe)"
wait "${attackers[@]}" 2>/dev/null || true
attackers=()
echo "$SERVICE after: $(probe)"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), open-file limit $(ulimit -n)"
