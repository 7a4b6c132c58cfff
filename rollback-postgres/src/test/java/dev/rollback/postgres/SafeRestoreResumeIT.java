package dev.rollback.postgres;

import dev.rollback.postgres.internal.ResumableSwap;
import dev.rollback.test.TestStepContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The safe restore's memory across attempts (issue 19), step by step with a {@link TestStepContext}
 * whose memory a "resumed" context hands back, as the journal does: a finished swap is never
 * repeated, a hand repair between the renames is swapped forward once, a failed attempt's copy is
 * kept and named, and abandoning the run drops what was never swapped in and puts a half swap back,
 * never the kept original. {@link SafeRestoreFaultIT} kills real runners at the same points.
 */
class SafeRestoreResumeIT {
    /** The server is shared by every test class of the JVM: drop what this class created. */
    @org.junit.jupiter.api.AfterAll
    static void dropCreatedDatabases() throws Exception {
        TestServer.dropCreatedDatabases();
    }

    private static Path backup;

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;


    @BeforeAll
    static void backup() throws Exception {
        String source = TestServer.createDatabase("resumesrc");
        TestServer.execute(source, "CREATE TABLE items (id int PRIMARY KEY, state text NOT NULL);"
                + "INSERT INTO items SELECT g, 'backup' FROM generate_series(1, 30) g");
        backup = shared.resolve("backup.dump");
        Plans.step(TestServer.postgres(source).dump(backup));
    }

    private static String liveWithPreRunData(String prefix) throws Exception {
        String db = TestServer.createDatabase(prefix);
        TestServer.execute(db, "CREATE TABLE items (id int PRIMARY KEY, state text NOT NULL);"
                + "INSERT INTO items SELECT g, 'pre-run' FROM generate_series(1, 50) g");
        return db;
    }

    private TestStepContext ctx(String db) {
        return TestStepContext.in(tmp).runId("run-" + db).stepName("restore " + db);
    }

    @Test
    void aFinishedSwapIsReportedAgainButNeverRepeated() throws Exception {
        String db = liveWithPreRunData("twice");
        RestoreStep step = TestServer.postgres(db).restore(backup);
        TestStepContext first = ctx(db);
        step.execute(first);
        String kept = first.outputs().get("postgres.forensicDatabase");
        assertThat(first.outputs()).containsKey("kept.postgres." + db + ".original");

        TestStepContext again = first.resumed();
        step.execute(again);

        assertThat(TestServer.databasesLike(db)).containsExactlyInAnyOrder(db, kept);
        assertThat(rows(db)).isEqualTo("30 backup");
        assertThat(rows(kept)).isEqualTo("50 pre-run");
        assertThat(again.outputs()).containsEntry("postgres.forensicDatabase", kept);
        assertThat(again.outputs().get("kept.postgres." + db + ".original")).startsWith("database " + kept + " (");
    }

    @Test
    void aHandRepairBetweenTheRenamesIsSwappedForwardOnceAndTheRealOriginalIsNamed() throws Exception {
        String db = liveWithPreRunData("repair");
        RestoreStep step = TestServer.postgres(db).restore(backup);
        TestStepContext first = ctx(db);
        String target = step.prepare(first);
        // What a kill after the first rename leaves, then an operator's repair: the original renamed back.
        String kept = db + "_before_rollback_x";
        first.remember(ResumableSwap.REPLACEMENT, target);
        first.remember(ResumableSwap.KEPT, kept);
        first.remember(ResumableSwap.LIVE_ALLOW, "true");
        first.remember(ResumableSwap.REPLACEMENT_ALLOW, "true");
        first.remember(ResumableSwap.STATE, "renaming-replacement");
        TestServer.execute("postgres", "ALTER DATABASE \"" + db + "\" RENAME TO \"" + kept + "\"");
        TestServer.execute("postgres", "ALTER DATABASE \"" + kept + "\" RENAME TO \"" + db + "\"");

        TestStepContext resumed = first.resumed();
        step.execute(resumed);

        assertThat(TestServer.databasesLike(db)).containsExactlyInAnyOrder(db, kept);
        assertThat(rows(db)).isEqualTo("30 backup");
        assertThat(rows(kept)).as("the one kept copy holds the real original").isEqualTo("50 pre-run");
        assertThat(resumed.outputs()).containsEntry("postgres.forensicDatabase", kept);
        assertThat(resumed.progress()).anyMatch(p -> p.contains("the renames had not happened"));
    }

