#!/usr/bin/env bash
# Fuzzes with Jazzer, one JVM per target (Jazzer fuzzes one @FuzzTest per run), and prints the executions each ran.
# Usage: donjon-attestation/fuzz.sh [DURATION_PER_TARGET (default 70s)] [[MODULE/]Class#method...]
# A target without MODULE/ is donjon-attestation's; the policy reader of the Steward is
# donjon-steward/StewardPolicyFuzzTest#stewardPolicy. Findings (crash-* files) land in the module's directory; the
# generated corpus in <module>/.cifuzz-corpus/ (not committed). See FUZZING.md.
set -uo pipefail
cd "$(dirname "$0")/.."
duration=${1:-70s}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(SnpFuzzTest#snpReport SnpFuzzTest#configfsTsmJson SnpFuzzTest#enarxSnpCsr SnpFuzzTest#amdCertificatesAndCrls
           IntelFuzzTest#intelQuote IntelFuzzTest#enarxSgxCsr IntelFuzzTest#tcbInfoJson IntelFuzzTest#qeIdentityJson
           IntelFuzzTest#dcapQvlCollateral IntelFuzzTest#intelCertificatesAndCrls
           PolicyFuzzTest#policyToml donjon-steward/StewardPolicyFuzzTest#stewardPolicy)
fi
failed=0
summary=()
for target in "${targets[@]}"; do
  module=donjon-attestation t=$target
  if [[ $target == */* ]]; then module=${target%%/*} t=${target#*/}; fi
  mkdir -p "$module/target/fuzz"
  log="$module/target/fuzz/${t//#/.}.log"
  echo "== fuzzing $t for $duration (log: $log)"
  extra=()
  # the policy readers' bugs would sit in Jackson's TOML parser as much as in Donjon: steer through it too
  [[ $t == *Policy* ]] && extra=(-Djazzer.instrumentation_includes='dev.donjon.**:com.fasterxml.jackson.dataformat.toml.**')
  # -am: the module's own dependencies from this checkout (the test-jar too), never from a shared ~/.m2; the other
  # modules of the reactor have no such test and run nothing
  ./mvnw -B -ntp -Pfuzz -pl "$module" -am test-compile surefire:test -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtest="$t" -Dfuzz.duration="$duration" "${extra[@]}" >"$log" 2>&1
  rc=$?
  runs=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)
  cov=$(grep -Eo 'DONE +cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
  if [ $rc -ne 0 ]; then failed=1; status="FINDING/FAILED (exit $rc)"; else status="ok"; fi
  summary+=("$(printf '%-40s %-12s %s; %s' "$t" "$status" "${runs:-no run count}" "${cov:-}")")
  echo "${summary[-1]}"
done
echo "== summary ($duration per target)"
printf '%s\n' "${summary[@]}"
ls donjon-*/crash-* 2>/dev/null && echo "crash inputs above"
exit $failed
