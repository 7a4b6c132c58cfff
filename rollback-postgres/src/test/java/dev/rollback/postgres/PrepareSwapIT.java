package dev.rollback.postgres;

import dev.rollback.core.Confirmations;
import dev.rollback.core.PlanBuilder;
import dev.rollback.core.PlanValidationException;
import dev.rollback.core.Rollback;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.test.TestStepContext;
import dev.rollback.test.internal.ChildJvm;
import dev.rollback.test.internal.CrashDrillChild;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Issue 18: the safe restore in two steps — {@code prepare} restores and verifies while the live
 * database serves a real writing client, {@code swapIn} stops it by terminating its session and
 * swaps in milliseconds, measuring the data-loss window at that moment; a crash between the two
 * resumes with the same prepared copy, never restoring twice; abandoning drops an unswapped copy.
 */
class PrepareSwapIT {
    /** The server is shared by every test class of the JVM: drop what this class created. */
    @org.junit.jupiter.api.AfterAll
    static void dropCreatedDatabases() throws Exception {
        TestServer.dropCreatedDatabases();
    }

    private static final int BACKUP_ROWS = 500;
    private static Path backup;

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;


    @BeforeAll
    static void backup() throws Exception {
        String source = TestServer.createDatabase("prepsrc");
        TestServer.execute(source, "CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL);"
                + "INSERT INTO orders (note) SELECT 'in the backup' FROM generate_series(1, " + BACKUP_ROWS + ")");
        backup = shared.resolve("backup.dump");
        Plans.step(TestServer.postgres(source).dump(backup));
    }

    /** The live database: the backup's rows and 100 written after the backup was taken. */
    private static String live(String prefix) throws Exception {
        String db = TestServer.createDatabase(prefix);
        TestServer.execute(db, "CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL);"
                + "INSERT INTO orders (note) SELECT 'in the backup' FROM generate_series(1, " + BACKUP_ROWS + ");"
                + "INSERT INTO orders (note) SELECT 'after the backup' FROM generate_series(1, 100)");
        return db;
    }

    /** A real client of the live database: inserts a row every few milliseconds until its session is ended. */
    private static final class Writer extends Thread {
        private final String db;
        final AtomicLong written = new AtomicLong();
        volatile String stoppedBy;

        Writer(String db) {
            super("app-writer");
            this.db = db;
            setDaemon(true);
        }

        @Override
        public void run() {
            Properties p = new Properties();
            p.setProperty("user", TestServer.user());
            p.setProperty("password", TestServer.password().reveal());
            p.setProperty("ApplicationName", "shop-app");
            try (Connection c = DriverManager.getConnection(TestServer.url(db), p); Statement s = c.createStatement()) {
                while (true) {
                    s.executeUpdate("INSERT INTO orders (note) VALUES ('written by the app')");
                    written.incrementAndGet();
                    Thread.sleep(3);
                }
            } catch (SQLException e) {
                stoppedBy = e.getMessage();
            } catch (InterruptedException e) {
                stoppedBy = "interrupted";
            }
        }
    }

