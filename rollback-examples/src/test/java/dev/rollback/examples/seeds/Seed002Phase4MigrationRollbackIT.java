package dev.rollback.examples.seeds;

import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.report.IncidentReport;
import dev.rollback.examples.lab.Lab;
import dev.rollback.examples.lab.LabPostgres;
import dev.rollback.examples.lab.Seed002Lab;
import dev.rollback.test.SshHosts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.rollback.test.RollbackAssertions.assertThatJournal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 002 drilled for real: embedded PostgreSQL 15 with the failed Phase 4 migration, backups made
 * with pg_dump, two app servers reached through the ssh stand-in, each a real process.
 */
class Seed002Phase4MigrationRollbackIT {
    private static Lab lab;
    @TempDir
    static Path work;
    @TempDir
    Path journal;

    @BeforeAll
    static void startLab() {
        lab = Lab.in(work.resolve("lab"));
    }

    @AfterAll
    static void stopLab() throws Exception {
        lab.close();
    }

    @AfterEach
    void everyFileThePlanWroteIsOwnerOnly() {
        SeedDrills.assertOwnerOnly(journal);
        SeedDrills.assertOwnerOnlyFiles(SeedDrills.envBackups(lab.envFile()));
    }

    private record Run(int exit, String out) {
    }

    private Run run(Seed002Lab.Setup setup, String... args) {
        return run(setup, Map.of(), args);
    }

    private Run run(Seed002Lab.Setup setup, Map<String, String> extraEnv, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> a = new ArrayList<>(List.of(setup.args(args)));
        a.addAll(List.of("--journal", journal.toString()));
        int exit = Seed002Phase4MigrationRollback.program("seed-002")
                .streams(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                        new ByteArrayInputStream(new byte[0]))
                .environment(withExtra(setup.env(), extraEnv))
                .execute(a.toArray(new String[0]), o -> Seed002Phase4MigrationRollback.plan(Seed002Phase4MigrationRollback.Settings.from(o)));
        return new Run(exit, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void fullRollbackRestoresTheDatabaseBySwapAndRestartsEveryAppServer() throws Exception {
        Seed002Lab.Setup setup = Seed002Lab.prepare(lab);
        List<Long> pidsBefore = pids(setup);
        LabPostgres pg = lab.postgres();
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM sales WHERE customer_id NOT IN (SELECT id FROM customers)")).isEqualTo(10);

        Run r = run(setup, "--yes", "dba@example.com", "--reason", "Level 3: FK violations after Phase 4");

        assertThat(r.exit()).as(r.out()).isZero();
        // the pre-migration state: no Phase 4 views, denormalized columns back, no orphans, the row counts of the backup
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM pg_views WHERE schemaname = 'public'")).isZero();
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM information_schema.columns WHERE table_name IN "
                + "('sales', 'tickets', 'job_works') AND column_name IN ('customer_name', 'assigned_to_name', 'product_name', "
                + "'customer_email', 'customer_phone')")).isEqualTo(10);
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM sales WHERE customer_id NOT IN (SELECT id FROM customers)")).isZero();
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'idx_%'")).isZero();
        for (Map.Entry<String, Long> e : Seed002Lab.ROWS.entrySet()) {
            assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM " + e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM customers WHERE id = 2001")).isZero();
        // the failed database is kept, not dropped: the customer written after the backup is still there
        String forensic = queryString(pg, "postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'crm_staging_before_rollback_%'");
        assertThat(pg.queryLong(forensic, "SELECT count(*) FROM customers WHERE id = 2001")).isEqualTo(1);
        assertThat(pg.queryLong(forensic, "SELECT count(*) FROM pg_views WHERE schemaname = 'public'")).isEqualTo(3);

        // every app server was stopped and started again: new processes, healthy
        List<Long> pidsAfter = pids(setup);
        for (int i = 0; i < pidsAfter.size(); i++) {
            assertThat(pidsAfter.get(i)).isNotEqualTo(pidsBefore.get(i));
        }
        for (String url : setup.healthUrls()) {
            assertThat(status(url)).isEqualTo(200);
        }
        assertThat(lab.standIns().calls()).contains("ssh web1 systemctl stop crm-application", "ssh web2 systemctl stop crm-application",
                "ssh web1 systemctl start crm-application", "ssh web2 systemctl start crm-application");

