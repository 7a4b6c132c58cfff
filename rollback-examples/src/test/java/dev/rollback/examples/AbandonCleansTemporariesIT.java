package dev.rollback.examples;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.cli.RollbackCommand;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.PlanStatus;
import com.mongodb.client.MongoClient;
import dev.rollback.examples.lab.LabMongo;
import dev.rollback.examples.lab.LabPostgres;
import dev.rollback.mongo.Mongo;
import dev.rollback.mongo.MongoBackup;
import dev.rollback.mongo.MongoDb;
import dev.rollback.mongo.MongoPrepare;
import org.bson.Document;
import dev.rollback.journal.postgres.PostgresJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plan state end to end, on a {@code FileJournal} and a {@code PostgresJournal}, with the real
 * MongoDB and PostgreSQL adapters: a run prepares the MongoDB backup into {@code rbtmp_*}
 * collections, then its PostgreSQL safe restore's copy fails its checks and leaves its
 * {@code <db>_rollback_*} database behind; a new run is refused naming the interrupted run;
 * {@code --abandon} runs each started step's cleanup, which drops those temporaries (and nothing
 * else: the live data stays), journals what it removed, and leaves the plan idle; after a success a
 * new run needs {@code --again}.
 */
class AbandonCleansTemporariesIT {
    private static LabPostgres pg;
    private static LabMongo mongo;

    @TempDir
    static Path work;

    @TempDir
    Path dir;

    private final AtomicBoolean copyIsBad = new AtomicBoolean(true);

    @BeforeAll
    static void server() {
        pg = LabPostgres.start();
        mongo = LabMongo.start();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
        mongo.close();
    }

    private RollbackPlan plan(String db, Path dump, Path mongoBackup) {
        MongoDb crm = Mongo.at(mongo.uri()).database(db);
        MongoPrepare prepared = crm.prepare(MongoBackup.at(mongoBackup));
        return Rollback.plan("shop-restore-" + db)
                .capture(pg.postgres(db).dump(Path.of("forensics/pre-rollback.dump")))
                .step(prepared)                                            // rbtmp_* collections, while the app serves
                .restore(pg.postgres(db).restore(dump).verifyWith(copy -> Check.of("orders in the copy", c -> copyIsBad.get()
                        ? CheckResult.failed("orders in the copy", 0, ">= 3", "the copy has no orders")
                        : CheckResult.passed("orders in the copy", 3, ">= 3"))))
                .restore(crm.swapIn(prepared))
                .build();
    }

