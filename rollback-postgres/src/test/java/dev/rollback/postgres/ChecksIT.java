package dev.rollback.postgres;

import dev.rollback.core.CheckResult;
import dev.rollback.core.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChecksIT {
    /** The server is shared by every test class of the JVM: drop what this class created. */
    @org.junit.jupiter.api.AfterAll
    static void dropCreatedDatabases() throws Exception {
        TestServer.dropCreatedDatabases();
    }

    @TempDir
    Path tmp;

    @Test
    void foreignKeyCheckCountsOrphansPerConstraint() throws Exception {
        String db = TestServer.createDatabase("fk");
        TestServer.seedCrm(db, 20, 2);
        Postgres pg = TestServer.postgres(db);
        RunReport clean = Plans.run(b -> b.verify(pg.foreignKeysValid()));
        assertThat(clean.isSuccess()).isTrue();
        assertThat(clean.outputs()).containsEntry("postgres.fk.orphans", "0");

        // orphans as a partial restore with disabled triggers leaves them
        TestServer.execute(db, "SET session_replication_role = replica; DELETE FROM customers WHERE id IN (3, 4, 5)");
        CheckResult r = Plans.check(pg.foreignKeysValid());

        assertThat(r.isPassed()).isFalse();
        assertThat(r.measured()).contains("6 orphans").contains("orders_customer_id_fkey on orders -> customers: 6 orphans");
    }

    @Test
    void dataLossWindowCountsRowsCreatedAfterTheBackupPerTable() throws Exception {
        String db = TestServer.createDatabase("loss");
        TestServer.seedCrm(db, 100, 1);   // customers created 2025-01-01 00:01 .. 01:40
        Postgres pg = TestServer.postgres(db);
        Instant backupTime = Instant.parse("2025-01-01T01:00:00Z");

        RunReport r = Plans.run(b -> b.verify(pg.rowsCreatedAfter(backupTime, "created_at", "customers", "orders")));
        assertThat(r.isSuccess()).isTrue();
        assertThat(r.outputs()).containsEntry("postgres.dataLoss.customers", "40").containsEntry("postgres.dataLoss.orders", "0")
                .containsEntry("postgres.dataLoss.total", "40");

        CheckResult gate = Plans.check(pg.rowsCreatedAfter(backupTime, "created_at", "customers").atMost(10));
        assertThat(gate.isPassed()).isFalse();
        assertThat(gate.message()).contains("40 rows were created after 2025-01-01T01:00:00Z");
    }

    @Test
    void databaseSizeIsPublishedForAFreeSpaceCheck() throws Exception {
        String db = TestServer.createDatabase("size");
        Postgres pg = TestServer.postgres(db);
        RunReport empty = Plans.run(b -> b.precheck(pg.databaseSize()));
        TestServer.seedCrm(db, 2000, 5);
        RunReport full = Plans.run(b -> b.precheck(pg.databaseSize()));

        assertThat(pg.sizeOutputKey()).isEqualTo("postgres.size." + db);
        long before = Long.parseLong(empty.outputs().get(pg.sizeOutputKey()));
        long after = Long.parseLong(full.outputs().get(pg.sizeOutputKey()));
        try (Connection c = pg.connect(); var s = c.createStatement(); var rs = s.executeQuery("SELECT pg_database_size(current_database())")) {
            rs.next();
            assertThat(after).isEqualTo(rs.getLong(1));   // what psql's \l+ shows
        }
        assertThat(after).as("the rows take room").isGreaterThan(before).isGreaterThan(before + 100_000);
        assertThat(pg.databaseSize().describe().commands()).containsExactly("SELECT pg_database_size('" + db + "')");
    }

    @Test
    void csvExportAndSampleWriteHeaderAndRowsThroughCopy() throws Exception {
        String db = TestServer.createDatabase("csv");
        TestServer.seedCrm(db, 30, 1);
        TestServer.execute(db, "UPDATE customers SET email = 'quote\"and,comma@example.com' WHERE id = 1");
        Postgres pg = TestServer.postgres(db);
        Path out = tmp.resolve("forensics/customers.csv");

        RunReport r = Plans.step(pg.exportCsv("SELECT id, email FROM customers ORDER BY id", out));
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(31);
        assertThat(lines.get(0)).isEqualTo("id,email");
        assertThat(lines.get(1)).isEqualTo("1,\"quote\"\"and,comma@example.com\"");
        assertThat(r.outputs()).containsEntry("postgres.csv.customers.csv", "30");

        RunReport s = Plans.step(pg.sample("customers", 5, Path.of("accounts_sample.csv")));
        Path sample = s.runDirectory().resolve("accounts_sample.csv");
        assertThat(Files.readAllLines(sample)).hasSize(6).first().isEqualTo("id,email,created_at");

        assertThat(Plans.failingStep(pg.exportCsv("SELECT nope FROM customers", tmp.resolve("bad.csv"))))
                .contains("CSV export").contains("column \"nope\" does not exist");
        assertThat(tmp.resolve("bad.csv")).doesNotExist();
    }

    @Test
    void schemaChecksRowCountsAndSessions() throws Exception {
        String db = TestServer.createDatabase("schema");
        TestServer.seedCrm(db, 25, 2);
        Postgres pg = TestServer.postgres(db);

        assertThat(Plans.check(pg.canConnect()).isPassed()).isTrue();
        assertThat(Plans.check(pg.rowCountAtLeast("customers", 25)).isPassed()).isTrue();
        assertThat(Plans.check(pg.rowCountAtLeast("customers", 26)).message()).contains("has 25 rows, expected at least 26 rows");
        assertThat(Plans.check(pg.rowCountExactly("public.orders", 50)).isPassed()).isTrue();
        assertThat(Plans.check(pg.columnsExist("customers", "id", "email")).isPassed()).isTrue();
        assertThat(Plans.check(pg.columnsExist("customers", "id", "tier")).measured()).contains("missing [tier]");
        assertThat(Plans.check(pg.columnsExist("nosuch", "id")).message()).contains("table nosuch does not exist");
        assertThat(Plans.check(pg.viewCount(1)).isPassed()).isTrue();
        assertThat(Plans.check(pg.viewCount(0)).message()).contains("found 1").contains("public.big_orders");
        assertThat(Plans.check(pg.indexesExist("orders_customer_idx", "customers_pkey")).isPassed()).isTrue();
        assertThat(Plans.check(pg.indexesExist("idx_gone")).measured()).contains("missing [idx_gone]");
        assertThat(Plans.check(pg.indexesAbsent("idx_gone", "idx_other")).isPassed()).isTrue();
        assertThat(Plans.check(pg.indexesAbsent("idx_gone", "orders_customer_idx")).message()).contains("still there: [orders_customer_idx]");
        assertThat(Plans.check(pg.viewsExist("big_orders", "public.big_orders")).isPassed()).isTrue();
        assertThat(Plans.check(pg.viewsExist("big_orders", "small_orders")).message()).contains("views missing: [small_orders]");

        try (Connection app = TestServer.connect(db)) {
            app.createStatement().execute("SET application_name = 'nextcrm'");
            CheckResult busy = Plans.check(pg.noSessionsFrom("nextcrm"));
            assertThat(busy.isPassed()).isFalse();
            assertThat(busy.measured()).isEqualTo("1 sessions");

            RunReport t = Plans.step(pg.terminateConnections("nextcrm"));
            assertThat(t.outputs()).containsEntry("postgres.terminatedSessions", "1");
            assertThat(app.isValid(2)).isFalse();
        }
        assertThat(Plans.check(pg.noSessionsFrom("nextcrm")).isPassed()).isTrue();

        // seed 000's filter, application_name LIKE '%nextcrm%': the app's pools are caught, others spared
        try (Connection web = TestServer.connect(db); Connection worker = TestServer.connect(db); Connection psql = TestServer.connect(db)) {
            web.createStatement().execute("SET application_name = 'nextcrm-web-1'");
            worker.createStatement().execute("SET application_name = 'jobs:nextcrm'");
            psql.createStatement().execute("SET application_name = 'psql'");
            assertThat(Plans.check(pg.noSessionsMatching("%nextcrm%")).measured()).isEqualTo("2 sessions");
            RunReport t = Plans.step(pg.terminateConnectionsMatching("%nextcrm%"));
            assertThat(t.outputs()).containsEntry("postgres.terminatedSessions", "2");
            assertThat(web.isValid(2)).isFalse();
            assertThat(worker.isValid(2)).isFalse();
            assertThat(psql.isValid(2)).isTrue();
        }
        assertThat(Plans.check(pg.noSessionsMatching("%nextcrm%")).isPassed()).isTrue();
        assertThat(pg.terminateConnectionsMatching("%nextcrm%").describe().commands().get(0)).contains("application_name LIKE '%nextcrm%'");
    }

    @Test
    void sqlStepRunsInOneTransactionAndRollsBackOnError() throws Exception {
        String db = TestServer.createDatabase("sqlstep");
        TestServer.seedCrm(db, 5, 1);
        Postgres pg = TestServer.postgres(db);

        String error = Plans.failingStep(pg.sql("drop views and add column back", "DROP VIEW big_orders; ALTER TABLE customers ADD COLUMN tier text; SELECT 1/0"));
        assertThat(error).contains("division by zero").contains("rolled back");
        assertThat(Plans.check(pg.viewCount(1)).isPassed()).isTrue();

        Path script = tmp.resolve("down.sql");
        Files.writeString(script, "DROP VIEW big_orders;\nDROP INDEX orders_customer_idx;\nALTER TABLE customers ADD COLUMN tier text DEFAULT 'basic';\n");
        Plans.step(pg.sqlFile(script));
        assertThat(Plans.check(pg.viewCount(0)).isPassed()).isTrue();
        assertThat(Plans.check(pg.columnsExist("customers", "tier")).isPassed()).isTrue();
        assertThat(Plans.check(pg.indexesExist("orders_customer_idx")).isPassed()).isFalse();
    }

    @Test
    void createAndDropDatabaseQuoteTheirNames() throws Exception {
        String odd = "tmp \"odd\" name " + ProcessHandle.current().pid();
        Postgres pg = TestServer.postgres("postgres").maintenanceDatabase("template1");
        Plans.step(pg.createDatabase(odd));
        assertThat(TestServer.exists(odd)).isTrue();
        Plans.run(b -> b.step(pg.dropDatabase(odd)));
        assertThat(TestServer.exists(odd)).isFalse();
    }

    @Test
    void recordedRowCountsMatchUntilTheDataChanges() throws Exception {
        String db = TestServer.createDatabase("manifest");
        TestServer.seedCrm(db, 15, 2);
        Postgres pg = TestServer.postgres(db);
        Path manifest = tmp.resolve("counts.tsv");

        RunReport r = Plans.step(pg.recordRowCounts(manifest));

        assertThat(r.outputs()).containsEntry("postgres.rowCounts", manifest.toString());
        assertThat(RowCountManifest.read(manifest).counts()).containsEntry("public.customers", 15L).containsEntry("public.orders", 30L)
                .containsEntry("public.products", 50L);
        assertThat(Plans.check(pg.rowCountsMatch(manifest)).isPassed()).isTrue();
        TestServer.execute(db, "DROP TABLE products");
        assertThat(Plans.check(pg.rowCountsMatch(manifest)).measured()).contains("public.products missing");
    }

    @Test
    void terminateAllSessionsSparesOnlyTheStepsOwn() throws Exception {
        String db = TestServer.createDatabase("termall");
        Postgres pg = TestServer.postgres(db);
        try (Connection a = TestServer.connect(db); Connection b = TestServer.connect(db)) {
            b.createStatement().execute("SET application_name = 'psql'");

            RunReport r = Plans.step(pg.terminateConnections());

            assertThat(r.outputs()).containsEntry("postgres.terminatedSessions", "2");
            assertThat(a.isValid(2)).isFalse();
            assertThat(b.isValid(2)).isFalse();
        }
    }
}
