package dev.rollback.examples.seeds;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.examples.lab.Lab;
import dev.rollback.examples.lab.NextcrmLab;
import dev.rollback.examples.lab.Seed002Lab;
import dev.rollback.test.StandIns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.rollback.examples.seeds.SeedDrills.git;
import static dev.rollback.examples.seeds.SeedDrills.read;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 000 as a drill, for real: embedded PostgreSQL, in-process MongoDB, a git checkout and the
 * application as its own process behind a stand-in systemctl (and, for a partial deployment, two
 * app servers behind the ssh stand-in). One lab for the class; each scenario's test puts the world
 * back in its broken state first. In order: a dry run changes nothing; an incomplete backup is
 * refused by the prechecks; a run with no one to approve stops before its first step; resuming it
 * with the runbook's approvers (Migration Lead + DBA; the CTO alone in other drills) finishes the standard rollback (the restore prepared while the app served);
 * scenario 4 refuses more data loss than the team accepted, then goes on once accepted; scenario 1
 * leaves MongoDB untouched; scenario 3 stops and starts every server; a run whose restore fails tells
 * the team what it left and serves the application on PostgreSQL again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Seed000NextcrmBackToMongoIT {
    private static final int SCALE = 400;
    private static Path work;
    private static Lab lab;
    private static NextcrmLab.Setup setup;
    private static Map<String, String> env;
    private static Path journal;
    private static String stoppedRunId;
    private static RecordingServer hooks;

    @BeforeAll
    static void prepareTheWorld() throws Exception {
        work = Files.createTempDirectory("seed000-");
        lab = Lab.in(work);
        setup = NextcrmLab.prepare(lab, SCALE);
        hooks = RecordingServer.start();
        env = new HashMap<>(setup.env());
        env.put("SLACK_WEBHOOK_URL", hooks.url("/hooks/team"));
        env.put("USERS_WEBHOOK_URL", hooks.url("/hooks/users"));
        journal = work.resolve("journal");
    }

    @AfterAll
    static void tearDown() throws Exception {
        hooks.close();
        lab.close();
        SeedDrills.deleteTree(work);
    }

    @AfterEach
    void everyFileThePlanWroteIsOwnerOnly() {
        SeedDrills.assertOwnerOnly(journal);
        SeedDrills.assertOwnerOnlyFiles(SeedDrills.envBackups(lab.envFile()));
    }

    private SeedDrills.Result run(String... args) {
        return run(env, args);
    }

    private SeedDrills.Result run(Map<String, String> environment, String... args) {
        List<String> all = new ArrayList<>(setup.settingsArgs());
        all.addAll(List.of("--journal", journal.toString()));
        all.addAll(List.of(args));
        return SeedDrills.run("seed-000", environment, "", all,
                o -> Seed000NextcrmBackToMongo.plan(Seed000NextcrmBackToMongo.Settings.from(o)));
    }

    private static Map<String, Long> liveCounts() {
        Map<String, Long> counts = new HashMap<>();
        try (MongoClient c = lab.mongo().client()) {
            MongoDatabase db = c.getDatabase("nextcrm");
            for (String name : db.listCollectionNames()) {
                counts.put(name, db.getCollection(name).countDocuments());
            }
        }
        return counts;
    }

    private static long appPid() {
        return lab.standIns().process(StandIns.systemd("nextcrm")).map(ProcessHandle::pid).orElse(-1L);
    }

    private static List<String> stepsStarted(String runId) {
        return FileJournal.in(journal).read(Seed000NextcrmBackToMongo.PLAN, runId).stream()
                .filter(e -> e instanceof JournalEvent.StepStarted).map(e -> ((JournalEvent.StepStarted) e).step()).distinct().toList();
    }

    private static String latestRun() {
        List<String> runs = FileJournal.in(journal).runIds(Seed000NextcrmBackToMongo.PLAN);
        return runs.get(runs.size() - 1);
    }

    @Test
    @Order(0)
    void withoutPgDumpTheForensicsUseATemplateSnapshotInstead() {
        var s = setup.settings();
        String described = Seed000NextcrmBackToMongo.plan(SeedDrills.with(s, "postgresTools", false)).describe();
        assertThat(described).contains("nextcrm_forensics").doesNotContain("pg_dump").doesNotContain("dump schema of nextcrm");
        if (s.postgresTools()) {
            assertThat(Seed000NextcrmBackToMongo.plan(s).describe()).contains("dump schema of nextcrm").doesNotContain("nextcrm_forensics");
        }
        dev.rollback.test.RollbackAssertions.assertThat(Seed000NextcrmBackToMongo.plan(s))
                .hasNoDestructiveStepWithoutCapture()
                .hasStepsInOrder("prepare restore of MongoDB database nextcrm", "stop systemd unit nextcrm",
                        "swap in restored MongoDB database nextcrm", "regenerate Prisma client", "rebuild application", "clear cache .next/cache", "start systemd unit nextcrm")
                .doesNotRevealSecret(lab.postgres().password().reveal())
                .doesNotRevealSecret(NextcrmLab.TEST_PASSWORD);
    }

    @Test
    @Order(1)
    void dryRunPrintsEveryStepAndChangesNothing() throws Exception {
        Map<String, Long> before = liveCounts();
        String envBefore = Files.readString(lab.envFile());
        String head = git(lab.deployDirectory(), "rev-parse", "HEAD");
        long pid = appPid();

        SeedDrills.Result r = run("--dry-run");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("DRY RUN: nothing will be changed.")
                .contains("Phase 3 ahead: MongoDB restore prepared while NextCRM serves")
                .contains("Phase 3: MongoDB restore (budget 12 min 00 s)")
                .contains("DESTRUCTIVE, approval: type 'nextcrm'")
                .contains("$ systemctl stop nextcrm")
                .contains("application_name LIKE '%nextcrm%'")
                .contains("$ npx prisma generate").contains("$ npm run build")
                .contains("find " + lab.deployDirectory().resolve(".next/cache") + " -mindepth 1 -delete")
                .contains("$ POST " + lab.appUrl() + "/api/auth/signin {\"email\":\"" + NextcrmLab.TEST_USER + "\",\"password\":")
                .contains("[checkpoint] mongodb-restored")
                .doesNotContain(lab.postgres().password().reveal()).doesNotContain(NextcrmLab.TEST_PASSWORD).doesNotContain(NextcrmLab.TEST_TOKEN);
        assertThat(liveCounts()).isEqualTo(before);
        assertThat(Files.readString(lab.envFile())).isEqualTo(envBefore);
        assertThat(git(lab.deployDirectory(), "rev-parse", "HEAD")).isEqualTo(head);
        assertThat(appPid()).isEqualTo(pid).isPositive();
        assertThat(journal).doesNotExist();
    }

    @Test
    @Order(2)
    void anIncompleteBackupIsRefusedBeforeAnythingIsTouched() throws Exception {
        Map<String, Long> before = liveCounts();
        long pid = appPid();

        SeedDrills.Result r = run("--approve", "cto@example.com:CTO", "--set", "MIN_COLLECTIONS=26");   // the runbook's number; this backup has 6

        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.out() + r.err()).contains("backup has at least 26 collections").contains("FAILED");
        assertThat(liveCounts()).isEqualTo(before);
        assertThat(appPid()).isEqualTo(pid);
    }

    @Test
    @Order(3)
    void withNoOneToApproveTheRunChangesNothing() throws Exception {
        Map<String, Long> before = liveCounts();
        long pid = appPid();
        String envBefore = Files.readString(lab.envFile());

        SeedDrills.Result r = run();

        assertThat(r.exit()).as(r.all()).isEqualTo(4);
        assertThat(r.out() + r.err()).contains("NOT APPROVED (console): standard input is closed").contains("nothing was changed");
        assertThat(liveCounts()).as("MongoDB untouched").isEqualTo(before);
        assertThat(appPid()).as("the app was not stopped").isEqualTo(pid).isPositive();
        assertThat(Files.readString(lab.envFile())).isEqualTo(envBefore);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Resume with: seed-000 --resume (\\S+)").matcher(r.out() + r.err());
        assertThat(m.find()).as(r.all()).isTrue();
        stoppedRunId = m.group(1);
    }

    @Test
    @Order(4)
    void resumingWithAnApproverFinishesTheRollbackWithTheRestorePreparedWhileTheAppServed() throws Exception {
        hooks.clear();
        long pidBefore = appPid();

        SeedDrills.Result r = run("--resume", stoppedRunId, "--approve", "lead@example.com:Migration Lead", "--approve", "dba@example.com:DBA");   // the runbook's Lead + DBA
        assertThat(r.exit()).as(r.all()).isZero();

        // MongoDB holds exactly the backup again; the replaced collections are kept for forensics
        Map<String, Long> live = liveCounts();
        setup.backupCounts().forEach((name, count) -> assertThat(live).containsEntry(name, count));
        assertThat(live.keySet()).anyMatch(n -> n.startsWith("crm_Leads_before_"));
        // the order: the copy was loaded while the app served; the app was down only from the stop to the start
        assertThat(stepsStarted(stoppedRunId)).containsSubsequence("prepare restore of MongoDB database nextcrm",
                "stop systemd unit nextcrm", "terminate sessions of %nextcrm% on nextcrm", "swap in restored MongoDB database nextcrm",
                "regenerate Prisma client", "start systemd unit nextcrm", "smoke tests");
        // the app runs again, against MongoDB, at the last MongoDB release, rebuilt, caches cleared
        Path deploy = lab.deployDirectory();
        assertThat(Files.readString(lab.envFile())).contains("DATABASE_URL=").contains(lab.mongo().uri()).contains("NEXTAUTH_URL=https://crm.example.com");
        assertThat(appPid()).isPositive().isNotEqualTo(pidBefore);
        assertThat(git(deploy, "describe", "--tags", "--exact-match", "HEAD")).isEqualTo("v1.4.0");
        assertThat(git(deploy, "status", "--porcelain")).isEmpty();
        assertThat(read(deploy.resolve("node_modules/.prisma/client/index.d.ts"))).contains("mongodb");
        assertThat(read(deploy.resolve(".next/BUILD_ID")).strip()).isEqualTo("v1.4.0");
        try (Stream<Path> cache = Files.list(deploy.resolve(".next/cache"))) {
            assertThat(cache).as("cache cleared").isEmpty();
        }
        assertThat(read(work.resolve("tools/npx.log"))).isEqualTo("npx prisma generate\n");   // DATABASE_URL in its environment, not argv
        assertThat(Files.readString(setup.settings().statusPageFile())).contains("System Operational - Service Restored");
        assertThat(lab.postgres().queryLong("nextcrm", "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE '%nextcrm%'")).isZero();

        FileJournal fj = FileJournal.in(journal);
        List<JournalEvent> events = fj.read(Seed000NextcrmBackToMongo.PLAN, stoppedRunId);
        assertThat(events).filteredOn(JournalEvent.ApprovalGranted.class::isInstance).map(JournalEvent.ApprovalGranted.class::cast)
                .extracting(JournalEvent.ApprovalGranted::approver, JournalEvent.ApprovalGranted::role)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("lead@example.com", "Migration Lead"),
                        org.assertj.core.groups.Tuple.tuple("dba@example.com", "DBA"));
        assertThat(events).filteredOn(e -> e instanceof JournalEvent.StepFinished f && f.step().equals("stop systemd unit nextcrm"))
                .as("the app was stopped once").hasSize(1);
        Path runDir = fj.runDirectory(Seed000NextcrmBackToMongo.PLAN, stoppedRunId);
        String lines = String.join("\n", Files.readAllLines(fj.file(Seed000NextcrmBackToMongo.PLAN, stoppedRunId)));
        assertThat(lines).doesNotContain(lab.postgres().password().reveal()).doesNotContain(NextcrmLab.TEST_PASSWORD);
        // best effort, as the runbook's cp: the lab has no application log; the run goes on and says so
        assertThat(Files.readString(runDir.resolve("incident-report.md"))).contains("**SUCCEEDED_WITH_WARNINGS**")
                .contains("copy the application log to the forensics").contains("| total | " + setup.lostRows() + " |")
                .contains("approved by lead@example.com as Migration Lead").contains("approved by dba@example.com as DBA").contains("| Resumed | 1 time |");
        assertThat(runDir.resolve("forensics/accounts_sample.csv")).exists();
        assertThat(read(runDir.resolve("forensics/postgresql.log"))).contains("annual_revenue");
        // the team and the users were told, the users with the data-loss count
        assertThat(hooks.requests("/hooks/users")).hasSize(2);
        assertThat(hooks.requests("/hooks/users").get(1).body()).contains("NextCRM Service Restored").contains(setup.lostRows() + " records");
        assertThat(hooks.requests("/hooks/team").get(0).body()).contains("ROLLBACK TO MONGODB INITIATED (after-migration)");
        // the runbook's "monitor closely for 2 hours", in seconds: watched to its end, the team told, in the post-mortem
        assertThat(events).filteredOn(e -> e instanceof JournalEvent.StepFinished f && f.step().equals("monitor for 2.0 s"))
                .singleElement().satisfies(e -> assertThat(((JournalEvent.StepFinished) e).outputs())
                        .containsEntry("monitor.result", "no MUST rule fired in 2.0 s"));
        assertThat(hooks.requests("/hooks/team")).extracting(RecordingServer.Request::body)
                .anySatisfy(b -> assertThat(b).contains("for 2.0 s, polling every 250 ms"))
                .anySatisfy(b -> assertThat(b).contains("complete: no MUST rule fired in 2.0 s"));
        assertThat(runDir.resolve("post-mortem.md")).content().contains("monitoring window 'monitor for 2.0 s' passed")
                .contains("| total | " + setup.lostRows() + " |").contains("lead@example.com as Migration Lead approved").contains("dba@example.com as DBA approved")
                .doesNotContain(NextcrmLab.TEST_PASSWORD).doesNotContain(lab.postgres().password().reveal());
    }

    @Test
    @Order(5)
    void extendedOperationRefusesMoreDataLossThanAcceptedThenGoesOnOnceAccepted() throws Exception {
        NextcrmLab.breakAgain(lab);
        long pid = appPid();
        String envBefore = Files.readString(lab.envFile());

        SeedDrills.Result refused = run("--approve", "lead@example.com:Migration Lead", "--approve", "dba@example.com:DBA", "--set", "SCENARIO=extended-operation", "--again", "--reason", "slow");

        assertThat(refused.exit()).as(refused.all()).isEqualTo(1);
        assertThat(refused.out() + refused.err()).contains(setup.lostRows() + " rows (100-1000 new records: difficult decision, try to fix forward first)")
                .contains("ACCEPTED_DATA_LOSS=" + setup.lostRows());
        assertThat(appPid()).as("nothing stopped").isEqualTo(pid);
        assertThat(Files.readString(lab.envFile())).isEqualTo(envBefore);

        SeedDrills.Result accepted = run("--approve", "lead@example.com:Migration Lead", "--approve", "dba@example.com:DBA", "--set", "SCENARIO=extended-operation",
                "--set", "ACCEPTED_DATA_LOSS=" + setup.lostRows(), "--again", "--reason", "team accepts the loss");

        assertThat(accepted.exit()).as(accepted.all()).isZero();
        Path runDir = accepted.incidentReport().getParent();
        assertThat(read(runDir.resolve("forensics/postgresql-recent-data.sql"))).contains("New account 37").doesNotContain("CREATE TABLE");
        assertThat(Files.readString(lab.envFile())).contains(lab.mongo().uri());
    }

    @Test
    @Order(6)
    void duringTheMigrationMongoDbIsNotRestoredAndNothingIsLost() throws Exception {
        NextcrmLab.breakAgain(lab);
        hooks.clear();
        Map<String, Long> intact = NextcrmLab.mongoAsBackedUp(lab, SCALE);
        Path marker = work.resolve("migration-stopped");
        Path stop = work.resolve("tools/stop-migration");
        Files.writeString(stop, "#!/bin/sh\ntouch " + marker + "\n");
        Files.setPosixFilePermissions(stop, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        long rowsBefore = lab.postgres().queryLong("nextcrm", "SELECT count(*) FROM crm_accounts");

        SeedDrills.Result r = run("--approve", "lead@example.com:Migration Lead", "--approve", "dba@example.com:DBA", "--set", "SCENARIO=during-migration",
                "--set", "MIGRATION_STOP_COMMAND=" + stop, "--again", "--reason", "migration stuck");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(marker).exists();
        assertThat(liveCounts()).as("MongoDB untouched: no restore, no swap").isEqualTo(intact);
        assertThat(Files.readString(lab.envFile())).contains(lab.mongo().uri());
        assertThat(git(lab.deployDirectory(), "rev-parse", "--abbrev-ref", "HEAD")).as("no checkout").isEqualTo("main");
        assertThat(lab.postgres().queryLong("nextcrm", "SELECT count(*) FROM crm_accounts")).as("PostgreSQL left for investigation")
                .isEqualTo(rowsBefore);
        assertThat(stepsStarted(latestRun())).noneMatch(n -> n.startsWith("swap in") || n.startsWith("restore MongoDB")
                || n.startsWith("prepare"));
        assertThat(hooks.requests("/hooks/users")).last().extracting(RecordingServer.Request::body).asString().contains("no data was lost");
    }

    @Test
    @Order(7)
    void aPartialDeploymentStopsAndStartsEveryServer() throws Exception {
        NextcrmLab.breakAgain(lab);
        List<String> health = new ArrayList<>();
        for (String server : List.of("web1", "web2")) {
            String key = server + "-" + StandIns.systemd("nextcrm");
            int port = Lab.freePort();
            lab.standIns().wantPort(key, port);
            Seed002Lab.runRemote(lab, server, "systemctl", "start", "nextcrm");
            health.add("http://127.0.0.1:" + port + "/api/health");
        }
        health.forEach(Lab::awaitHealthy);
        long web1 = lab.standIns().process("web1-" + StandIns.systemd("nextcrm")).map(ProcessHandle::pid).orElseThrow();

        SeedDrills.Result r = run("--approve", "lead@example.com:Migration Lead", "--approve", "dba@example.com:DBA", "--set", "SCENARIO=partial-deployment", "--set", "APP_SERVERS=web1,web2",
                "--set", "HEALTH_URL=" + health.get(0), "--again", "--reason", "web2 still on MongoDB, web1 on PostgreSQL");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(lab.standIns().calls()).contains("ssh web1 systemctl stop nextcrm", "ssh web2 systemctl stop nextcrm",
                "ssh web1 systemctl start nextcrm", "ssh web2 systemctl start nextcrm");
        assertThat(lab.standIns().process("web1-" + StandIns.systemd("nextcrm")).map(ProcessHandle::pid).orElseThrow()).isNotEqualTo(web1);
        for (String h : health) {
            assertThat(SeedDrills.httpGet(h)).startsWith("200 ").contains("\"database\":\"mongodb\"");
        }
    }

    @Test
    @Order(9)
    void aFailedRestoreTellsTheTeamWhatItLeftAndStartsTheAppAgain() throws Exception {
        NextcrmLab.breakAgain(lab);
        hooks.clear();
        // The backup's disk fails while the app is being stopped: after the prechecks read every document, before the
        // restore (in the runbook's order, stop first) reads it again.
        Path bson;
        try (Stream<Path> files = Files.walk(setup.settings().backupRoot().resolve("production-2026-11-24"))) {
            bson = files.filter(p -> p.getFileName().toString().startsWith("crm_Accounts.bson")).findFirst().orElseThrow();
        }
        Path saved = work.resolve("saved-" + bson.getFileName());
        Path tools = Files.createDirectories(work.resolve("failing-disk"));
        Path wrapper = tools.resolve("systemctl");
        Files.writeString(wrapper, "#!/bin/sh\nif [ \"$1\" = stop ]; then cp '" + bson + "' '" + saved + "'; head -c 100 '" + saved + "' > '"
                + bson + "'; fi\nexec '" + lab.standIns().binDirectory().resolve("systemctl") + "' \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, Long> before = liveCounts();
        try {
            SeedDrills.Result r = run("--approve", "cto@example.com:CTO", "--set", "RESTORE_ORDER=stop-first",
                    "--set", "TOOLS_PATH=" + tools + java.io.File.pathSeparator + setup.toolsPath(),
                    "--again", "--reason", "drill: the backup disk fails mid-run");

            assertThat(r.exit()).as(r.all()).isEqualTo(1);
            List<String> messages = hooks.requests("/hooks/team").stream().map(RecordingServer.Request::body).toList();
            assertThat(messages).as("the run's first notice, then the failure with the state it left").hasSize(2);
            assertThat(messages.get(1)).contains("ROLLBACK TO MONGODB FAILED (after-migration", "at restore MongoDB database nextcrm",
                    "(mongo.", "Last checkpoint: 'app-stopped'", "Not run:").doesNotContain("ROLLBACK COMPLETE");
        } finally {
            Files.copy(saved, bson, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // The live collections were not touched (the safe restore writes into new ones), and the app serves PostgreSQL again.
        assertThat(liveCounts()).isEqualTo(before);
        assertThat(appPid()).isPositive();
        assertThat(SeedDrills.httpGet(lab.healthUrl(StandIns.systemd("nextcrm")))).startsWith("200 ");
        assertThat(Files.readString(lab.envFile())).contains(lab.postgres().databaseUrl("nextcrm"));
        assertThat(Files.readString(setup.settings().statusPageFile())).contains("Rollback paused");
        dev.rollback.test.RollbackAssertions.assertThatJournal(FileJournal.in(journal).read(Seed000NextcrmBackToMongo.PLAN, latestRun()))
                .ranStepTimes("(on failure) start NextCRM again on PostgreSQL", 1)
                .ranStepTimes("(on failure) update status page: paused", 1);
    }

    @Test
    @Order(8)
    void theAppDyingInTheMonitoringWindowFailsTheRunAndTellsTheTeam() throws Exception {
        NextcrmLab.breakAgain(lab);
        hooks.clear();
        try (SeedDrills.WhenStepStarts killer = new SeedDrills.WhenStepStarts(journal, Seed000NextcrmBackToMongo.PLAN, "monitor for",
                () -> killApp(StandIns.systemd("nextcrm")))) {     // the app dies once the window is being watched
            SeedDrills.Result r = run("--approve", "lead@example.com:Migration Lead", "--approve", "dba@example.com:DBA", "--set", "SCENARIO=during-migration", "--set", "MONITOR_WINDOW=PT2M",
                    "--set", "MONITOR_INTERVAL=PT0.2S", "--again", "--reason", "monitoring drill");

            assertThat(r.exit()).as(r.all()).isEqualTo(1);
            assertThat(killer.await()).startsWith("killed ");
            List<JournalEvent> events = FileJournal.in(journal).read(Seed000NextcrmBackToMongo.PLAN, latestRun());
            JournalEvent.StepFailed failed = events.stream().filter(JournalEvent.StepFailed.class::isInstance).map(JournalEvent.StepFailed.class::cast)
                    .filter(f -> f.step().equals("monitor for 2 min 00 s")).findFirst().orElseThrow(() -> new AssertionError(r.all()));
            assertThat(failed.error()).contains("monitoring window failed after").contains("check 'NextCRM healthy on MongoDB' failing 2 polls in a row");
            assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(JournalEvent.RunFinished.class,
                    f -> assertThat(f.outcome()).isEqualTo("FAILED"));
            assertThat(hooks.requests("/hooks/team")).extracting(RecordingServer.Request::body)
                    .anySatisfy(b -> assertThat(b).contains("FAILED after").contains("NextCRM healthy on MongoDB"));
            // the rollback itself completed: the failure notice says so, and names the rule that fired
            assertThat(hooks.requests("/hooks/team")).extracting(RecordingServer.Request::body)
                    .noneSatisfy(b -> assertThat(b).contains("ROLLBACK TO MONGODB FAILED"))
                    .anySatisfy(b -> assertThat(b).contains("ROLLBACK COMPLETE, THEN THE MONITORING WINDOW FIRED: NextCRM back to MongoDB "
                            + "(during-migration)").contains("the rollback completed; monitoring window failed after")
                            .contains("check 'NextCRM healthy on MongoDB' failing 2 polls in a row"));
            Path runDir = FileJournal.in(journal).runDirectory(Seed000NextcrmBackToMongo.PLAN, latestRun());
            assertThat(runDir.resolve("post-mortem.md")).content()
                    .contains("- [ ] The monitoring window failed: decide whether to roll back further or fix forward");
            // the drill is over: the plan is idle again for the next one
            SeedDrills.Result abandoned = run("--abandon", latestRun(), "--reason", "monitoring drill over");
            assertThat(abandoned.exit()).as(abandoned.all()).isZero();
        }
    }

    private static String killApp(String key) {
        ProcessHandle app = lab.standIns().process(key).orElseThrow();
        app.destroy();
        return "killed " + app.pid();
    }

    @Test
    @Order(10)
    void withPostgreSqlDownTheRollbackWaitsForTheOperatorsWaiverThenRestoresMongoDbWithoutIt() throws Exception {
        run("--abandon", latestRun(), "--reason", "the failed-restore drill is over");   // the plan idle again (no-op if it is)
        NextcrmLab.breakAgain(lab);
        hooks.clear();
        Map<String, String> down = new HashMap<>(env);       // the broken database is down: its port refuses connections
        String port = lab.postgres().hostPort().substring(lab.postgres().hostPort().lastIndexOf(':') + 1);
        down.put("PRODUCTION_POSTGRESQL_URL", env.get("PRODUCTION_POSTGRESQL_URL").replace(":" + port + "/", ":" + Lab.freePort() + "/"));
        Map<String, Long> before = liveCounts();
        long pid = appPid();
        String envBefore = Files.readString(lab.envFile());
        String waived = "can connect to nextcrm";
        String why = "PostgreSQL is down (unrecoverable database errors): emergency rollback to MongoDB";

        SeedDrills.Result refused = run(down, "--approve", "cto@example.com:CTO", "--again", "--reason", "PostgreSQL crashed");

        assertThat(refused.exit()).as(refused.all()).isEqualTo(1);
        assertThat(refused.out()).contains("Stopped at step").contains("'" + waived + "': ")
                .contains("--waive '" + waived + "' --reason TEXT");
        assertThat(liveCounts()).as("nothing changed").isEqualTo(before);
        assertThat(appPid()).isEqualTo(pid);
        assertThat(Files.readString(lab.envFile())).isEqualTo(envBefore);

        SeedDrills.Result r = run(down, "--approve", "cto@example.com:CTO", "--operator", "lead@example.com", "--waive", waived,
                "--reason", why, "--again");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("WAIVED       " + waived + " (by lead@example.com: " + why + ")");
        Map<String, Long> live = liveCounts();                // MongoDB holds the backup; the app serves it
        setup.backupCounts().forEach((name, count) -> assertThat(live).containsEntry(name, count));
        assertThat(Files.readString(lab.envFile())).contains(lab.mongo().uri());
        assertThat(SeedDrills.httpGet(lab.healthUrl(StandIns.systemd("nextcrm")))).startsWith("200 ").contains("\"database\":\"mongodb\"");
        String run = FileJournal.in(journal).runIds(Seed000NextcrmBackToMongo.PLAN).stream().filter(id -> FileJournal.in(journal)
                .read(Seed000NextcrmBackToMongo.PLAN, id).stream().anyMatch(JournalEvent.StepWaived.class::isInstance)).findFirst().orElseThrow();
        List<JournalEvent> events = FileJournal.in(journal).read(Seed000NextcrmBackToMongo.PLAN, run);
        assertThat(events).filteredOn(JournalEvent.StepWaived.class::isInstance).singleElement().satisfies(e -> {
            JournalEvent.StepWaived w = (JournalEvent.StepWaived) e;
            assertThat(List.of(w.step(), w.operator(), w.reason())).containsExactly(waived, "lead@example.com", why);
        });
        assertThat(stepsStarted(run)).as("the steps that need PostgreSQL are left out").noneMatch(n -> n.startsWith("terminate sessions")
                || n.startsWith("dump schema") || n.startsWith("export 1000 rows") || n.startsWith("rows created in nextcrm")
                || n.equals("no PostgreSQL connections from NextCRM") || n.equals("data-loss window at the stop"));
        assertThat(read(r.incidentReport())).contains("**WAIVED**").contains("lead@example.com").contains(why);
        assertThat(hooks.requests("/hooks/team")).extracting(RecordingServer.Request::body)
                .anySatisfy(b -> assertThat(b).contains("EMERGENCY ROLLBACK").contains("PostgreSQL is down"));
        assertThat(hooks.requests("/hooks/users")).last().extracting(RecordingServer.Request::body).asString()
                .contains("not counted: PostgreSQL was down").doesNotContain("${");
    }
}
