#!/usr/bin/env bash
# Debian packages the tests start as real servers: docker-registry (the CNCF distribution registry) for
# donjon-drawbridge's OCI tests. Called by .ci/run and, when the binary is missing, by the tests themselves,
# so `./mvnw verify` works on a fresh machine too.
set -euo pipefail
if [ ! -x /usr/bin/docker-registry ]; then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  $SUDO apt-get install -y -q docker-registry >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q docker-registry >/dev/null; }
fi
