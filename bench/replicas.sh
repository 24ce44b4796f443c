#!/bin/sh
# Scale-out figures (see dev.donjon.bench.ReplicaThroughput): publish, fetch and attestations per second through HAProxy
# with one Drawbridge and one Steward replica, then with two of each (PostgreSQL catalog, shared blob directory), in one
# run. Needs Debian's postgresql and haproxy (.ci/test-packages.sh installs them) and ../shared/vectors.
#   bench/replicas.sh [SECONDS per phase, default 20] [CONCURRENCY, default 8]
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/find-jdk.sh
.ci/test-packages.sh
./mvnw -q -B -ntp -pl bench -am package -Dmaven.test.skip=true
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -Ddonjon.shared="$(pwd)/../shared" \
    -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" dev.donjon.bench.ReplicaThroughput "$@"
