#!/bin/sh
# Confidential deployment figures (see dev.donjon.bench.DeployBench): deploy -> first accepted connection,
# Keeps created per minute, RSS per idle Keep. Host agent, client and Keep processes all on this machine (loopback).
#   bench/deploy.sh [--backend nil] [--rounds 5] [--create-seconds 30] [--concurrency 2] [--idle 8]
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/find-jdk.sh
./mvnw -q -B -ntp -pl bench,donjon-cli -am package -Dmaven.test.skip=true
# The agent and its Keeps run from the jars ./donjon runs (donjon-cli/target: the launcher's class path, its unsigned
# BouncyCastle, its Keeps' start-up cache beside them), plus the benchmark's own classes.
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -cp "donjon-cli/target/donjon.jar:bench/target/bench-0.1.0-SNAPSHOT.jar" \
    dev.donjon.bench.DeployBench "$@"
