package dev.rollback.postgres;

import dev.rollback.core.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DumpRestoreIT {
    /** The server is shared by every test class of the JVM: drop what this class created. */
    @org.junit.jupiter.api.AfterAll
    static void dropCreatedDatabases() throws Exception {
        TestServer.dropCreatedDatabases();
    }

    @TempDir
    Path tmp;

    @Test
    void customDumpThenSafeRestoreSwapsInVerifiedCopyAndKeepsOldDatabase() throws Exception {
        String db = TestServer.createDatabase("crm");
        TestServer.seedCrm(db, 200, 3);
        TestServer.execute("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_reader') THEN CREATE ROLE crm_reader; END IF; END $$");
        TestServer.execute("postgres", "ALTER DATABASE \"" + db + "\" SET work_mem = '7MB'");
        TestServer.execute("postgres", "GRANT CONNECT, TEMP ON DATABASE \"" + db + "\" TO crm_reader");
        Postgres pg = TestServer.postgres(db);
        Path dump = tmp.resolve("crm.dump");

        RunReport dumped = Plans.step(pg.dump(dump));
        assertThat(dumped.outputs()).containsEntry("postgres.dump.path", dump.toString());
        assertThat(Files.readString(dump.getParent().resolve("crm.dump.rowcounts.tsv"))).contains("public.orders\t600").contains("public.customers\t200");

        TestServer.execute(db, "DELETE FROM orders WHERE customer_id > 100; INSERT INTO products VALUES (999, 'bad deploy', 0)");

        RunReport restored = Plans.step(pg.restore(dump)
                .verifyWith(d -> d.rowCountsMatch(RowCountManifest.forDump(dump)))
                .verifyWith(Postgres::foreignKeysValid));

        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isEqualTo(600);
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM products")).isEqualTo(50);
        String forensic = restored.outputs().get("postgres.forensicDatabase");
        assertThat(forensic).startsWith(db + "_before_rollback_");
        assertThat(TestServer.queryLong(forensic, "SELECT count(*) FROM orders")).isEqualTo(300);
        assertThat(TestServer.queryLong(forensic, "SELECT count(*) FROM products WHERE id = 999")).isEqualTo(1);
        // database-level settings and grants that a dump does not carry were copied to the new database
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
                + "WHERE d.datname = current_database() AND 'work_mem=7MB' = ANY(s.setconfig)")).isEqualTo(1);
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = current_database() "
                + "AND a.grantee = 'crm_reader'::regrole AND a.privilege_type IN ('CONNECT', 'TEMPORARY')")).isEqualTo(2);
        assertThat(TestServer.databasesLike(db + "_rollback_")).isEmpty();
        // the checks run on the new database are journaled with the restore, for the report's verification results
        assertThat(restored.steps().get(0).checks()).extracting(c -> c.isPassed()).containsExactly(true, true);
    }

    @Test
    void directoryDumpWithTwoJobsRestoresInPlaceWithTwoJobs() throws Exception {
        String db = TestServer.createDatabase("crmdir");
        TestServer.seedCrm(db, 300, 2);
        Postgres pg = TestServer.postgres(db);
        Path dir = tmp.resolve("crm-dir");

        Plans.step(pg.dump(dir).format(DumpFormat.DIRECTORY).jobs(2).compression(1).withoutRowCounts());
        assertThat(dir.resolve("toc.dat")).exists();
        assertThat(RowCountManifest.forDump(dir)).doesNotExist();

        TestServer.execute(db, "TRUNCATE orders; DELETE FROM customers WHERE id > 10");
        Plans.step(pg.restore(dir).inPlace().jobs(2));

        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isEqualTo(600);
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM customers")).isEqualTo(300);
        assertThat(Plans.check(pg.indexesExist("orders_customer_idx")).isPassed()).isTrue();
    }

    @Test
    void plainDumpIsRestoredWithPsqlIntoANewDatabaseAndSwapped() throws Exception {
        String db = TestServer.createDatabase("crmplain");
        TestServer.seedCrm(db, 50, 2);
        Postgres pg = TestServer.postgres(db);
        Path sql = tmp.resolve("crm.sql");

        Plans.step(pg.dump(sql).format(DumpFormat.PLAIN));
        assertThat(Files.readString(sql)).contains("CREATE TABLE public.orders");

        TestServer.execute(db, "DROP VIEW big_orders; DELETE FROM orders");
        RunReport r = Plans.step(pg.restore(sql).singleTransaction());

        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isEqualTo(100);
        assertThat(Plans.check(pg.viewCount(1)).isPassed()).isTrue();
        assertThat(r.outputs()).containsKey("postgres.forensicDatabase");
    }

    @Test
    void partialRestoreBringsBackOnlyTheChosenTable() throws Exception {
        String db = TestServer.createDatabase("crmpart");
        TestServer.seedCrm(db, 40, 1);
        Postgres pg = TestServer.postgres(db);
        Path dump = tmp.resolve("part.dump");
        Plans.step(pg.dump(dump));

        TestServer.execute(db, "UPDATE products SET price = 0; INSERT INTO customers VALUES (1000, 'new@example.com', now())");
        Plans.step(pg.restore(dump).tables("products"));

        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM products WHERE price = 0")).isZero();
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM products")).isEqualTo(50);
        // the other tables were not touched: the customer added after the dump is still there
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM customers WHERE id = 1000")).isEqualTo(1);
    }

    @Test
    void schemaDumpHoldsDefinitionsButNoRowsAndGoesIntoTheRunFolder() throws Exception {
        String db = TestServer.createDatabase("crmschema");
        TestServer.seedCrm(db, 10, 1);
        Postgres pg = TestServer.postgres(db);

        RunReport r = Plans.step(pg.schemaDump(Path.of("schema.sql")));

        Path file = Path.of(r.outputs().get("postgres.dump.path"));
        assertThat(file).startsWith(r.runDirectory());
        String text = Files.readString(file);
        assertThat(text).contains("CREATE TABLE public.customers").contains("CREATE VIEW public.big_orders").doesNotContain("user1@example.com");
    }

    @Test
    void dataOnlyDumpOfChosenTablesHoldsTheirRowsAndNoDefinitions() throws Exception {
        String db = TestServer.createDatabase("crmdata");
        TestServer.seedCrm(db, 10, 1);
        Postgres pg = TestServer.postgres(db);

        var step = pg.dump(Path.of("recent.sql")).format(DumpFormat.PLAIN).tables("customers").dataOnly();
        RunReport r = Plans.step(step);

        String text = Files.readString(Path.of(r.outputs().get("postgres.dump.path")));
        assertThat(text).contains("COPY public.customers").contains("user1@example.com")
                .doesNotContain("CREATE TABLE").doesNotContain("COPY public.orders");
        assertThat(step.name()).isEqualTo("dump data of " + db);
        assertThat(step.describe().commands().get(0)).contains("--data-only").contains("--table=customers");
    }

    @Test
    void dumpRefusesToOverwriteAnExistingFileUnlessAsked() throws Exception {
        String db = TestServer.createDatabase("crmexist");
        TestServer.seedCrm(db, 5, 1);
        Postgres pg = TestServer.postgres(db);
        Path dump = tmp.resolve("exists.dump");
        Files.writeString(dump, "precious");

        String error = Plans.failingStep(pg.dump(dump));

        assertThat(error).contains("already exists").contains("replaceExisting()");
        assertThat(Files.readString(dump)).isEqualTo("precious");
        Plans.step(pg.dump(dump).replaceExisting());
        assertThat(Files.readAllBytes(dump)).startsWith("PGDMP".getBytes());
    }

    @Test
    void aResumedRunMayRepeatItsOwnDumpButNotOverwriteAnotherRunsDump() throws Exception {
        String db = TestServer.createDatabase("crmresume");
        TestServer.seedCrm(db, 5, 1);
        Postgres pg = TestServer.postgres(db);
        Path journal = tmp.resolve("journal");
        Path dump = tmp.resolve("resume.dump");
        dev.rollback.core.RollbackPlan plan = dev.rollback.core.Rollback.plan("dump-then-fail").withoutCapture("test")
                .checkpoint("start")
                .step(pg.dump(dump))
                .step("fails once", ctx -> {
                    if (!java.nio.file.Files.exists(tmp.resolve("second-time"))) {
                        java.nio.file.Files.createFile(tmp.resolve("second-time"));
                        throw new IllegalStateException("crash after the dump");
                    }
                })
                .build();
        var runner = dev.rollback.core.Rollback.runner().journal(dev.rollback.core.journal.FileJournal.in(journal))
                .confirmations(dev.rollback.core.Confirmations.autoApprove("tester"));

        RunReport first = runner.run(plan);
        assertThat(first.isSuccess()).isFalse();
        RunReport resumed = runner.resume(plan, first.runId());

        assertThat(resumed.isSuccess()).isTrue();
        assertThat(Files.readString(dump.resolveSibling("resume.dump.run-id")).strip()).isEqualTo(first.runId());
        assertThat(Plans.failingStep(pg.dump(dump))).contains("already exists");
    }
}
