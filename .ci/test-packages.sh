#!/usr/bin/env bash
# Debian packages the tests start as real servers: docker-registry (the CNCF distribution registry) for the OCI tests,
# postgresql for Drawbridge's shared state, haproxy in front of the replicas of the failover test. Called by .ci/run
# and, when a binary is missing, by the tests themselves, so `./mvnw verify` works on a fresh machine too.
set -euo pipefail
missing=()
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
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
