package dev.rollback.examples.seeds;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import dev.rollback.cli.RollbackProgram;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.examples.lab.Lab;
import dev.rollback.examples.lab.NextcrmLab;
import dev.rollback.test.StandIns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 000 as a drill, for real: embedded PostgreSQL, in-process MongoDB, a git checkout and the
 * application as its own process behind a stand-in systemctl. In order: a dry run changes nothing;
 * an incomplete backup is refused by the prechecks; a run with no one to approve stops before its
 * first step (approvals are asked up front) with nothing touched; resuming it with an approver
 * finishes the rollback.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Seed000NextcrmBackToMongoIT {
    private static Path work;
    private static Lab lab;
    private static NextcrmLab.Setup setup;
    private static Map<String, String> env;
    private static Path journal;
    private static String stoppedRunId;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void prepareTheWorld() throws Exception {
        work = Files.createTempDirectory("seed000-");
        lab = Lab.in(work);
        setup = NextcrmLab.prepare(lab, 400);
        var s = setup.settings();
        env = new HashMap<>();
        env.put("PRODUCTION_POSTGRESQL_URL", s.postgresUrl());
        env.put("PRODUCTION_MONGODB_URL", s.mongoUrl());
        env.put("BACKUP_ROOT", s.backupRoot().toString());
        env.put("MIN_COLLECTIONS", String.valueOf(NextcrmLab.COLLECTIONS.size()));
        env.put("HEALTH_URL", s.healthUrl());
        env.put("ENV_FILE", s.envFile().toString());
        env.put("DEPLOY_DIR", s.deployDir().toString());
        env.put("STATUS_PAGE_FILE", s.statusPageFile().toString());
        env.put("BACKUP_TAKEN_AT", NextcrmLab.BACKUP_TAKEN_AT.toString());
        env.put("TOOLS_PATH", lab.standIns().binDirectory().toString());
        env.put("HEALTH_RETRY_DELAY", "PT0.3S");
        journal = work.resolve("journal");
    }

    @AfterAll
    static void tearDown() throws Exception {
        lab.close();
    }

    @AfterEach
    void everyFileThePlanWroteIsOwnerOnly() {
        SeedDrills.assertOwnerOnly(journal);
        SeedDrills.assertOwnerOnlyFiles(SeedDrills.envBackups(lab.envFile()));
    }

    private int run(Map<String, String> settings, String... args) {
        return RollbackProgram.named("seed-000").settings(Seed000NextcrmBackToMongo.SETTINGS)
                .streams(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                        new ByteArrayInputStream(new byte[0]))
                .environment(settings)
                .execute(args, o -> Seed000NextcrmBackToMongo.plan(Seed000NextcrmBackToMongo.Settings.from(o)));
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
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

    private static String git(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", lab.deployDirectory().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    @Test
    @Order(0)
    void withoutPgDumpTheForensicsUseATemplateSnapshotInstead() {
        var s = setup.settings();
        var withoutTools = new Seed000NextcrmBackToMongo.Settings(s.postgresUrl(), s.mongoUrl(), s.backupRoot(), s.minCollections(),
                s.appUnit(), s.healthUrl(), s.appUrl(), s.envFile(), s.deployDir(), s.statusPageFile(), null, s.backupTakenAt(),
                s.toolsPath(), s.healthRetryDelay(), false);
        String described = Seed000NextcrmBackToMongo.plan(withoutTools).describe();
        assertThat(described).contains("nextcrm_forensics").doesNotContain("pg_dump").doesNotContain("dump schema of nextcrm");
        if (s.postgresTools()) {
            assertThat(Seed000NextcrmBackToMongo.plan(s).describe()).contains("dump schema of nextcrm").doesNotContain("nextcrm_forensics");
        }
    }

    @Test
    @Order(1)
    void dryRunPrintsEveryStepAndChangesNothing() throws Exception {
        Map<String, Long> before = liveCounts();
        String envBefore = Files.readString(lab.envFile());
        String head = git("rev-parse", "HEAD");
        long pid = appPid();

        assertThat(run(env, "--dry-run", "--journal", journal.toString())).isZero();

        assertThat(output()).contains("DRY RUN: nothing will be changed.")
                .contains("Phase 3: MongoDB restore (budget 12 min 00 s)")
                .contains("[restore] restore MongoDB database nextcrm  DESTRUCTIVE, approval: type 'nextcrm'")
                .contains("$ systemctl stop nextcrm")
                .contains("[checkpoint] mongodb-restored")
                .doesNotContain(lab.postgres().password().reveal());
        assertThat(liveCounts()).isEqualTo(before);
        assertThat(Files.readString(lab.envFile())).isEqualTo(envBefore);
        assertThat(git("rev-parse", "HEAD")).isEqualTo(head);
        assertThat(appPid()).isEqualTo(pid).isPositive();
        assertThat(journal).doesNotExist();
    }

    @Test
    @Order(2)
    void anIncompleteBackupIsRefusedBeforeAnythingIsTouched() throws Exception {
        Map<String, Long> before = liveCounts();
        long pid = appPid();
        Map<String, String> strict = new HashMap<>(env);
        strict.put("MIN_COLLECTIONS", "26");                     // the runbook's number; this backup has 6

        assertThat(run(strict, "--yes", "ops@example.com", "--journal", journal.toString())).isEqualTo(1);

        assertThat(output()).contains("backup has at least 26 collections").contains("FAILED");
        assertThat(liveCounts()).isEqualTo(before);
        assertThat(appPid()).isEqualTo(pid);
    }

    @Test
    @Order(3)
    void withNoOneToApproveTheRunChangesNothing() throws Exception {
        Map<String, Long> before = liveCounts();
        long pid = appPid();
        String envBefore = Files.readString(lab.envFile());

        assertThat(run(env, "--journal", journal.toString())).isEqualTo(4);

        assertThat(output()).contains("NOT APPROVED (console): standard input is closed").contains("nothing was changed");
        assertThat(liveCounts()).as("MongoDB untouched").isEqualTo(before);
        assertThat(appPid()).as("the app was not stopped").isEqualTo(pid).isPositive();
        assertThat(Files.readString(lab.envFile())).isEqualTo(envBefore);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Resume with: seed-000 --resume (\\S+)").matcher(output());
        assertThat(m.find()).as(output()).isTrue();
        stoppedRunId = m.group(1);
    }

    @Test
    @Order(4)
    void resumingWithAnApproverFinishesTheRollback() throws Exception {
        FileJournal fj = FileJournal.in(journal);
        String runId = stoppedRunId;

        int code = run(env, "--resume", runId, "--yes", "dba@example.com", "--journal", journal.toString());
        assertThat(code).as(output()).isZero();

        // MongoDB holds exactly the backup again; the replaced collections are kept for forensics
        Map<String, Long> live = liveCounts();
        setup.backupCounts().forEach((name, count) -> assertThat(live).containsEntry(name, count));
        assertThat(live.keySet()).anyMatch(n -> n.startsWith("crm_Leads_before_"));
        // the app runs again, against MongoDB, at the last MongoDB release
        assertThat(Files.readString(lab.envFile())).contains("DATABASE_URL=").contains(lab.mongo().uri()).contains("NEXTAUTH_URL=https://crm.example.com");
        assertThat(appPid()).isPositive();
        assertThat(git("describe", "--tags", "--exact-match", "HEAD")).isEqualTo("v1.4.0");
        assertThat(git("status", "--porcelain")).isEmpty();
        assertThat(Files.readString(setup.settings().statusPageFile())).contains("System restored from backup");

        List<JournalEvent> events = fj.read(Seed000NextcrmBackToMongo.PLAN, runId);
        assertThat(events).filteredOn(JournalEvent.ApprovalGranted.class::isInstance)
                .singleElement().extracting(e -> ((JournalEvent.ApprovalGranted) e).approver()).isEqualTo("dba@example.com");
        assertThat(events).filteredOn(JournalEvent.ApprovalRefused.class::isInstance).as("the first invocation's refusal").hasSize(1);
        assertThat(events).filteredOn(JournalEvent.RunResumed.class::isInstance).singleElement()
                .extracting(e -> ((JournalEvent.RunResumed) e).fromCheckpoint()).as("nothing had run: no checkpoint").isNull();
        assertThat(events).filteredOn(e -> e instanceof JournalEvent.StepFinished f && f.step().equals("stop systemd unit nextcrm"))
                .as("the app was stopped once").hasSize(1);
        String lines = String.join("\n", Files.readAllLines(fj.file(Seed000NextcrmBackToMongo.PLAN, runId)));
        assertThat(lines).doesNotContain(lab.postgres().password().reveal());

        Path report = fj.runDirectory(Seed000NextcrmBackToMongo.PLAN, runId).resolve("incident-report.md");
        assertThat(Files.readString(report)).contains("**SUCCEEDED**").contains("| total | " + setup.lostRows() + " |")
                .contains("approved by dba@example.com").contains("| Resumed | 1 time |");
        assertThat(fj.runDirectory(Seed000NextcrmBackToMongo.PLAN, runId).resolve("forensics/accounts_sample.csv")).exists();
    }
}
