# Sourced by ./mvnw before anything else. Maven and this build need a JDK >= 21
# (the project compiles with --release 21). Many machines default to an older
# java, so when JAVA_HOME is unset or too old we look in the usual install
# places and take the newest JDK >= 21 we find. POSIX sh, no JVM is started.

nimbus_jdk_major() {
  # Prints the feature version of the JDK at $1 (e.g. 25), or nothing.
  [ -x "$1/bin/javac" ] && [ -f "$1/release" ] || return 0
  sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1
}

nimbus_select_jdk() {
  required=21
  if [ -n "${JAVA_HOME-}" ]; then
    major=$(nimbus_jdk_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge "$required" ]; then nimbus_quiet_maven "$major"; return 0; fi
  fi
  best=""; best_major=0
  set +f  # mvnw runs with globbing off; the search below needs it
  path_java=$(command -v javac 2>/dev/null || true)
  if [ -n "$path_java" ]; then
    path_home=$(dirname "$(dirname "$(readlink -f "$path_java")")")
  else
    path_home=""
  fi
  for candidate in "$path_home" /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
      "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$candidate" ] && [ -d "$candidate" ] || continue
    major=$(nimbus_jdk_major "$candidate")
    [ -n "$major" ] || continue
    if [ "$major" -ge "$required" ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"; best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "Nimbus needs a JDK 21 or newer, and none was found." >&2
    echo "Looked at JAVA_HOME, the javac on PATH and /usr/lib/jvm, /usr/java, /opt/java, ~/.sdkman, ~/.jdks." >&2
    echo "Install one (e.g. 'apt-get install openjdk-21-jdk' or Temurin 21+) or set JAVA_HOME to it." >&2
    exit 1
  fi
  set -f
  JAVA_HOME="$best"
  export JAVA_HOME
  nimbus_quiet_maven "$best_major"
}

nimbus_quiet_maven() {
  # Maven 3.9's Guice uses sun.misc.Unsafe, which JDK 24+ warns about on every run.
  if [ "$1" -ge 24 ]; then
    MAVEN_OPTS="${MAVEN_OPTS-} --sun-misc-unsafe-memory-access=allow"
    export MAVEN_OPTS
  fi
}

nimbus_select_jdk
