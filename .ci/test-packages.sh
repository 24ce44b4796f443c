#!/usr/bin/env bash
# Debian packages the tests start as real servers: docker-registry (the CNCF distribution registry) for
# donjon-drawbridge's OCI tests, postgresql for donjon-secrets' PostgreSQL store (the tests run initdb/pg_ctl
# themselves, in a temporary directory, on a free loopback port). Called by .ci/run and, when a binary is
# missing, by the tests themselves, so `./mvnw verify` works on a fresh machine too.
set -euo pipefail
missing=()
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  $SUDO apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q "${missing[@]}" >/dev/null; }
fi
