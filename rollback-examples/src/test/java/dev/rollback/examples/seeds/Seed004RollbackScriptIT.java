package dev.rollback.examples.seeds;

import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.Journal;
import dev.rollback.examples.lab.Lab;
import dev.rollback.examples.lab.Seed004Lab;
import dev.rollback.test.StandIns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.rollback.examples.seeds.SeedDrills.git;
import static dev.rollback.examples.seeds.SeedDrills.read;
import static dev.rollback.test.RollbackAssertions.assertThatJournal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 004 drilled for real: embedded PostgreSQL, the app behind a systemd stand-in, a checkout with a
 * bare repository as the production remote, and a real HTTP server as the feature-flag API and the
 * Slack webhook; no mocks.
 */
class Seed004RollbackScriptIT {
    private static final String APPROVER = "release-manager@example.com";
    private static final String FLAG_KEY = "ld-api-key-7f3a9c-do-not-leak";
    private static Path work;
    private static Lab lab;
    private static RecordingServer http;
    private static Path awsBin;
    private static String rdsEndpoint;

    @TempDir
    Path journal;
    private Seed004Lab.Setup setup;
    private String monitorWindow = "0s";   // the checklist's 15 minutes, left out but where a drill watches

    @BeforeAll
    static void startLab() throws IOException {
        work = Files.createTempDirectory("seed004-lab-");
        lab = Lab.in(work);
        http = RecordingServer.start();
        awsBin = Files.createDirectories(work.resolve("aws-bin"));
        Path aws = awsBin.resolve("aws");
        Files.writeString(aws, """
                #!/bin/bash
                # Stand-in for the AWS CLI's RDS calls: records them with the profile and region it was given, answers as RDS does.
                echo "aws $* | profile=${AWS_PROFILE:-}" >> "$(dirname "$0")/aws.log"
                case "$1 $2" in
                  "--version "*) echo "aws-cli/2.15.0 (stand-in)" ;;
                  "rds restore-db-instance-from-db-snapshot") echo '{"DBInstance": {"DBInstanceStatus": "creating"}}' ;;
                  "rds wait") exit 0 ;;
                  "rds describe-db-instances") cat "$(dirname "$0")/endpoint" ;;
                  *) echo "aws stand-in: not supported: $*" >&2; exit 2 ;;
                esac
                """);
        Files.setPosixFilePermissions(aws, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        // the new instance's endpoint: the lab's server under its other loopback name, so the app can reach it
        rdsEndpoint = lab.postgres().hostPort().startsWith("localhost:") ? "127.0.0.1" : "localhost";
        Files.writeString(awsBin.resolve("endpoint"), rdsEndpoint + "\n");
    }

    @AfterAll
    static void stopLab() throws IOException {
        http.close();
        lab.close();
        SeedDrills.deleteTree(work);
    }

    @BeforeEach
    void badDeployment() {
        setup = Seed004Lab.prepare(lab);
        http.clear();
    }

    @AfterEach
    void everyFileThePlanWroteIsOwnerOnly() {
        // BACKUP_DIR is the operator's folder: the pre-rollback dumps in it are checked, not the folder
        SeedDrills.assertOwnerOnly(journal, setup.backupDir());
    }

    @Test
    void revertsPushesRestoresTheDumpTurnsTheFlagOffAndVerifiesHealth() throws Exception {
        long pidBefore = appPid();

        SeedDrills.Result r = run(env(true), args("revert", "local-dump", "--yes", APPROVER, "--reason", "v2.4.0 dropped prices"));

        assertThat(r.exit()).as(r.all()).isZero();
        // code: A1, a revert commit on main, pushed to the remote as a fast-forward
        Path deploy = lab.deployDirectory();
        String head = git(deploy, "rev-parse", "HEAD");
        assertThat(git(deploy, "rev-parse", "HEAD^")).isEqualTo(setup.deployCommit());
        assertThat(git(deploy, "log", "-1", "--format=%s")).startsWith("Revert");
        assertThat(git(deploy, "status", "--porcelain")).isEmpty();
        assertThat(read(deploy.resolve("VERSION")).strip()).isEqualTo("v2.3.0");
        assertThat(git(setup.remote(), "rev-parse", "refs/heads/main")).isEqualTo(head);
        // database: the dump is live again, the broken database kept
        assertThat(count("SELECT count(*) FROM orders")).isEqualTo(Seed004Lab.ORDERS);
        assertThat(count("SELECT count(*) FROM information_schema.columns WHERE table_name = 'products' AND column_name = 'price'")).isOne();
        assertThat(count("SELECT count(*) FROM pg_database WHERE datname LIKE 'shop\\_before\\_rollback\\_%'")).isOne();
        // the pre-rollback dump, named as the script names it, kept in BACKUP_DIR
        try (Stream<Path> s = Files.list(setup.backupDir())) {
            List<String> dumps = s.map(p -> p.getFileName().toString()).filter(n -> n.matches("pre-rollback-\\d{12}\\.dump")).toList();
            assertThat(dumps).hasSize(1);
        }
        // feature flag: one PATCH with the key in its header, and the key nowhere else
        List<RecordingServer.Request> flag = http.requests("/api/v2/flags/default/new-pricing");
        assertThat(flag).hasSize(1);
        assertThat(flag.get(0).method()).isEqualTo("PATCH");
        assertThat(flag.get(0).header("Authorization")).isEqualTo(FLAG_KEY);
        assertThat(flag.get(0).body()).isEqualTo("{\"instructions\":[{\"kind\":\"turnFlagOff\"}]}");
        assertThat(SeedDrills.allText(journal)).doesNotContain(FLAG_KEY).doesNotContain(lab.postgres().password().reveal());
        assertThat(r.out() + r.err()).doesNotContain(FLAG_KEY).doesNotContain(lab.postgres().password().reveal());
        // app restarted around the restore, healthy
        assertThat(appPid()).isNotEqualTo(pidBefore);
        assertThat(lab.standIns().isRunning(StandIns.systemd(Seed004Lab.UNIT))).isTrue();
        // approvals: the script's confirmation and the restore
        Journal j = FileJournal.in(journal);
        String runId = j.runIds(Seed004RollbackScript.PLAN).get(0);
        assertThatJournal(j.read(Seed004RollbackScript.PLAN, runId))
                .hasApprovalBy(APPROVER, Seed004RollbackScript.CONFIRMATION_STEP)
                .hasApprovalBy(APPROVER, "restore shop from shop-nightly.dump")
                .containsNoText(FLAG_KEY);
        assertThat(read(r.incidentReport())).contains("SUCCEEDED", APPROVER, "v2.4.0 dropped prices").doesNotContain(FLAG_KEY);
        // the post-rollback checklist, as notifications
        List<String> messages = http.requests("/hooks/ops").stream().map(RecordingServer.Request::body).toList();
        assertThat(messages).hasSize(4);
        assertThat(messages.get(1)).contains("Immediate (0-15 min)", "confirm health endpoints return 200");
        assertThat(messages.get(2)).contains("Short-term").doesNotContain("update DATABASE_URL");
        assertThat(messages.get(3)).contains("keep the pre-rollback dump", setup.backupDir().toString(), "pre-rollback-");
    }

    @Test
    void forcePushesThePreviousReleaseAfterTaggingTheRemotesOldHead() throws Exception {
        SeedDrills.Result r = run(env(false), args("force-push", "none", "--yes", APPROVER));

        assertThat(r.exit()).as(r.all()).isZero();
        Path deploy = lab.deployDirectory();
        assertThat(git(deploy, "rev-parse", "HEAD")).isEqualTo(setup.previousReleaseCommit());
        assertThat(git(setup.remote(), "rev-parse", "refs/heads/main")).isEqualTo(setup.previousReleaseCommit());
        // the remote's old head is kept under a safety tag on the remote itself
        String tags = git(setup.remote(), "for-each-ref", "--format=%(refname) %(objectname)", "refs/tags/rollback/safety/");
        assertThat(tags).contains(setup.deployCommit());
        assertThat(git(setup.remote(), "cat-file", "-t", setup.deployCommit())).isEqualTo("commit");
        assertThat(git(deploy, "status", "--porcelain")).isEmpty();
        // the database was not restored (DB_RESTORE=none), but the pre-rollback dump was still taken
        assertThat(count("SELECT count(*) FROM orders")).isEqualTo(Seed004Lab.ORDERS_AFTER_BAD_MIGRATION);
        try (Stream<Path> s = Files.list(setup.backupDir())) {
            assertThat(s.filter(p -> p.getFileName().toString().matches("pre-rollback-\\d{12}\\.dump")).count()).isEqualTo(1);
        }
        Journal j = FileJournal.in(journal);
        String runId = j.runIds(Seed004RollbackScript.PLAN).get(0);
        assertThatJournal(j.read(Seed004RollbackScript.PLAN, runId))
                .hasApprovalBy(APPROVER, Seed004RollbackScript.CONFIRMATION_STEP)
                .hasApprovalBy(APPROVER, "git push --force-with-lease origin main");
    }

    @Test
    void dryRunOfTheRdsOptionPrintsTheAwsCommandsMasksTheKeyAndChangesNothing() throws Exception {
        long pidBefore = appPid();
        List<String> a = args("revert", "rds", "--dry-run");
        a.addAll(List.of("--set", "RDS_SNAPSHOT_ID=prod-snapshot-20231201", "--set", "RDS_RESTORE_INSTANCE_ID=prod-restore-new",
                "--set", "AWS_REGION=us-west-2"));
        Map<String, String> env = env(true);
        env.put("AWS_PROFILE", "production");

        SeedDrills.Result r = run(env, a);

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("DRY RUN",
                "aws rds restore-db-instance-from-db-snapshot --db-instance-identifier prod-restore-new "
                        + "--db-snapshot-identifier prod-snapshot-20231201 --region us-west-2",
                "aws rds wait db-instance-available --db-instance-identifier prod-restore-new --region us-west-2",
                "aws rds describe-db-instances --db-instance-identifier prod-restore-new",
                "AWS_PROFILE", "PATCH " + http.url("/api/v2/flags/default/new-pricing"), "Authorization: ******",
                "revert --no-edit " + setup.deployCommit(), "push", "pre-rollback-<yyyyMMddHHmm>.dump", Seed004RollbackScript.CONFIRMATION_STEP,
                "NEW instance prod-restore-new: update DATABASE_URL");
        assertThat(r.out()).doesNotContain(FLAG_KEY).doesNotContain(lab.postgres().password().reveal());
        assertNothingChanged(pidBefore);
        assertThat(journal).isEmptyDirectory();
    }

    /**
     * Code, database and flag as settings: each alone, and the RDS option through the aws CLI (a
     * stand-in on the test PATH) with no region forced. Each run changes exactly what it names.
     */
    @ParameterizedTest(name = "CODE_ROLLBACK={0} DB_RESTORE={1} flag={2}")
    @CsvSource({"revert, none, false", "none, local-dump, false", "none, none, true", "none, rds, false"})
    void anyCombinationRollsBackExactlyWhatItNames(String code, String db, boolean flag) throws Exception {
        long pidBefore = appPid();
        Files.deleteIfExists(awsBin.resolve("aws.log"));
        List<String> a = args(code, db, "--yes", APPROVER);
        Map<String, String> env = env(flag);
        if (db.equals("rds")) {
            a.addAll(List.of("--set", "RDS_SNAPSHOT_ID=prod-snapshot-20231201", "--set", "RDS_RESTORE_INSTANCE_ID=prod-restore-new",
                    "--set", "RDS_ENV_FILE=" + lab.envFile()));
            env.put("AWS_PROFILE", "production");
        }
        if (flag) {   // LaunchDarkly's semantic patch needs its own media type
            env.put("FEATURE_FLAG_CONTENT_TYPE", "application/json; domain-model=launchdarkly.semanticpatch");
        }

        SeedDrills.Result r = run(env, a);

        assertThat(r.exit()).as(r.all()).isZero();
        Path deploy = lab.deployDirectory();
        if (code.equals("revert")) {
            assertThat(git(deploy, "rev-parse", "HEAD^")).isEqualTo(setup.deployCommit());
            assertThat(git(setup.remote(), "rev-parse", "refs/heads/main")).isEqualTo(git(deploy, "rev-parse", "HEAD"));
        } else {
            assertThat(git(deploy, "rev-parse", "HEAD")).as("code untouched").isEqualTo(setup.deployCommit());
            assertThat(git(setup.remote(), "rev-parse", "refs/heads/main")).isEqualTo(setup.deployCommit());
        }
        assertThat(count("SELECT count(*) FROM orders")).as("database restored only for local-dump")
                .isEqualTo(db.equals("local-dump") ? Seed004Lab.ORDERS : Seed004Lab.ORDERS_AFTER_BAD_MIGRATION);
        assertThat(appPid() != pidBefore).as("app restarted around a local restore, or on the new RDS instance").isEqualTo(!db.equals("none"));
        List<RecordingServer.Request> flagCalls = http.requests("/api/v2/flags/default/new-pricing");
        assertThat(flagCalls).hasSize(flag ? 1 : 0);
        if (flag) {
            assertThat(flagCalls.get(0).header("Content-Type")).isEqualTo("application/json; domain-model=launchdarkly.semanticpatch");
        }
        try (Stream<Path> dumps = Files.list(setup.backupDir())) {   // the script's automatic dump, always
            assertThat(dumps.filter(p -> p.getFileName().toString().matches("pre-rollback-\\d{12}\\.dump"))).hasSize(1);
        }
        if (db.equals("rds")) {
            assertThat(Files.readAllLines(awsBin.resolve("aws.log"))).containsSubsequence(
                    "aws rds restore-db-instance-from-db-snapshot --db-instance-identifier prod-restore-new "
                            + "--db-snapshot-identifier prod-snapshot-20231201 | profile=production",
                    "aws rds wait db-instance-available --db-instance-identifier prod-restore-new | profile=production",
                    "aws rds describe-db-instances --db-instance-identifier prod-restore-new --query DBInstances[0].Endpoint.Address "
                            + "--output text | profile=production")
                    .noneMatch(l -> l.contains("--region"));
            assertThat(http.requests("/hooks/ops").stream().map(RecordingServer.Request::body))
                    .anyMatch(m -> m.contains("NEW instance prod-restore-new: update DATABASE_URL"));
            // the checklist's "update DATABASE_URL": the app's env file points at the endpoint the aws CLI printed (here
            // the lab's server under its other loopback name), the app was restarted on it and its health verified
            assertThat(Files.readAllLines(lab.envFile())).anySatisfy(l -> assertThat(l).startsWith("DATABASE_URL=").contains("@" + rdsEndpoint + ":"));
        } else {
            assertThat(awsBin.resolve("aws.log")).doesNotExist();
        }
    }

    @Test
    void aFlagServiceThatFailsStopsTheRunAndTellsTheTeamWhatIsAlreadyDone() throws Exception {
        Map<String, String> env = env(true);
        env.put("FEATURE_FLAG_TOGGLE_URL", "http://127.0.0.1:" + dev.rollback.examples.lab.Lab.freePort() + "/api/v2/flags/default/new-pricing");

        SeedDrills.Result r = run(env, args("revert", "local-dump", "--yes", APPROVER));

        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        // code and database are rolled back; the flag is not: the message says so, for the runbook's escalation
        assertThat(git(lab.deployDirectory(), "rev-parse", "HEAD^")).isEqualTo(setup.deployCommit());
        assertThat(count("SELECT count(*) FROM orders")).isEqualTo(Seed004Lab.ORDERS);
        assertThat(http.requests("/hooks/ops")).last().extracting(RecordingServer.Request::body).asString()
                .contains("ROLLBACK FAILED: production rollback (code revert, database local_dump, feature flag)",
                        "stopped at turn feature flag off", "Last checkpoint: 'database-restored'", "Not run: ")
                .doesNotContain(FLAG_KEY);
        assertThat(r.out() + r.err()).contains("--resume");
    }

    /**
     * The broken database is down (its port refuses connections): the rollback stops at its connection
     * check and says how to waive it; with the waiver (journaled with the operator and the reason) the
     * RDS snapshot goes into a new instance, the app is pointed at it and watched, and nothing that
     * needs the old server runs. A local dump cannot go into a server that is down: a usage error.
     */
    @Test
    void withTheDatabaseDownTheRdsRestoreRunsOnceTheOperatorWaivesItsConnectionCheck() throws Exception {
        long pidBefore = appPid();
        Files.deleteIfExists(awsBin.resolve("aws.log"));
        Map<String, String> env = env(false);
        String port = lab.postgres().hostPort().substring(lab.postgres().hostPort().lastIndexOf(':') + 1);
        env.put("DATABASE_URL", env.get("DATABASE_URL").replace(":" + port + "/", ":" + Lab.freePort() + "/"));
        String waived = "can connect to " + Seed004Lab.DATABASE;
        String why = "RDS instance down after the migration; restoring the snapshot into a new one";
        monitorWindow = "PT1S";   // a quiet window passes
        List<String> rds = List.of("--set", "RDS_SNAPSHOT_ID=prod-snapshot-20231201", "--set", "RDS_RESTORE_INSTANCE_ID=prod-restore-new",
                "--set", "RDS_ENV_FILE=" + lab.envFile());

        List<String> a = args("revert", "rds", "--yes", APPROVER);
        a.addAll(rds);
        SeedDrills.Result refused = run(env, a);

        assertThat(refused.exit()).as(refused.all()).isEqualTo(1);
        assertThat(refused.out()).contains("'" + waived + "': ").contains("--waive '" + waived + "' --reason TEXT");
        assertNothingChanged(pidBefore);

        SeedDrills.Result local = run(env, args("revert", "local-dump", "--yes", APPROVER, "--waive", waived, "--reason", why));
        assertThat(local.exit()).as(local.all()).isEqualTo(2);
        assertThat(local.err()).contains("declared down", "DB_RESTORE=rds");

        a = args("revert", "rds", "--yes", APPROVER, "--operator", "oncall@example.com", "--waive", waived, "--reason", why);
        a.addAll(rds);
        SeedDrills.Result r = run(env, a);

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(git(lab.deployDirectory(), "rev-parse", "HEAD^")).isEqualTo(setup.deployCommit());
        assertThat(Files.readAllLines(awsBin.resolve("aws.log"))).anyMatch(l -> l.startsWith("aws rds restore-db-instance-from-db-snapshot"));
        assertThat(Files.readAllLines(lab.envFile())).anySatisfy(l -> assertThat(l).startsWith("DATABASE_URL=").contains("@" + rdsEndpoint + ":"));
        assertThat(appPid()).as("restarted on the new instance").isNotEqualTo(pidBefore).isPositive();
        try (Stream<Path> dumps = Files.list(setup.backupDir())) {
            assertThat(dumps).as("no dump of a server that is down").noneMatch(p -> p.getFileName().toString().startsWith("pre-rollback-"));
        }
        Journal j = FileJournal.in(journal);
        List<dev.rollback.core.journal.JournalEvent> events = j.runIds(Seed004RollbackScript.PLAN).stream()   // the run with the waiver
                .map(id -> j.read(Seed004RollbackScript.PLAN, id)).filter(e -> e.stream().anyMatch(
                        dev.rollback.core.journal.JournalEvent.StepWaived.class::isInstance)).findFirst().orElseThrow();
        assertThat(events).filteredOn(dev.rollback.core.journal.JournalEvent.StepWaived.class::isInstance).singleElement()
                .isInstanceOfSatisfying(dev.rollback.core.journal.JournalEvent.StepWaived.class, w ->
                        assertThat(List.of(w.step(), w.operator(), w.reason())).containsExactly(waived, "oncall@example.com", why));
        assertThat(events).filteredOn(dev.rollback.core.journal.JournalEvent.StepStarted.class::isInstance)
                .extracting(e -> ((dev.rollback.core.journal.JournalEvent.StepStarted) e).step())
                .noneMatch(n -> n.startsWith("pg_dump and pg_restore match") || n.startsWith("dump " + Seed004Lab.DATABASE))
                .contains("monitor for 1.0 s");
        assertThat(read(r.incidentReport())).contains("**WAIVED**", "oncall@example.com", why);
        List<String> messages = http.requests("/hooks/ops").stream().map(RecordingServer.Request::body).toList();
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("EMERGENCY ROLLBACK", "database shop is down"))
                .anySatisfy(m -> assertThat(m).contains("complete: no MUST rule fired in 1.0 s"))
                .anySatisfy(m -> assertThat(m).contains("no pre-rollback dump was taken (the database was down)"))
                .noneSatisfy(m -> assertThat(m).contains("${"));
    }

