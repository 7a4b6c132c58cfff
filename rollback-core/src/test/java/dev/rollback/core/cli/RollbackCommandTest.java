package dev.rollback.core.cli;

import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class RollbackCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final AtomicBoolean failRestore = new AtomicBoolean();

    private int run(String stdin, Map<String, String> env, String... args) {
        return RollbackCommand.named("app-rollback")
                .streams(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)))
                .environment(env)
                .execute(args, o -> plan(o.require("DATABASE_URL")));
    }

    private RollbackPlan plan(String url) {
        return Rollback.plan("app")
                .capture("dump", c -> ran.add("dump"))
                .checkpoint("captured")
                .restore(new Step() {
                    public String name() { return "restore"; }
                    public void execute(StepContext c) {
                        if (failRestore.get()) {
                            throw new IllegalStateException("pg_restore: error: could not connect to " + url);
                        }
                        ran.add("restore " + url);
                    }
                    public String confirmationTarget() { return "appdb"; }
                })
                .build();
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void dryRunPrintsThePlanAndChangesNothing() {
        int code = run("", Map.of("DATABASE_URL", "postgresql://app:pw12345@db/app"), "--dry-run", "--journal", dir.toString());
        assertThat(code).isZero();
        assertThat(out()).contains("DRY RUN: nothing will be changed.").contains("Plan 'app'").contains("3. [restore] restore  DESTRUCTIVE");
        assertThat(ran).isEmpty();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void yesApprovesInTheApproversNameAndSettingsComeFromSetOrEnvironment() {
        int code = run("", Map.of(), "--yes", "oncall@example.com", "--journal", dir.toString(), "--set", "DATABASE_URL=postgresql://db/app",
                "--reason", "bad migration", "--operator", "alice");
        assertThat(code).as(err()).isZero();
        assertThat(ran).containsExactly("dump", "restore postgresql://db/app");
        FileJournal journal = FileJournal.in(dir);
        String runId = journal.runIds("app").get(0);
        List<JournalEvent> events = journal.read("app", runId);
        assertThat(events.get(0)).isInstanceOfSatisfying(JournalEvent.RunStarted.class, s -> {
            assertThat(s.operator()).isEqualTo("alice");
            assertThat(s.reason()).isEqualTo("bad migration");
        });
        assertThat(events).filteredOn(JournalEvent.ApprovalGranted.class::isInstance).hasSize(1);
        assertThat(out()).contains("Incident report: " + journal.runDirectory("app", runId).resolve("incident-report.md"))
                .contains("Post-mortem skeleton: " + journal.runDirectory("app", runId).resolve("post-mortem.md"));
        assertThat(journal.runDirectory("app", runId).resolve("post-mortem.md")).exists();
    }

    @Test
    void withNoStandardInputADestructiveStepNeedsApprovalAndTheProgramDoesNotWait() {
        int code = run("", Map.of("DATABASE_URL", "x"), "--journal", dir.toString());
        assertThat(code).isEqualTo(ExitCode.NEEDS_APPROVAL.code()).isEqualTo(4);
        assertThat(out()).contains("NOT APPROVED (console): standard input is closed");
        assertThat(ran).as("nothing runs when the approval cannot be given").isEmpty();
    }

    @Test
    void noInputNeverReadsStandardInput() {
        int code = run("appdb\n", Map.of("DATABASE_URL", "x"), "--no-input", "--journal", dir.toString());
        assertThat(code).isEqualTo(4);
        assertThat(ran).isEmpty();
    }

    @Test
    void theOperatorApprovesByTypingTheTarget() {
        assertThat(run("appdb\n", Map.of("DATABASE_URL", "x"), "--journal", dir.toString())).isZero();
        assertThat(err()).contains("Type 'appdb' to go on");
        assertThat(ran).containsExactly("dump", "restore x");
    }

    @Test
    void theOperatorRefusesByTypingAnythingElse() {
        assertThat(run("no\n", Map.of("DATABASE_URL", "x"), "--journal", dir.toString())).isEqualTo(ExitCode.REFUSED.code());
    }

    @Test
    void aFailurePrintsTheResumeCommandAndResumingFinishesTheRun() {
        failRestore.set(true);
        int code = run("", Map.of("DATABASE_URL", "postgresql://app:Secret-Pass-9@db/app"), "--yes", "ops", "--journal", dir.toString());
        assertThat(code).isEqualTo(ExitCode.FAILED.code());
        String runId = FileJournal.in(dir).runIds("app").get(0);
        assertThat(out()).contains("Stopped at step 3 'restore'")
                .contains("Resume with: app-rollback --resume " + runId + " --journal " + dir.toAbsolutePath() + " --yes ops")
                .doesNotContain("Secret-Pass-9");

        failRestore.set(false);
        ran.clear();
        assertThat(run("", Map.of("DATABASE_URL", "x"), "--resume", "latest", "--yes", "ops", "--journal", dir.toString())).isZero();
        assertThat(ran).containsExactly("restore x");
    }

    @Test
    void resumingWhatIsNotThereIsRefused() {
        assertThat(run("", Map.of("DATABASE_URL", "x"), "--resume", "latest", "--journal", dir.toString())).isEqualTo(3);
        assertThat(err()).contains("No run of plan 'app'");
    }

    @Test
    void usageErrorsNameTheProblem() {
        assertThat(run("", Map.of(), "--journal", dir.toString())).isEqualTo(2);
        assertThat(err()).contains("DATABASE_URL is not set; export DATABASE_URL=... or pass --set DATABASE_URL=...");
        assertThat(run("", Map.of(), "--bogus")).isEqualTo(2);
        assertThat(err()).contains("unknown argument '--bogus'").contains("Usage: app-rollback");
        assertThat(run("", Map.of(), "--yes")).isEqualTo(2);
        assertThat(err()).contains("--yes needs a value");
        assertThat(run("", Map.of(), "--dry-run", "--resume", "x")).isEqualTo(2);
    }

    @Test
    void planStateRefusalsAndOverridesOnTheCommandLine() {
        Map<String, String> env = Map.of("DATABASE_URL", "x");
        String j = dir.toAbsolutePath().toString();
        failRestore.set(true);
        assertThat(run("", env, "--yes", "ops", "--journal", j, "--operator", "alice")).isEqualTo(1);
        String failed = FileJournal.in(dir).runIds("app").get(0);

        // a new run over the interrupted one: refused, nothing touched, both ways on printed
        ran.clear();
        err.reset();
        assertThat(run("", env, "--yes", "ops", "--journal", j, "--operator", "bob", "--reason", "retry")).isEqualTo(3);
        assertThat(err()).contains("Plan 'app' has an interrupted run").contains("run " + failed)
                .contains("Resume it:  app-rollback --resume " + failed + " --journal " + j + " --yes ops")
                .contains("Abandon it: app-rollback --abandon " + failed + " --reason TEXT --journal " + j);
        assertThat(ran).isEmpty();

        // status names the state and the commands
        out.reset();
        assertThat(run("", Map.of(), "--status", "--journal", j)).isZero();
        assertThat(out()).contains("Journal: " + j).contains("plan 'app': INTERRUPTED").contains("interrupted: run " + failed)
                .contains("resume:  app-rollback --resume " + failed + " --journal " + j);

        // abandon needs a reason, then cleans up and leaves the plan idle
        err.reset();
        assertThat(run("", env, "--abandon", failed, "--journal", j)).isEqualTo(2);
        assertThat(err()).contains("--abandon needs --reason TEXT");
        out.reset();
        assertThat(run("", env, "--abandon", failed, "--reason", "fixed forward", "--journal", j, "--operator", "carol")).isZero();
        assertThat(out()).contains("Abandoned run " + failed + " of plan 'app' (fixed forward):")
                .contains("step 3 'restore': nothing to remove").contains("Plan 'app' is idle: a new run can start.");

        // a new run succeeds; after it, a new run is refused unless --again with a reason
        failRestore.set(false);
        assertThat(run("", env, "--yes", "ops", "--journal", j)).isZero();
        err.reset();
        assertThat(run("", env, "--yes", "ops", "--journal", j)).isEqualTo(3);
        assertThat(err()).contains("already succeeded").contains("Run again:  app-rollback --again --reason TEXT --journal " + j + " --yes ops");
        assertThat(run("", env, "--yes", "ops", "--journal", j, "--again")).isEqualTo(2);
        assertThat(run("", env, "--yes", "ops", "--journal", j, "--again", "--reason", "the migration was re-applied")).isZero();
        assertThat(FileJournal.in(dir).planLog("app")).extracting(e -> ((JournalEvent.PlanDecision) e).decision().name())
                .containsExactly("REFUSED_INTERRUPTED", "ABANDONED", "REFUSED_SUCCEEDED", "AGAIN");

        // a file journal has no lease to break
        err.reset();
        assertThat(run("", env, "--break-lock", "--reason", "stuck", "--journal", j)).isEqualTo(3);
        assertThat(err()).contains("Cannot break the lock of plan 'app'");
        // one action at a time
        assertThat(run("", env, "--again", "--abandon", failed, "--reason", "x", "--journal", j)).isEqualTo(2);
        assertThat(err()).contains("--abandon and --again cannot be combined");
        // a server journal needs its module on the class path
        err.reset();
        assertThat(run("", env, "--journal", "postgresql://db-ops:5432/ops")).isEqualTo(2);
        assertThat(err()).contains("No journal on the class path opens postgresql:// locations")
                .contains("add dev.rollback:rollback-journal-postgres");
    }

    @Test
    void anInvalidPlanExitsWithItsOwnCode() {
        int code = RollbackCommand.named("bad").streams(new PrintStream(out), new PrintStream(err), new ByteArrayInputStream(new byte[0]))
                .execute(new String[0], o -> Rollback.plan("empty").build());
        assertThat(code).isEqualTo(ExitCode.INVALID_PLAN.code());
        assertThat(err()).contains("has no steps");
    }

    @Test
    void aPlanFactorysExceptionExitsFiveWithItsMessageAndNoStackTrace() {
        int code = RollbackCommand.named("bad").streams(new PrintStream(out), new PrintStream(err), new ByteArrayInputStream(new byte[0]))
                .execute(new String[0], o -> {
                    throw new java.io.UncheckedIOException(new java.io.IOException("No backup folder matching 'production-*' in /backups"));
                });
        assertThat(code).isEqualTo(ExitCode.INVALID_PLAN.code());
        assertThat(err()).contains("bad: the plan could not be built: java.io.IOException: No backup folder matching 'production-*' in /backups")
                .doesNotContain("\tat ");
    }

    @Test
    void theResumeCommandCarriesTheNonSecretSettingsAndNoSecretOne() {
        failRestore.set(true);
        dev.rollback.core.Secret.of("Tok-en-4711");
        int code = run("", Map.of(), "--yes", "ops", "--journal", dir.toString(), "--set", "DATABASE_URL=postgresql://app:Pw-99@db/app",
                "--set", "BACKUP_ROOT=/backups/nightly", "--set", "PGPASSWORD=Pw-99", "--set", "SLACK=Tok-en-4711", "--set", "NOTE=it's down");
        assertThat(code).isEqualTo(ExitCode.FAILED.code());
        String runId = FileJournal.in(dir).runIds("app").get(0);
        assertThat(out()).contains("Resume with: app-rollback --resume " + runId + " --journal " + dir.toAbsolutePath() + " --yes ops"
                        + " --set BACKUP_ROOT=/backups/nightly --set 'NOTE=it'\\''s down'")
                .doesNotContain("Pw-99").doesNotContain("Tok-en-4711").doesNotContain("--set DATABASE_URL").doesNotContain("--set SLACK");
        String md = FileJournal.in(dir).runDirectory("app", runId).resolve("incident-report.md").toFile().exists()
                ? readString(FileJournal.in(dir).runDirectory("app", runId).resolve("incident-report.md")) : "";
        assertThat(md).contains("app-rollback --resume " + runId).contains("--set BACKUP_ROOT=/backups/nightly");
    }

    @Test
    void aMissingSecretIsNeverSuggestedOnTheCommandLine() {
        int code = RollbackCommand.named("app-rollback").streams(new PrintStream(out), new PrintStream(err), new ByteArrayInputStream(new byte[0]))
                .environment(Map.of()).execute(new String[0], o -> plan(o.require("PGPASSWORD")));
        assertThat(code).isEqualTo(ExitCode.USAGE.code());
        assertThat(err()).contains("PGPASSWORD is not set; it is a secret, so export PGPASSWORD in the environment").doesNotContain("--set PGPASSWORD");
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void reportRewritesARunsIncidentReportFromItsJournalWithTheResumeCommand() throws Exception {
        failRestore.set(true);
        Map<String, String> env = Map.of("DATABASE_URL", "x");
        assertThat(run("", env, "--yes", "ops", "--journal", dir.toString())).isEqualTo(1);
        String runId = FileJournal.in(dir).runIds("app").get(0);
        Path md = FileJournal.in(dir).runDirectory("app", runId).resolve("incident-report.md");
        Files.delete(md);   // as if the process had died before writing it
        RollbackCommand command = RollbackCommand.named("app-rollback")
                .streams(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                        new ByteArrayInputStream(new byte[0]));
        CommandLineOptions options = command.parse(new String[]{"--journal", dir.toString(), "--yes", "ops", "--set", "DATABASE_URL=x"});
        out.reset();

        assertThat(command.report(options, plan("x"), "latest")).isZero();

        assertThat(out()).contains("Incident report: " + md).contains("Incident report (HTML): " + md.resolveSibling("incident-report.html"))
                .contains("Post-mortem skeleton: " + md.resolveSibling("post-mortem.md"));
        assertThat(Files.readString(md)).contains("app-rollback --resume " + runId + " --journal " + dir.toAbsolutePath() + " --yes ops")
                .contains("'restore'");
        assertThat(md.resolveSibling("incident-report.html")).isRegularFile();

        // by its id, too; an unknown run, or a plan with no run, is refused with what was looked for
        assertThat(command.report(options, plan("x"), runId)).isZero();
        err.reset();
        assertThat(command.report(options, plan("x"), "r-nope")).isEqualTo(3);
        assertThat(err()).contains("app-rollback: no run r-nope of plan 'app' in " + dir.toAbsolutePath());
        err.reset();
        CommandLineOptions empty = command.parse(new String[]{"--journal", dir.resolve("empty").toString()});
        assertThat(command.report(empty, plan("x"), "latest")).isEqualTo(3);
        assertThat(err()).contains("app-rollback: no run of plan 'app' in ");
        // a journal no module opens is a usage error
        err.reset();
        CommandLineOptions server = command.parse(new String[]{"--journal", "mongodb://ops/journal"});
        assertThat(command.report(server, plan("x"), "latest")).isEqualTo(2);
        assertThat(err()).contains("No journal on the class path opens mongodb:// locations");
    }

    @Test
    void statusOfAnEmptyJournalSaysSoAndABadJournalIsAUsageError() {
        assertThat(run("", Map.of(), "--status", "--journal", dir.toString())).isZero();
        assertThat(out()).contains("Journal: " + dir.toAbsolutePath()).contains("  no plans recorded");

        assertThat(run("", Map.of(), "--status", "--journal", "mongodb://ops/journal")).isEqualTo(2);
        assertThat(err()).contains("No journal on the class path opens mongodb:// locations");
    }

    @Test
    void aSucceededRunPrintsWhereItsReportsAreAndResumingItIsRefused() {
        Map<String, String> env = Map.of("DATABASE_URL", "x");
        assertThat(run("", env, "--yes", "ops", "--journal", dir.toString())).isZero();
        String runId = FileJournal.in(dir).runIds("app").get(0);
        assertThat(out()).contains("Incident report: " + FileJournal.in(dir).runDirectory("app", runId).resolve("incident-report.md"))
                .contains("Post-mortem skeleton: ");
        err.reset();
        assertThat(run("", env, "--resume", runId, "--yes", "ops", "--journal", dir.toString())).isEqualTo(3);
        assertThat(err()).startsWith("app-rollback: ").contains(runId);
    }

    @Test
    void helpPrintsUsage() throws Exception {
        assertThat(run("", Map.of(), "--help")).isZero();
        assertThat(out()).contains("--dry-run").contains("Exit codes: 0 done, 1 failed");
        assertThat(Files.list(dir)).isEmpty();
    }
}
