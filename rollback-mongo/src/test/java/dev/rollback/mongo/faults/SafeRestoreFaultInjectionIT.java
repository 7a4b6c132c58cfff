package dev.rollback.mongo.faults;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.mongo.BackupCollection;
import dev.rollback.mongo.MongoBackupContents;
import dev.rollback.mongo.internal.BsonFileReader;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 19, MongoDB: a runner in a child JVM is SIGKILLed by a wire-protocol proxy at the worst
 * instants of a safe restore (mid-collection, between collections, each rename of the swap sent or
 * in flight); while it is down the application writes a document; a resume in a new JVM must end
 * with: live = backup, the kept original = the pre-run data and named in the outputs and the
 * incident report, no {@code _before_} copy of a collection that was not live, no temporary
 * collection left named nowhere, the document written meanwhile kept exactly once and named, and
 * the forensic dump = the pre-run data. The server runs in this JVM, so only the runner dies.
 */
class SafeRestoreFaultInjectionIT {
    private static MongoServer server;
    private static InetSocketAddress address;
    private static MongoClient client;
    private static Path backup;
    private static final Map<String, List<BsonDocument>> BACKUP = new LinkedHashMap<>();

    @TempDir
    Path tmp;

    private Map<String, List<BsonDocument>> preRun;

    @BeforeAll
    static void startServer(@TempDir Path dir) {
        server = new MongoServer(new MemoryBackend());
        address = server.bind();
        client = MongoClients.create("mongodb://127.0.0.1:" + address.getPort());
        backup = dir.resolve("backup/crm");
        // invoices sorts first, then orders, then users: the order the restore loads and swaps them in
        BACKUP.put("invoices", docs("invoice", 120));
        BACKUP.put("orders", docs("order", 200));
        BACKUP.put("users", docs("user", 300));
        BACKUP.forEach((name, list) -> dev.rollback.mongo.DumpFixturesAccess.collection(backup, name, list,
                "{\"v\": 2, \"key\": {\"n\": 1}, \"name\": \"n_1\"}"));
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.shutdownNow();
    }

