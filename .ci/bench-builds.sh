#!/usr/bin/env bash
# Runs the build step of every bench/ script, as the script runs it (issue 11: a build with tests skipped must not need
# anything that only a test build or an earlier `mvn install` made). A script builds either with the Maven wrapper
# (its `./mvnw ...` line is run here as written) or through the ./donjon launcher (run once here), or says in a
# `# Builds nothing: why` line that it runs only what it is given.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
declare -A seen=()
for script in bench/*.sh; do
  line=$(grep -o '\./mvnw [^)]*' "$script" | head -n 1 || true)
  if [ -n "$line" ]; then
    key=$(tr ' ' '\n' <<<"$line" | sort | tr '\n' ' ') # the same options in another order: the same build
    [ -n "${seen[$key]:-}" ] && { echo "bench build: $script: $line (already built)"; continue; }
    seen[$key]=1
    echo "bench build: $script: $line"
    eval "$line" || { echo "bench build: $script: its build step failed" >&2; status=1; }
  elif grep -q 'DONJON:-\./donjon' "$script"; then
    echo "bench build: $script: through ./donjon"
    [ -n "${seen[launcher]:-}" ] && continue
    seen[launcher]=1
    rm -f donjon-cli/target/.donjon-built
    ./donjon run examples/hello/hello.wasm >/dev/null || { echo "bench build: $script: ./donjon did not build" >&2; status=1; }
  elif grep -q '^# Builds nothing:' "$script"; then
    echo "bench build: $script: builds nothing: $(grep -o "^# Builds nothing: .*" "$script" | cut -c19-)"
  else
    echo "bench build: $script: no build step found (neither ./mvnw nor ./donjon): say in this script how it builds" >&2
    status=1
  fi
done
exit $status