    /** The checklist's first 15 minutes, in seconds: the app dies while it is watched; the run fails and says the rollback itself completed. */
    @Test
    void theAppDyingInTheMonitoringWindowFailsTheRunAndTellsTheTeamTheRollbackCompleted() throws Exception {
        monitorWindow = "PT2M";
        try (SeedDrills.WhenStepStarts killer = new SeedDrills.WhenStepStarts(journal, Seed004RollbackScript.PLAN, "monitor for", () -> {
            ProcessHandle app = lab.standIns().process(StandIns.systemd(Seed004Lab.UNIT)).orElseThrow();
            app.destroy();
            return "killed " + app.pid();
        })) {
            SeedDrills.Result r = run(env(false), args("revert", "none", "--yes", APPROVER));

            assertThat(r.exit()).as(r.all()).isEqualTo(1);
            assertThat(killer.await()).startsWith("killed ");
        }
        assertThat(git(lab.deployDirectory(), "rev-parse", "HEAD^")).as("the rollback stands").isEqualTo(setup.deployCommit());
        List<String> messages = http.requests("/hooks/ops").stream().map(RecordingServer.Request::body).toList();
        assertThat(messages).noneSatisfy(m -> assertThat(m).contains("ROLLBACK FAILED"))
                .anySatisfy(m -> assertThat(m).contains("ROLLBACK COMPLETE, THEN THE MONITORING WINDOW FIRED: production rollback (code revert, "
                        + "database none)").contains("check 'health endpoint returns 200' failing 2 polls in a row"));
    }

