# Sourced by ./mvnw, ./pactum and .ci/run: makes JAVA_HOME point at a JDK 21 or newer.
# Why: the default `java` on our machines is 17, and Pactum targets release 21. We prefer an explicit
# JAVA_HOME, then any Temurin or other JDK under /usr/lib/jvm, and stop with a clear message otherwise.
pactum_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
pactum_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(pactum_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then return 0; fi
    echo "pactum: JAVA_HOME=$JAVA_HOME is Java ${v:-?}; looking for a JDK 21+ under /usr/lib/jvm" >&2
  fi
  case $- in *f*) pactum_noglob=1; set +f ;; *) pactum_noglob= ;; esac  # mvnw runs with `set -f`
  for d in /usr/lib/jvm/temurin-*-jdk* /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(pactum_java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then JAVA_HOME="$d"; export JAVA_HOME; [ -z "$pactum_noglob" ] || set -f; return 0; fi
  done
  [ -z "$pactum_noglob" ] || set -f
  echo "pactum: no JDK 21 or newer found. Install one (for example Temurin 21/25) and set JAVA_HOME to it." >&2
  return 1
}
pactum_find_jdk || exit 1
# Maven 3.9's Guava touches sun.misc.Unsafe, which JDK 24+ warns about on every build; allow it quietly.
if [ "$(pactum_java_major "$JAVA_HOME")" -ge 24 ]; then
  case "${MAVEN_OPTS:-}" in *sun-misc-unsafe*) ;; *) MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"; export MAVEN_OPTS ;; esac
fi
