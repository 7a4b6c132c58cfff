package dev.rollback.examples.seeds;

import dev.rollback.core.RollbackPlan;
import dev.rollback.core.decision.Level;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.Journal;
import dev.rollback.examples.lab.Lab;
import dev.rollback.examples.lab.Seed001Lab;
import dev.rollback.examples.seeds.Seed001NextjsProductionRollback.GitRollback;
import dev.rollback.examples.seeds.Seed001NextjsProductionRollback.RestoreMode;
import dev.rollback.examples.seeds.Seed001NextjsProductionRollback.Scenario;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.rollback.examples.seeds.SeedDrills.git;
import static dev.rollback.examples.seeds.SeedDrills.read;
import static dev.rollback.test.RollbackAssertions.assertThatJournal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 001 drilled for real: embedded PostgreSQL, the app as its own process under the real pm2
 * (installed by {@code .ci/run}; the pm2 stand-in where pm2 is missing, said in the output),
 * a git checkout, env files, build scripts and a webhook server; no mocks.
 */
class Seed001NextjsProductionRollbackIT {
    private static final String APPROVER = "oncall@example.com";
    private static Path work;
    private static Lab lab;
    private static RecordingServer slack;

    @TempDir
    Path journal;
    private Seed001Lab.Setup setup;
    private Path emergencyBackups;
    private Path errorLog;
    private String monitorWindow = "0s";   // the default hour, left out but where a drill watches

    @BeforeAll
    static void startLab() throws IOException {
        work = Files.createTempDirectory("seed001-lab-");
        lab = Lab.in(work);
        slack = RecordingServer.start();
    }

    @AfterAll
    static void stopLab() throws IOException {
        slack.close();
        lab.close();
        SeedDrills.deleteTree(work);
    }

    @BeforeEach
    void brokenDeployment() {
        setup = Seed001Lab.prepare(lab);
        if (setup.pm2Home() == null) {
            System.out.println("Seed 001 drill: pm2 is not installed (.ci/run installs it); the app runs under the pm2 stand-in");
        }
        slack.clear();
        emergencyBackups = journal.resolveSibling(journal.getFileName() + "-emergency-backups");
        errorLog = journal.resolveSibling(journal.getFileName() + "-error.log");
    }

    @AfterEach
    void everyFileThePlanWroteIsOwnerOnly() throws IOException {
        SeedDrills.assertOwnerOnly(journal, emergencyBackups);
        SeedDrills.deleteTree(emergencyBackups);
        Files.deleteIfExists(errorLog);
        SeedDrills.assertOwnerOnlyFiles(SeedDrills.envBackups(lab.envFile()));
    }