    @Test
    void aResumeAfterTheFirstRenameCompletesTheSwapWithoutTouchingTheDumpOrTheLiveName() throws Exception {
        String db = liveWithPreRunData("half");
        TestStepContext first = ctx(db);
        String target = TestServer.postgres(db).restore(backup).prepare(first);
        String kept = db + "_before_rollback_y";
        first.remember(ResumableSwap.REPLACEMENT, target);
        first.remember(ResumableSwap.KEPT, kept);
        first.remember(ResumableSwap.LIVE_ALLOW, "true");
        first.remember(ResumableSwap.REPLACEMENT_ALLOW, "true");
        first.remember(ResumableSwap.STATE, "renaming-live");
        TestServer.execute("postgres", "ALTER DATABASE \"" + db + "\" ALLOW_CONNECTIONS false");
        TestServer.execute("postgres", "ALTER DATABASE \"" + target + "\" ALLOW_CONNECTIONS false");
        TestServer.execute("postgres", "ALTER DATABASE \"" + db + "\" RENAME TO \"" + kept + "\"");

        // The dump is gone and the tools cannot be found: the resume must need neither.
        RestoreStep resumedStep = TestServer.postgres(db).toolDirectory(tmp.resolve("no-tools")).restore(tmp.resolve("gone.dump"));
        TestStepContext resumed = first.resumed();
        resumedStep.execute(resumed);

        assertThat(TestServer.databasesLike(db)).containsExactlyInAnyOrder(db, kept);
        assertThat(rows(db)).isEqualTo("30 backup");
        assertThat(rows(kept)).isEqualTo("50 pre-run");
        assertThat(resumed.progress()).anyMatch(p -> p.contains("completing the swap by renaming " + target));
    }

    @Test
    void databasesChangedByHandInAWayNoSwapLeavesStopTheResumeAndChangeNothing() throws Exception {
        String db = liveWithPreRunData("odd");
        TestStepContext first = ctx(db);
        first.remember(ResumableSwap.REPLACEMENT, db + "_rollback_gone");
        first.remember(ResumableSwap.KEPT, db + "_before_rollback_gone");
        first.remember(ResumableSwap.LIVE_ALLOW, "true");
        first.remember(ResumableSwap.STATE, "renaming-replacement");
        assertThatThrownBy(() -> TestServer.postgres(db).restore(backup).execute(first.resumed()))
                .isInstanceOf(PostgresException.class)
                .hasMessageContaining("'" + db + "_rollback_gone' is missing")
                .hasMessageContaining("changed by hand. Nothing was changed now");
        assertThat(rows(db)).isEqualTo("50 pre-run");
    }

    @Test
    void aFailedCheckKeepsItsCopyNamedAsLeftoverAndTheNextAttemptRestoresIntoANewOne() throws Exception {
        String db = liveWithPreRunData("failcheck");
        boolean[] failOnce = {true};
        RestoreStep step = TestServer.postgres(db).restore(backup).verifyWith(p -> new dev.rollback.core.Check() {
            @Override
            public String name() {
                return "flaky";
            }

            @Override
            public dev.rollback.core.CheckResult check(dev.rollback.core.StepContext c) {
                boolean fail = failOnce[0];
                failOnce[0] = false;
                return fail ? dev.rollback.core.CheckResult.failed("flaky", "bad", "good", "scripted failure")
                        : dev.rollback.core.CheckResult.passed("flaky", "good", "good");
            }
        });
        TestStepContext first = ctx(db);
        assertThatThrownBy(() -> step.execute(first)).isInstanceOf(PostgresRestoreFailedException.class);
        String failedCopy = first.outputs().get("postgres.restore.database");
        assertThat(first.outputs()).containsKey("leftover.postgres." + failedCopy);
        assertThat(TestServer.exists(failedCopy)).isTrue();

        TestStepContext second = first.resumed();
        second.clock(java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofSeconds(2)));
        step.execute(second);

        assertThat(rows(db)).isEqualTo("30 backup");
        assertThat(TestServer.exists(failedCopy)).as("kept for forensics, as the failure said").isTrue();
        assertThat(second.outputs().get("leftover.postgres." + failedCopy)).contains("DROP DATABASE");