    @Test
    void prepareWhileTheAppWritesThenSwapBringsTheBackupInAndReportsTheRowsWrittenMeanwhile() throws Exception {
        String db = live("prepwrite");
        Postgres pg = TestServer.postgres(db);
        PreparedRestore prepared = pg.restore(backup).verifyWith(p -> p.rowCountExactly("orders", BACKUP_ROWS)).prepare();
        Writer app = new Writer(db);
        app.start();
        long[] atPrepare = new long[2];
        PlanBuilder b = Rollback.plan("prepare-swap").withoutCapture("test")
                .step("app is writing", ctx -> {
                    awaitWrites(app, 20);
                    atPrepare[0] = app.written.get();
                })
                .step(prepared)
                .step("app kept writing during the prepare", ctx -> {
                    atPrepare[1] = app.written.get();
                    awaitWrites(app, atPrepare[1] + 20);
                })
                .restore(pg.swapIn(prepared));
        RunReport r = Rollback.runner().confirmations(Confirmations.autoApprove("tester")).run(b.build());
        app.join(10_000);

        assertThat(r.isSuccess()).as(String.valueOf(r.failure())).isTrue();
        assertThat(atPrepare[1]).as("the client kept writing to the live database while the copy was prepared").isGreaterThan(atPrepare[0]);
        assertThat(app.stoppedBy).as("the swap ended the client's session").isNotNull();
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).as("live = the backup").isEqualTo(BACKUP_ROWS);
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders WHERE note <> 'in the backup'")).isZero();
        String kept = r.outputs().get("postgres.forensicDatabase");
        assertThat(r.outputs()).containsKey("kept.postgres." + db + ".original");
        long keptRows = TestServer.queryLong(kept, "SELECT count(*) FROM orders");
        long writtenSinceBackup = keptRows - BACKUP_ROWS;
        assertThat(writtenSinceBackup).isGreaterThanOrEqualTo(100 + app.written.get());
        assertThat(r.outputs()).containsEntry("postgres.dataLoss.public.orders", Long.toString(writtenSinceBackup))
                .containsEntry("postgres.dataLoss.total", Long.toString(writtenSinceBackup));
        String copy = r.outputs().get(prepared.outputKey());
        assertThat(r.outputs()).containsEntry("leftover.postgres." + copy, "");
        assertThat(TestServer.databasesLike(db)).containsExactlyInAnyOrder(db, kept);
    }

    @Test
    void aDataLossWindowCountedAfterTheStartOnTheKeptOriginalIsTheOneAtTheSwap() throws Exception {
        String db = live("preplater");
        Postgres pg = TestServer.postgres(db);
        PreparedRestore prepared = pg.restore(backup).verifyWith(p -> p.rowCountExactly("orders", BACKUP_ROWS)).prepare();
        SwapInStep swap = pg.swapIn(prepared).countDataLossLater();
        Writer app = new Writer(db);
        app.start();
        String[] beforeTheCount = new String[1];
        PlanBuilder b = Rollback.plan("prepare-swap-count-later").withoutCapture("test")
                .step("app is writing", ctx -> awaitWrites(app, 20))
                .step(prepared)
                .step("app kept writing during the prepare", ctx -> awaitWrites(app, app.written.get() + 20))
                .restore(swap)                                   // ends the client's session: the stop
                .step("the app starts again and writes to the restored database", ctx -> {
                    beforeTheCount[0] = ctx.output("postgres.dataLoss.total").orElse(null);
                    TestServer.execute(db, "INSERT INTO orders (note) SELECT 'after the start' FROM generate_series(1, 25)");
                })
                .step(swap.dataLossWindow());
        RunReport r = Rollback.runner().confirmations(Confirmations.autoApprove("tester")).run(b.build());
        app.join(10_000);

        assertThat(r.isSuccess()).as(String.valueOf(r.failure())).isTrue();
        assertThat(app.stoppedBy).as("the swap ended the client's session").isNotNull();
        String kept = r.outputs().get(prepared.outputKey() + ".kept");
        assertThat(kept).isEqualTo(r.outputs().get("postgres.forensicDatabase")).contains("_before_rollback_");
        assertThat(beforeTheCount[0]).isEqualTo("not counted yet: the rows of " + db + " beyond the prepared copy's are counted in " + kept
                + " (the live database as it was at the swap, kept) by step 'data-loss window of " + db + " at the swap' once the app is healthy");
        // what the live side had beyond the backup at the swap: the 100 rows and what the client wrote until its session ended
        long writtenSinceBackup = TestServer.queryLong(kept, "SELECT count(*) FROM orders") - BACKUP_ROWS;
        assertThat(writtenSinceBackup).isGreaterThanOrEqualTo(100 + app.written.get());
        assertThat(r.outputs()).containsEntry("postgres.dataLoss.public.orders", Long.toString(writtenSinceBackup))
                .containsEntry("postgres.dataLoss.total", Long.toString(writtenSinceBackup));
        assertThat(r.outputs().get("postgres.dataLoss.since")).startsWith("the backup (as at the swap: rows of the kept original " + kept);
        // the rows written after the start are in the restored database and are not counted as lost
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isEqualTo(BACKUP_ROWS + 25);
        assertThat(swap.describe().parameters().get("data-loss window")).startsWith("counted later, on the kept original");
    }

    @Test
    void aRunThatFailsBetweenTheSwapAndItsCountSaysWhereTheCountWillBeTakenAndTheResumeTakesIt() throws Exception {
        String db = live("prepresume");
        Postgres pg = TestServer.postgres(db);
        PreparedRestore prepared = pg.restore(backup).verifyWith(p -> p.rowCountExactly("orders", BACKUP_ROWS)).prepare();
        SwapInStep swap = pg.swapIn(prepared).countDataLossLater();
        Path once = tmp.resolve("the app came up");
        dev.rollback.core.RollbackPlan plan = Rollback.plan("swap-fail-resume").withoutCapture("test")
                .step(prepared)
                .restore(swap)
                .step("the app comes up", ctx -> {
                    if (!Files.exists(once)) {
                        Files.createFile(once);
                        throw new IllegalStateException("the app did not come up");
                    }
                })
                .step(swap.dataLossWindow())
                .build();
        var runner = Rollback.runner().journal(FileJournal.in(tmp.resolve("journal")))
                .confirmations(Confirmations.autoApprove("tester"));
        RunReport failed = runner.run(plan);
        assertThat(failed.isSuccess()).isFalse();
        String kept = failed.outputs().get(prepared.outputKey() + ".kept");
        assertThat(failed.outputs().get("postgres.dataLoss.total")).startsWith("not counted yet: the rows of " + db + " beyond the prepared "
                + "copy's are counted in " + kept);
        assertThat(Files.readString(failed.runDirectory().resolve("incident-report.md"))).contains("not counted yet").contains(kept);
        // the application writes to the restored database before the resume: not part of the window
        TestServer.execute(db, "INSERT INTO orders (note) SELECT 'after the swap' FROM generate_series(1, 7)");

        RunReport resumed = runner.resume(plan, failed.runId());
        assertThat(resumed.isSuccess()).as(String.valueOf(resumed.failureIfAny())).isTrue();
        assertThat(resumed.outputs()).containsEntry("postgres.dataLoss.public.orders", "100").containsEntry("postgres.dataLoss.total", "100");
        assertThat(TestServer.databasesLike(db)).containsExactlyInAnyOrder(db, kept);
    }

    @Test
    void aSwapThatCountsLaterNeedsItsCountAfterItAndTheCountNeedsTheSwap() throws Exception {
        Postgres pg = TestServer.postgres("nothere");
        PreparedRestore prepared = pg.restore(backup).prepare();
        SwapInStep swap = pg.swapIn(prepared).countDataLossLater();
        assertThat(swap.countsDataLossLater()).isTrue();
        assertThat(pg.swapIn(prepared).leavesForLater()).isNull();
        assertThat(swap.leavesForLater()).isEqualTo(swap.dataLossWindow().completes());
        assertThat(catchThrowableOfType(dev.rollback.core.PlanValidationException.class,
                () -> Rollback.plan("no-count").withoutCapture("test").step(prepared).restore(swap).build()).problems())
                .singleElement().asString().contains("leaves '" + prepared.outputKey() + ".dataLoss' for a later step, but no later step "
                        + "of the plan completes it");
        assertThatThrownBy(() -> swap.dataLossWindow().execute(TestStepContext.in(tmp)))
                .isInstanceOf(PostgresOperationException.class).hasMessageContaining("has not swapped nothere in")
                .hasMessageContaining("Nothing was changed");
    }

    private static void awaitWrites(Writer app, long atLeast) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (app.written.get() < atLeast && System.nanoTime() < end && app.stoppedBy == null) {
            Thread.sleep(5);
        }
        if (app.written.get() < atLeast) {
            throw new AssertionError("the app wrote only " + app.written.get() + " rows: " + app.stoppedBy);
        }
    }

    @Test
    void aCrashBetweenPrepareAndSwapResumesWithTheSamePreparedCopyAndNoSecondRestore() throws Exception {
        String db = live("prepcrash");
        Path journal = Files.createDirectories(tmp.resolve("journal"));
        Path marker = tmp.resolve("after-prepare.marker");
        Map<String, String> props = new java.util.LinkedHashMap<>(Map.of("prep.url", TestServer.url(db), "prep.user", TestServer.user(),
                "prep.backup", backup.toString(), "prep.forensics", tmp.resolve("pre-rollback.dump").toString(),
                "prep.rows", Integer.toString(BACKUP_ROWS)));
        Map<String, String> env = Map.of("PREP_PG_PASSWORD", TestServer.password().reveal());
        Map<String, String> killed = new java.util.LinkedHashMap<>(props);
        killed.put(CrashDrillChild.BLOCK, "after-step:3");          // prepare finished, swap not started
        killed.put(CrashDrillChild.MARKER, marker.toString());

        ChildJvm run = child(killed, env, journal, "run", null);
        assertThat(run.awaitFileOrExit(marker, Duration.ofSeconds(90))).as(run.outputTail(30)).isTrue();
        run.kill();
        List<String> afterKill = TestServer.databasesLike(db);
        assertThat(afterKill).as("the prepared copy exists, the live database untouched").hasSize(2)
                .anyMatch(d -> d.startsWith(db + "_rollback_"));
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isEqualTo(BACKUP_ROWS + 100);

        String runId = FileJournal.in(journal).runIds("pg-prepare-swap").get(0);
        ChildJvm resume = child(props, env, journal, "resume", runId);
        resume.awaitExit(Duration.ofSeconds(120));
        Properties result = new Properties();
        try (InputStream in = Files.newInputStream(tmp.resolve("result-resume.properties"))) {
            result.load(in);
        }
        String log = Files.readString(tmp.resolve("child-resume.log"));
        assertThat(result.getProperty("outcome")).as(result.getProperty("error") + "\n" + log).isEqualTo("SUCCEEDED");
        String copy = afterKill.stream().filter(d -> d.startsWith(db + "_rollback_")).findFirst().orElseThrow();
        assertThat(log).contains("reusing " + copy).contains("not restoring again").doesNotContain("restoring " + backup);
        assertThat(log).contains("keeping the dump");
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isEqualTo(BACKUP_ROWS);
        List<String> end = TestServer.databasesLike(db);
        assertThat(end).hasSize(2).contains(db).anyMatch(d -> d.startsWith(db + "_before_rollback_"));
        String kept = end.stream().filter(d -> !d.equals(db)).findFirst().orElseThrow();
        assertThat(TestServer.queryLong(kept, "SELECT count(*) FROM orders")).isEqualTo(BACKUP_ROWS + 100);
    }

    private ChildJvm child(Map<String, String> props, Map<String, String> env, Path journal, String mode, String runId) throws Exception {
        List<String> args = new ArrayList<>(List.of(mode, PrepareSwapPlan.class.getName(), journal.toString(), "prepare-drill",
                tmp.resolve("result-" + mode + ".properties").toString()));
        if (runId != null) {
            args.add(runId);
        }
        return ChildJvm.start(System.getProperty("java.class.path"), CrashDrillChild.class, props, env, args, tmp.resolve("child-" + mode + ".log"));
    }

    @Test
    void abandoningTheRunDropsAnUnswappedPreparedCopyAndNothingElse() throws Exception {
        String db = live("prepabandon");
        PreparedRestore prepared = TestServer.postgres(db).restore(backup).prepare();
        TestStepContext ctx = TestStepContext.in(tmp).runId("run-abandon").stepName(prepared.name());
        prepared.execute(ctx);
        String copy = ctx.outputs().get(prepared.outputKey());
        assertThat(ctx.outputs().get("leftover.postgres." + copy)).contains("not swapped in yet");
        assertThat(TestServer.exists(copy)).isTrue();

        prepared.execute(ctx.resumed());          // a resume never prepares twice
        assertThat(TestServer.databasesLike(db + "_rollback_")).containsExactly(copy);

        List<String> removed = prepared.cleanUp(ctx.resumed());
        assertThat(removed).containsExactly("database " + copy + " (the restore of backup.dump into it was never swapped in)");
        assertThat(TestServer.databasesLike(db)).containsExactly(db);
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isEqualTo(BACKUP_ROWS + 100);
    }

    @Test
    void aSwapWithNothingPreparedIsRefusedByThePlanAndChangesNothingWhenRunAlone() throws Exception {
        String db = live("prepmissing");
        Postgres pg = TestServer.postgres(db);
        PreparedRestore prepared = pg.restore(backup).prepare();
        assertThat(catchThrowableOfType(PlanValidationException.class,
                () -> Rollback.plan("missing").withoutCapture("test").restore(pg.swapIn(prepared)).build()).problems())
                .singleElement().asString().contains("no step of the plan prepares it");
        // run on its own, outside a plan (no prepare published its copy), it still changes nothing
        TestStepContext ctx = TestStepContext.in(tmp).runId("run-missing").stepName(pg.swapIn(prepared).name());
        assertThatThrownBy(() -> pg.swapIn(prepared).execute(ctx))
                .hasMessageContaining("no step of this run prepared '" + db + "@backup.dump'").hasMessageContaining("Nothing was changed");
        assertThat(TestServer.databasesLike(db)).containsExactly(db);
        assertThat(prepared.preparedId()).isEqualTo(pg.swapIn(prepared).preparedId());
    }
}
