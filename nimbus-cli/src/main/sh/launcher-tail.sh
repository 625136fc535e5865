
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${NIMBUS_JAVA_OPTS-} -jar "$0" "$@"
exit 1