    static List<BsonDocument> docs(String prefix, int n) {
        List<BsonDocument> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new BsonDocument("_id", new BsonString(prefix + "-" + String.format("%04d", i))).append("n", new org.bson.BsonInt32(i)));
        }
        return out;
    }

    @BeforeEach
    void liveDataBeforeTheRun() {
        MongoDatabase db = client.getDatabase(FaultChild.DB);
        db.drop();
        // users: the backup's first 250 plus 100 newer; orders: 150 others; invoices: not live at all
        List<BsonDocument> users = new ArrayList<>(BACKUP.get("users").subList(0, 250));
        users.addAll(docs("user-new", 100));
        List<BsonDocument> orders = docs("order-live", 150);
        db.getCollection("users", BsonDocument.class).insertMany(users);
        db.getCollection("orders", BsonDocument.class).insertMany(orders);
        preRun = new LinkedHashMap<>();
        preRun.put("orders", sorted(orders));
        preRun.put("users", sorted(users));
    }

    static Stream<Arguments> killPoints() {
        // the last argument: the collection the application writes into while the runner is down, one the swap has not
        // finished with (a write into a collection already swapped in lands in the restored data, as it should)
        return Stream.of(
                Arguments.of("restore", "mid-collection (3rd batch of orders)", fault(c -> isInsert(c, "_orders"), 3, false), "orders"),
                Arguments.of("restore", "between collections (1st batch of users)", fault(c -> isInsert(c, "_users"), 1, false), "orders"),
                Arguments.of("restore", "swap-in rename of invoices (not live before) sent", fault(c -> isRename(c, "_invoices", "crm.invoices"), 1, true), "users"),
                Arguments.of("restore", "set-aside rename of orders sent", fault(c -> isRename(c, "crm.orders ", "_before_"), 1, true), "orders"),
                Arguments.of("restore", "set-aside rename of orders in flight", fault(c -> isRename(c, "crm.orders ", "_before_"), 1, false), "orders"),
                Arguments.of("restore", "swap-in rename of orders sent", fault(c -> isRename(c, "_orders", "crm.orders"), 1, true), "users"),
                Arguments.of("restore", "swap-in rename of orders in flight", fault(c -> isRename(c, "_orders", "crm.orders"), 1, false), "orders"),
                Arguments.of("checkpoint", "mid-collection (3rd batch of orders)", fault(c -> isInsert(c, "_orders"), 3, false), "orders"),
                Arguments.of("checkpoint", "set-aside rename of orders sent", fault(c -> isRename(c, "crm.orders ", "_before_"), 1, true), "orders"),
                Arguments.of("checkpoint", "swap-in rename of users in flight", fault(c -> isRename(c, "_users", "crm.users"), 1, false), "users"));
    }

    private static boolean isInsert(WireProxy.Command c, String suffix) {
        return c.name().equals("insert") && c.target().startsWith("rbtmp_") && c.target().endsWith(suffix);
    }

    private static boolean isRename(WireProxy.Command c, String from, String to) {
        if (!c.name().equals("renameCollection")) {
            return false;
        }
        String[] parts = c.target().split(" -> ");
        return (parts[0] + " ").contains(from) && parts[1].contains(to) && (!to.startsWith("crm.") || parts[1].equals(to));
    }

    /** Kills at the n-th command matching, after forwarding it (sent) or before (in flight). */
    private static Function<WireProxy.Command, WireProxy.Action> fault(java.util.function.Predicate<WireProxy.Command> match, int nth, boolean sent) {
        int[] seen = {0};
        return c -> {
            if (match.test(c) && ++seen[0] == nth) {
                return sent ? WireProxy.Action.KILL_AFTER : WireProxy.Action.KILL_BEFORE;
            }
            return WireProxy.Action.FORWARD;
        };
    }

    @ParameterizedTest(name = "{0}: kill at {1}")
    @MethodSource("killPoints")
    void killedRunnerResumesToTheRightEndState(String variant, String point, Function<WireProxy.Command, WireProxy.Action> fault,
                                               String writtenInto) throws Exception {
        Path journal = tmp.resolve("journal");
        Process[] child = new Process[1];
        WireProxy proxy = new WireProxy(address, fault, () -> {
            child[0].destroyForcibly();
            try {
                child[0].waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Properties r;
        BsonDocument meanwhile = new BsonDocument("_id", new BsonString("written-meanwhile")).append("n", new org.bson.BsonInt32(-1));
        try (proxy) {
            child[0] = start("run", variant, journal, proxy.uri(), tmp.resolve("first.properties"), null);
            assertThat(child[0].waitFor(60, TimeUnit.SECONDS)).as("the first run ended or was killed").isTrue();
            Properties first = load(tmp.resolve("first.properties"));
            assertThat(proxy.killedAt()).as("the run reached '" + point + "' and was killed there (it ended " + first + "; commands seen: "
                    + proxy.seen() + ")").isNotNull();
            // the application writes while the runner is down: into the live name, wherever the swap left it
            client.getDatabase(FaultChild.DB).getCollection(writtenInto, BsonDocument.class).insertOne(meanwhile);

            String planName = FaultChild.PLAN + "-" + variant;
            List<String> runs = FileJournal.in(journal).runIds(planName);
            assertThat(runs).hasSize(1);
            // the same plan (same server address), in a new JVM; the proxy now only forwards
            Process resume = start("resume", variant, journal, proxy.sameUri(), tmp.resolve("resume.properties"), runs.get(0));
            assertThat(resume.waitFor(120, TimeUnit.SECONDS)).isTrue();
            r = load(tmp.resolve("resume.properties"));
        }
        assertThat(r.getProperty("outcome")).as("resume after '" + point + "': " + r.getProperty("error") + "\n" + tail(tmp.resolve("resume.log")))
                .isEqualTo("SUCCEEDED");

        MongoDatabase db = client.getDatabase(FaultChild.DB);
        Map<String, String> outputs = new LinkedHashMap<>();
        r.stringPropertyNames().stream().filter(k -> k.startsWith("output.")).forEach(k -> outputs.put(k.substring(7), r.getProperty(k)));
        List<String> names = db.listCollectionNames().into(new ArrayList<>());
        String report = Files.readString(Path.of(r.getProperty("runDirectory")).resolve("incident-report.md"));

        // the document written meanwhile exists exactly once, in a collection the outputs name (or the live one)
        List<String> holding = names.stream().filter(n -> db.getCollection(n).countDocuments(new BsonDocument("_id", meanwhile.get("_id"))) > 0).toList();
        assertThat(holding).as("collections holding the document written meanwhile").hasSize(1);
        String holder = holding.get(0);
        assertThat(outputs.values()).as(holder + " is named in the outputs " + outputs)
                .anyMatch(v -> v.contains("crm." + holder + " ") || v.contains("crm." + holder + ":"));

        // where the live name was empty at the kill (the original set aside, the restore not yet in), the application's
        // write created a new collection: it is set aside, counted and reported, never dropped
        boolean liveNameEmpty = point.contains(writtenInto) && (point.startsWith("set-aside rename") && point.endsWith("sent")
                || point.startsWith("swap-in rename") && point.endsWith("in flight"));
        if (liveNameEmpty) {
            assertThat(holder).contains(writtenInto + "_meanwhile_");
            assertThat(outputs).containsKey("kept.mongo.meanwhile.crm." + writtenInto);
            assertThat(outputs.get("kept.mongo.meanwhile.crm." + writtenInto)).contains("(1 documents)");
            assertThat(report).contains("kept.mongo.meanwhile.crm." + writtenInto);
        } else {
            assertThat(holder).as("the write went into the original, which was kept").contains(writtenInto + "_before_");
        }

        // live = backup
        for (Map.Entry<String, List<BsonDocument>> e : BACKUP.entrySet()) {
            assertThat(all(db, e.getKey())).as("live " + e.getKey() + " after '" + point + "'").isEqualTo(sorted(e.getValue()));
        }
        // kept originals = pre-run data, named in the outputs and the incident report
        for (Map.Entry<String, List<BsonDocument>> e : preRun.entrySet()) {
            String key = "kept.mongo.before.crm." + e.getKey();
            assertThat(outputs).as("outputs after '" + point + "'").containsKey(key);
            String kept = outputs.get(key).split(" ")[1].substring("crm.".length());
            assertThat(withoutMeanwhile(all(db, kept))).as("kept " + kept).isEqualTo(e.getValue());
            assertThat(report).contains(key).contains("crm." + kept);
        }
        // no fake copy of invoices, which was not live before the run
        assertThat(names).noneMatch(n -> n.startsWith("invoices_before_"));
        assertThat(outputs).doesNotContainKey("kept.mongo.before.crm.invoices");
        // no temporary collection left, and every collection the run created is named
        assertThat(names).noneMatch(n -> n.startsWith("rbtmp_"));
        for (String n : names) {
            if (n.contains("_before_") || n.contains("_meanwhile_")) {
                assertThat(outputs.values()).as(n + " is named in the outputs").anyMatch(v -> v.contains("crm." + n + " ") || v.contains("crm." + n + ":"));
            }
        }
        // forensics = the pre-run data, and none of the library's own collections
        Path dump = Path.of(outputs.get("mongo.dump.path"));
        MongoBackupContents forensic = MongoBackupContents.read(dump);
        assertThat(forensic.collectionNames()).containsExactlyInAnyOrder("orders", "users");
        for (BackupCollection c : forensic.collections()) {
            assertThat(read(c.dataFile().orElseThrow())).as("forensic " + c.name()).isEqualTo(preRun.get(c.name()));
        }
    }

    /**
     * Issue 18: the runner is killed after the prepare, before the swap; the resume in a new JVM swaps
     * the same prepared collections in without a second restore (no insert reaches the server).
     */
    @org.junit.jupiter.api.Test
    void aCrashBetweenPrepareAndSwapResumesAndSwapsTheSamePreparedCopy() throws Exception {
        Path journal = tmp.resolve("journal");
        Path marker = tmp.resolve("paused");
        WireProxy proxy = new WireProxy(address, c -> WireProxy.Action.FORWARD, () -> { });
        Properties r;
        List<WireProxy.Command> resumeCommands;
        try (proxy) {
            Process first = start("run", "prepared", journal, proxy.uri(), tmp.resolve("first.properties"), null,
                    List.of("-Dfault.pauseMarker=" + marker));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(marker) && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Files.exists(marker)).as("the run reached the pause after the prepare:\n" + tail(tmp.resolve("run.log"))).isTrue();
            first.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            long inserts = proxy.seen().stream().filter(c -> c.name().equals("insert") && c.target().startsWith("rbtmp_")).mapToLong(WireProxy.Command::documents).sum();
            assertThat(inserts).as("documents the prepare loaded").isEqualTo(620);
            assertThat(client.getDatabase(FaultChild.DB).listCollectionNames().into(new ArrayList<>())).filteredOn(n -> n.startsWith("rbtmp_")).hasSize(3);
            int before = proxy.seen().size();
            String runId = FileJournal.in(journal).runIds(FaultChild.PLAN + "-prepared").get(0);
            Process resume = start("resume", "prepared", journal, proxy.uri(), tmp.resolve("resume.properties"), runId);
            assertThat(resume.waitFor(120, TimeUnit.SECONDS)).isTrue();
            r = load(tmp.resolve("resume.properties"));
            resumeCommands = proxy.seen().subList(before, proxy.seen().size());
        }
        assertThat(r.getProperty("outcome")).as(r.getProperty("error") + "\n" + tail(tmp.resolve("resume.log"))).isEqualTo("SUCCEEDED");
        assertThat(resumeCommands).as("the resume restored nothing again").noneMatch(c -> c.name().equals("insert"));
        assertThat(resumeCommands).filteredOn(c -> c.name().equals("renameCollection")).hasSize(5);
        MongoDatabase db = client.getDatabase(FaultChild.DB);
        for (Map.Entry<String, List<BsonDocument>> e : BACKUP.entrySet()) {
            assertThat(all(db, e.getKey())).as("live " + e.getKey()).isEqualTo(sorted(e.getValue()));
        }
        assertThat(r.getProperty("output.kept.mongo.before.crm.users")).isNotNull();
        assertThat(r.getProperty("output.mongo.dataLoss.crm.users")).startsWith("50 documents");
        assertThat(db.listCollectionNames().into(new ArrayList<>())).noneMatch(n -> n.startsWith("rbtmp_") || n.startsWith("invoices_before_"));
    }

    private static List<BsonDocument> withoutMeanwhile(List<BsonDocument> docs) {
        return docs.stream().filter(d -> !d.get("_id").equals(new BsonString("written-meanwhile"))).toList();
    }

    private static List<BsonDocument> all(MongoDatabase db, String name) {
        return db.getCollection(name, BsonDocument.class).find().sort(Sorts.ascending("_id")).into(new ArrayList<>());
    }

    private static List<BsonDocument> sorted(List<BsonDocument> docs) {
        return docs.stream().sorted((a, b) -> a.getString("_id").getValue().compareTo(b.getString("_id").getValue())).toList();
    }

    private static List<BsonDocument> read(Path file) {
        List<BsonDocument> out = new ArrayList<>();
        try (BsonFileReader r = BsonFileReader.open(file, true)) {
            RawBsonDocument d;
            while ((d = r.next()) != null) {
                out.add(new BsonDocumentCodec().decode(d.asBsonReader(), DecoderContext.builder().build()));
            }
        }
        return sorted(out);
    }

    private Process start(String mode, String variant, Path journal, String uri, Path result, String runId) throws IOException {
        return start(mode, variant, journal, uri, result, runId, List.of());
    }

    private Process start(String mode, String variant, Path journal, String uri, Path result, String runId, List<String> jvmArgs) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp",
                System.getProperty("java.class.path"), FaultChild.class.getName(), mode, variant, journal.toString(), backup.toString(), uri,
                result.toString()));
        if (runId != null) {
            cmd.add(runId);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(mode + ".log").toFile()).start();
        p.getOutputStream().close();
        return p;
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        return p;
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