    @Test
    void nothingChosenIsAUsageError() throws Exception {
        long pidBefore = appPid();

        SeedDrills.Result r = run(env(false), args("none", "none", "--yes", APPROVER));

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("nothing to roll back");
        assertNothingChanged(pidBefore);
    }

    @Test
    void withoutDatabaseUrlTheScriptStopsBeforeAnything() throws Exception {
        long pidBefore = appPid();
        Map<String, String> env = env(true);
        env.remove("DATABASE_URL");

        SeedDrills.Result r = run(env, args("revert", "local-dump", "--yes", APPROVER));

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("DATABASE_URL is not set");
        assertNothingChanged(pidBefore);
        assertThat(journal).isEmptyDirectory();
    }

    @Test
    void aFlagUrlWithoutItsKeyIsAUsageError() {
        Map<String, String> env = env(true);
        env.remove("FEATURE_FLAG_API_KEY");

        SeedDrills.Result r = run(env, args("revert", "local-dump", "--yes", APPROVER));

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("FEATURE_FLAG_API_KEY is not");
    }

    @Test
    void withNoOneToConfirmNothingIsRolledBack() throws Exception {
        long pidBefore = appPid();

        SeedDrills.Result r = run(env(true), args("revert", "local-dump", "--no-input"));

        assertThat(r.exit()).as(r.all()).isEqualTo(4);
        assertThat(r.out() + r.err()).contains(Seed004RollbackScript.CONFIRMATION_STEP);
        assertNothingChanged(pidBefore);
    }

