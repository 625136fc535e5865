#!/bin/sh
# nimbus: a launcher followed by the application jar (this same file). It finds a JDK >= 21
# exactly as ./mvnw does (the JDK search below is .mvn/select-jdk.sh), then runs the jar.
