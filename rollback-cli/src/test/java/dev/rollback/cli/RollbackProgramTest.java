package dev.rollback.cli;

import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.cli.CommandLineOptions;
import dev.rollback.core.journal.FileJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line an operator meets: every flag, setting and error case, through a real run. */
class RollbackProgramTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> ran = new CopyOnWriteArrayList<>();

    static final List<Setting> SETTINGS = List.of(
            Setting.text("DATABASE_URL", "the PostgreSQL database to restore").secret().required(),
            Setting.path("BACKUP_ROOT", "where the nightly backups are").defaultValue("/backups"),
            Setting.duration("HEALTH_RETRY_DELAY", "pause between health polls").defaultValue("PT5S"),
            Setting.instant("BACKUP_TAKEN_AT", "when the backup was taken"),
            Setting.integer("MIN_COLLECTIONS", "collections the backup must hold").defaultValue("26"),
            Setting.choice("RESTORE_MODE", "how to restore", "safe", "in-place").defaultValue("safe"));

    private RollbackProgram program(Map<String, String> env) {
        return RollbackProgram.named("nextcrm-rollback").settings(SETTINGS)
                .streams(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                        new ByteArrayInputStream(new byte[0]))
                .environment(env);
    }

    private RollbackPlan plan(CommandLineOptions o) {
        Duration delay = Duration.parse(o.setting("HEALTH_RETRY_DELAY", "PT5S"));
        int min = Integer.parseInt(o.setting("MIN_COLLECTIONS", "26"));
        String url = o.require("DATABASE_URL");
        return Rollback.plan("nextcrm")
                .capture("dump", c -> ran.add("dump"))
                .restore(new Step() {
                    public String name() { return "restore"; }
                    public void execute(StepContext c) {
                        ran.add("restore " + o.setting("BACKUP_ROOT", "?") + " " + delay + " " + min + " " + url.length());
                        if (o.setting("FAIL").isPresent()) {
                            throw new IllegalStateException("pg_restore: could not connect");
                        }
                    }
                })
                .build();
    }

    private int run(Map<String, String> env, String... args) {
        return program(env).execute(args, this::plan);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static final Map<String, String> ENV = Map.of("DATABASE_URL", "postgresql://app:Pw-Secret-77@db/crm");

    @Test
    void helpListsTheFlagsTheDeclaredSettingsAndTheExitCodes() {
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(out()).contains("Usage: nextcrm-rollback").contains("--dry-run").contains("--yes=APPROVER").contains("--live=[HOST:]PORT")
                .contains("--watch=RUN_ID|latest").contains("--debug")
                .contains("Settings (--set NAME=VALUE, or the environment variable NAME; secrets only from the environment):")
                .contains("DATABASE_URL        text, secret: from the environment only, required\n      the PostgreSQL database to restore")
                .contains("HEALTH_RETRY_DELAY  duration, default PT5S\n      pause between health polls")
                .contains("RESTORE_MODE        safe|in-place, default safe\n      how to restore")
                .contains("Exit codes: 0 done, 1 failed").contains("5 the plan could not be built.");
        assertThat(err()).isEmpty();
    }

    @Test
    void anUnknownSetExitsTwoAndSuggestsTheClosestName() {
        assertThat(run(ENV, "--set", "HEALTH_RETRY_DELAYS=PT1S", "--journal", dir.toString())).isEqualTo(2);
        assertThat(err()).contains("nextcrm-rollback: unknown setting --set HEALTH_RETRY_DELAYS; did you mean HEALTH_RETRY_DELAY?");
        assertThat(ran).isEmpty();
        assertThat(run(ENV, "--set", "ZZZ=1")).isEqualTo(2);
        assertThat(err()).contains("unknown setting --set ZZZ; the settings are DATABASE_URL, BACKUP_ROOT");
    }

    @Test
    void aBadValueExitsTwoNamingTheSettingAndTheFormWithoutAStackTrace() {
        assertThat(run(ENV, "--set", "HEALTH_RETRY_DELAY=5 seconds", "--set", "BACKUP_TAKEN_AT=yesterday", "--set", "MIN_COLLECTIONS=many",
                "--set", "RESTORE_MODE=fast")).isEqualTo(2);
        assertThat(err()).contains("HEALTH_RETRY_DELAY takes a duration such as PT5S, 30s, 5m or 2h; got '5 seconds'")
                .contains("BACKUP_TAKEN_AT takes a UTC time such as 2026-11-24T02:00:00Z; got 'yesterday'")
                .contains("MIN_COLLECTIONS takes a whole number, such as 26; got 'many'")
                .contains("RESTORE_MODE takes one of safe, in-place; got 'fast'")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(ran).isEmpty();
    }

    @Test
    void aBadValueFromTheEnvironmentIsCaughtToo() {
        assertThat(run(Map.of("DATABASE_URL", "x", "HEALTH_RETRY_DELAY", "soon"))).isEqualTo(2);
        assertThat(err()).contains("HEALTH_RETRY_DELAY takes a duration such as PT5S, 30s, 5m or 2h; got 'soon' (from the environment variable HEALTH_RETRY_DELAY)");
    }

    @Test
    void aShortDurationIsHandedToThePlanInIsoFormAndDefaultsApply() {
        assertThat(run(ENV, "--yes", "ops", "--journal", dir.toString(), "--set", "HEALTH_RETRY_DELAY=30s")).isZero();
        assertThat(ran).containsExactly("dump", "restore /backups PT30S 26 " + ENV.get("DATABASE_URL").length());
    }

    @Test
    void approversAndWaiversAreTakenOnTheCommandLineAndCheckedFirst() {
        assertThat(run(ENV, "--approve", "bob:DBA", "--approve", "carol:Migration Lead", "--operator", "alice",
                "--journal", dir.toString())).as(err()).isZero();
        assertThat(out()).contains("approved by bob as DBA (--approve)");
        assertThat(run(ENV, "--approve", ":DBA")).isEqualTo(2);
        assertThat(err()).contains("--approve ':DBA' names no approver");
        assertThat(run(ENV, "--yes", "ops", "--approve", "bob:DBA")).isEqualTo(2);
        assertThat(err()).contains("--yes and --approve cannot be combined");
        assertThat(run(ENV, "--yes", "ops", "--waive", "dump")).isEqualTo(2);
        assertThat(err()).contains("--waive needs --reason TEXT");
        assertThat(run(ENV, "--yes", "ops", "--waive", "dump", "--reason", "down", "--again", "--journal", dir.toString())).isEqualTo(2);
        assertThat(err()).contains("step 'dump' may not be waived");
        assertThat(ran).containsExactly("dump", "restore /backups PT5S 26 " + ENV.get("DATABASE_URL").length());
    }

    @Test
    void aMisspelledFlagSuggestsTheFlag() {
        assertThat(run(ENV, "--dry-rn")).isEqualTo(2);
        assertThat(err()).contains("Unknown option: '--dry-rn'").contains("--dry-run");
        assertThat(run(ENV, "--yes")).isEqualTo(2);
        assertThat(err()).contains("Missing required parameter for option '--yes'");
        assertThat(run(ENV, "--dry-run", "--resume", "x")).isEqualTo(2);
        assertThat(err()).contains("--dry-run and --resume cannot be combined: choose one");
        assertThat(run(ENV, "--set", "BACKUP_ROOT")).isEqualTo(2);
        assertThat(err()).contains("should be in KEY=VALUE format but was BACKUP_ROOT");
        assertThat(run(ENV, "--again")).isEqualTo(2);
        assertThat(err()).contains("--again needs --reason TEXT");
    }

    @Test
    void aSecretIsNeverTakenNorSuggestedOnTheCommandLine() {
        assertThat(run(Map.of(), "--journal", dir.toString())).isEqualTo(2);
        assertThat(err()).contains("DATABASE_URL is not set; it is a secret, so export DATABASE_URL in the environment (never on the command line)")
                .doesNotContain("--set DATABASE_URL");
        assertThat(run(Map.of(), "--set", "DATABASE_URL=postgresql://app:pw@db/crm")).isEqualTo(2);
        assertThat(err()).contains("DATABASE_URL is a secret: give it through the environment (export DATABASE_URL=...), never on the command line")
                .doesNotContain("app:pw@");
    }

    @Test
    void aPlanFactorysExceptionExitsFiveWithItsMessageAndTheStackTraceOnlyWithDebug() {
        Function<CommandLineOptions, RollbackPlan> broken = o -> {
            throw new IllegalStateException("No backup folder matching 'production-*' in /backups. Fix: check that the backup job ran.");
        };
        assertThat(program(ENV).execute(new String[0], broken)).isEqualTo(5);
        assertThat(err()).contains("nextcrm-rollback: the plan could not be built: No backup folder matching 'production-*' in /backups")
                .contains("(run with --debug for the stack trace)").doesNotContain("\tat ");
        err.reset();
        assertThat(program(ENV).execute(new String[]{"--debug"}, broken)).isEqualTo(5);
        assertThat(err()).contains("java.lang.IllegalStateException: No backup folder").contains("\tat ");
    }

    @Test
    void aFailedRunPrintsAResumeCommandWithTheNonSecretSettingsThatWorksWhenPasted() {
        int code = run(ENV, "--yes", "ops", "--journal", dir.toString(), "--set", "BACKUP_ROOT=/srv/backups", "--set", "FAIL=1");
        assertThat(code).as(err()).isEqualTo(2);   // FAIL is not declared: refused before anything runs
        assertThat(ran).isEmpty();

        RollbackProgram lenient = RollbackProgram.named("app").streams(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0])).environment(ENV);
        assertThat(lenient.execute(new String[]{"--yes", "ops", "--journal", dir.toString(), "--set", "BACKUP_ROOT=/srv/backups", "--set", "FAIL=1"},
                this::plan)).isEqualTo(1);
        String runId = FileJournal.in(dir).runIds("nextcrm").get(0);
        String resume = "app --resume " + runId + " --journal " + dir.toAbsolutePath() + " --yes ops --set BACKUP_ROOT=/srv/backups --set FAIL=1";
        assertThat(out()).contains("Resume with: " + resume).doesNotContain("Pw-Secret-77");
        // pasting it (less the setting that made it fail) finishes the run
        String[] pasted = resume.substring("app ".length()).replace(" --set FAIL=1", "").split(" ");
        assertThat(lenient.execute(pasted, this::plan)).isZero();
        assertThat(ran).last().asString().startsWith("restore /srv/backups");
    }

    @Test
    void statusAbandonAndAgainOfThePlanStateWorkThroughTheProgram() {
        RollbackProgram lenient = RollbackProgram.named("app").streams(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0])).environment(ENV);
        assertThat(lenient.execute(new String[]{"--yes", "ops", "--journal", dir.toString(), "--set", "FAIL=1"}, this::plan)).isEqualTo(1);
        String runId = FileJournal.in(dir).runIds("nextcrm").get(0);
        out.reset();
        assertThat(lenient.execute(new String[]{"--status", "--journal", dir.toString()}, this::plan)).isZero();
        assertThat(out()).contains("nextcrm").contains("abandon: app --abandon " + runId + " --reason TEXT");
        assertThat(lenient.execute(new String[]{"--yes", "ops", "--journal", dir.toString()}, this::plan)).as(err()).isEqualTo(3);
        assertThat(err()).contains("Abandon it: app --abandon " + runId);
        assertThat(lenient.execute(new String[]{"--abandon", runId, "--reason", "restored by hand", "--journal", dir.toString()}, this::plan))
                .as(err()).isZero();
        assertThat(out()).contains("Abandoned run " + runId);
        assertThat(lenient.execute(new String[]{"--yes", "ops", "--journal", dir.toString()}, this::plan)).isZero();
        assertThat(lenient.execute(new String[]{"--yes", "ops", "--journal", dir.toString()}, this::plan)).isEqualTo(3);
        assertThat(lenient.execute(new String[]{"--yes", "ops", "--again", "--reason", "drill", "--journal", dir.toString()}, this::plan)).isZero();
    }

    @Test
    void reportWritesTheIncidentReportOfARunWhoseProcessDiedFromItsJournal() throws Exception {
        FileJournal journal = FileJournal.in(dir);
        RollbackPlan plan = plan(new CommandLineOptions(false, null, null, dir, "", "ops", true, Map.of(), ENV));
        String id = "20261129-030000-dead";
        try (var w = journal.open(plan.name(), dev.rollback.core.journal.Holder.thisProcess(id, "ops"))) {   // killed during its restore
            Instant t = Instant.now();
            w.append(new dev.rollback.core.journal.JournalEvent.RunStarted(id, t, plan.name(), plan.fingerprint(), "ops", "drill", "host-a", 4242, 2));
            w.append(new dev.rollback.core.journal.JournalEvent.StepStarted(id, t.plusMillis(5), 1, "dump", dev.rollback.core.StepKind.CAPTURE, 1));
            w.append(new dev.rollback.core.journal.JournalEvent.StepFinished(id, t.plusMillis(9), 1, "dump", dev.rollback.core.StepKind.CAPTURE, 1, 4,
                    Map.of(), List.of()));
            w.append(new dev.rollback.core.journal.JournalEvent.StepStarted(id, t.plusMillis(12), 2, "restore", dev.rollback.core.StepKind.RESTORE, 1));
        }
        assertThat(run(ENV, "--report", "latest", "--journal", dir.toString(), "--set", "BACKUP_ROOT=/srv/backups")).as(err()).isZero();
        Path md = journal.runDirectory(plan.name(), id).resolve("incident-report.md");
        assertThat(out()).contains("Incident report: " + md).contains("incident-report.html");
        assertThat(java.nio.file.Files.readString(md)).contains("## Current state").contains("**INCOMPLETE**: no end is recorded; process 4242 on host-a")
                .contains("during step 2 'restore'")
                .contains("nextcrm-rollback --resume " + id + " --journal " + dir.toAbsolutePath() + " --set BACKUP_ROOT=/srv/backups");
        assertThat(run(ENV, "--report", "20990101-000000-0000", "--journal", dir.toString())).isEqualTo(3);
    }

    @Test
    void liveServesThePageForTheRunAndPrintsItsAddress() {
        assertThat(run(ENV, "--yes", "ops", "--journal", dir.toString(), "--live", "127.0.0.1:0")).isZero();
        assertThat(out()).containsPattern("Live page: http://127\\.0\\.0\\.1:\\d+/\\n").contains("Incident report: ");
        assertThat(run(ENV, "--live", "nowhere:http")).isEqualTo(2);
        assertThat(err()).contains("--live takes [HOST:]PORT");
    }

    @Test
    void watchFollowsARunFromAnotherProgramUntilItEnds() throws Exception {
        Semaphore gate = new Semaphore(0);
        Function<CommandLineOptions, RollbackPlan> slow = o -> Rollback.plan("watched").step("first", c -> { })
                .step("slow", c -> gate.tryAcquire(30, TimeUnit.SECONDS)).build();
        ByteArrayOutputStream watchOut = new ByteArrayOutputStream();
        CompletableFuture<Integer> watcher = CompletableFuture.supplyAsync(() -> RollbackProgram.named("watcher")
                .streams(new PrintStream(watchOut, true, StandardCharsets.UTF_8), new PrintStream(err, true), new ByteArrayInputStream(new byte[0]))
                .execute(new String[]{"--watch", "latest", "--journal", dir.toString()}, slow));
        Thread.sleep(300);
        CompletableFuture<Integer> runner = CompletableFuture.supplyAsync(() -> RollbackProgram.named("runner")
                .streams(new PrintStream(out, true), new PrintStream(err, true), new ByteArrayInputStream(new byte[0]))
                .execute(new String[]{"--journal", dir.toString()}, slow));
        Thread.sleep(1000);
        gate.release();
        assertThat(runner.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(watcher.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(watchOut.toString(StandardCharsets.UTF_8)).contains("of plan 'watched'").contains("slow").contains("ok in");
        assertThat(RollbackProgram.named("w").streams(new PrintStream(out), new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]))
                .execute(new String[]{"--watch", "20990101-000000-0000", "--journal", dir.toString()}, slow)).isEqualTo(3);
        assertThat(err()).contains("No run 20990101-000000-0000 of plan 'watched'");
        assertThat(run(ENV, "--watch", "latest", "--dry-run")).isEqualTo(2);
    }

    @Test
    void completionPrintsABashScript() {
        assertThat(run(Map.of(), "--completion")).isZero();
        assertThat(out()).contains("complete -F").contains("--dry-run").contains("--resume");
    }

    @Test
    void aSettingDeclaredTwiceOrADefaultOfTheWrongFormIsAProgrammingError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RollbackProgram.named("x").settings(Setting.text("A", "a"), Setting.text("A", "b")))
                .hasMessageContaining("the setting A is declared twice");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Setting.duration("D", "d").defaultValue("soon"))
                .hasMessageContaining("default of D: D takes a duration");
        assertThat(Setting.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Setting.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Setting.instant("T", "t").problem(Instant.EPOCH.toString())).isEmpty();
    }

    @Test
    void decidePrintsTheTablesVerdictAndRunsNothing() {
        dev.rollback.core.decision.DecisionTable table = dev.rollback.core.decision.DecisionTable.of(
                dev.rollback.core.decision.Rule.must("health failing", dev.rollback.core.decision.Condition.signal("health.failing").atLeast(1)),
                dev.rollback.core.decision.Rule.consider("slow", dev.rollback.core.decision.Condition.signal("latency.ratio").above(2)));
        RollbackProgram p = program(ENV).decisions(o -> table.decide(Map.of("health.failing", 1.0,
                "latency.ratio", Double.parseDouble(o.setting("LATENCY", "3")))));

        int exit = p.execute(new String[]{"--decide", "--journal", dir.toString()}, this::plan);

        assertThat(exit).as(err()).isZero();
        assertThat(out()).contains("MUST roll back now", "MUST  health failing", "CONSIDER  slow", "Signals: ", "health.failing=1.0")
                .endsWith("decision: MUST" + System.lineSeparator());
        assertThat(ran).as("nothing ran").isEmpty();
        assertThat(FileJournal.in(dir).runIds("nextcrm")).isEmpty();
    }

    @Test
    void decideWithoutATableOrWithAnotherActionIsAUsageError() {
        assertThat(run(ENV, "--decide")).isEqualTo(2);
        assertThat(err()).contains("--decide needs a decision table, and this program has none");
        assertThat(run(ENV, "--decide", "--dry-run")).isEqualTo(2);
        assertThat(err()).contains("--dry-run and --decide cannot be combined");
        assertThat(ran).isEmpty();
    }

    @Test
    void watchdogReadsEveryIntervalAndRunsThePlanAtTheFirstMust() {
        java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();
        dev.rollback.core.decision.DecisionTable table = dev.rollback.core.decision.DecisionTable.of(
                dev.rollback.core.decision.Rule.must("health failing", dev.rollback.core.decision.Condition.signal("health.failing").atLeast(1)));
        RollbackProgram p = program(ENV).decisions(o -> table.decide(Map.of("health.failing", polls.incrementAndGet() < 3 ? 0.0 : 1.0)));

        int exit = p.execute(new String[]{"--watchdog", "10ms", "--yes", "ops@example.com", "--journal", dir.toString()}, this::plan);

        assertThat(exit).as(out() + err()).isZero();
        assertThat(polls).hasValue(3);
        assertThat(out()).contains("no rule holds", "MUST roll back: running the plan", "(health failing)");
        assertThat(ran).isNotEmpty();
        String runId = FileJournal.in(dir).runIds("nextcrm").get(0);
        assertThat(FileJournal.in(dir).read("nextcrm", runId)).anySatisfy(e -> assertThat(e)
                .isInstanceOfSatisfying(dev.rollback.core.journal.JournalEvent.RunStarted.class,
                        s -> assertThat(s.reason()).startsWith("watchdog: ").contains("health failing")));
    }

    @Test
    void watchdogNeedsAPositiveIntervalATableAndNoOtherAction() {
        assertThat(run(ENV, "--watchdog", "soon")).isEqualTo(2);
        assertThat(err()).contains("--watchdog soon: not an interval");
        assertThat(run(ENV, "--watchdog", "0s")).isEqualTo(2);
        assertThat(err()).contains("--watchdog needs a positive interval");
        assertThat(run(ENV, "--watchdog", "1s", "--decide")).isEqualTo(2);
        assertThat(err()).contains("--decide and --watchdog cannot be combined");
        assertThat(run(ENV, "--watchdog", "1s", "--journal", dir.toString())).isEqualTo(2);
        assertThat(err()).contains("--watchdog needs a decision table");
        assertThat(ran).isEmpty();
    }
}
