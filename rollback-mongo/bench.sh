#!/bin/sh
# Restore benchmark: library vs a hand-written insertMany loop, into mongo-java-server in a child JVM.
# Usage (from the repository root): rollback-mongo/bench.sh [documents] [collections]
# CLIENT_HEAP caps the benchmark JVM's heap (default 256m) to show that the restore's memory is bounded.
set -e
cd "$(dirname "$0")/.."
mvn -B -q -f rollback-mongo/pom.xml test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="rollback-mongo/target/test-classes:rollback-mongo/target/classes:$(cat rollback-mongo/target/bench.classpath)"
exec java -Xmx"${CLIENT_HEAP:-256m}" -cp "$CP" dev.rollback.mongo.bench.RestoreBenchmark "$@"
