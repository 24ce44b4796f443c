#!/bin/sh
# Concurrent connections and echo throughput of one Keep (examples/echo/echo.wasm on Donjon's WASI host),
# against a Java NIO echo server in the same run. Options go to dev.donjon.bench.EchoConnections:
#   bench/echo-connections.sh [--connections 10000] [--throughput-connections 64] [--seconds 10] [--warmup 3]
#                             [--small 64] [--large 65536] [--echo examples/echo/echo.wasm] [--tls-connections 1000] [--tls-warmup 15]
# Server and client run in separate JVMs, each needing one fd per connection plus ~100: raise the soft limit.
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/find-jdk.sh
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
./mvnw -q -B -ntp -pl bench -am package -Dmaven.test.skip=true
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
    dev.donjon.bench.EchoConnections "$@"