    private record Result(int code, String out, String err) {
        String all() {
            return "exit " + code + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    private Result cli(RollbackPlan plan, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RollbackCommand.named("shop-rollback")
                .streams(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                        new ByteArrayInputStream(new byte[0]))
                .environment(env)
                .execute(args, o -> plan);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0} journal")
    @ValueSource(strings = {"file", "postgres"})
    void abandonDropsTheUnswappedCopyAndNothingElse(String kind) throws Exception {
        String db = "shop_abandon_" + kind;
        pg.recreateDatabase(db);
        pg.execute(db, "CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders VALUES (1), (2), (3)");
        Path dump = dir.resolve("shop.dump");
        Rollback.runner().run(Rollback.plan("backup-" + db).capture(pg.postgres(db).dump(dump)).build()).orThrow();
        pg.execute(db, "INSERT INTO orders VALUES (4)");   // written after the backup: the live data the restore would replace
        try (MongoClient client = mongo.client()) {
            client.getDatabase(db).drop();
            client.getDatabase(db).getCollection("users").insertMany(List.of(new Document("_id", 1), new Document("_id", 2)));
        }
        Path mongoBackup = Path.of(Rollback.runner().run(Rollback.plan("mongo-backup-" + db)
                .capture(Mongo.at(mongo.uri()).database(db).dump().to(dir.resolve("mongo-backup"))).build()).orThrow()
                .outputs().get("mongo.dump.path"));
        try (MongoClient client = mongo.client()) {
            client.getDatabase(db).getCollection("users").insertOne(new Document("_id", 3));   // written after the backup
        }

        String journalArg;
        Map<String, String> env;
        Journal journal;
        if (kind.equals("file")) {
            journalArg = dir.resolve("journal").toString();
            env = Map.of();
            journal = FileJournal.in(dir.resolve("journal"));
        } else {
            String journalDb = "journal_" + kind;
            pg.recreateDatabase(journalDb);
            journalArg = "postgresql://" + pg.user() + "@" + pg.hostPort() + "/" + journalDb + "?runFolder=" + dir.resolve("runs");
            env = Map.of("PGPASSWORD", pg.password().reveal());
            journal = PostgresJournal.at(journalArg, pg.password());
        }
        RollbackPlan plan = plan(db, dump, mongoBackup);

        Result failed = cli(plan, env, "--journal", journalArg, "--yes", "dba@example.com", "--operator", "alice");
        assertThat(failed.code).as(failed.all()).isEqualTo(1);
        List<String> copies = databases(db + "_rollback_%");
        assertThat(copies).as("the restore left its copy").hasSize(1);
        assertThat(collections(db)).as("the prepare left its temporary collections").anyMatch(c -> c.startsWith("rbtmp_"));
        String run = journal.runIds(plan.name()).get(0);

        Result refused = cli(plan, env, "--journal", journalArg, "--yes", "dba@example.com", "--operator", "bob", "--reason", "try again");
        assertThat(refused.code).as(refused.all()).isEqualTo(3);
        assertThat(refused.err).contains("has an interrupted run").contains(run).contains("Abandon it: shop-rollback --abandon " + run);
        assertThat(databases(db + "_rollback_%")).isEqualTo(copies);

        Result abandoned = cli(plan, env, "--journal", journalArg, "--abandon", run, "--reason", "the backup is bad; restoring another one",
                "--operator", "carol");
        assertThat(abandoned.code).as(abandoned.all()).isZero();
        assertThat(abandoned.out).contains("removed database " + copies.get(0)).contains("removed collection " + db + ".rbtmp_")
                .contains("is idle: a new run can start");
        assertThat(databases(db + "_rollback_%")).as("the copy is gone").isEmpty();
        assertThat(collections(db)).as("the temporary collections are gone, the live one stays").containsExactly("users");
        try (MongoClient client = mongo.client()) {
            assertThat(client.getDatabase(db).getCollection("users").countDocuments()).isEqualTo(3);
        }
        assertThat(pg.queryLong(db, "SELECT count(*) FROM orders")).as("the live database is untouched").isEqualTo(4);
        assertThat(journal.read(plan.name(), run)).filteredOn(JournalEvent.StepCleanedUp.class::isInstance)
                .anySatisfy(e -> assertThat(((JournalEvent.StepCleanedUp) e).removed()).anySatisfy(r -> assertThat(r).contains(copies.get(0))));
        assertThat(journal.status(plan.name()).state()).isEqualTo(PlanStatus.State.IDLE);

        copyIsBad.set(false);
        Result restored = cli(plan, env, "--journal", journalArg, "--yes", "dba@example.com");
        assertThat(restored.code).as(restored.all()).isZero();
        assertThat(pg.queryLong(db, "SELECT count(*) FROM orders")).as("the backup is live").isEqualTo(3);
        try (MongoClient client = mongo.client()) {
            assertThat(client.getDatabase(db).getCollection("users").countDocuments()).as("the MongoDB backup is live").isEqualTo(2);
        }
        Result again = cli(plan, env, "--journal", journalArg, "--yes", "dba@example.com");
        assertThat(again.code).isEqualTo(3);
        assertThat(again.err).contains("already succeeded");
        // clean up what the successful swap kept, so reruns of the test start clean
        for (String kept : databases(db + "_before_%")) {
            pg.execute("postgres", "DROP DATABASE \"" + kept + "\"");
        }
    }

    private static List<String> collections(String db) {
        try (MongoClient client = mongo.client()) {
            List<String> names = new java.util.ArrayList<>();
            client.getDatabase(db).listCollectionNames().into(names);
            java.util.Collections.sort(names);
            return names.stream().filter(n -> !n.contains("_before_") && !n.contains("_meanwhile_")).toList();
        }
    }

    private List<String> databases(String like) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (var c = pg.connect("postgres"); var ps = c.prepareStatement("SELECT datname FROM pg_database WHERE datname LIKE ? ORDER BY 1")) {
            ps.setString(1, like);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
