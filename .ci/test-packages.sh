#!/usr/bin/env bash
# Debian packages the tests need beyond the base image: docker-registry (the CNCF distribution registry) for
# donjon-drawbridge's OCI tests; postgresql for donjon-secrets' PostgreSQL store (the tests run initdb/pg_ctl
# themselves, in a temporary directory, on a free loopback port); openssl, curl, python3 (the READMEs' own commands) and iproute2 (a loopback in the
# network namespace each README runs in) for donjon-cli's ReadmeBlocksIT. Called by .ci/run and, when something is
# missing, by the tests themselves, so `./mvnw verify` works on a fresh machine too.
set -euo pipefail
missing=()
export PATH="$PATH:/usr/sbin:/sbin"
for need in docker-registry:docker-registry openssl:openssl curl:curl python3:python3 ip:iproute2 unshare:util-linux; do
  command -v "${need%%:*}" >/dev/null || missing+=("${need##*:}")
done
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  $SUDO apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q "${missing[@]}" >/dev/null; }
fi
