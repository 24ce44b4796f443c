#!/usr/bin/env bash
# Debian packages the tests need beyond the base image: docker-registry (the CNCF distribution registry) for
# donjon-drawbridge's OCI tests; openssl, curl, python3 (the READMEs' own commands) and iproute2 (a loopback in the
# network namespace each README runs in) for donjon-cli's ReadmeBlocksIT; postgresql for Drawbridge's shared catalog
# and donjon-secrets' PostgreSQL store (the tests run their own clusters: donjon-testing's LocalPostgres), haproxy in
# front of the replicas of the failover test. Called by .ci/run and, when something is missing, by the tests
# themselves, so `./mvnw verify` works on a fresh machine too.
set -euo pipefail
missing=()
export PATH="$PATH:/usr/sbin:/sbin"
for need in docker-registry:docker-registry openssl:openssl curl:curl python3:python3 ip:iproute2 unshare:util-linux \
    haproxy:haproxy; do
  command -v "${need%%:*}" >/dev/null || missing+=("${need##*:}")
done
# postgres is not on PATH: Debian puts it under its major version
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
[ ${#missing[@]} -gt 0 ] || exit 0
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
# the tests make their own clusters: no system-wide one listening on 5432, and no service started at install
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
  $SUDO mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
install() {
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
}
install 2>/dev/null || { $SUDO apt-get update -q >/dev/null && install; }
