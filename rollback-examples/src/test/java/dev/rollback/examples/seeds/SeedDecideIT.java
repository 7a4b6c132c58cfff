package dev.rollback.examples.seeds;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.examples.lab.Lab;
import dev.rollback.examples.lab.LabPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seeds' {@code --decide}: the configured signals read for real (an HTTP health endpoint
 * answering 503, SQL queries on an embedded PostgreSQL, people's judgements) and the seed's
 * decision table's verdict printed; nothing runs, nothing is journaled. With {@code --watchdog}, a
 * MUST runs the seed's plan.
 */
class SeedDecideIT {
    private static final String DB = "decide";
    private static Lab lab;
    private static HttpServer unhealthy;
    private static String healthUrl;
    @TempDir
    static Path work;
    @TempDir
    Path journal;

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.in(work.resolve("lab"));
        LabPostgres pg = lab.postgres();
        pg.recreateDatabase(DB);
        pg.execute(DB, """
                CREATE TABLE validation (id serial PRIMARY KEY, ok boolean NOT NULL);
                INSERT INTO validation (ok) SELECT g % 10 <> 0 FROM generate_series(1, 100) g;
                CREATE TABLE customers (id int PRIMARY KEY);
                CREATE TABLE sales (id serial PRIMARY KEY, customer_id int NOT NULL);
                INSERT INTO customers VALUES (1), (2);
                INSERT INTO sales (customer_id) VALUES (1), (2), (7), (8);
                """);
        unhealthy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        unhealthy.createContext("/", ex -> {
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        unhealthy.start();
        healthUrl = "http://127.0.0.1:" + unhealthy.getAddress().getPort() + "/api/health";
    }

    @AfterAll
    static void stop() throws IOException {
        unhealthy.stop(0);
        lab.close();
    }

    private SeedDrills.Result decide(String seed, Map<String, String> env, String... sets) {
        List<String> args = new java.util.ArrayList<>(List.of("--decide", "--journal", journal.toString()));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        Seeds.Seed s = Seeds.SEEDS.stream().filter(x -> x.name().equals(seed)).findFirst().orElseThrow();
        return SeedDrills.run(seed, env, "", args, s.plan());
    }

    private static Map<String, String> db(String name) {
        return Map.of(name, lab.postgres().databaseUrl(DB));
    }

    @Test
    void seed001ReadsHealthAndSqlAndDecidesMustOnAnIntegrityBelowOne() throws Exception {
        long rows = lab.postgres().queryLong(DB, "SELECT count(*) FROM validation");

        SeedDrills.Result r = decide("seed-001", db("DATABASE_URL"), "SCENARIO=code", "DECIDE_HEALTH_URL=" + healthUrl,
                "DECIDE_SQL=integrity.ratio = SELECT avg(ok::int) FROM validation; db.connection.failures = SELECT 0",
                "DECIDE_SAMPLES=2", "DECIDE_INTERVAL=PT0.05S");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("MUST roll back now", "data integrity issues", "integrity.ratio=0.9", "health.failing=1.0")
                .doesNotContain("health check failures for 5+ minutes")   // sustained for 5 minutes: two samples are not enough
                .endsWith("decision: MUST" + System.lineSeparator())
                .doesNotContain(lab.postgres().password().reveal());
        assertThat(journal).as("nothing ran").isEmptyDirectory();
        assertThat(lab.postgres().queryLong(DB, "SELECT count(*) FROM validation")).isEqualTo(rows);
    }

    @Test
    void seed000TakesPeoplesJudgementsAndItsFrameworkSaysFixForward() {
        Map<String, String> env = new java.util.HashMap<>(db("PRODUCTION_POSTGRESQL_URL"));
        env.put("PRODUCTION_MONGODB_URL", "mongodb://127.0.0.1:1");   // not read by --decide
        SeedDrills.Result r = decide("seed-000", env, "DECIDE_HEALTH_URL=none",
                "DECIDE_SIGNALS=fix.eta.minutes=20,minor.issues=1");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("fix forward, do not roll back", "framework: fix within 30 minutes", "minor bugs that can be hotfixed")
                .endsWith("decision: FIX_FORWARD" + System.lineSeparator());
    }

    @Test
    void seed002CountsForeignKeyOrphansWithSqlAndMustRollBack() throws Exception {
        Path file = work.resolve("signals.sql");
        Files.writeString(file, "# seed 002's critical issues\n"
                + "fk.orphans = SELECT count(*) FROM sales s LEFT JOIN customers c ON c.id = s.customer_id WHERE c.id IS NULL\n");

        SeedDrills.Result r = decide("seed-002", db("DATABASE_URL"), "DECIDE_SQL_FILE=" + file);

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("MUST  FK violations", "fk.orphans=2.0").endsWith("decision: MUST" + System.lineSeparator());
    }

    @Test
    void theWatchdogRunsTheSeedsPlanWhenItsTableSaysMust() throws Exception {
        SeedDrills.Result r = SeedDrills.run("seed-002", db("DATABASE_URL"), "", List.of("--watchdog", "50ms", "--yes", "dba@example.com",
                "--journal", journal.toString(), "--set", "SCENARIO=views",
                "--set", "DECIDE_SQL=fk.orphans = SELECT count(*) FROM sales s LEFT JOIN customers c ON c.id = s.customer_id WHERE c.id IS NULL"),
                Seeds.SEEDS.stream().filter(x -> x.name().equals("seed-002")).findFirst().orElseThrow().plan());

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("Watchdog at", "MUST roll back now (FK violations", "MUST roll back: running the plan");
        dev.rollback.core.journal.FileJournal j = dev.rollback.core.journal.FileJournal.in(journal);
        String runId = j.runIds(Seed002Phase4MigrationRollback.PLAN_VIEWS).get(0);
        assertThat(j.read(Seed002Phase4MigrationRollback.PLAN_VIEWS, runId)).anySatisfy(e -> assertThat(e)
                .isInstanceOfSatisfying(dev.rollback.core.journal.JournalEvent.RunStarted.class,
                        s -> assertThat(s.reason()).startsWith("watchdog: ").contains("FK violations")));
        assertThat(r.incidentReport()).content().contains("SUCCEEDED", "watchdog: ");
    }

    @Test
    void aQueryThatFailsIsUnavailableNeverHealthy() {
        SeedDrills.Result r = decide("seed-004", db("DATABASE_URL"), "DECIDE_HEALTH_URL=none",
                "DECIDE_SQL=error.rate = SELECT count(*) FROM no_such_table");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("Unavailable (never taken for healthy): error.rate", "no_such_table")
                .endsWith("decision: CONSIDER" + System.lineSeparator());
    }

    @Test
    void aSignalTheTableDoesNotReadOrNoSignalAtAllIsAUsageError() {
        SeedDrills.Result typo = decide("seed-004", db("DATABASE_URL"), "DECIDE_HEALTH_URL=none", "DECIDE_SIGNALS=critical.brokn=1");
        SeedDrills.Result nothing = decide("seed-003", db("DATABASE_URL"), "PREVIOUS_TAG=v1.2.3");
        SeedDrills.Result badSql = decide("seed-004", db("DATABASE_URL"), "DECIDE_SQL=error.rate = DELETE FROM sales");

        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err()).contains("the decision table reads no signal [critical.brokn]", "critical.broken");
        assertThat(nothing.exit()).isEqualTo(2);
        assertThat(nothing.err()).contains("--decide has no signal to read");
        assertThat(badSql.exit()).isEqualTo(2);
        assertThat(badSql.err()).contains("is not 'signal = SELECT ...'");
    }
}
