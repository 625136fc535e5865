#!/bin/sh
# Runs FunctionInsertBench twice: GraalJS interpreted (stock JDK, jars on the class path, as the
# nimbus executable runs) and with the Graal compiler (JVMCI; GraalVM jars on the module path,
# the compiler on the upgrade module path). Run from the repository root after:
#   ./mvnw -q -pl nimbus-bench -am compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
#   ./mvnw -q dependency:get -Dartifact=org.graalvm.compiler:compiler:<graalvm.version>
# Arguments are passed to the benchmark (e.g. --duration=5s --rounds=3).
set -eu
java=${JAVA:-java}
m2=${M2_REPO:-$HOME/.m2/repository}
version=$(sed -n 's#.*<graalvm.version>\(.*\)</graalvm.version>.*#\1#p' pom.xml)
cp=nimbus-bench/target/classes:$(cat nimbus-bench/target/classpath.txt)
graal=$(echo "$cp" | tr ':' '\n' | grep '/org/graalvm/' | grep '\.jar$' | grep -v 'truffle-compiler\|sdk/collections\|sdk/word' | paste -sd: -)
rest=$(echo "$cp" | tr ':' '\n' | grep -v '/org/graalvm/' | paste -sd: -)
upgrade=$m2/org/graalvm/compiler/compiler/$version/compiler-$version.jar:$m2/org/graalvm/sdk/collections/$version/collections-$version.jar:$m2/org/graalvm/sdk/word/$version/word-$version.jar:$m2/org/graalvm/truffle/truffle-compiler/$version/truffle-compiler-$version.jar
echo "## interpreted" >&2
"$java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.nimbus.bench.functions.FunctionInsertBench \
  --output=nimbus-bench/target/function-insert-interpreted.md "$@"
echo "## Graal compiler" >&2
"$java" -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI --upgrade-module-path="$upgrade" \
  -p "$graal" --add-modules ALL-MODULE-PATH --enable-native-access=ALL-UNNAMED -cp "$rest" \
  dev.nimbus.bench.functions.FunctionInsertBench --output=nimbus-bench/target/function-insert-compiled.md "$@"