    @Test
    void thePlanKeepsTheSafetyRules() {
        Map<String, String> env = env(true);
        dev.rollback.core.RollbackPlan plan = Seed004RollbackScript.plan(Seed004RollbackScript.Settings.from(
                new dev.rollback.core.cli.CommandLineOptions(false, null, null, journal, "", "test", true, Map.of(
                        "DEPLOY_DIR", lab.deployDirectory().toString(), "CODE_ROLLBACK", "force-push",
                        "PREVIOUS_RELEASE_COMMIT", setup.previousReleaseCommit(), "RESTORE_DUMP", setup.restoreDump().toString()), env)));

        dev.rollback.test.RollbackAssertions.assertThat(plan)
                .hasNoDestructiveStepWithoutCapture()
                .hasStepsInOrder(Seed004RollbackScript.CONFIRMATION_STEP, "git push --force-with-lease origin main", "restore shop from shop-nightly.dump")
                .hasCheckpointAfter("restore shop from shop-nightly.dump")
                .doesNotRevealSecret(FLAG_KEY)
                .doesNotRevealSecret(lab.postgres().password().reveal());
    }

    private void assertNothingChanged(long pidBefore) throws SQLException {
        Path deploy = lab.deployDirectory();
        assertThat(git(deploy, "rev-parse", "HEAD")).isEqualTo(setup.deployCommit());
        assertThat(git(setup.remote(), "rev-parse", "refs/heads/main")).isEqualTo(setup.deployCommit());
        assertThat(git(setup.remote(), "tag", "-l")).isEmpty();
        assertThat(git(deploy, "status", "--porcelain")).isEmpty();
        assertThat(count("SELECT count(*) FROM orders")).isEqualTo(Seed004Lab.ORDERS_AFTER_BAD_MIGRATION);
        assertThat(count("SELECT count(*) FROM pg_database WHERE datname LIKE 'shop\\_%'")).isZero();
        assertThat(appPid()).isEqualTo(pidBefore);
        assertThat(http.requests("/api/v2/flags/default/new-pricing")).isEmpty();
    }

