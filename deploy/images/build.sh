#!/usr/bin/env bash
# Builds Donjon's OCI images (cli, steward, drawbridge, agent) from this checkout, with nothing from any image
# registry: a Debian base made by mmdebstrap (--variant=minbase), a runtime jlinked from the JDK the build used,
# and the jars of `./mvnw package`. podman assembles them (deploy/images/Containerfile: COPY steps only, so no
# container runs during the build). See deploy/README.md.
#
#   deploy/images/build.sh [--no-build] [--tag TAG] [--prefix PREFIX] [--only cli,steward,drawbridge,agent]
#                          [--save DIR] [--refresh-base]
#
# Caches (reused across builds and images): the base tarball and the jlinked runtime under target/images/cache/,
# keyed by what makes them; the base imported into podman as PREFIX/base:KEY. Needs root (or a working rootless
# podman and mmdebstrap's unshare mode), mmdebstrap, podman, and network access to the Debian mirror for the base.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/.mvn/find-jdk.sh"

build=1 tag= prefix=localhost/donjon only="cli steward drawbridge agent" save= refresh=0
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) build=0 ;;
    --tag) tag=$2; shift ;;
    --prefix) prefix=$2; shift ;;
    --only) only=${2//,/ }; shift ;;
    --save) save=$2; shift ;;
    --refresh-base) refresh=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for i in $only; do
  case $i in cli|steward|drawbridge|agent) ;; *) echo "build.sh: no image named $i (cli, steward, drawbridge, agent)" >&2; exit 2 ;; esac
done
for tool in podman mmdebstrap; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing (apt-get install $tool; .ci/containers.sh installs what this needs)" >&2; exit 1; }
done

out=$ROOT/target/images
cache=$out/cache
mkdir -p "$cache"
say() { printf 'build.sh: %s (%ss)\n' "$1" "$SECONDS" >&2; }
sha() { sha256sum | cut -c1-16; }
# jdeps prints warnings on stdout too: keep its one answer line (module names and commas)
module_list() { grep -E "^[a-z][a-z0-9.]*(,[a-z][a-z0-9.]*)*$" | tail -n 1; }

# 1. Donjon's jars: the CLI module's jar and its runtime class path (what ./donjon runs)
if [ $build = 1 ]; then
  say "building the jars (./mvnw package, tests skipped)"
  (cd "$ROOT" && ./mvnw -q -B -ntp -DskipTests -pl donjon-cli -am package)
fi
jar=$ROOT/donjon-cli/target/donjon.jar
[ -f "$jar" ] || { echo "build.sh: $jar is missing: build first (or drop --no-build)" >&2; exit 1; }
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -n 1)
revision=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] || revision="$revision-dirty"
# where the source lives: the clone's origin, or DONJON_IMAGE_SOURCE; without either the label is left out
source_url=${DONJON_IMAGE_SOURCE:-$(git -C "$ROOT" config --get remote.origin.url 2>/dev/null || true)}
tag=${tag:-$version}