    @Test
    void restoresDatabaseRevertsCommitRestoresConfigurationAndRestartsTheApp() throws Exception {
        long pidBefore = appPid();

        SeedDrills.Result r = run("", settings(GitRollback.REVERT, RestoreMode.SAFE, "--yes", APPROVER, "--reason", "notifications broken after v1.1.0"));

        assertThat(r.exit()).as(r.all()).isZero();
        // database: the known good backup is live, the broken one kept for forensics
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(Seed001Lab.USERS);
        assertThat(count("SELECT count(*) FROM notifications")).isEqualTo(Seed001Lab.NOTIFICATIONS);
        assertThat(count("SELECT count(*) FROM information_schema.columns WHERE table_name = 'notifications' AND column_name = 'read_at'")).isOne();
        assertThat(count("SELECT count(*) FROM pg_constraint WHERE conname = 'notifications_user_id_fkey'")).isOne();
        assertThat(count("SELECT count(*) FROM notifications n LEFT JOIN users u ON u.id = n.user_id WHERE u.id IS NULL")).isZero();
        List<String> forensic = databases("nextjs_app_before_rollback_%");
        assertThat(forensic).isNotEmpty();
        assertThat(lab.postgres().queryLong(forensic.get(forensic.size() - 1), "SELECT count(*) FROM users")).isEqualTo(Seed001Lab.USERS_AFTER_BAD_MIGRATION);

        // the emergency dump of the broken state, named as the runbook names it, in the run folder
        Path runDir = r.incidentReport().getParent();
        Path emergency;
        try (Stream<Path> s = Files.list(runDir)) {
            emergency = s.filter(p -> p.getFileName().toString().matches("emergency_backup_\\d{8}_\\d{6}\\.sql")).findFirst().orElseThrow();
        }
        assertThat(read(emergency)).contains("digest_sent").doesNotContain(lab.postgres().password().reveal());
        assertThat(read(runDir.resolve("verification/notifications_sample.csv")).lines()).hasSize(6);   // header + LIMIT 5

        // code: a revert commit on top of the problematic one, clean tree, rebuilt
        Path deploy = lab.deployDirectory();
        assertThat(git(deploy, "rev-parse", "HEAD^")).isEqualTo(setup.problematicCommit());
        assertThat(git(deploy, "log", "-1", "--format=%s")).startsWith("Revert");
        assertThat(git(deploy, "status", "--porcelain")).isEmpty();
        assertThat(git(deploy, "rev-parse", "--abbrev-ref", "HEAD")).isEqualTo("main");
        assertThat(read(deploy.resolve("VERSION")).strip()).isEqualTo("v1.0.0");
        assertThat(read(deploy.resolve(".next/BUILD_ID")).strip()).isEqualTo("v1.0.0");
        assertThat(read(deploy.resolve("node_modules/.installed")).strip()).isEqualTo(git(deploy, "rev-parse", "HEAD"));

        // configuration: the previous file is back, the broken one backed up
        assertThat(read(lab.envFile())).isEqualTo(setup.goodEnv());
        try (Stream<Path> s = Files.list(lab.envFile().getParent())) {
            List<Path> backups = s.filter(p -> p.getFileName().toString().startsWith(".env.production.backup")).toList();
            assertThat(backups).hasSize(1);
            assertThat(read(backups.get(0))).isEqualTo(setup.badEnv());
        }

        // the app: a new process, healthy, serving the old release
        assertThat(appPid()).isNotEqualTo(pidBefore);
        assertThat(get(setup.healthUrl())).isEqualTo("200 {\"status\":\"ok\",\"database\":\"postgresql\"}");
        assertThat(get(setup.healthUrl().replace("/api/health", "/api/version"))).isEqualTo("200 v1.0.0");

        // approvals, journal, report, communication
        Journal j = FileJournal.in(journal);
        List<String> runs = j.runIds(Seed001NextjsProductionRollback.PLAN);
        assertThat(runs).hasSize(1);
        assertThatJournal(j.read(Seed001NextjsProductionRollback.PLAN, runs.get(0)))
                .hasApprovalBy(APPROVER, "swap in nextjs_app@backup_before_deployment.dump")
                .containsNoText(lab.postgres().password().reveal());
        // prepare-first: the copy was restored and checked while the app served; the app was stopped only for the swap
        assertThat(stepOrder(j, runs.get(0))).containsSubsequence("prepare nextjs_app from backup_before_deployment.dump",
                "stop pm2 app nextjs-app", "swap in nextjs_app@backup_before_deployment.dump", "start pm2 app nextjs-app",
                "core functionality operational", "data-loss window of nextjs_app at the swap");   // counted once the app is verified healthy
        assertThat(read(runDir.resolve("recent-deployments.txt"))).contains("Notifications digest (drops read_at)");
        String report = read(r.incidentReport());
        assertThat(report).contains("SUCCEEDED", APPROVER, "notifications broken after v1.1.0")
                .contains("as at the swap: rows of the kept original " + forensic.get(forensic.size() - 1)).doesNotContain("not counted yet");
        assertThat(SeedDrills.allText(journal)).doesNotContain(lab.postgres().password().reveal());
        assertThat(r.out() + r.err()).doesNotContain(lab.postgres().password().reveal());
        List<String> messages = slack.requests("/hooks/devops").stream().map(RecordingServer.Request::body).toList();
        assertThat(messages).hasSize(4);
        assertThat(messages.get(0)).contains("Immediate: DevOps");
        assertThat(messages.get(1)).contains("development team", emergency.getFileName().toString());
        assertThat(messages.get(3)).contains("Status update");
    }

