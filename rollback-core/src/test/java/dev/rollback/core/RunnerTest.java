package dev.rollback.core;

import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunnerTest {
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final InMemoryJournal journal = InMemoryJournal.create();

    private Step record(String name) {
        return Step.of(name, c -> ran.add(name));
    }

    private Step destructive(String name, String target) {
        return new Step() {
            public String name() { return name; }
            public void execute(StepContext c) { ran.add(name); }
            public boolean destructive() { return true; }
            public String confirmationTarget() { return target; }
        };
    }

    @Test
    void runsStepsInOrderAndJournalsEachBeforeAndAfter() {
        RollbackPlan plan = Rollback.plan("order").step(record("a")).step(record("b")).checkpoint("cp").step(record("c")).build();
        RunReport report = Rollback.runner().journal(journal).run(plan);

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(ran).containsExactly("a", "b", "c");
        assertThat(report.steps()).extracting(StepResult::status).containsOnly(StepResult.Status.SUCCEEDED);
        List<JournalEvent> events = journal.read("order", report.runId());
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly(
                "RunStarted", "StepStarted", "StepFinished", "StepStarted", "StepFinished", "StepStarted", "StepFinished",
                "CheckpointReached", "StepStarted", "StepFinished", "RunFinished");
        assertThat(((JournalEvent.RunStarted) events.get(0)).fingerprint()).isEqualTo(plan.fingerprint());
    }

    @Test
    void stepsSeeOutputsOfEarlierSteps() {
        RollbackPlan plan = Rollback.plan("outputs")
                .step("choose backup", c -> c.output("backup.path", "/backups/production-2026-11-24"))
                .step("restore", c -> ran.add("restore " + c.requireOutput("backup.path")))
                .build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        assertThat(ran).containsExactly("restore /backups/production-2026-11-24");
        assertThat(report.outputs()).containsEntry("backup.path", "/backups/production-2026-11-24");
        assertThat(report.step("choose backup")).get().extracting(StepResult::outputs)
                .isEqualTo(java.util.Map.of("backup.path", "/backups/production-2026-11-24"));
    }

    @Test
    void aMissingOutputFailsTheStepWithTheKeyNamed() {
        RollbackPlan plan = Rollback.plan("missing").step("restore", c -> c.requireOutput("backup.path")).build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(report.failure().message()).contains("No step published the output 'backup.path'");
    }

    @Test
    void aListenerThatThrowsInEveryCallStopsNothing() {
        RunListener broken = new RunListener() {
            @Override
            public void runStarting(RollbackPlan plan, String runId, boolean resumed) {
                throw new IllegalStateException("starting");
            }

            @Override
            public void event(RollbackPlan plan, JournalEvent event) {
                throw new IllegalStateException("event");
            }

            @Override
            public void approvalRequested(RollbackPlan plan, PlannedStep step) {
                throw new IllegalStateException("approval");
            }

            @Override
            public void progress(PlannedStep step, String message) {
                throw new IllegalStateException("progress");
            }

            @Override
            public void runFinished(RunReport report) {
                throw new IllegalStateException("finished");
            }
        };
        RollbackPlan plan = Rollback.plan("noisy").withoutCapture("test")
                .step("work", c -> c.progress("half way"))
                .restore(destructive("restore", "db"))
                .build();
        RunReport report = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ops")).listener(broken).run(plan);

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(ran).containsExactly("restore");
        assertThat(journal.read("noisy", report.runId())).last().isInstanceOf(JournalEvent.RunFinished.class);
    }

    @Test
    void timeoutInterruptsTheStepAndStopsTheRun() {
        AtomicBoolean interrupted = new AtomicBoolean();
        RollbackPlan plan = Rollback.plan("timeout")
                .step("hangs", c -> {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                        throw e;
                    }
                }, StepOptions.defaults().timeout(Duration.ofMillis(200)))
                .step(record("after"))
                .build();
        RunReport report = Rollback.runner().journal(journal).run(plan);

        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(interrupted).isTrue();
        assertThat(ran).isEmpty();
        assertThat(report.failure().step()).isEqualTo("hangs");
        assertThat(report.failure().message()).contains("timed out after 200 ms and was interrupted");
        assertThat(report.failure().exception()).isInstanceOfSatisfying(StepTimeoutException.class,
                e -> assertThat(e.stillRunning()).isFalse());
        assertThat(report.step("after")).get().extracting(StepResult::status).isEqualTo(StepResult.Status.NOT_RUN);
    }

    @Test
    void aStepThatIgnoresInterruptionStopsTheRunEvenUnderContinue() {
        CountDownLatchStep stubborn = new CountDownLatchStep();
        RollbackPlan plan = Rollback.plan("stubborn")
                .step(stubborn, StepOptions.defaults().timeout(Duration.ofMillis(100)).onFailure(FailurePolicy.CONTINUE))
                .step(record("after"))
                .build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        stubborn.release();
        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(report.failure().message()).contains("may still be running in the background");
        // The runner stops on the exception's field, not on the text of its message.
        assertThat(report.failure().code()).isEqualTo(StepTimeoutException.CODE);
        assertThat(report.failure().exception()).isInstanceOfSatisfying(StepTimeoutException.class,
                e -> assertThat(e.stillRunning()).isTrue());
        assertThat(ran).isEmpty();
    }

    /** Ignores interruption for longer than the runner's grace period. */
    static final class CountDownLatchStep implements Step {
        private volatile boolean released;

        public String name() { return "ignores interrupts"; }

        public void execute(StepContext c) {
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!released && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        }

        void release() { released = true; }
    }

    @Test
    void retriesWithBackoffUntilTheStepSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        RollbackPlan plan = Rollback.plan("retry")
                .step("flaky", c -> {
                    if (calls.incrementAndGet() < 3) {
                        throw new IllegalStateException("connection refused (attempt " + calls.get() + ")");
                    }
                }, StepOptions.defaults().retry(Retry.times(5).delay(Duration.ofMillis(10)).backoff(2.0)))
                .build();
        RunReport report = Rollback.runner().journal(journal).run(plan);

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(calls).hasValue(3);
        assertThat(report.step("flaky").orElseThrow().attempts()).isEqualTo(3);
        List<JournalEvent> events = journal.read("retry", report.runId());
        assertThat(events).filteredOn(JournalEvent.StepFailed.class::isInstance).hasSize(2)
                .allSatisfy(e -> assertThat(((JournalEvent.StepFailed) e).willRetry()).isTrue());
    }

    @Test
    void backoffGrowsAndIsCapped() {
        Retry r = Retry.times(6).delay(Duration.ofSeconds(1)).backoff(2.0).maxDelay(Duration.ofSeconds(5));
        assertThat(List.of(r.delayAfter(1), r.delayAfter(2), r.delayAfter(3), r.delayAfter(4)))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5));
        assertThatThrownBy(() -> Retry.times(0)).hasMessageContaining("attempts must be at least 1");
    }

    @Test
    void retriesRunOutAndTheRunStopsWithTheLastError() {
        RollbackPlan plan = Rollback.plan("exhausted")
                .step("always fails", c -> { throw new IllegalStateException("disk full"); },
                        StepOptions.defaults().retry(Retry.times(3)))
                .step(record("next"))
                .build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(report.failure().message()).isEqualTo("IllegalStateException: disk full (after 3 attempts)");
        assertThat(ran).isEmpty();
    }

    @Test
    void continuePolicyRecordsTheFailureAndGoesOn() {
        RollbackPlan plan = Rollback.plan("continue")
                .step("smoke test", c -> { throw new IllegalStateException("search is slow"); },
                        StepOptions.defaults().onFailure(FailurePolicy.CONTINUE))
                .step(record("after"))
                .build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED_WITH_WARNINGS);
        assertThat(report.isSuccess()).isTrue();
        assertThat(ran).containsExactly("after");
        assertThat(report.steps(StepResult.Status.FAILED)).extracting(StepResult::name).containsExactly("smoke test");
    }

    @Test
    void failingNotificationDoesNotFailTheRollbackUnlessThePlanSaysSo() {
        Notifier broken = new Notifier() {
            public String name() { return "slack"; }
            public void send(Notification n) { throw new IllegalStateException("webhook answered 500"); }
        };
        RunReport lenient = Rollback.runner().journal(journal)
                .run(Rollback.plan("n1").notify(broken, "Rollback ${plan} started (${runId})").step(record("a")).build());
        assertThat(lenient.outcome()).isEqualTo(RunOutcome.SUCCEEDED_WITH_WARNINGS);
        assertThat(ran).containsExactly("a");

        RunReport strict = Rollback.runner().journal(journal)
                .run(Rollback.plan("n2").notify(broken, "x", StepOptions.defaults().onFailure(FailurePolicy.ABORT)).step(record("b")).build());
        assertThat(strict.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(ran).containsExactly("a");
    }

    @Test
    void notificationsExpandRunVariablesAndOutputs() {
        List<Notifier.Notification> sent = new CopyOnWriteArrayList<>();
        Notifier capture = new Notifier() {
            public String name() { return "capture"; }
            public void send(Notification n) { sent.add(n); }
        };
        RunReport r = Rollback.runner().journal(journal).run(Rollback.plan("vars")
                .step("pick", c -> c.output("backup.path", "/b/1"))
                .notify(capture, "Plan ${plan}, run ${runId}, backup ${backup.path}").build());
        assertThat(sent).singleElement().extracting(Notifier.Notification::message)
                .isEqualTo("Plan vars, run " + r.runId() + ", backup /b/1");
    }

    @Test
    void verifyRetriesAFailingCheckAndRecordsResults() {
        AtomicInteger polls = new AtomicInteger();
        RollbackPlan plan = Rollback.plan("verify")
                .verify(Check.of("health", c -> polls.incrementAndGet() < 3
                                ? CheckResult.failed("health", "503", "200", "not ready") : CheckResult.passed("health", "200", "200")),
                        StepOptions.defaults().retry(Retry.times(10).delay(Duration.ofMillis(5))))
                .build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(report.step("health").orElseThrow().checks()).singleElement()
                .satisfies(c -> assertThat(c.isPassed()).isTrue());

        RunReport failed = Rollback.runner().journal(journal).run(Rollback.plan("verify-fails")
                .verify(Check.of("rows", c -> CheckResult.failed("rows", 10, ">= 26", "backup incomplete"))).build());
        assertThat(failed.failure().message()).contains("rows: FAILED (measured 10, expected >= 26) - backup incomplete");
    }

    @Test
    void aFailedPrecheckTouchesNothing() {
        RollbackPlan plan = Rollback.plan("precheck")
                .precheck("backup complete", c -> CheckResult.failed("backup complete", 20, ">= 26", "backup may be incomplete"))
                .capture("dump", c -> ran.add("dump"))
                .restore(destructive("restore", "nextcrm"))
                .build();
        RunReport report = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ops")).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(ran).isEmpty();
        assertThat(report.failure().stateLeftBehind()).contains("Done: nothing.").contains("Not run: 2 'dump', 3 'restore'");
    }

    @Test
    void failureReportNamesTheStepTheStateLeftBehindAndTheResumeCall() {
        RollbackPlan plan = Rollback.plan("fails")
                .step(record("stop"))
                .checkpoint("stopped")
                .step("restore", c -> { throw new IllegalStateException("pg_restore exited 1"); })
                .step(record("start"))
                .build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        RunReport.Failure f = report.failure();
        assertThat(f.step()).isEqualTo("restore");
        assertThat(f.index()).isEqualTo(3);
        assertThat(f.stateLeftBehind()).contains("Done: 1 'stop', 2 'stopped'.")
                .contains("Last checkpoint: 'stopped' (step 2); a resume restarts after it.")
                .contains("Not run: 4 'start'.");
        assertThat(f.resumeCommand()).contains(".resume(plan, \"" + report.runId() + "\")");
        assertThatThrownBy(report::orThrow).isInstanceOf(RunFailedException.class)
                .hasMessageContaining("at step 3 'restore': IllegalStateException: pg_restore exited 1")
                .hasMessageContaining("Resume with:");
    }

    @Test
    void outputsOfAFailedStepAreKeptAsEvidence() {
        RollbackPlan plan = Rollback.plan("evidence")
                .verify(Check.of("foreign keys valid", c -> {
                    c.output("postgres.fk.orphans", "crm_contacts_account_id_fkey=3");
                    return CheckResult.failed("foreign keys valid", 3, 0, "3 orphaned rows");
                }))
                .build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        assertThat(report.step("foreign keys valid").orElseThrow().outputs()).containsEntry("postgres.fk.orphans", "crm_contacts_account_id_fkey=3");
        assertThat(report.outputs()).doesNotContainKey("postgres.fk.orphans");
        assertThat(journal.read("evidence", report.runId())).filteredOn(JournalEvent.StepFailed.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((JournalEvent.StepFailed) e).outputs()).containsEntry("postgres.fk.orphans", "crm_contacts_account_id_fkey=3"));
        assertThat(journal.lines("evidence", report.runId())).anySatisfy(l -> assertThat(l).contains("\"outputs\":{\"postgres.fk.orphans\""));
    }

    @Test
    void theLatestRunIsTheOneThatStartedLastEvenWithinOneSecond() {
        java.util.List<String> ids = new java.util.ArrayList<>();
        RollbackRunner runner = Rollback.runner().journal(journal);
        RollbackPlan plan = Rollback.plan("same-second").step(record("a")).build();
        ids.add(runner.run(plan).runId());
        for (int i = 1; i < 12; i++) {
            ids.add(runner.runAgain(plan, "drill " + i).runId());   // a plan that succeeded needs --again
        }
        assertThat(runner.latestRun(plan)).contains(ids.get(ids.size() - 1));
    }

    @Test
    void dryRunRunsNothingAndWritesNoJournal() {
        RollbackPlan plan = Rollback.plan("dry").capture(record("dump")).restore(destructive("restore", "db")).build();
        RunReport report = Rollback.runner().journal(journal).dryRun(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.DRY_RUN);
        assertThat(ran).isEmpty();
        assertThat(journal.runIds("dry")).isEmpty();
        assertThat(report.steps()).extracting(StepResult::status).containsOnly(StepResult.Status.NOT_RUN);
    }

    @Test
    void withoutConfirmationsARunNeedingApprovalStopsBeforeItChangesAnything() {
        RollbackPlan plan = Rollback.plan("noconfirm").capture(record("dump")).restore(destructive("restore", "nextcrm")).step(record("after")).build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.NEEDS_APPROVAL);
        assertThat(ran).isEmpty();
        assertThat(report.steps()).extracting(StepResult::status).containsOnly(StepResult.Status.NOT_RUN);
        assertThat(report.failure().stateLeftBehind()).contains("Done: nothing.").contains("nothing was changed");
        assertThat(report.failure().message()).contains("step 'restore' is destructive and this run has no way to ask for approval");
        assertThat(journal.read("noconfirm", report.runId())).filteredOn(JournalEvent.ApprovalRefused.class::isInstance).hasSize(1);
    }

    @Test
    void approvalsWhenReachedRunsUpToTheDestructiveStep() {
        RollbackPlan plan = Rollback.plan("late").capture(record("dump")).restore(destructive("restore", "nextcrm")).step(record("after")).build();
        RunReport report = Rollback.runner().journal(journal).approvalsWhenReached().run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.NEEDS_APPROVAL);
        assertThat(ran).containsExactly("dump");
        assertThat(report.failure().stateLeftBehind()).contains("Done: 1 'dump'.");
    }

    @Test
    void everyApprovalIsAskedBeforeTheFirstStepAndNotAgain() {
        List<String> asked = new CopyOnWriteArrayList<>();
        Confirmations recording = r -> {
            asked.add(r.step().name() + " after " + ran);
            return Confirmations.Approval.approved("ops", "test");
        };
        RollbackPlan plan = Rollback.plan("upfront").capture(record("dump")).restore(destructive("restore a", "a"))
                .step(record("middle")).restore(destructive("restore b", "b")).build();
        RunReport report = Rollback.runner().journal(journal).confirmations(recording).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(asked).containsExactly("restore a after []", "restore b after []");
        assertThat(ran).containsExactly("dump", "restore a", "middle", "restore b");
    }

    @Test
    void autoApproveNamesTheApproverInTheJournal() {
        RollbackPlan plan = Rollback.plan("auto").capture(record("dump")).restore(destructive("restore", "nextcrm")).build();
        RunReport report = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("oncall@example.com")).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(journal.read("auto", report.runId())).filteredOn(JournalEvent.ApprovalGranted.class::isInstance)
                .singleElement().satisfies(e -> {
                    JournalEvent.ApprovalGranted g = (JournalEvent.ApprovalGranted) e;
                    assertThat(g.approver()).isEqualTo("oncall@example.com");
                    assertThat(g.method()).isEqualTo("auto-approve");
                    assertThat(g.step()).isEqualTo("restore");
                });
    }

    @Test
    void consoleApprovesWhenTheOperatorTypesTheTarget() {
        ByteArrayOutputStream prompt = new ByteArrayOutputStream();
        Confirmations console = Confirmations.console(new BufferedReader(new StringReader("nextcrm\n")),
                new PrintStream(prompt, true, StandardCharsets.UTF_8));
        RollbackPlan plan = Rollback.plan("console").capture(record("dump")).restore(destructive("restore", "nextcrm")).build();
        RunReport report = Rollback.runner().journal(journal).confirmations(console).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(prompt.toString(StandardCharsets.UTF_8)).contains("DESTRUCTIVE STEP 2: restore").contains("Type 'nextcrm' to go on");
    }

    @Test
    void consoleRefusesWhenTheOperatorTypesAnythingElse() {
        Confirmations console = Confirmations.console(new BufferedReader(new StringReader("yes\n")), new PrintStream(new ByteArrayOutputStream()));
        RollbackPlan plan = Rollback.plan("console-no").capture(record("dump")).restore(destructive("restore", "nextcrm")).build();
        RunReport report = Rollback.runner().journal(journal).confirmations(console).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.REFUSED);
        assertThat(report.failure().message()).contains("typed 'yes' instead of 'nextcrm'");
        assertThat(ran).isEmpty();
    }

    @Test
    void consoleWithClosedStandardInputNeverWaits() {
        Confirmations console = Confirmations.console(new BufferedReader(new StringReader("")), new PrintStream(new ByteArrayOutputStream()));
        RollbackPlan plan = Rollback.plan("console-eof").capture(record("dump")).restore(destructive("restore", "nextcrm")).build();
        RunReport report = Rollback.runner().journal(journal).confirmations(console).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.NEEDS_APPROVAL);
        assertThat(report.failure().message()).contains("standard input is closed").contains("--yes NAME");
    }

    @Test
    void listenersSeeEveryEventAndProgressAndAThrowingListenerIsIgnored() {
        List<String> seen = new CopyOnWriteArrayList<>();
        RunListener recording = new RunListener() {
            public void event(RollbackPlan p, JournalEvent e) { seen.add(e.getClass().getSimpleName()); }
            public void progress(PlannedStep s, String m) { seen.add("progress " + m); }
            public void runFinished(RunReport r) { seen.add("finished " + r.outcome()); }
        };
        RunListener throwing = new RunListener() {
            public void event(RollbackPlan p, JournalEvent e) { throw new IllegalStateException("listener bug"); }
        };
        RunReport r = Rollback.runner().journal(journal).listener(throwing).listener(recording)
                .run(Rollback.plan("listen").step("long", c -> c.progress("half done")).build());
        assertThat(r.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(seen).containsExactly("RunStarted", "StepStarted", "progress half done", "StepFinished", "RunFinished",
                "finished SUCCEEDED");
    }

    @Test
    void consoleProgressShowsStepsPhasesAndBudgets() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        RollbackPlan plan = Rollback.plan("progress")
                .phase("Phase 1: prepare", Duration.ofMinutes(5), p -> p.step(record("a")).step("b", c -> c.progress("copying 3 of 5")))
                .phase("Phase 2: tiny", Duration.ofMillis(1), p -> p.step("slow", c -> Thread.sleep(30)))
                .build();
        Rollback.runner().journal(journal).listener(ConsoleProgress.to(new PrintStream(buf, true, StandardCharsets.UTF_8))).run(plan);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("Run ").contains("of plan 'progress' (3 steps")
                .contains("== Phase 1: prepare (budget 5 min 00 s)")
                .contains("[1/3] action       a")
                .contains("... copying 3 of 5")
                .containsPattern("== Phase 1: prepare took \\d+ ms of 5 min 00 s\\n")
                .contains("OVER BUDGET")
                .contains("SUCCEEDED in");
    }

    @Test
    void reportComparesPhaseTimeWithBudget() {
        RollbackPlan plan = Rollback.plan("phases")
                .phase("quick", Duration.ofMinutes(1), p -> p.step(record("a")))
                .phase("slow", Duration.ofMillis(1), p -> p.step("b", c -> Thread.sleep(20)))
                .build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        assertThat(report.phases()).extracting(RunReport.PhaseResult::name, RunReport.PhaseResult::isOverBudget)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("quick", false), org.assertj.core.groups.Tuple.tuple("slow", true));
    }

    @Test
    void secretsInFailuresNeverReachTheJournalOrReport() {
        Secret pw = Secret.of("Sup3r-Secret-PW");
        RollbackPlan plan = Rollback.plan("secret")
                .step("connect", c -> { throw new IllegalStateException("auth failed for postgresql://app:" + pw.reveal() + "@db/x with " + pw.reveal()); })
                .build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        assertThat(report.failure().message()).doesNotContain("Sup3r-Secret-PW").contains("postgresql://app:******@db/x");
        assertThat(String.join("\n", journal.lines("secret", report.runId()))).doesNotContain("Sup3r-Secret-PW");
    }

    @Test
    void everyRunWritesAnIncidentReportIntoItsRunFolder() throws Exception {
        RunReport report = Rollback.runner().journal(journal).run(Rollback.plan("report").step(record("a")).build());
        String md = Files.readString(report.runDirectory().resolve("incident-report.md"));
        assertThat(md).contains("# Incident report: rollback 'report', run " + report.runId()).contains("**SUCCEEDED**");
    }

    @Test
    void aStepRemembersWhatItResolvedAcrossRetriesAndResumesAndEachStepHasItsOwnMemory() {
        AtomicInteger head = new AtomicInteger(100);        // a moving input: HEAD moves on every read
        AtomicBoolean fail = new AtomicBoolean(true);
        RollbackPlan plan = Rollback.plan("memory")
                .step("other", c -> c.remember("git.head", "not yours"))
                .checkpoint("cp")
                .step("revert", c -> {
                    String resolved = c.resolveOnce("git.head", () -> String.valueOf(head.getAndIncrement()));
                    ran.add("revert " + resolved + " " + c.memory());
                    if (fail.get()) {
                        throw new IllegalStateException("conflict");
                    }
                }, StepOptions.defaults().retry(Retry.times(2).delay(Duration.ofMillis(1))))
                .build();

        RunReport failed = Rollback.runner().journal(journal).run(plan);
        assertThat(failed.outcome()).isEqualTo(RunOutcome.FAILED);
        fail.set(false);
        RunReport resumed = Rollback.runner().journal(journal).resume(plan, failed.runId());

        assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(ran).containsExactly("revert 100 {git.head=100}", "revert 100 {git.head=100}", "revert 100 {git.head=100}");
        assertThat(head).hasValue(101);
        List<JournalEvent.StepMemory> remembered = journal.read("memory", failed.runId()).stream()
                .filter(JournalEvent.StepMemory.class::isInstance).map(JournalEvent.StepMemory.class::cast).toList();
        assertThat(remembered).extracting(JournalEvent.StepMemory::step, JournalEvent.StepMemory::key, JournalEvent.StepMemory::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("other", "git.head", "not yours"),
                        org.assertj.core.groups.Tuple.tuple("revert", "git.head", "100"));
    }

    @Test
    void aRememberedValueIsDurableBeforeTheStepGoesOn() {
        List<String> journaledWhenStepWentOn = new CopyOnWriteArrayList<>();
        RollbackPlan plan = Rollback.plan("durable")
                .step("swap", c -> {
                    c.remember("swap.next", "rename live to before");
                    journal.read("durable", c.runId()).stream().filter(JournalEvent.StepMemory.class::isInstance)
                            .forEach(e -> journaledWhenStepWentOn.add(((JournalEvent.StepMemory) e).value()));
                })
                .build();
        Rollback.runner().journal(journal).run(plan);
        assertThat(journaledWhenStepWentOn).containsExactly("rename live to before");
    }

    @Test
    void aNewRunStartsWithAnEmptyMemory() {
        List<String> seen = new CopyOnWriteArrayList<>();
        RollbackPlan plan = Rollback.plan("fresh").step("s", c -> {
            seen.add(String.valueOf(c.recall("k").orElse("none")));
            c.remember("k", "v");
        }).build();
        Rollback.runner().journal(journal).run(plan);
        Rollback.runner().journal(journal).runAgain(plan, "the first run's fix was reverted");
        assertThat(seen).containsExactly("none", "none");
    }
}