# 2. The base: Debian minbase, a non-root user (10001) and the directories the services write
suite=bookworm
mirror=${DONJON_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DONJON_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
base_args=(--variant=minbase --include=netbase --format=tar
  --dpkgopt=force-unsafe-io
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-exclude=/usr/share/info/*'
  --customize-hook='chroot "$1" groupadd --gid 10001 donjon'
  --customize-hook='chroot "$1" useradd --uid 10001 --gid 10001 --home-dir /home/donjon --create-home --shell /usr/sbin/nologin donjon'
  --customize-hook='install -d -o 10001 -g 10001 -m 0750 "$1/var/lib/donjon" && install -d -m 0755 "$1/etc/donjon"'
  --customize-hook='rm -rf "$1"/var/log/* "$1"/var/cache/ldconfig/aux-cache "$1"/var/lib/apt/lists/*'
  # no shell and no script interpreter at run time (an intruder gets no sh, bash or perl); nothing here runs a script
  --customize-hook='rm -f "$1"/usr/bin/sh "$1"/usr/bin/bash "$1"/usr/bin/rbash "$1"/usr/bin/dash "$1"/usr/bin/perl "$1"/usr/bin/perl5.* "$1"/bin/sh "$1"/bin/bash "$1"/bin/dash')
base_key=$(printf '%s\n' "$suite" "$mirror" "$security" "${base_args[@]}" | sha)
base_tar=$cache/base-$base_key.tar
if [ $refresh = 1 ] || [ ! -s "$base_tar" ]; then
  say "making the Debian $suite minbase base with mmdebstrap (cached as ${base_tar#"$ROOT"/})"
  mmdebstrap --quiet "${base_args[@]}" "$suite" "$base_tar.part" \
    "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security $suite-security main"
  mv "$base_tar.part" "$base_tar"
fi
base_image=$prefix/base:$base_key
if [ $refresh = 1 ] || ! podman image exists "$base_image"; then
  say "importing the base into podman as $base_image"
  podman import --quiet "$base_tar" "$base_image" >/dev/null
fi

# 3. The runtime: jlink of the modules the jars use (jdeps), from the JDK that built them
lib=$ROOT/donjon-cli/target/lib
# third-party jars change only with their versions (their names): their module list is cached by name
third=$(cd "$lib" && ls | grep -v '^donjon-' | sort)
third_key=$(printf '%s\n' "$third" | sha)
third_modules=$cache/modules-$third_key
if [ ! -s "$third_modules" ]; then
  say "listing the JDK modules the libraries use (jdeps)"
  (cd "$lib" && "$JAVA_HOME/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 25 $third) \
    | module_list > "$third_modules.part"
  mv "$third_modules.part" "$third_modules"
fi
own_modules=$(cd "$lib" && "$JAVA_HOME/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 25 \
  --class-path "$(echo $third | tr " " :)" "$jar" donjon-*.jar | module_list)
# jdk.management: the JVM metrics (process CPU, memory); jdk.crypto.ec is part of java.base since JDK 22
modules=$(printf '%s\n' "$(cat "$third_modules")" "$own_modules" jdk.management | tr ',' '\n' | sort -u | paste -sd, -)
jdk_release=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')
jre_key=$(printf '%s\n' "$jdk_release" "$modules" | sha)
jre=$cache/jre-$jre_key
if [ ! -x "$jre/bin/java" ]; then
  say "linking a runtime of $modules from JDK $jdk_release (jlink)"
  rm -rf "$jre.part"
  "$JAVA_HOME/bin/jlink" --add-modules "$modules" --output "$jre.part" --strip-debug --no-header-files \
    --no-man-pages --generate-cds-archive
  mv "$jre.part" "$jre"
fi

# 4. The build context: hard links, so nothing large is copied
ctx=$out/context
rm -rf "$ctx"
mkdir -p "$ctx/lib"
cp -al "$jre" "$ctx/jre" 2>/dev/null || cp -a "$jre" "$ctx/jre"
cp -l "$lib"/*.jar "$ctx/lib/" 2>/dev/null || cp "$lib"/*.jar "$ctx/lib/"
cp "$jar" "$ctx/donjon.jar"
{
  echo "# JVM options of every Donjon image (the java launcher's @argfile; one option per line)"
  echo "-XX:MaxRAMPercentage=75"
  echo "-XX:+ExitOnOutOfMemoryError"
  echo "-XX:-UsePerfData"
  echo "--enable-native-access=ALL-UNNAMED"
  echo "-Xlog:disable"
  echo "-Xlog:all=warning,cds*=off:stderr"
  sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$ROOT/donjon-wasi/src/main/resources/dev/donjon/wasi/engine-jvm-options"
} > "$ctx/jvm.options"
cp "$ROOT/deploy/images/Containerfile" "$ctx/Containerfile"
chmod -R a+rX "$ctx"

created=$(git -C "$ROOT" log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
labels=(--label "org.opencontainers.image.version=$version" --label "org.opencontainers.image.revision=$revision"
  --label "org.opencontainers.image.created=$created"
  --label "org.opencontainers.image.vendor=Donjon" --label "org.opencontainers.image.base.name=debian:$suite (mmdebstrap minbase, $base_key)"
  --label "dev.donjon.jdk=$jdk_release" --label "dev.donjon.jdk.modules=$modules")
[ -z "$source_url" ] || labels+=(--label "org.opencontainers.image.source=$source_url")

# 5. One image per service; the runtime stage is built once and cached by podman
for image in $only; do
  say "building $prefix/$image:$tag"
  podman build --quiet --layers --pull=never --build-arg "BASE=$base_image" --target "$image" "${labels[@]}" \
    --tag "$prefix/$image:$tag" --file "$ctx/Containerfile" "$ctx" >/dev/null
  if [ -n "$save" ]; then
    mkdir -p "$save"
    podman save --quiet --format oci-archive --output "$save/donjon-$image-$tag.oci.tar" "$prefix/$image:$tag"
  fi
  echo "$prefix/$image:$tag"
done
say "done"