    @Test
    void checksOutThePreviousStableCommitAndRestoresInPlace() throws Exception {
        long pidBefore = appPid();

        // BACKUP_DIR outside the run folder, as the runbook's emergency dump goes to the working directory
        List<String> args = settings(GitRollback.CHECKOUT, RestoreMode.IN_PLACE, "--yes", APPROVER);
        args.addAll(List.of("--set", "BACKUP_DIR=" + emergencyBackups.resolve("db")));
        SeedDrills.Result r = run("", args);

        assertThat(r.exit()).as(r.all()).isZero();
        // the emergency dump of the database as it was: in BACKUP_DIR, in folders the plan created owner-only
        try (Stream<Path> s = Files.list(emergencyBackups.resolve("db"))) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.matches("emergency_backup_\\d{8}_\\d{6}\\.sql"));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(emergencyBackups.resolve("db")))).isEqualTo("rwx------");
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(Seed001Lab.USERS);
        assertThat(count("SELECT count(*) FROM information_schema.columns WHERE table_name = 'notifications' AND column_name = 'digest_sent'")).isZero();
        assertThat(count("SELECT count(*) FROM pg_constraint WHERE conname = 'notifications_user_id_fkey'")).isOne();
        Path deploy = lab.deployDirectory();
        assertThat(git(deploy, "rev-parse", "HEAD")).isEqualTo(setup.stableCommit());
        assertThat(git(deploy, "rev-parse", "--abbrev-ref", "HEAD")).isEqualTo("HEAD");   // detached, as git checkout <hash>
        assertThat(git(deploy, "status", "--porcelain")).isEmpty();
        assertThat(read(deploy.resolve(".next/BUILD_ID")).strip()).isEqualTo("v1.0.0");
        assertThat(read(lab.envFile())).isEqualTo(setup.goodEnv());
        assertThat(appPid()).isNotEqualTo(pidBefore);
        assertThat(get(setup.healthUrl())).startsWith("200 ");
        assertThat(databases("nextjs_app_before_rollback_%")).as("in place: no swap, no forensic copy").isEmpty();
    }

    @Test
    void dryRunPrintsEveryStepAndItsCommandsAndChangesNothing() throws Exception {
        long pidBefore = appPid();

        SeedDrills.Result r = run("", settings(GitRollback.REVERT, RestoreMode.SAFE, "--dry-run"));

        assertThat(r.exit()).as(r.all()).isZero();
        RollbackPlan plan = Seed001NextjsProductionRollback.plan(setup.settings(lab, Scenario.FULL, GitRollback.REVERT, RestoreMode.SAFE));
        for (var step : plan.steps()) {   // the lab's settings log notifications; the run posts them to the webhook
            if (step.kind() != dev.rollback.core.StepKind.NOTIFY) {
                assertThat(r.out()).as("step %s", step.name()).contains(step.name());
            }
        }
        assertThat(r.out().lines().filter(l -> l.trim().equals("notify slack webhook"))).hasSize(5);   // four of the run, one on failure; the users' notice goes to the log
        assertThat(r.out()).contains("(on failure) notify slack webhook: ROLLBACK FAILED");
        assertThat(r.out()).contains("DRY RUN", "pm2 stop nextjs-app", "pm2 start nextjs-app", "pg_dump --format=plain",
                "emergency_backup_<yyyyMMdd_HHmmss>.sql", "pg_restore", "revert --no-edit " + setup.problematicCommit(),
                setup.installScript().toString(), setup.buildScript().toString(), "GET " + setup.healthUrl());
        assertThat(r.out()).doesNotContain(lab.postgres().password().reveal());
        assertNothingChanged(pidBefore);
        assertThat(journal).isEmptyDirectory();
        assertThat(slack.requests("/hooks/devops")).isEmpty();
    }

    @Test
    void aTruncatedBackupIsFoundByThePrecheckAndNothingIsTouched() throws Exception {
        long pidBefore = appPid();
        byte[] good = Files.readAllBytes(setup.backupFile());
        Path truncated = work.resolve("backups/truncated.dump");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length * 2 / 3));

        List<String> args = settings(GitRollback.REVERT, RestoreMode.SAFE, "--yes", APPROVER);
        args.addAll(List.of("--set", "BACKUP_FILE=" + truncated));
        SeedDrills.Result r = run("", args);

        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.out() + r.err()).contains("backup truncated.dump is readable").contains("truncated or corrupt");
        assertNothingChanged(pidBefore);
    }

    @Test
    void withoutApprovalNothingIsTouchedAndResumingWithAnApproverFinishes() throws Exception {
        long pidBefore = appPid();

        SeedDrills.Result first = run("", settings(GitRollback.REVERT, RestoreMode.SAFE));   // no --yes, stdin at end

        assertThat(first.exit()).as(first.all()).isEqualTo(4);
        assertThat(first.out() + first.err()).contains("swap in nextjs_app").contains("nothing was changed");
        // approvals are asked before the first step: the app still runs; data, code, config untouched
        assertThat(appPid()).isEqualTo(pidBefore);
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(Seed001Lab.USERS_AFTER_BAD_MIGRATION);
        assertThat(git(lab.deployDirectory(), "rev-parse", "HEAD")).isEqualTo(setup.problematicCommit());
        assertThat(read(lab.envFile())).isEqualTo(setup.badEnv());

        List<String> resume = settings(GitRollback.REVERT, RestoreMode.SAFE, "--resume", "latest", "--yes", APPROVER);
        SeedDrills.Result second = run("", resume);

        assertThat(second.exit()).as(second.all()).isZero();
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(Seed001Lab.USERS);
        assertThat(appPid()).isNotEqualTo(pidBefore);
        Journal j = FileJournal.in(journal);
        String runId = j.runIds(Seed001NextjsProductionRollback.PLAN).get(0);
        assertThatJournal(j.read(Seed001NextjsProductionRollback.PLAN, runId))
                .ranStepTimes("stop pm2 app nextjs-app", 1)
                .hasApprovalBy(APPROVER, "swap in nextjs_app@backup_before_deployment.dump");
    }

    @Test
    void aFailedRestoreTellsTheTeamWhatItLeftAndTheResumeFinishesWithoutTellingThemTwice() throws Exception {
        // The backup's disk fails while the app is being stopped: after the prechecks read it, before the restore (in the
        // runbook's order, stop first) does.
        Path dump = setup.backupFile();
        Path saved = work.resolve("backups/saved-before-the-disk-failed.dump");
        Path tools = Files.createDirectories(work.resolve("failing-disk-" + System.nanoTime()));
        String realPm2 = SeedDrills.executable("pm2", setup.toolsPath()).toString();
        Path wrapper = tools.resolve("pm2");
        Files.writeString(wrapper, "#!/bin/sh\nif [ \"$1\" = stop ] && [ ! -e '" + tools.resolve("failed") + "' ]; then\n"
                + "  touch '" + tools.resolve("failed") + "'; cp '" + dump + "' '" + saved + "'; head -c 300 '" + saved + "' > '" + dump + "'\n"
                + "fi\nexec '" + realPm2 + "' \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        List<String> args = settings(GitRollback.REVERT, RestoreMode.SAFE, "--yes", APPROVER);
        args.set(args.indexOf("TOOLS_PATH=" + setup.toolsPath()), "TOOLS_PATH=" + tools + java.io.File.pathSeparator + setup.toolsPath());
        args.addAll(List.of("--set", "RESTORE_ORDER=stop-first"));

        SeedDrills.Result failed = run("", args);

        assertThat(failed.exit()).as(failed.all()).isEqualTo(1);
        // The team hears what failed, with its code, and the state left behind.
        List<String> messages = slack.requests("/hooks/devops").stream().map(RecordingServer.Request::body).toList();
        assertThat(messages).hasSize(2);
        assertThat(messages.get(1)).contains("ROLLBACK FAILED: nextjs-app", "stopped at restore nextjs_app from backup_before_deployment.dump",
                "(postgres.backup.invalid)", "Done: ", "'stop pm2 app nextjs-app'", "Last checkpoint: 'app-stopped-state-saved'", "Not run:");
        // The live database was not touched.
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(Seed001Lab.USERS_AFTER_BAD_MIGRATION);
        assertThat(databases("nextjs_app_%")).isEmpty();
        Journal j = FileJournal.in(journal);
        String runId = j.runIds(Seed001NextjsProductionRollback.PLAN).get(0);

        // The disk is back: the resume restarts after the checkpoint, finishes, and does not tell the team of the old failure again.
        Files.copy(saved, dump, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> resume = new ArrayList<>(args);
        resume.addAll(List.of("--resume", runId));
        SeedDrills.Result resumed = run("", resume);

        assertThat(resumed.exit()).as(resumed.all()).isZero();
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(Seed001Lab.USERS);
        assertThat(get(setup.healthUrl())).startsWith("200 ");
        assertThatJournal(j.read(Seed001NextjsProductionRollback.PLAN, runId))
                .ranStepTimes("stop pm2 app nextjs-app", 1)
                .ranStepTimes("restore nextjs_app from backup_before_deployment.dump", 1);
        List<String> all = slack.requests("/hooks/devops").stream().map(RecordingServer.Request::body).toList();
        assertThat(all).filteredOn(m -> m.contains("ROLLBACK FAILED")).hasSize(1);
    }

    @Test
    void revertWithoutTheCommitIsAUsageError() {
        List<String> args = settings(GitRollback.REVERT, RestoreMode.SAFE, "--yes", APPROVER);
        int i = args.indexOf("PROBLEMATIC_COMMIT=" + setup.problematicCommit());
        args.remove(i);
        args.remove(i - 1);

        SeedDrills.Result r = run("", args);

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("GIT_ROLLBACK=revert needs PROBLEMATIC_COMMIT");
    }

    @Test
    void thePlanKeepsTheSafetyRules() {
        RollbackPlan plan = Seed001NextjsProductionRollback.plan(setup.settings(lab, Scenario.FULL, GitRollback.REVERT, RestoreMode.SAFE));

        dev.rollback.test.RollbackAssertions.assertThat(plan)
                .hasNoDestructiveStepWithoutCapture()
                .capturesBeforeEveryDestructiveStep()
                .hasStepsInOrder("prepare nextjs_app from backup_before_deployment.dump", "stop pm2 app nextjs-app",
                        "swap in nextjs_app@backup_before_deployment.dump", "reinstall dependencies", "rebuild application", "start pm2 app nextjs-app")
                .everyDestructiveStepIsFollowedByAVerify()
                .doesNotRevealSecret(lab.postgres().password().reveal());
    }

    @Test
    void theAutomatedTriggersOfTheRunbookAreADecisionTable() {
        assertThat(Seed001NextjsProductionRollback.triggers().rules()).as("one table: the decision matrix and the triggers")
                .extracting(dev.rollback.core.decision.Rule::name)
                .isEqualTo(dev.rollback.examples.decisions.SeedDecisionTables.seed001().rules().stream()
                        .map(dev.rollback.core.decision.Rule::name).toList())
                .contains("memory usage > 90%", "authentication system broken");
        assertThat(Seed001NextjsProductionRollback.triggers().decide(Map.of("auth.broken", 1.0)).level()).isEqualTo(Level.MUST);
        assertThat(Seed001NextjsProductionRollback.triggers().decide(Map.of("latency.ratio", 2.5, "memory.ratio", 0.5)).level())
                .isEqualTo(Level.CONSIDER);
        assertThat(Seed001NextjsProductionRollback.triggers().decide(Map.of("error.rate", 0.02)).level()).isEqualTo(Level.NONE);
    }

    @Test
    void codeOnlyRevertsRebuildsAndRestartsAndKeepsEveryWriteSinceTheDeploy() throws Exception {
        Files.writeString(lab.envFile(), setup.goodEnv());   // scenario 2: the configuration is fine, the code is not
        long pidBefore = appPid();

        SeedDrills.Result r = run("", settings(Scenario.CODE, GitRollback.REVERT, RestoreMode.SAFE, "--yes", APPROVER));

        assertThat(r.exit()).as(r.all()).isZero();
        Path deploy = lab.deployDirectory();
        assertThat(git(deploy, "rev-parse", "HEAD^")).isEqualTo(setup.problematicCommit());
        assertThat(read(deploy.resolve(".next/BUILD_ID")).strip()).isEqualTo("v1.0.0");
        // the database is not touched: the user who signed up after the deploy is still there
        assertThat(count("SELECT count(*) FROM users WHERE email = '" + Seed001Lab.LATE_SIGNUP + "'")).isOne();
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(Seed001Lab.USERS_AFTER_BAD_MIGRATION);
        assertThat(databases("nextjs_app_%")).isEmpty();
        assertThat(appPid()).as("pm2 restart: a new process").isNotEqualTo(pidBefore).isPositive();
        assertThat(get(setup.healthUrl().replace("/api/health", "/api/version"))).isEqualTo("200 v1.0.0");
        assertThat(r.out()).doesNotContain("pg_restore").doesNotContain("emergency_backup");
        assertThat(read(r.incidentReport().getParent().resolve("recent-deployments.txt")).lines()).hasSize(2);
    }

    @Test
    void configOnlyPutsThePreviousFileBackAndRestartsWithoutTouchingCodeOrData() throws Exception {
        long pidBefore = appPid();
        monitorWindow = "PT1S";   // the runbook's "monitor for continued issues", in seconds: a quiet window passes
        Files.writeString(errorLog, "2026-11-30T03:00:00Z CRITICAL written before the rollback: not counted\n");

        SeedDrills.Result r = run("", settings(Scenario.CONFIG, GitRollback.NONE, RestoreMode.SAFE, "--yes", APPROVER));

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(read(lab.envFile())).isEqualTo(setup.goodEnv());
        assertThat(git(lab.deployDirectory(), "rev-parse", "HEAD")).as("the code stays").isEqualTo(setup.problematicCommit());
        assertThat(count("SELECT count(*) FROM users WHERE email = '" + Seed001Lab.LATE_SIGNUP + "'")).isOne();
        assertThat(databases("nextjs_app_%")).isEmpty();
        assertThat(appPid()).isNotEqualTo(pidBefore).isPositive();
        assertThat(get(setup.healthUrl())).startsWith("200 ");
        Journal j = FileJournal.in(journal);
        assertThat(stepOrder(j, j.runIds(Seed001NextjsProductionRollback.PLAN).get(0))).containsSubsequence(
                "back up " + lab.envFile(), "restore .env.production from .env.production.previous", "restart pm2 app nextjs-app",
                "database connection established", "authentication system working", "monitor for 1.0 s", "status update");
        assertThat(slack.requests("/hooks/devops")).extracting(RecordingServer.Request::body)
                .anySatisfy(m -> assertThat(m).contains("complete: no MUST rule fired in 1.0 s"))
                .anySatisfy(m -> assertThat(m).contains("Status update: rollback of nextjs-app (configuration) complete, and watched for 1.0 s"));
    }

    @Test
    void aCriticalErrorInTheMonitoringWindowFailsTheRunAndTellsTheTeamTheRollbackCompleted() throws Exception {
        monitorWindow = "PT2M";
        // once the window watches, the app keeps logging a fatal error (for 3 s: the window's first poll may come after the first line)
        try (SeedDrills.WhenStepStarts error = new SeedDrills.WhenStepStarts(journal, Seed001NextjsProductionRollback.PLAN, "monitor for", () -> {
            for (int i = 0; i < 30; i++) {
                Files.writeString(errorLog, "2026-11-30T04:00:00Z FATAL payment webhook: connection pool exhausted\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                Thread.sleep(100);
            }
            return "logged";
        })) {
            SeedDrills.Result r = run("", settings(Scenario.CONFIG, GitRollback.NONE, RestoreMode.SAFE, "--yes", APPROVER));

            assertThat(r.exit()).as(r.all()).isEqualTo(1);
            assertThat(error.await()).isEqualTo("logged");
        }
        assertThat(read(lab.envFile())).as("the rollback stands").isEqualTo(setup.goodEnv());
        List<String> messages = slack.requests("/hooks/devops").stream().map(RecordingServer.Request::body).toList();
        assertThat(messages).noneSatisfy(m -> assertThat(m).contains("ROLLBACK FAILED")).noneSatisfy(m -> assertThat(m).contains("Status update"))
                .anySatisfy(m -> assertThat(m).contains("ROLLBACK COMPLETE, THEN THE MONITORING WINDOW FIRED: nextjs-app (configuration)")
                        .contains("check 'no critical errors in " + errorLog.getFileName() + "' failing 2 polls in a row"));
    }

    @Test
    void databaseOnlyStopFirstRestoresAfterTheStopAndLeavesTheCode() throws Exception {
        List<String> args = settings(Scenario.DATABASE, GitRollback.NONE, RestoreMode.SAFE, "--yes", APPROVER);
        args.addAll(List.of("--set", "RESTORE_ORDER=stop-first"));
        Files.writeString(lab.envFile(), setup.goodEnv());

        SeedDrills.Result r = run("", args);

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(Seed001Lab.USERS);
        assertThat(count("SELECT count(*) FROM users WHERE email = '" + Seed001Lab.LATE_SIGNUP + "'")).as("chosen: the write is lost").isZero();
        assertThat(git(lab.deployDirectory(), "rev-parse", "HEAD")).as("GIT_ROLLBACK defaults to none").isEqualTo(setup.problematicCommit());
        Journal j = FileJournal.in(journal);
        assertThat(stepOrder(j, j.runIds(Seed001NextjsProductionRollback.PLAN).get(0))).containsSubsequence(
                "stop pm2 app nextjs-app", "restore nextjs_app from backup_before_deployment.dump",
                "start pm2 app nextjs-app").doesNotContain("prepare nextjs_app from backup_before_deployment.dump");
    }

    @Test
    void aDatabaseScenarioWithoutTheDatabaseUrlIsAUsageError() {
        SeedDrills.Result r = SeedDrills.run("seed-001", Map.of(), "", settings(Scenario.DATABASE, GitRollback.NONE, RestoreMode.SAFE, "--dry-run"),
                o -> Seed001NextjsProductionRollback.plan(Seed001NextjsProductionRollback.Settings.from(o)));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("SCENARIO=database restores the database: export DATABASE_URL");
        SeedDrills.Result none = SeedDrills.run("seed-001", Map.of(), "", List.of("--dry-run"),
                o -> Seed001NextjsProductionRollback.plan(Seed001NextjsProductionRollback.Settings.from(o)));
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("SCENARIO is not set");
    }

    private static List<String> stepOrder(Journal j, String runId) {
        return j.read(Seed001NextjsProductionRollback.PLAN, runId).stream()
                .filter(e -> e instanceof dev.rollback.core.journal.JournalEvent.StepStarted)
                .map(e -> ((dev.rollback.core.journal.JournalEvent.StepStarted) e).step()).toList();
    }

    private void assertNothingChanged(long pidBefore) throws SQLException {
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(Seed001Lab.USERS_AFTER_BAD_MIGRATION);
        assertThat(databases("nextjs_app_%")).isEmpty();
        assertThat(git(lab.deployDirectory(), "rev-parse", "HEAD")).isEqualTo(setup.problematicCommit());
        assertThat(git(lab.deployDirectory(), "status", "--porcelain")).isEmpty();
        assertThat(Files.exists(lab.deployDirectory().resolve(".next"))).isFalse();
        assertThat(read(lab.envFile())).isEqualTo(setup.badEnv());
        assertThat(appPid()).isEqualTo(pidBefore);
    }

    private List<String> settings(GitRollback git, RestoreMode mode, String... flags) {
        return settings(Scenario.FULL, git, mode, flags);
    }

    private List<String> settings(Scenario scenario, GitRollback git, RestoreMode mode, String... flags) {
        List<String> a = new ArrayList<>(List.of("--journal", journal.toString()));
        a.addAll(List.of(flags));
        String[][] sets = {
            {"SCENARIO", scenario.name().toLowerCase()},
            {"DB_DATA_DIR", lab.postgres().dataDirectory().toString()},
            {"AUTH_URL", setup.healthUrl().replace("/api/health", "/api/auth/session")},
            {"SMOKE_PATHS", "/,/api/version"},
            {"BACKUP_FILE", setup.backupFile().toString()},
            {"RESTORE_MODE", mode.name().toLowerCase().replace('_', '-')},
            {"MIN_USERS", String.valueOf(Seed001Lab.USERS)},
            {"APP_NAME", Seed001Lab.APP},
            {"DEPLOY_DIR", lab.deployDirectory().toString()},
            {"GIT_ROLLBACK", git.name().toLowerCase()},
            {"PROBLEMATIC_COMMIT", setup.problematicCommit()},
            {"PREVIOUS_STABLE_COMMIT", setup.stableCommit()},
            {"INSTALL_COMMAND", setup.installScript().toString()},
            {"BUILD_COMMAND", setup.buildScript().toString()},
            {"ENV_FILE", lab.envFile().toString()},
            {"HEALTH_URL", setup.healthUrl()},
            {"TOOLS_PATH", setup.toolsPath()},
            {"HEALTH_RETRY_DELAY", "PT0.2S"},
            {"PM2_HOME", setup.pm2Home() == null ? "" : setup.pm2Home().toString()},
            {"MONITOR_WINDOW", monitorWindow},
            {"MONITOR_INTERVAL", "PT0.2S"},
            {"ERROR_LOG", errorLog.toString()},
        };
        for (String[] kv : sets) {
            a.add("--set");
            a.add(kv[0] + "=" + kv[1]);
        }
        return a;
    }

    private SeedDrills.Result run(String stdin, List<String> args) {
        // the password travels in the environment, as the runbook's export DATABASE_URL=..., never in argv
        Map<String, String> env = Map.of("DATABASE_URL", lab.postgres().databaseUrl(Seed001Lab.DATABASE),
                "SLACK_WEBHOOK_URL", slack.url("/hooks/devops"));
        return SeedDrills.run("seed-001", env, stdin, args, o -> Seed001NextjsProductionRollback.plan(Seed001NextjsProductionRollback.Settings.from(o)));
    }

    private long appPid() {
        return setup.appPid(lab);
    }

    private static long count(String sql) throws SQLException {
        return lab.postgres().queryLong(Seed001Lab.DATABASE, sql);
    }

    private static List<String> databases(String like) throws SQLException {
        List<String> names = new ArrayList<>();
        try (var c = lab.postgres().connect("postgres");
             var s = c.prepareStatement("SELECT datname FROM pg_database WHERE datname LIKE ? ORDER BY datname")) {
            s.setString(1, like);
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    private static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }
}
