#!/usr/bin/env bash
# JMH: attestation verifications per second per TEE (snp, sgx, tdx), cold (chains validated from scratch) and warm
# (chain cache filled). Arguments go to JMH; default: -wi 2 -i 3 -w 5s -r 5s -f 1. Vectors: $DONJON_SHARED (../shared).
set -euo pipefail
cd "$(dirname "$0")/.."
. .mvn/find-jdk.sh
./mvnw -B -ntp -q -pl bench -am package -Dmaven.test.skip=true
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(-wi 2 -i 3 -w 5s -r 5s -f 1)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Ddonjon.shared="${DONJON_SHARED:-../shared}" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  org.openjdk.jmh.Main AttestationVerifyBenchmark "${args[@]}"