        // Abandon: the failed copy is a temporary; the kept original of the finished swap stays.
        String kept = second.outputs().get("postgres.forensicDatabase");
        List<String> removed = step.cleanUp(second.resumed());
        assertThat(removed).containsExactly("database " + failedCopy + " (the restore of backup.dump into it was never swapped in)");
        assertThat(TestServer.databasesLike(db)).containsExactlyInAnyOrder(db, kept);
    }

    @Test
    void abandoningAHalfSwapPutsTheOriginalBackAndDropsTheCopyNeverTheOriginal() throws Exception {
        String db = liveWithPreRunData("abandon");
        RestoreStep step = TestServer.postgres(db).restore(backup);
        TestStepContext first = ctx(db);
        String target = step.prepare(first);
        String kept = db + "_before_rollback_z";
        first.remember(ResumableSwap.REPLACEMENT, target);
        first.remember(ResumableSwap.KEPT, kept);
        first.remember(ResumableSwap.LIVE_ALLOW, "true");
        first.remember(ResumableSwap.REPLACEMENT_ALLOW, "true");
        first.remember(ResumableSwap.STATE, "renaming-replacement");
        TestServer.execute("postgres", "ALTER DATABASE \"" + db + "\" ALLOW_CONNECTIONS false");
        TestServer.execute("postgres", "ALTER DATABASE \"" + target + "\" ALLOW_CONNECTIONS false");
        TestServer.execute("postgres", "ALTER DATABASE \"" + db + "\" RENAME TO \"" + kept + "\"");

        List<String> done = step.cleanUp(first.resumed());

        assertThat(done).containsExactly(
                "database " + kept + " renamed back to " + db + " (the abandoned swap had renamed it; " + target + " was never swapped in)",
                "connections allowed again on database " + db,
                "database " + target + " (the restore of backup.dump into it was never swapped in)");
        assertThat(TestServer.databasesLike(db)).containsExactly(db);
        assertThat(rows(db)).isEqualTo("50 pre-run");
    }

    @Test
    void abandoningARunKilledInsideTheRestoreDropsItsPartialCopy() throws Exception {
        String db = liveWithPreRunData("abandonrestore");
        TestStepContext first = ctx(db);
        String partial = db + "_rollback_partial";
        TestServer.execute("postgres", "CREATE DATABASE \"" + partial + "\"");
        first.remember(RestoreStep.TARGET, partial);
        first.remember(RestoreStep.PHASE, "restoring");
        List<String> done = TestServer.postgres(db).restore(backup).cleanUp(first.resumed());
        assertThat(done).containsExactly("database " + partial + " (the restore of backup.dump into it was never swapped in)");
        assertThat(TestServer.databasesLike(db)).containsExactly(db);
    }

    @Test
    void aSnapshotRollbackStoppedBetweenItsRenamesIsCompletedOnResume() throws Exception {
        String db = liveWithPreRunData("snapresume");
        String snapshot = db + "_snap";
        TestServer.execute("postgres", "CREATE DATABASE \"" + snapshot + "\" TEMPLATE \"" + db + "\"");
        TestServer.execute(snapshot, "UPDATE items SET state = 'snapshot'");
        String kept = db + "_before_rollback_s";
        TestStepContext first = ctx(db);
        first.remember(ResumableSwap.REPLACEMENT, snapshot);
        first.remember(ResumableSwap.KEPT, kept);
        first.remember(ResumableSwap.LIVE_ALLOW, "true");
        first.remember(ResumableSwap.REPLACEMENT_ALLOW, "true");
        first.remember(ResumableSwap.STATE, "renaming-live");
        TestServer.execute("postgres", "ALTER DATABASE \"" + db + "\" ALLOW_CONNECTIONS false");
        TestServer.execute("postgres", "ALTER DATABASE \"" + snapshot + "\" ALLOW_CONNECTIONS false");
        TestServer.execute("postgres", "ALTER DATABASE \"" + db + "\" RENAME TO \"" + kept + "\"");

        TestStepContext resumed = first.resumed();
        TestServer.postgres(db).rollbackToSnapshot(snapshot).execute(resumed);

        assertThat(rows(db)).isEqualTo("50 snapshot");
        assertThat(rows(kept)).isEqualTo("50 pre-run");
        assertThat(resumed.outputs()).containsEntry("postgres.forensicDatabase", kept);
    }

    private static String rows(String db) throws Exception {
        try (Connection c = TestServer.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) || ' ' || string_agg(DISTINCT state, ',') FROM items")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
