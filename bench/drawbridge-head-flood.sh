#!/usr/bin/env bash
# Issue 12: a HEAD flood on a public 100 MiB file must not slow a small GET. Prints the small GET's latency before and
# during the flood (one line; see dev.donjon.bench.DrawbridgeHeadFlood), and the machine's load.
#   bench/drawbridge-head-flood.sh [MB] [FLOODERS] [SAMPLES]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
(cd "$ROOT" && ./mvnw -B -ntp -q -pl bench -am package -DskipTests)
java=${JAVA_HOME:-$(ls -d /usr/lib/jvm/*25* | head -n 1)}/bin/java
"$java" -cp "$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/classpath.txt")" dev.donjon.bench.DrawbridgeHeadFlood "$@"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