    private Map<String, String> env(boolean flag) {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", lab.postgres().databaseUrl(Seed004Lab.DATABASE));
        env.put("SLACK_WEBHOOK_URL", http.url("/hooks/ops"));
        if (flag) {
            env.put("FEATURE_FLAG_TOGGLE_URL", http.url("/api/v2/flags/default/new-pricing"));
            env.put("FEATURE_FLAG_API_KEY", FLAG_KEY);
            env.put("FEATURE_FLAG_BODY", "{\"instructions\":[{\"kind\":\"turnFlagOff\"}]}");
        }
        return env;
    }

    private List<String> args(String code, String db, String... flags) {
        List<String> a = new ArrayList<>(List.of("--journal", journal.toString()));
        a.addAll(List.of(flags));
        String[][] sets = {
            {"DEPLOY_DIR", lab.deployDirectory().toString()},
            {"CODE_ROLLBACK", code},
            {"DEPLOY_COMMIT", setup.deployCommit()},
            {"PREVIOUS_RELEASE_COMMIT", setup.previousReleaseCommit()},
            {"DB_RESTORE", db},
            {"RESTORE_DUMP", setup.restoreDump().toString()},
            {"BACKUP_DIR", setup.backupDir().toString()},
            {"APP_UNIT", Seed004Lab.UNIT},
            {"HEALTH_URL", setup.healthUrl()},
            {"HEALTH_RETRY_DELAY", "PT0.2S"},
            {"TOOLS_PATH", awsBin + java.io.File.pathSeparator + setup.toolsPath()},
            {"MONITOR_WINDOW", monitorWindow},
            {"MONITOR_INTERVAL", "PT0.2S"},
        };
        for (String[] kv : sets) {
            a.add("--set");
            a.add(kv[0] + "=" + kv[1]);
        }
        return a;
    }

    private static SeedDrills.Result run(Map<String, String> env, List<String> args) {
        return SeedDrills.run("seed-004", env, "", args, o -> Seed004RollbackScript.plan(Seed004RollbackScript.Settings.from(o)));
    }

    private long appPid() {
        return lab.standIns().process(StandIns.systemd(Seed004Lab.UNIT)).map(ProcessHandle::pid).orElse(-1L);
    }

    private static long count(String sql) throws SQLException {
        return lab.postgres().queryLong(Seed004Lab.DATABASE, sql);
    }
}
