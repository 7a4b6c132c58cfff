#!/bin/sh
# Restore benchmark: library vs a hand-written insertMany loop, folder vs archive, into mongo-java-server in a child JVM.
# Usage (from the repository root): rollback-mongo/bench.sh [documents] [collections]
# CLIENT_HEAP caps the benchmark JVM's heap (default 256m) to show that the restore's memory is bounded.
set -e
cd "$(dirname "$0")/.."
# A reactor build (-am): the module's siblings come from their target/classes, never from ~/.m2.
mvn -B -q -pl rollback-mongo -am test-compile dependency:build-classpath -Drollback.stage.skip=true \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="rollback-mongo/target/test-classes:rollback-mongo/target/classes:$(cat rollback-mongo/target/bench.classpath)"
exec java -Xmx"${CLIENT_HEAP:-256m}" -cp "$CP" dev.rollback.mongo.bench.RestoreBenchmark "$@"
