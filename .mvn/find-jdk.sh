# Sourced by ./donjon and ./mvnw: Donjon needs JDK 25 or newer. Use JAVA_HOME when it is one,
# else look in the usual places; fail with one clear line when there is none.
donjon_jdk_ok() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  # The JDK's release file names its version: read without starting a JVM (≈50 ms at every ./donjon start).
  if [ -f "$1/release" ]; then
    while IFS= read -r donjon_line; do
      case $donjon_line in
        JAVA_VERSION=\"2[5-9]*|JAVA_VERSION=\"[3-9][0-9]*) return 0 ;;
        JAVA_VERSION=*) return 1 ;;
      esac
    done <"$1/release"
  fi
  "$1/bin/java" -version 2>&1 | head -n 1 | grep -Eq 'version "(2[5-9]|[3-9][0-9])'
}
if [ -z "${JAVA_HOME:-}" ] || ! donjon_jdk_ok "$JAVA_HOME"; then
  donjon_found=
  case $- in *f*) donjon_noglob=1; set +f ;; *) donjon_noglob= ;; esac  # mvnw runs with globbing off
  for donjon_c in /usr/lib/jvm/*-25* /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    if donjon_jdk_ok "$donjon_c"; then donjon_found=$donjon_c; break; fi
  done
  # last, the JDK of the java on PATH (looked up only now: four processes)
  if [ -z "$donjon_found" ]; then
    donjon_c=$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")
    if donjon_jdk_ok "$donjon_c"; then donjon_found=$donjon_c; fi
  fi
  [ -n "$donjon_noglob" ] && set -f
  if [ -z "$donjon_found" ]; then
    echo "donjon: no JDK 25 found (looked at JAVA_HOME, /usr/lib/jvm, /opt and java on PATH); install one and set JAVA_HOME" >&2
    exit 1
  fi
  JAVA_HOME=$donjon_found
fi
export JAVA_HOME
unset donjon_found donjon_c donjon_noglob donjon_line
