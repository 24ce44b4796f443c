#!/usr/bin/env bash
# The container tests (deploy/: ImagesContainerIT, KubeContainerIT), which `./mvnw verify` leaves out (they need root,
# podman and the Debian mirror): Debian's podman, runc, mmdebstrap and what they need, then the tests with
# -Pcontainers. The tests build the images themselves with deploy/images/build.sh from the jars of this build (the
# Debian base comes from the Debian mirror once, and is cached in target/images/cache). Needs root (mmdebstrap, podman
# with runc and cgroupfs). Called by .ci/run after `./mvnw verify`, bounded to 15 minutes (about 5 here on 2 shared
# cores, with the base cached): a hung podman fails CI, it does not stall it. On its own:
#   bash .ci/containers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/test-packages.sh
missing=()
for p in podman runc mmdebstrap catatonit netavark containernetworking-plugins; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  install() { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
  install 2>/dev/null || { $SUDO apt-get update -q >/dev/null && install; }
fi
timeout --kill-after=30s 15m ./mvnw -B -ntp -Pcontainers -pl deploy -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test='*ContainerIT' -Dfailsafe.failIfNoSpecifiedTests=false
