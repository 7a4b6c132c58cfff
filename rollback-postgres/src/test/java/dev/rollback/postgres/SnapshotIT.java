package dev.rollback.postgres;

import dev.rollback.core.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotIT {
    /** The server is shared by every test class of the JVM: drop what this class created. */
    @org.junit.jupiter.api.AfterAll
    static void dropCreatedDatabases() throws Exception {
        TestServer.dropCreatedDatabases();
    }

    @TempDir
    Path tmp;

    @Test
    void snapshotThenRollbackSwapsTheCopyInWithSettingsAndGrantsAndKeepsTheDeployedDatabase() throws Exception {
        String db = TestServer.createDatabase("snap");
        TestServer.seedCrm(db, 100, 2);
        TestServer.execute("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'snap_app') THEN CREATE ROLE snap_app; END IF; END $$");
        TestServer.execute("postgres", "ALTER DATABASE \"" + db + "\" SET search_path = public, \"$user\"");
        TestServer.execute("postgres", "REVOKE ALL ON DATABASE \"" + db + "\" FROM PUBLIC; GRANT CONNECT ON DATABASE \"" + db + "\" TO snap_app");
        Postgres pg = TestServer.postgres(db);
        String snapshot = db + "_v1";
        Path manifest = tmp.resolve("v1.rowcounts.tsv");

        RunReport taken = Plans.step(pg.snapshot(snapshot).manifestTo(manifest));
        assertThat(taken.outputs()).containsEntry("postgres.snapshot", snapshot);

        // the risky deploy
        TestServer.execute(db, "ALTER TABLE customers ADD COLUMN tier text; DELETE FROM orders WHERE amount < 500; DROP VIEW big_orders");
        assertThat(Plans.check(pg.rowCountsMatch(manifest)).isPassed()).isFalse();

        RunReport rolled = Plans.step(pg.rollbackToSnapshot(snapshot).verifyWith(Postgres::foreignKeysValid));

        assertThat(Plans.check(pg.rowCountsMatch(manifest)).isPassed()).isTrue();
        assertThat(Plans.check(pg.viewCount(1)).isPassed()).isTrue();
        assertThat(Plans.check(pg.columnsExist("customers", "tier")).isPassed()).isFalse();
        assertThat(TestServer.exists(snapshot)).isFalse();
        String forensic = rolled.outputs().get("postgres.forensicDatabase");
        assertThat(TestServer.exists(forensic)).isTrue();
        assertThat(Plans.check(pg.database(forensic).columnsExist("customers", "tier")).isPassed()).isTrue();
        try (Connection c = TestServer.connect(db)) {
            var rs = c.createStatement().executeQuery("SELECT s.setconfig::text FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
                    + "WHERE d.datname = current_database() AND s.setrole = 0");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).contains("search_path=public").contains("$user");
            rs = c.createStatement().executeQuery("SELECT has_database_privilege('snap_app', current_database(), 'CONNECT'), "
                    + "has_database_privilege('public', current_database(), 'CONNECT')");
            rs.next();
            assertThat(rs.getBoolean(1)).isTrue();
            assertThat(rs.getBoolean(2)).isFalse();
        }
    }

    @Test
    void snapshotRefusesWhileSessionsHoldTheDatabaseUnlessToldToTerminateThem() throws Exception {
        String db = TestServer.createDatabase("snapsess");
        TestServer.seedCrm(db, 10, 1);
        Postgres pg = TestServer.postgres(db);
        try (Connection app = TestServer.connect(db)) {
            app.createStatement().execute("SET application_name = 'nextcrm'");

            String error = Plans.failingStep(pg.snapshot(db + "_s"));

            assertThat(error).contains("1 session (nextcrm x1)").contains("terminatingSessions()").contains("Nothing was changed");
            assertThat(TestServer.exists(db + "_s")).isFalse();

            Plans.step(pg.snapshot(db + "_s").terminatingSessions());
            assertThat(TestServer.exists(db + "_s")).isTrue();
            assertThat(app.isValid(2)).isFalse();
        }
        // the database accepts connections again after the copy
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM customers")).isEqualTo(10);
        assertThat(Plans.failingStep(pg.snapshot(db + "_s"))).contains("already exists").contains("replacingExisting()");
        Plans.step(pg.snapshot(db + "_s").replacingExisting());
    }

    @Test
    void rollbackToAMissingSnapshotChangesNothing() throws Exception {
        String db = TestServer.createDatabase("snapmiss");
        TestServer.seedCrm(db, 10, 1);

        String error = Plans.failingStep(TestServer.postgres(db).rollbackToSnapshot(db + "_nope"));

        assertThat(error).contains("does not exist").contains("nothing was changed");
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM customers")).isEqualTo(10);
    }

    @Test
    void aResumedRunMayRetakeItsOwnSnapshotAndTheLiveCommentSurvivesTheRollback() throws Exception {
        String db = TestServer.createDatabase("snapresume");
        TestServer.seedCrm(db, 10, 1);
        TestServer.execute("postgres", "COMMENT ON DATABASE \"" + db + "\" IS 'CRM production'");
        Postgres pg = TestServer.postgres(db);
        Path journal = tmp.resolve("journal");
        Path flag = tmp.resolve("second-time");
        dev.rollback.core.RollbackPlan plan = dev.rollback.core.Rollback.plan("snapshot-then-fail")
                .checkpoint("start")
                .step(pg.snapshot(db + "_pre"))
                .step("fails once", ctx -> {
                    if (!java.nio.file.Files.exists(flag)) {
                        java.nio.file.Files.createFile(flag);
                        throw new IllegalStateException("crash after the snapshot");
                    }
                })
                .build();
        var runner = dev.rollback.core.Rollback.runner().journal(dev.rollback.core.journal.FileJournal.in(journal));

        RunReport first = runner.run(plan);
        assertThat(first.isSuccess()).isFalse();
        assertThat(runner.resume(plan, first.runId()).isSuccess()).isTrue();
        assertThat(Plans.failingStep(pg.snapshot(db + "_pre"))).contains("already exists");

        Plans.step(pg.rollbackToSnapshot(db + "_pre"));
        try (Connection c = TestServer.connect(db)) {
            var rs = c.createStatement().executeQuery("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()");
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("CRM production");
        }
    }
}
