package dev.rollback.postgres;

import dev.rollback.core.CheckResult;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.StepResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BadInputIT {
    /** The server is shared by every test class of the JVM: drop what this class created. */
    @org.junit.jupiter.api.AfterAll
    static void dropCreatedDatabases() throws Exception {
        TestServer.dropCreatedDatabases();
    }

    @TempDir
    Path tmp;

    private Path dumpOf(String db, String file) {
        Path dump = tmp.resolve(file);
        Plans.step(TestServer.postgres(db).dump(dump).compression(0));
        return dump;
    }

    @Test
    void truncatedDumpIsFoundByThePrecheckAndTheLiveDatabaseIsNotTouched() throws Exception {
        String db = TestServer.createDatabase("trunc");
        TestServer.seedCrm(db, 3000, 3);
        Postgres pg = TestServer.postgres(db);
        Path dump = dumpOf(db, "trunc.dump");
        try (FileChannel ch = FileChannel.open(dump, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        TestServer.execute(db, "DELETE FROM orders WHERE id > 100");

        CheckResult pre = Plans.check(pg.backupReadable(dump));
        assertThat(pre.isPassed()).isFalse();
        assertThat(pre.message()).contains("trunc.dump is truncated").contains("in the middle of").containsIgnoringCase("nothing was changed");

        RunReport run = Plans.run(b -> b.precheck(pg.backupReadable(dump)).restore(pg.restore(dump)));
        assertThat(run.isSuccess()).isFalse();
        assertThat(run.steps().get(1).status()).isEqualTo(StepResult.Status.NOT_RUN);
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isEqualTo(100);
        assertThat(TestServer.databasesLike(db + "_rollback_")).isEmpty();
        assertThat(TestServer.databasesLike(db + "_before_rollback_")).isEmpty();
    }

    @Test
    void directoryDumpWithATruncatedDataFileFailsThePrecheck() throws Exception {
        String db = TestServer.createDatabase("truncdir");
        TestServer.seedCrm(db, 2000, 3);
        Postgres pg = TestServer.postgres(db);
        Path dir = tmp.resolve("dir-dump");
        Plans.step(pg.dump(dir).format(DumpFormat.DIRECTORY));
        assertThat(Plans.check(pg.backupReadable(dir)).isPassed()).isTrue();
        Path biggest;
        try (var files = Files.list(dir)) {
            biggest = files.filter(f -> f.getFileName().toString().endsWith(".dat.gz"))
                    .max(java.util.Comparator.comparingLong(f -> f.toFile().length())).orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(biggest, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }

        CheckResult r = Plans.check(pg.backupReadable(dir));

        assertThat(r.isPassed()).isFalse();
        assertThat(r.message()).contains("dir-dump is corrupt").contains("is truncated (its gzip stream ends early)").containsIgnoringCase("nothing was changed");
    }

    @Test
    void emptyAndMissingBackupsAreRejectedWithTheReason() throws Exception {
        String db = TestServer.createDatabase("nobackup");
        Postgres pg = TestServer.postgres(db);
        Path empty = Files.createFile(tmp.resolve("empty.dump"));

        assertThat(Plans.check(pg.backupReadable(empty)).message()).contains("is empty (0 bytes)");
        assertThat(Plans.check(pg.backupReadable(tmp.resolve("missing.dump"))).message()).contains("does not exist");
        assertThat(Plans.failingStep(pg.restore(tmp.resolve("missing.dump")))).contains("does not exist").contains("nothing was changed");
    }

    @Test
    void backupOlderThanMaxAgeFailsThePrecheck() throws Exception {
        String db = TestServer.createDatabase("old");
        TestServer.seedCrm(db, 5, 1);
        Path dump = dumpOf(db, "old.dump");
        Files.setLastModifiedTime(dump, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofDays(3))));

        CheckResult r = Plans.check(TestServer.postgres(db).backupReadable(dump).maxAge(java.time.Duration.ofHours(24)));

        assertThat(r.isPassed()).isFalse();
        assertThat(r.measured()).contains("custom archive").contains("3d old");
        assertThat(r.message()).contains("older than 24h");
    }

    @Test
    void restoreFailingHalfwayUnderTheSafeStrategyLeavesLiveUntouchedAndNamesTheNewDatabase() throws Exception {
        String db = TestServer.createDatabase("halfway");
        TestServer.seedCrm(db, 500, 2);
        String role = "gone_owner_" + ProcessHandle.current().pid();
        TestServer.execute(db, "CREATE ROLE " + role + "; CREATE TABLE zz_audit (id int); ALTER TABLE zz_audit OWNER TO " + role);
        Path dump = dumpOf(db, "halfway.dump");
        // the restore will fail on ALTER TABLE ... OWNER TO a role that no longer exists, after other tables were created
        TestServer.execute(db, "DROP TABLE zz_audit; DROP ROLE " + role + "; INSERT INTO products VALUES (777, 'after the dump', 1)");

        RunReport run = Plans.run(b -> b.restore(TestServer.postgres(db).restore(dump)));

        assertThat(run.isSuccess()).isFalse();
        String message = run.failure().message();
        assertThat(TestServer.databasesLike(db + "_rollback_")).hasSize(1);
        String leftBehind = TestServer.databasesLike(db + "_rollback_").get(0);
        assertThat(message).contains("role \"" + role + "\" does not exist").contains("The live database '" + db + "' was not touched")
                .contains("'" + leftBehind + "' is kept for forensics");
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM products WHERE id = 777")).isEqualTo(1);
        assertThat(TestServer.queryLong(leftBehind, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).isPositive();
        assertThat(TestServer.databasesLike(db + "_before_rollback_")).isEmpty();
    }

    @Test
    void failedCheckOnTheRestoredDatabaseStopsTheSwap() throws Exception {
        String db = TestServer.createDatabase("badcheck");
        TestServer.seedCrm(db, 20, 1);
        Path dump = dumpOf(db, "badcheck.dump");
        TestServer.execute(db, "INSERT INTO products VALUES (888, 'live only', 1)");

        String error = Plans.failingStep(TestServer.postgres(db).restore(dump).verifyWith(d -> d.rowCountAtLeast("customers", 1000)));

        assertThat(error).contains("failed its checks").contains("has 20 rows, expected at least 1000 rows").contains("was not touched");
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM products WHERE id = 888")).isEqualTo(1);
    }

    @Test
    void wrongPasswordGivesAClearErrorWithoutThePassword() throws Exception {
        String db = TestServer.createDatabase("wrongpw");
        String wrong = "Wr0ng-pa55-" + System.nanoTime();
        Postgres pg = Postgres.at(TestServer.url(db)).user(TestServer.user()).password(Secret.of(wrong));
        TestServer.requirePasswordAuthentication();

        assertThatThrownBy(pg::connect).isInstanceOf(PostgresConnectionException.class)
                .hasMessageContaining("password authentication failed for user \"" + TestServer.user() + "\"")
                .hasMessageContaining("Check the user and the password")
                .hasMessageContaining("Nothing was changed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
        CheckResult r = Plans.check(pg.canConnect());
        assertThat(r.isPassed()).isFalse();
        assertThat(r.message()).contains("password authentication failed").doesNotContain(wrong);
        String dumpError = Plans.failingStep(pg.dump(tmp.resolve("x.dump")));
        assertThat(dumpError).contains("password authentication failed").doesNotContain(wrong);
        // a password inside the URL is taken out of it and never shown either
        Postgres inUrl = Postgres.at(TestServer.url(db) + "?user=" + TestServer.user() + "&password=" + wrong);
        assertThat(inUrl.toString()).doesNotContain(wrong);
        assertThatThrownBy(inUrl::connect).satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
    }

    @Test
    void pgDumpOlderThanTheServerFailsThePrecheckNamingBothVersions() throws Exception {
        String db = TestServer.createDatabase("oldtool");
        TestServer.seedCrm(db, 5, 1);
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        for (String tool : new String[] {"pg_dump", "pg_restore"}) {
            Path script = bin.resolve(tool);
            Files.writeString(script, "#!/bin/sh\necho '" + tool + " (PostgreSQL) 12.0'\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Postgres pg = TestServer.postgres(db).toolDirectory(bin);

        CheckResult r = Plans.check(pg.toolsMatchServer());

        assertThat(r.isPassed()).isFalse();
        assertThat(r.message()).contains("pg_dump 12.0 (" + bin.resolve("pg_dump") + ")").contains("server runs PostgreSQL 15.")
                .contains("at least major version 15");
        String error = Plans.failingStep(pg.dump(tmp.resolve("never.dump")));
        assertThat(error).contains("pg_dump is older than the server").contains("12.0").contains("PostgreSQL 15.");
        assertThat(tmp.resolve("never.dump")).doesNotExist();
        assertThat(Plans.check(TestServer.postgres(db).toolsMatchServer()).isPassed()).isTrue();
    }

    @Test
    void databaseNamesWithQuotesAndSpacesWorkForDumpSafeRestoreAndSnapshots() throws Exception {
        String db = TestServer.createDatabase("crm \"prod\" it's");
        TestServer.seedCrm(db, 30, 2);
        Postgres pg = TestServer.postgres(db);
        Path dump = tmp.resolve("odd.dump");
        Plans.step(pg.dump(dump));
        TestServer.execute(db, "DELETE FROM orders");

        RunReport restored = Plans.step(pg.restore(dump));
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isEqualTo(60);
        assertThat(restored.outputs().get("postgres.forensicDatabase")).startsWith(db + "_before_rollback_");

        String snap = db + " snap";
        Plans.step(pg.snapshot(snap));
        TestServer.execute(db, "DELETE FROM customers WHERE id > 100");
        TestServer.execute(db, "TRUNCATE orders");
        Plans.step(pg.rollbackToSnapshot(snap));
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isEqualTo(60);
        assertThat(Plans.check(pg.rowCountExactly("customers", 30)).isPassed()).isTrue();
        Plans.step(pg.sample("customers", 3, tmp.resolve("odd.csv")));
        assertThat(Files.readAllLines(tmp.resolve("odd.csv"))).hasSize(4);
    }

    @Test
    void inPlaceRestoreRefusesWhileTheAppHoldsSessionsAndSafeRestoreTerminatesThem() throws Exception {
        String db = TestServer.createDatabase("busy");
        TestServer.seedCrm(db, 40, 1);
        Postgres pg = TestServer.postgres(db);
        Path dump = dumpOf(db, "busy.dump");
        TestServer.execute(db, "DELETE FROM orders");
        try (Connection app = TestServer.connect(db)) {
            app.createStatement().execute("SET application_name = 'nextcrm'");
            app.setAutoCommit(false);
            app.createStatement().execute("LOCK TABLE customers IN ACCESS SHARE MODE");

            String error = Plans.failingStep(pg.restore(dump).inPlace());
            assertThat(error).contains("still has 1 session (nextcrm x1)").contains("Nothing was changed").contains("terminatingSessions()");
            assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isZero();

            Plans.step(pg.restore(dump));   // safe: restore aside, then the swap terminates the app's session
            assertThat(app.isValid(2)).isFalse();
        }
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isEqualTo(40);

        try (Connection app = TestServer.connect(db)) {
            app.createStatement().execute("SET application_name = 'nextcrm'");
            TestServer.execute(db, "DELETE FROM orders");
            Plans.step(pg.restore(dump).inPlace().terminatingSessions());
            assertThat(app.isValid(2)).isFalse();
        }
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isEqualTo(40);
    }
}
