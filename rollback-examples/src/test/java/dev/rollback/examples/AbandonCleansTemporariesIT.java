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
import dev.rollback.examples.lab.LabPostgres;
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
 * PostgreSQL adapter: a safe restore whose copy fails its checks leaves its {@code <db>_rollback_*}
 * database behind; a new run is refused naming the interrupted run; {@code --abandon} runs the
 * restore's cleanup, which drops that copy (and nothing else), journals it, and leaves the plan idle;
 * after a success a new run needs {@code --again}.
 */
class AbandonCleansTemporariesIT {
    private static LabPostgres pg;

    @TempDir
    static Path work;

    @TempDir
    Path dir;

    private final AtomicBoolean copyIsBad = new AtomicBoolean(true);

    @BeforeAll
    static void server() {
        pg = LabPostgres.start();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    private RollbackPlan plan(String db, Path dump) {
        return Rollback.plan("shop-restore-" + db)
                .capture(pg.postgres(db).dump(Path.of("forensics/pre-rollback.dump")))
                .restore(pg.postgres(db).restore(dump).verifyWith(copy -> Check.of("orders in the copy", c -> copyIsBad.get()
                        ? CheckResult.failed("orders in the copy", 0, ">= 3", "the copy has no orders")
                        : CheckResult.passed("orders in the copy", 3, ">= 3"))))
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
        RollbackPlan plan = plan(db, dump);

        Result failed = cli(plan, env, "--journal", journalArg, "--yes", "dba@example.com", "--operator", "alice");
        assertThat(failed.code).as(failed.all()).isEqualTo(1);
        List<String> copies = databases(db + "_rollback_%");
        assertThat(copies).as("the restore left its copy").hasSize(1);
        String run = journal.runIds(plan.name()).get(0);

        Result refused = cli(plan, env, "--journal", journalArg, "--yes", "dba@example.com", "--operator", "bob", "--reason", "try again");
        assertThat(refused.code).as(refused.all()).isEqualTo(3);
        assertThat(refused.err).contains("has an interrupted run").contains(run).contains("Abandon it: shop-rollback --abandon " + run);
        assertThat(databases(db + "_rollback_%")).isEqualTo(copies);

        Result abandoned = cli(plan, env, "--journal", journalArg, "--abandon", run, "--reason", "the backup is bad; restoring another one",
                "--operator", "carol");
        assertThat(abandoned.code).as(abandoned.all()).isZero();
        assertThat(abandoned.out).contains("removed database " + copies.get(0)).contains("is idle: a new run can start");
        assertThat(databases(db + "_rollback_%")).as("the copy is gone").isEmpty();
        assertThat(pg.queryLong(db, "SELECT count(*) FROM orders")).as("the live database is untouched").isEqualTo(4);
        assertThat(journal.read(plan.name(), run)).filteredOn(JournalEvent.StepCleanedUp.class::isInstance)
                .anySatisfy(e -> assertThat(((JournalEvent.StepCleanedUp) e).removed()).anySatisfy(r -> assertThat(r).contains(copies.get(0))));
        assertThat(journal.status(plan.name()).state()).isEqualTo(PlanStatus.State.IDLE);

        copyIsBad.set(false);
        Result restored = cli(plan, env, "--journal", journalArg, "--yes", "dba@example.com");
        assertThat(restored.code).as(restored.all()).isZero();
        assertThat(pg.queryLong(db, "SELECT count(*) FROM orders")).as("the backup is live").isEqualTo(3);
        Result again = cli(plan, env, "--journal", journalArg, "--yes", "dba@example.com");
        assertThat(again.code).isEqualTo(3);
        assertThat(again.err).contains("already succeeded");
        // clean up what the successful swap kept, so reruns of the test start clean
        for (String kept : databases(db + "_before_%")) {
            pg.execute("postgres", "DROP DATABASE \"" + kept + "\"");
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
