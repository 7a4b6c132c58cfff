package dev.rollback.core;

import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.JournalEvent.PlanDecision.Decision;
import dev.rollback.core.journal.PlanStatus;
import dev.rollback.core.journal.RunSummary;
import dev.rollback.core.report.IncidentReport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Plan state on both journals of core: a new run is refused while a run is interrupted and after a
 * success, both refusals and both overrides are journaled with operator and reason, and abandon
 * cleans up the started steps of a run.
 */
class PlanStateTest {
    @TempDir
    Path dir;

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final List<String> cleaned = new CopyOnWriteArrayList<>();
    private final AtomicBoolean failRestore = new AtomicBoolean(true);

    private Journal journal(String kind) {
        return kind.equals("file") ? FileJournal.in(dir.resolve("journal")) : InMemoryJournal.create();
    }

    /** A step that records what it did, and what its cleanup removed, as an adapter's would. */
    private Step temporaryMaker(String name, boolean destructive, boolean failCleanup) {
        return new Step() {
            public String name() { return name; }
            public boolean destructive() { return destructive; }
            public void execute(StepContext c) {
                ran.add(name);
                c.remember("tmp.name", name + "_tmp_" + c.runId());
                c.output("leftover." + name, "collection " + name + "_tmp_" + c.runId());
                if (name.equals("restore") && failRestore.get()) {
                    throw new IllegalStateException("restore failed half-way");
                }
            }
            public List<String> cleanUp(StepContext c) {
                if (failCleanup) {
                    throw new IllegalStateException("server unreachable while dropping " + c.recall("tmp.name").orElse("?"));
                }
                String tmp = c.recall("tmp.name").orElseThrow();
                cleaned.add(name + ": " + tmp + " (output " + c.output("leftover." + name).orElse("none") + ")");
                return List.of("collection " + tmp);
            }
        };
    }

    private RollbackPlan plan(String name) {
        return Rollback.plan(name)
                .precheck("backup readable", c -> CheckResult.passed("backup readable", 1, 1))
                .capture("forensics", c -> ran.add("forensics"))
                .step(temporaryMaker("copy", false, false))
                .restore(temporaryMaker("restore", true, false))
                .step(temporaryMaker("never reached", false, false))
                .build();
    }

    private RollbackRunner runner(Journal journal, String operator) {
        return Rollback.runner().journal(journal).operator(operator).reason("error rate 12%")
                .confirmations(Confirmations.autoApprove("dba@example.com"));
    }

