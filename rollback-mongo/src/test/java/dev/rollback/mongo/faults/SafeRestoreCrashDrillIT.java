package dev.rollback.mongo.faults;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.mongo.BackupSource;
import dev.rollback.mongo.DumpFixturesAccess;
import dev.rollback.mongo.Mongo;
import dev.rollback.mongo.MongoBackup;
import dev.rollback.mongo.MongoDb;
import dev.rollback.test.CrashDrill;
import dev.rollback.test.CrashDrillReport;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The testkit's crash drill across the swap (issue 14): the plan "capture, safe restore, verify" is
 * SIGKILLed at every step boundary and inside every step, in child JVMs, and resumed; every crash
 * point must end in the state an uninterrupted run ends in (names of kept collections normalised
 * over the run id). The server runs in this JVM.
 */
class SafeRestoreCrashDrillIT {
    private static MongoServer server;
    private static String uri;
    private static MongoClient client;

    @TempDir
    static Path dir;

    /** The plan, built in each child JVM. */
    public static final class Plan implements Supplier<RollbackPlan> {
        @Override
        public RollbackPlan get() {
            MongoDb crm = Mongo.at(System.getProperty("drill.uri")).serverSelectionTimeout(Duration.ofSeconds(10)).database("crm");
            BackupSource backup = MongoBackup.at(Path.of(System.getProperty("drill.backup")));
            return Rollback.plan("mongo-crash-drill")
                    .capture(crm.dump())
                    .restore(crm.restoreFrom(backup).parallelCollections(1).batchSize(40))
                    .verify(crm.countsMatch(backup))
                    .verify(crm.indexesMatch(backup))
                    .build();
        }
    }

    @BeforeAll
    static void start() {
        server = new MongoServer(new MemoryBackend());
        InetSocketAddress a = server.bind();
        uri = "mongodb://127.0.0.1:" + a.getPort();
        client = MongoClients.create(uri);
        Path backup = dir.resolve("backup/crm");
        DumpFixturesAccess.collection(backup, "accounts", SafeRestoreFaultInjectionIT.docs("account", 150), "{\"v\": 2, \"key\": {\"n\": 1}, \"name\": \"n_1\"}");
        DumpFixturesAccess.collection(backup, "contacts", SafeRestoreFaultInjectionIT.docs("contact", 90));
    }

    @AfterAll
    static void stop() {
        client.close();
        server.shutdownNow();
    }

    private static void reset() {
        MongoDatabase db = client.getDatabase("crm");
        db.drop();
        db.getCollection("accounts", BsonDocument.class).insertMany(SafeRestoreFaultInjectionIT.docs("account-live", 70));
    }

    /** Collections and their counts, with the run id in kept names replaced. */
    private static String state() {
        MongoDatabase db = client.getDatabase("crm");
        TreeMap<String, Long> counts = new TreeMap<>();
        for (String n : db.listCollectionNames().into(new ArrayList<>())) {
            counts.put(n.replaceAll("_(before|meanwhile)_[A-Za-z0-9]+", "_$1_<run>"), db.getCollection(n).countDocuments());
        }
        return counts.toString();
    }

    @Test
    void everyCrashPointResumesToTheUninterruptedEndState() {
        CrashDrillReport report = CrashDrill.of(Plan.class)
                .systemProperty("drill.uri", uri)
                .systemProperty("drill.backup", dir.resolve("backup/crm").toString())
                .workDirectory(dir.resolve("drill"))
                .beforeEachRun(SafeRestoreCrashDrillIT::reset)
                .killAtEveryStepBoundary()
                .killInsideEveryStep()
                .verify(SafeRestoreCrashDrillIT::state);
        assertThat(report.passed()).isTrue();
        assertThat(report.baselineState()).isEqualTo("{accounts=150, accounts_before_<run>=70, contacts=90}");
        List<String> points = report.points().stream().map(CrashDrillReport.PointResult::point).toList();
        assertThat(points).hasSizeGreaterThanOrEqualTo(6);
    }
}
