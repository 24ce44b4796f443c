#!/bin/sh
# A burst of new TLS clients against a connection already open: the open connection's round trips during the burst,
# examples/echo behind Donjon's TLS listener against the JDK's own TLS server (dev.donjon.bench.TlsHandshakeBurst).
#   bench/tls-handshake-burst.sh [--handshakes 300] [--rounds 3] [--echo examples/echo/echo.wasm]
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/find-jdk.sh
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
./mvnw -q -B -ntp -pl bench -am package -Dmaven.test.skip=true
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
    dev.donjon.bench.TlsHandshakeBurst "$@"