    @ParameterizedTest(name = "{0} journal")
    @ValueSource(strings = {"file", "memory"})
    void anInterruptedRunRefusesANewRunUntilItIsAbandonedAndAbandonCleansUpWhatStarted(String kind) throws Exception {
        Journal journal = journal(kind);
        RollbackPlan plan = plan("mongo-back");
        RunReport failed = runner(journal, "alice").run(plan);
        assertThat(failed.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(journal.status("mongo-back").state()).isEqualTo(PlanStatus.State.INTERRUPTED);
        ran.clear();

        // a new run is refused, touches nothing, and the refusal is journaled with operator and reason
        assertThatThrownBy(() -> runner(journal, "bob").reason("try again").run(plan))
                .isInstanceOfSatisfying(RunRefusedException.class, e -> {
                    assertThat(e.why()).isEqualTo(RunRefusedException.Why.INTERRUPTED);
                    assertThat(e.blockingRunId()).isEqualTo(failed.runId());
                })
                .hasMessageContaining("has an interrupted run").hasMessageContaining("nothing was touched")
                .hasMessageContaining("run " + failed.runId()).hasMessageContaining("at step 4 'restore'")
                .hasMessageContaining("--resume " + failed.runId()).hasMessageContaining("--abandon " + failed.runId() + " --reason TEXT");
        assertThat(ran).isEmpty();
        assertThat(journal.runIds("mongo-back")).containsExactly(failed.runId());
        assertThat(journal.planLog("mongo-back")).singleElement().isInstanceOfSatisfying(JournalEvent.PlanDecision.class, d -> {
            assertThat(d.decision()).isEqualTo(Decision.REFUSED_INTERRUPTED);
            assertThat(d.runId()).isEqualTo(failed.runId());
            assertThat(d.operator()).isEqualTo("bob");
            assertThat(d.reason()).isEqualTo("try again");
        });
        // --again does not get past an interrupted run either
        assertThatThrownBy(() -> runner(journal, "bob").runAgain(plan, "really")).isInstanceOf(RunRefusedException.class);

        // abandon: the started steps clean up, last started first; the step that never started does not
        assertThatThrownBy(() -> runner(journal, "carol").abandon(plan, failed.runId(), " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a reason");
        AbandonReport abandoned = runner(journal, "carol").abandon(plan, failed.runId(), "superseded by a fix-forward");
        assertThat(abandoned.isClean()).isTrue();
        assertThat(abandoned.steps()).extracting(AbandonReport.CleanedStep::step).containsExactly("restore", "copy", "forensics");
        assertThat(abandoned.removed()).containsExactly("collection restore_tmp_" + failed.runId(), "collection copy_tmp_" + failed.runId());
        // the cleanup sees the run's memory and outputs, including the evidence of the failed attempt
        assertThat(cleaned).containsExactly(
                "restore: restore_tmp_" + failed.runId() + " (output collection restore_tmp_" + failed.runId() + ")",
                "copy: copy_tmp_" + failed.runId() + " (output collection copy_tmp_" + failed.runId() + ")");
        List<JournalEvent> events = journal.read("mongo-back", failed.runId());
        assertThat(events).filteredOn(JournalEvent.StepCleanedUp.class::isInstance).extracting(e -> ((JournalEvent.StepCleanedUp) e).removed())
                .containsExactly(List.of("collection restore_tmp_" + failed.runId()), List.of("collection copy_tmp_" + failed.runId()), List.of());
        assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(JournalEvent.RunAbandoned.class, a -> {
            assertThat(a.operator()).isEqualTo("carol");
            assertThat(a.reason()).isEqualTo("superseded by a fix-forward");
            assertThat(a.cleanupFailures()).isZero();
        });
        assertThat(journal.planLog("mongo-back")).last().isInstanceOfSatisfying(JournalEvent.PlanDecision.class, d -> {
            assertThat(d.decision()).isEqualTo(Decision.ABANDONED);
            assertThat(d.operator()).isEqualTo("carol");
            assertThat(d.reason()).isEqualTo("superseded by a fix-forward");
            assertThat(d.detail()).contains("2 object(s) removed");
        });
        PlanStatus idle = journal.status("mongo-back");
        assertThat(idle.state()).isEqualTo(PlanStatus.State.IDLE);
        assertThat(idle.run(failed.runId())).get().extracting(RunSummary::state).isEqualTo(RunSummary.State.ABANDONED);
        assertThat(Files.readString(abandoned.runDirectory().resolve(IncidentReport.FILE_NAME)))
                .contains("| Outcome | **ABANDONED** |").contains("## Cleanup (run abandoned)")
                .contains("| 4 | restore | collection restore_tmp_" + failed.runId() + " | ok |");

        // an abandoned run is never resumed nor abandoned again; a new run starts
        assertThatThrownBy(() -> runner(journal, "dave").resume(plan, failed.runId())).isInstanceOf(RunNotResumableException.class)
                .hasMessageContaining("was abandoned by carol").hasMessageContaining("Start a new run instead");
        assertThatThrownBy(() -> runner(journal, "dave").abandon(plan, failed.runId(), "again")).isInstanceOf(RunNotResumableException.class)
                .hasMessageContaining("cannot be abandoned");
        failRestore.set(false);
        assertThat(runner(journal, "dave").run(plan).outcome()).isEqualTo(RunOutcome.SUCCEEDED);
    }

    @ParameterizedTest(name = "{0} journal")
    @ValueSource(strings = {"file", "memory"})
    void aSucceededPlanRefusesANewRunUnlessAgainWithAReason(String kind) {
        Journal journal = journal(kind);
        failRestore.set(false);
        RollbackPlan plan = plan("revert-release");
        RunReport first = runner(journal, "alice").run(plan);
        assertThat(first.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(journal.status("revert-release").state()).isEqualTo(PlanStatus.State.SUCCEEDED);
        ran.clear();

        assertThatThrownBy(() -> runner(journal, "bob").reason("alert fired again").run(plan))
                .isInstanceOfSatisfying(RunRefusedException.class, e -> assertThat(e.why()).isEqualTo(RunRefusedException.Why.SUCCEEDED))
                .hasMessageContaining("already succeeded: run " + first.runId()).hasMessageContaining("a revert of the revert")
                .hasMessageContaining("--again --reason TEXT");
        assertThat(ran).isEmpty();
        assertThatThrownBy(() -> runner(journal, "bob").runAgain(plan, "")).isInstanceOf(IllegalArgumentException.class);

        RunReport again = runner(journal, "bob").runAgain(plan, "the release was redeployed by mistake");
        assertThat(again.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(journal.planLog("revert-release")).extracting(e -> ((JournalEvent.PlanDecision) e).decision())
                .containsExactly(Decision.REFUSED_SUCCEEDED, Decision.AGAIN);
        JournalEvent.PlanDecision override = (JournalEvent.PlanDecision) journal.planLog("revert-release").get(1);
        assertThat(override.runId()).isEqualTo(again.runId());
        assertThat(override.operator()).isEqualTo("bob");
        assertThat(override.reason()).isEqualTo("the release was redeployed by mistake");
        assertThat(override.detail()).contains("after run " + first.runId());
        assertThat(journal.status("revert-release").lastSuccess()).get().extracting(RunSummary::runId).isEqualTo(again.runId());
    }

    @ParameterizedTest(name = "{0} journal")
    @ValueSource(strings = {"file", "memory"})
    void aPlanWithAWindowLetsANewRunInOnceTheWindowHasPassed(String kind) {
        Journal journal = journal(kind);
        Instant t0 = Instant.parse("2026-11-25T03:00:00Z");
        RollbackPlan plan = Rollback.plan("nightly-staging-reset").allowNewRunAfter(Duration.ofHours(1))
                .step("reset", c -> ran.add("reset")).build();
        assertThat(plan.describe()).contains("After a success, a new run needs --again --reason TEXT for 1 h 00 min, then runs as usual");
        runner(journal, "cron").clock(Clock.fixed(t0, ZoneOffset.UTC)).run(plan);
        assertThatThrownBy(() -> runner(journal, "cron").clock(Clock.fixed(t0.plus(Duration.ofMinutes(30)), ZoneOffset.UTC)).run(plan))
                .isInstanceOf(RunRefusedException.class).hasMessageContaining("without --again 1 h 00 min after a success, from 2026-11-25T04:00:00Z");
        RunReport later = runner(journal, "cron").clock(Clock.fixed(t0.plus(Duration.ofHours(2)), ZoneOffset.UTC)).run(plan);
        assertThat(later.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(ran).containsExactly("reset", "reset");
    }

    @ParameterizedTest(name = "{0} journal")
    @ValueSource(strings = {"file", "memory"})
    void aRunThatChangedNothingDoesNotBlockANewRun(String kind) {
        Journal journal = journal(kind);
        AtomicBoolean backupOk = new AtomicBoolean(false);
        RollbackPlan plan = Rollback.plan("checks-first")
                .precheck("backup complete", c -> backupOk.get() ? CheckResult.passed("backup complete", 26, 26)
                        : CheckResult.failed("backup complete", 20, 26, "incomplete"))
                .capture("forensics", c -> { })
                .restore(temporaryMaker("restore", true, false))
                .build();
        assertThat(runner(journal, "alice").run(plan).outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(journal.status("checks-first").state()).isEqualTo(PlanStatus.State.IDLE);
        backupOk.set(true);
        // no one to approve: refused up front, nothing changed
        assertThat(Rollback.runner().journal(journal).run(plan).outcome()).isEqualTo(RunOutcome.NEEDS_APPROVAL);
        assertThat(journal.status("checks-first").state()).isEqualTo(PlanStatus.State.IDLE);
        failRestore.set(false);
        assertThat(runner(journal, "alice").run(plan).outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(journal.planLog("checks-first")).isEmpty();
    }

    @ParameterizedTest(name = "{0} journal")
    @ValueSource(strings = {"file", "memory"})
    void aFailedCleanupIsJournaledAndTheOthersStillRun(String kind) {
        Journal journal = journal(kind);
        RollbackPlan plan = Rollback.plan("half-clean")
                .capture("forensics", c -> { })
                .step(temporaryMaker("copy", false, true))
                .restore(temporaryMaker("restore", true, false))
                .build();
        RunReport failed = runner(journal, "alice").run(plan);
        AbandonReport report = runner(journal, "alice").abandon(plan, failed.runId(), "giving up");
        assertThat(report.isClean()).isFalse();
        assertThat(report.steps()).extracting(AbandonReport.CleanedStep::step).containsExactly("restore", "copy", "forensics");
        assertThat(report.steps().get(1).error()).contains("server unreachable while dropping copy_tmp_" + failed.runId());
        assertThat(report.removed()).containsExactly("collection restore_tmp_" + failed.runId());
        List<JournalEvent> events = journal.read("half-clean", failed.runId());
        assertThat(events).filteredOn(JournalEvent.StepCleanedUp.class::isInstance).map(e -> ((JournalEvent.StepCleanedUp) e).error())
                .containsExactly(null, "IllegalStateException: server unreachable while dropping copy_tmp_" + failed.runId(), null);
        assertThat(((JournalEvent.RunAbandoned) events.get(events.size() - 1)).cleanupFailures()).isEqualTo(1);
        assertThat(journal.status("half-clean").state()).isEqualTo(PlanStatus.State.IDLE);
    }

    @ParameterizedTest(name = "{0} journal")
    @ValueSource(strings = {"file", "memory"})
    void aChangedPlanCleansUpTheStepsItStillHasAndNamesTheOthers(String kind) {
        Journal journal = journal(kind);
        RunReport failed = runner(journal, "alice").run(plan("changing"));
        RollbackPlan changed = Rollback.plan("changing")
                .capture("forensics", c -> { })
                .restore(temporaryMaker("restore", true, false))
                .build();
        AbandonReport report = runner(journal, "alice").abandon(changed, failed.runId(), "plan fixed");
        assertThat(report.steps()).extracting(AbandonReport.CleanedStep::step).containsExactly("restore", "copy", "forensics");
        assertThat(report.steps().get(0).removed()).containsExactly("collection restore_tmp_" + failed.runId());
        assertThat(report.steps().get(1).error()).contains("step 'copy' is not in the plan any more").contains("remove what it left by hand");
    }

    @ParameterizedTest(name = "{0} journal")
    @ValueSource(strings = {"file", "memory"})
    void theStatusShowsTheHolderWhileARunIsGoing(String kind) {
        Journal journal = journal(kind);
        AtomicReference<PlanStatus> during = new AtomicReference<>();
        RollbackPlan plan = Rollback.plan("watched").step("look", c -> during.set(journal.status("watched"))).build();
        assertThat(journal.status("watched").state()).isEqualTo(PlanStatus.State.IDLE);
        RunReport report = runner(journal, "alice").run(plan);
        assertThat(during.get().state()).isEqualTo(PlanStatus.State.RUNNING);
        assertThat(during.get().lock()).get().satisfies(l -> {
            assertThat(l.holder().runId()).isEqualTo(report.runId());
            assertThat(l.holder().operator()).isEqualTo("alice");
            assertThat(l.holder().pid()).isEqualTo(ProcessHandle.current().pid());
        });
        PlanStatus after = journal.status("watched");
        assertThat(after.state()).isEqualTo(PlanStatus.State.SUCCEEDED);
        assertThat(after.lock()).isEmpty();
        assertThat(journal.planNames()).containsExactly("watched");
        assertThat(after.describe()).contains("plan 'watched': SUCCEEDED").contains("last success: run " + report.runId());
    }

    @ParameterizedTest(name = "{0} journal")
    @ValueSource(strings = {"file", "memory"})
    void aJournalWithoutLeasesRefusesToBreakALock(String kind) {
        Journal journal = journal(kind);
        RollbackPlan plan = Rollback.plan("locked").step("a", c -> { }).build();
        assertThatThrownBy(() -> runner(journal, "alice").breakLock(plan, "stuck"))
                .isInstanceOf(dev.rollback.core.journal.LockNotBreakableException.class)
                .hasMessageContaining("Cannot break the lock of plan 'locked'").hasMessageContaining("holds no leases");
    }

    @ParameterizedTest(name = "{0} journal")
    @ValueSource(strings = {"file", "memory"})
    void aResumeNeverTakesACaptureAgainOnceADestructiveStepStarted(String kind) throws Exception {
        Journal journal = journal(kind);
        Path live = Files.writeString(dir.resolve("live-" + kind + ".txt"), "pre-rollback data");
        List<String> captures = new ArrayList<>();
        RollbackPlan plan = Rollback.plan("capture-once")
                .capture("forensic dump", c -> {
                    captures.add(Files.readString(live));
                    Files.writeString(c.runDirectory().resolve("dump.txt"), Files.readString(live));
                    c.output("forensics.dump", "dump.txt");
                })
                .restore(new Step() {
                    public String name() { return "swap"; }
                    public boolean destructive() { return true; }
                    public void execute(StepContext c) throws Exception {
                        Files.writeString(live, "restored from backup");
                        if (failRestore.get()) {
                            throw new IllegalStateException("killed between the renames");
                        }
                    }
                })
                .step("report", c -> ran.add("report " + c.requireOutput("forensics.dump")))
                .build();
        RunReport failed = runner(journal, "alice").run(plan);
        assertThat(failed.outcome()).isEqualTo(RunOutcome.FAILED);
        failRestore.set(false);
        RunReport resumed = runner(journal, "bob").resume(plan, failed.runId());
        assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(captures).containsExactly("pre-rollback data");
        assertThat(Files.readString(resumed.runDirectory().resolve("dump.txt"))).isEqualTo("pre-rollback data");
        assertThat(ran).containsExactly("report dump.txt");
        assertThat(resumed.step("forensic dump")).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(StepResult.Status.SKIPPED);
            assertThat(r.outputs()).containsEntry("forensics.dump", "dump.txt");
        });
        assertThat(journal.read("capture-once", failed.runId())).filteredOn(JournalEvent.StepSkipped.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((JournalEvent.StepSkipped) e).reason()).contains("capture already taken in this run before a "
                        + "destructive step started; its files and outputs stand as journaled"));
    }

    @ParameterizedTest(name = "{0} journal")
    @ValueSource(strings = {"file", "memory"})
    void aCaptureIsTakenAgainWhenNothingWasDestroyedYet(String kind) {
        Journal journal = journal(kind);
        AtomicBoolean failStop = new AtomicBoolean(true);
        RollbackPlan plan = Rollback.plan("capture-again")
                .capture("sample", c -> ran.add("sample"))
                .step("stop app", c -> {
                    if (failStop.get()) {
                        throw new IllegalStateException("systemctl timed out");
                    }
                })
                .restore(destructive())
                .build();
        runner(journal, "alice").run(plan);
        failStop.set(false);
        assertThat(runner(journal, "alice").resume(plan, journal.runIds("capture-again").get(0)).outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(ran).containsExactly("sample", "sample", "restore");
    }

    @ParameterizedTest(name = "{0} journal")
    @ValueSource(strings = {"file", "memory"})
    void filesAStepWritesAreJournaledWithSizeAndHashAndAResumeNamesThoseItCannotSee(String kind) throws Exception {
        Journal journal = journal(kind);
        RollbackPlan plan = Rollback.plan("forensics")
                .capture("schema dump", c -> {
                    Files.createDirectories(c.runDirectory().resolve("forensics"));
                    Files.writeString(c.runDirectory().resolve("forensics/schema.sql"), "CREATE TABLE users (id int);\n");
                })
                .restore(temporaryMaker("restore", true, false))
                .build();
        RunReport failed = runner(journal, "alice").run(plan);
        List<JournalEvent> events = journal.read("forensics", failed.runId());
        assertThat(events).filteredOn(JournalEvent.FileCaptured.class::isInstance).singleElement()
                .isInstanceOfSatisfying(JournalEvent.FileCaptured.class, f -> {
                    assertThat(f.path()).isEqualTo("forensics/schema.sql");
                    assertThat(f.size()).isEqualTo(29);
                    assertThat(f.sha256()).isEqualTo(sha256("CREATE TABLE users (id int);\n"));
                    assertThat(f.step()).isEqualTo("schema dump");
                });
        // the step's file is recorded before its end is
        int captured = indexOf(events, JournalEvent.FileCaptured.class);
        assertThat(captured).isLessThan(indexOf(events, JournalEvent.StepFinished.class));

        // another machine: the run folder is not there
        Path runDir = journal.runDirectory("forensics", failed.runId());
        Files.delete(runDir.resolve("forensics/schema.sql"));
        failRestore.set(false);
        RunReport resumed = runner(journal, "bob").resume(plan, failed.runId());
        assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(journal.read("forensics", failed.runId())).filteredOn(JournalEvent.CapturedFilesMissing.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((JournalEvent.CapturedFilesMissing) e).problems()).singleElement().asString()
                        .contains("forensics/schema.sql: missing here (29 bytes, SHA-256 " + sha256("CREATE TABLE users (id int);\n")));
        assertThat(Files.readString(runDir.resolve(IncidentReport.FILE_NAME))).contains("## Captured files")
                .contains("| forensics/schema.sql | 29 bytes |").contains("without these files");
    }

    private Step destructive() {
        return new Step() {
            public String name() { return "restore"; }
            public boolean destructive() { return true; }
            public void execute(StepContext c) { ran.add("restore"); }
        };
    }

    private static int indexOf(List<JournalEvent> events, Class<?> type) {
        for (int i = 0; i < events.size(); i++) {
            if (type.isInstance(events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String sha256(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
