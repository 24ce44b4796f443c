#!/bin/sh
# Confidential deployment figures (see dev.donjon.bench.DeployBench): deploy -> first accepted connection,
# Keeps created per minute, RSS per idle Keep. Host agent, client and Keep processes all on this machine (loopback).
#   bench/deploy.sh [--backend nil] [--rounds 5] [--create-seconds 30] [--concurrency 2] [--idle 8]
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/find-jdk.sh
./mvnw -q -B -ntp -pl bench -am package -Dmaven.test.skip=true
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
    dev.donjon.bench.DeployBench "$@"