        String runId = onlyRun(Seed002Phase4MigrationRollback.PLAN_FULL);
        List<JournalEvent> events = FileJournal.in(journal).read(Seed002Phase4MigrationRollback.PLAN_FULL, runId);
        assertThatJournal(events).hasApprovalBy("dba@example.com", "swap in crm_staging@staging_full_backup.dump")
                .containsNoText(setup.env().get("TEST_TOKEN")).containsNoText("Lab-pg-pw-5c1e93");
        // prepare-first: the new database was restored and checked while the app servers served; they stopped only for the swap
        assertThat(events.stream().filter(e -> e instanceof JournalEvent.StepStarted).map(e -> ((JournalEvent.StepStarted) e).step()).toList())
                .containsSubsequence("size of database crm_staging", "prepare crm_staging from staging_full_backup.dump",
                        "stop systemd unit crm-application on 2 hosts", "swap in crm_staging@staging_full_backup.dump", "start systemd unit crm-application on 2 hosts");
        Path runDir = FileJournal.in(journal).runDirectory(Seed002Phase4MigrationRollback.PLAN_FULL, runId);
        assertThat(Files.readString(runDir.resolve(IncidentReport.FILE_NAME))).contains("SUCCEEDED").contains("dba@example.com")
                .contains("Level 3: FK violations after Phase 4").contains("Step 4-6: restore from backup");
        assertThat(runDir.resolve("forensics/failed_migration_schema.sql")).content().contains("CREATE VIEW public.sales_with_details");
        assertThat(runDir.resolve("post-rollback/crm_staging.dump")).isNotEmptyFile();
    }

    @Test
    void withAnsibleThePlaybookStopsAndStartsEveryAppServerOverRealSsh() throws Exception {
        Assumptions.assumeTrue(SshHosts.available() && onPath("ansible-playbook"),
                "sshd or ansible-core is not installed, or this is not root (.ci/run installs both)");
        Seed002Lab.Setup setup = Seed002Lab.prepare(lab);
        List<Long> pidsBefore = pids(setup);
        int callsBefore = lab.standIns().calls().size();
        try (SshHosts hosts = SshHosts.start(work.resolve("ssh-hosts"), Seed002Lab.SERVERS.size(), Map.of())) {
            List<String> ansible = Seed002Lab.ansible(lab, hosts);

            Run dry = run(setup, with(ansible, "--dry-run"));
            assertThat(dry.exit()).as(dry.out()).isZero();
            assertThat(dry.out()).contains("ansible-playbook -i ", "-e app_action=stop -e app_unit=crm-application",
                    "-e app_action=start -e app_unit=crm-application", "--limit '<hosts of the batch not done yet>' --forks 5");

            Run r = run(setup, with(ansible, "--yes", "dba@example.com"));

            assertThat(r.exit()).as(r.out()).isZero();
            List<Long> pidsAfter = pids(setup);
            for (int i = 0; i < pidsAfter.size(); i++) {
                assertThat(pidsAfter.get(i)).as("app server %d restarted", i + 1).isNotEqualTo(pidsBefore.get(i)).isPositive();
            }
            for (String url : setup.healthUrls()) {
                assertThat(status(url)).isEqualTo(200);
            }
            List<String> calls = lab.standIns().calls().subList(callsBefore, lab.standIns().calls().size());
            assertThat(calls).as("through Ansible over sshd, not the ssh loop").containsSubsequence(
                    "stop web1-systemd-crm-application", "start web1-systemd-crm-application").noneMatch(c -> c.startsWith("ssh "));
            String runId = onlyRun(Seed002Phase4MigrationRollback.PLAN_FULL);
            Path runDir = FileJournal.in(journal).runDirectory(Seed002Phase4MigrationRollback.PLAN_FULL, runId);
            assertThat(Files.readString(runDir.resolve(IncidentReport.FILE_NAME))).contains("SUCCEEDED", "## Hosts",
                    "| Host | stop | start |", "| web1 | ok | ok |", "| web2 | ok | ok |");
        }
    }

    private static String[] with(List<String> settings, String... more) {
        List<String> a = new ArrayList<>(settings);
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    private static boolean onPath(String tool) {
        return dev.rollback.examples.seeds.Targets.searchPath(System.getenv("PATH")).stream().anyMatch(d -> Files.isExecutable(d.resolve(tool)));
    }

    @Test
    void partialRollbackDropsPhase4ObjectsAndRestoresOnlyTheChosenTables() throws Exception {
        Seed002Lab.Setup setup = Seed002Lab.prepare(lab);
        List<Long> pidsBefore = pids(setup);
        LabPostgres pg = lab.postgres();
        String databases = queryString(pg, "postgres", "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database");

        Run r = run(setup, "--set", "SCENARIO=partial", "--yes", "dba@example.com");

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM pg_views WHERE schemaname = 'public'")).isZero();
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'idx_%'")).isZero();
        // restored tables: rows, denormalized values, primary key and foreign key back, no orphans
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM sales WHERE customer_name IS NOT NULL")).isEqualTo(100);
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM sales WHERE customer_id NOT IN (SELECT id FROM customers)")).isZero();
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM pg_constraint WHERE conname IN ('sales_pkey', 'sales_customer_id_fkey', "
                + "'products_pkey', 'tickets_pkey', 'tickets_customer_id_fkey') AND convalidated")).isEqualTo(5);
        // sale_items is not restored; its foreign key to sales was dropped for the restore and is back, valid
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM pg_constraint WHERE conname = 'sale_items_sale_id_fkey' AND convalidated"))
                .isEqualTo(1);
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM sale_items")).isEqualTo(200);
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM tickets WHERE customer_email IS NOT NULL")).isEqualTo(60);
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM products WHERE supplier_name IS NOT NULL")).isEqualTo(20);
        // not restored: job_works got its columns back empty, customers keeps the row written after the backup
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM job_works WHERE customer_name IS NULL")).isEqualTo(30);
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM customers WHERE id = 2001")).isEqualTo(1);
        // in place: no new database was made
        assertThat(queryString(pg, "postgres", "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database")).isEqualTo(databases);

        List<Long> pidsAfter = pids(setup);
        assertThat(pidsAfter).doesNotContainAnyElementsOf(pidsBefore);
        for (String url : setup.healthUrls()) {
            assertThat(status(url)).isEqualTo(200);
        }
        String runId = onlyRun(Seed002Phase4MigrationRollback.PLAN_PARTIAL);
        assertThatJournal(FileJournal.in(journal).read(Seed002Phase4MigrationRollback.PLAN_PARTIAL, runId))
                .hasApprovalBy("dba@example.com", "restore crm_staging from staging_full_backup.dump");
        Path runDir = FileJournal.in(journal).runDirectory(Seed002Phase4MigrationRollback.PLAN_PARTIAL, runId);
        assertThat(runDir.resolve(IncidentReport.FILE_NAME)).content().contains("SUCCEEDED");
        assertThat(runDir.resolve("forensics/tables_before_partial_rollback.dump")).isNotEmptyFile();
    }

    @Test
    void aFailedTableRestoreLeavesTheStateTheReportNames() throws Exception {
        Seed002Lab.Setup setup = Seed002Lab.prepare(lab);
        LabPostgres pg = lab.postgres();
        String sales = queryString(pg, Seed002Lab.DB, "SELECT md5(string_agg(s::text, ',' ORDER BY id)) FROM sales s");

        // a table the backup does not hold: the restore (one transaction) fails after the views and indexes were dropped
        RecordingServer hooks = RecordingServer.start();
        Run r;
        try {
            r = run(setup, Map.of("SLACK_WEBHOOK_URL", hooks.url("/hooks/dba")), "--set", "SCENARIO=partial",
                    "--set", "PARTIAL_TABLES=sales,no_such_table", "--yes", "dba@example.com");
            // the failure handler tells the team what is done and what is not (the runbook's escalation)
            assertThat(hooks.requests("/hooks/dba")).last().extracting(RecordingServer.Request::body).asString()
                    .contains("ROLLBACK FAILED: partial rollback of crm_staging", "stopped at restore crm_staging from staging_full_backup.dump",
                            "'drop Phase 4 views and indexes' (destructive)", "Last checkpoint: 'phase4-views-and-indexes-dropped'");
        } finally {
            hooks.close();
        }

        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM pg_views WHERE schemaname = 'public'")).as("views dropped").isZero();
        assertThat(queryString(pg, Seed002Lab.DB, "SELECT md5(string_agg(s::text, ',' ORDER BY id)) FROM sales s"))
                .as("the tables as they were: the restore is all or nothing").isEqualTo(sales);
        String runId = onlyRun(Seed002Phase4MigrationRollback.PLAN_PARTIAL);
        String report = Files.readString(FileJournal.in(journal).runDirectory(Seed002Phase4MigrationRollback.PLAN_PARTIAL, runId)
                .resolve(IncidentReport.FILE_NAME));
        assertThat(report).contains("FAILED").contains("restore crm_staging from staging_full_backup.dump")
                .contains("phase4-views-and-indexes-dropped");
        assertThat(r.out()).contains("--resume");
    }

    @Test
    void viewsOnlyAndIndexesOnlyDropThePhase4ObjectsAndNothingElse() throws Exception {
        Seed002Lab.Setup setup = Seed002Lab.prepare(lab);
        LabPostgres pg = lab.postgres();
        List<Long> pids = pids(setup);
        String sales = queryString(pg, Seed002Lab.DB, "SELECT md5(string_agg(s::text, ',' ORDER BY id)) FROM sales s");

        Run views = run(setup, "--set", "SCENARIO=views", "--yes", "dba@example.com");

        assertThat(views.exit()).as(views.out()).isZero();
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM pg_views WHERE schemaname = 'public'")).isZero();
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'idx_%'")).as("indexes stay").isEqualTo(3);
        String viewsRun = onlyRun(Seed002Phase4MigrationRollback.PLAN_VIEWS);
        assertThat(FileJournal.in(journal).runDirectory(Seed002Phase4MigrationRollback.PLAN_VIEWS, viewsRun)
                .resolve("forensics/schema_before_views_dropped.sql")).content().contains("CREATE VIEW public.sales_with_details");

        Run indexes = run(setup, "--set", "SCENARIO=indexes", "--yes", "dba@example.com");

        assertThat(indexes.exit()).as(indexes.out()).isZero();
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'idx_%'")).isZero();
        assertThat(queryString(pg, Seed002Lab.DB, "SELECT md5(string_agg(s::text, ',' ORDER BY id)) FROM sales s")).as("no data touched").isEqualTo(sales);
        assertThat(pids(setup)).as("the app servers kept running").isEqualTo(pids);
        assertThat(indexes.out()).contains("drop Phase 4 indexes").contains("all Phase 4 indexes dropped").contains("analyze crm_staging");
    }

    @Test
    void recoveryRunsTheFailedMigrationAgain() throws Exception {
        Seed002Lab.Setup setup = Seed002Lab.prepare(lab);
        LabPostgres pg = lab.postgres();
        Path migration = work.resolve("20250322000024_create_job_works_views.sql");
        Files.writeString(migration, "CREATE VIEW job_works_with_details AS SELECT j.id, c.name AS customer_name, j.engineer_id "
                + "FROM job_works j JOIN customers c ON c.id = j.customer_id;\n"
                + "CREATE VIEW job_work_specifications_with_details AS SELECT id, tenant_id FROM job_works;\n");

        Run r = run(setup, "--set", "SCENARIO=recovery", "--set", "FAILED_MIGRATION=" + migration, "--yes", "dba@example.com");

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(queryString(pg, Seed002Lab.DB, "SELECT string_agg(viewname, ',' ORDER BY viewname) FROM pg_views WHERE schemaname = 'public'"))
                .isEqualTo("job_work_specifications_with_details,job_works_with_details,sales_with_details,tickets_with_details");
        assertThat(pg.queryLong(Seed002Lab.DB, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'job_works_with_details' "
                + "AND column_name = 'engineer_id'")).as("the view as the migration now defines it").isOne();

        Run missing = run(setup, "--set", "SCENARIO=recovery", "--yes", "dba@example.com");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.out()).contains("set FAILED_MIGRATION=");
    }

    @Test
    void dryRunPrintsBothScenariosAndChangesNothing() throws Exception {
        Seed002Lab.Setup setup = Seed002Lab.prepare(lab);
        String state = state(setup);

        Run full = run(setup, "--dry-run");
        Run partial = run(setup, "--dry-run", "--set", "SCENARIO=partial", "--set", "NPM_SMOKE_DIR=/srv/crm");

        assertThat(full.exit()).as(full.out()).isZero();
        assertThat(full.out()).contains("DRY RUN", "Step 2: stop all activity", "ssh -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=10 -o ServerAliveCountMax=3 web1 -- systemctl stop crm-application",
                "ssh -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=10 -o ServerAliveCountMax=3 web2 -- systemctl start crm-application", "pg_restore", "--exit-on-error",
                setup.backup().toString(), "prepare: restore into a new database and verify it while the live database serves",
                "swap in crm_staging@staging_full_backup.dump", "check 1 on new database", "df -P -k",
                "backup located", "pg_stat_activity", "ANALYZE", "/api/sales", "/api/tickets", "INCIDENT RESOLVED")
                .doesNotContain("Lab-pg-pw-5c1e93").doesNotContain(setup.env().get("TEST_TOKEN"));
        assertThat(partial.exit()).as(partial.out()).isZero();
        assertThat(partial.out()).contains("DROP VIEW IF EXISTS \"sales_with_details\" CASCADE", "DROP INDEX IF EXISTS \"idx_sales_tenant_customer\"",
                "ALTER TABLE \"job_works\" ADD COLUMN IF NOT EXISTS receiver_engineer_email VARCHAR(255)", "products,sales,tickets",
                "--clean", "--use-list=", "with constraints", "--single-transaction", "npm test -- --testPathPattern=smoke")
                .doesNotContain("Lab-pg-pw-5c1e93");
        Run yours = run(setup, "--dry-run", "--set", "SCENARIO=partial", "--set",
                "DENORMALIZED_COLUMNS=customers.legacy_code VARCHAR(20); sales.region_name VARCHAR(100)");
        assertThat(yours.exit()).as(yours.out()).isZero();
        assertThat(yours.out()).contains("ALTER TABLE \"customers\" ADD COLUMN IF NOT EXISTS legacy_code VARCHAR(20)",
                "ALTER TABLE \"sales\" ADD COLUMN IF NOT EXISTS region_name VARCHAR(100)").doesNotContain("receiver_engineer_email");
        Run bad = run(setup, "--dry-run", "--set", "SCENARIO=partial", "--set", "DENORMALIZED_COLUMNS=legacy_code");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.out()).contains("'legacy_code' is not 'table.column TYPE'");
        assertThat(state(setup)).isEqualTo(state);
        assertThat(journal).isEmptyDirectory();
    }

    @Test
    void noBackupOrATruncatedOneStopsTheRunBeforeAnythingIsTouched() throws Exception {
        Seed002Lab.Setup setup = Seed002Lab.prepare(lab);
        String state = state(setup);
        Path empty = Files.createDirectories(work.resolve("no-backups"));

        Run missing = run(setup, "--set", "BACKUP_ROOT=" + empty, "--yes", "dba@example.com");
        Run truncated = run(setup, "--set", "BACKUP_FILE=" + lab.work().resolve("_backups/staging/2025-11-01_0200/staging_full_backup.dump"),
                "--yes", "dba@example.com");

        assertThat(missing.exit()).as(missing.out()).isEqualTo(1);
        assertThat(missing.out()).contains("backup located").contains("CRITICAL: No backup found").contains(empty + "/*/staging_full_backup.dump");
        assertThat(truncated.exit()).as(truncated.out()).isEqualTo(1);
        assertThat(truncated.out()).contains("2025-11-01_0200/staging_full_backup.dump");
        assertThat(state(setup)).isEqualTo(state);
        assertThat(lab.standIns().calls()).noneMatch(c -> c.contains("stop"));
    }

    /** Database schema and content, app pids, env file: what a run that changes nothing leaves as it was. */
    private String state(Seed002Lab.Setup setup) throws Exception {
        LabPostgres pg = lab.postgres();
        return queryString(pg, Seed002Lab.DB, "SELECT string_agg(table_name || '.' || column_name, ',' ORDER BY table_name, column_name) "
                + "FROM information_schema.columns WHERE table_schema = 'public'")
                + queryString(pg, Seed002Lab.DB, "SELECT string_agg(viewname, ',' ORDER BY viewname) FROM pg_views WHERE schemaname = 'public'")
                + queryString(pg, Seed002Lab.DB, "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'")
                + queryString(pg, Seed002Lab.DB, "SELECT md5(string_agg(s::text, ',' ORDER BY id)) FROM sales s")
                + queryString(pg, Seed002Lab.DB, "SELECT count(*)::text FROM customers")
                + queryString(pg, "postgres", "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database")
                + pids(setup) + Files.readString(lab.envFile());
    }

    private List<Long> pids(Seed002Lab.Setup setup) {
        List<Long> pids = new ArrayList<>();
        for (String key : setup.keys()) {
            pids.add(lab.standIns().process(key).map(ProcessHandle::pid).orElse(-1L));
        }
        return pids;
    }

    private String onlyRun(String plan) {
        List<String> runs = FileJournal.in(journal).runIds(plan);
        assertThat(runs).hasSize(1);
        return runs.get(0);
    }

    static String queryString(LabPostgres pg, String db, String sql) throws java.sql.SQLException {
        try (java.sql.Connection c = pg.connect(db); java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static int status(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static Map<String, String> withExtra(Map<String, String> env, Map<String, String> extra) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.putAll(extra);
        return all;
    }
}
