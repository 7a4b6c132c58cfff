package dev.rollback.core;

import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.PlanStatus;
import dev.rollback.core.journal.RunSummary;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** onFailure and always, at plan and phase level: journaled, once per ending, never re-running the step that failed. */
class HandlersTest {
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final InMemoryJournal journal = InMemoryJournal.create();
    private final AtomicBoolean restoreFails = new AtomicBoolean(true);

    private final Notifier team = new Notifier() {
        @Override
        public String name() {
            return "team";
        }

        @Override
        public void send(Notification notification) {
            sent.add(notification.message());
        }
    };

    private final AppControl app = new AppControl() {
        @Override
        public String name() {
            return "app";
        }

        @Override
        public void stop(StepContext context) {
            ran.add("stop app");
        }

        @Override
        public void start(StepContext context) {
            ran.add("start app");
        }
    };

    private Step record(String name) {
        return Step.of(name, c -> ran.add(name));
    }

    private RollbackPlan plan() {
        return Rollback.plan("handled")
                .onFailure(h -> h.notify(team, "FAILED at ${failure.step} (${failure.code}): ${failure.message}\n${failure.state}"))
                .always(h -> h.step(record("status page")))
                .phase("stop", Duration.ofMinutes(1), p -> p
                        .stopApp(app)
                        .checkpoint("stopped")
                        .always(h -> h.step(record("stop phase done"))))
                .phase("restore", Duration.ofMinutes(5), p -> p
                        .step("restore", c -> {
                            ran.add("restore");
                            if (restoreFails.get()) {
                                throw new IllegalStateException("pg_restore exited 1");
                            }
                        })
                        .step(record("after restore"))
                        .onFailure(h -> h.startApp(app, StepOptions.defaults().name("start the app again")))
                        .always(h -> h.step(record("restore phase done"))))
                .step(record("last"))
                .build();
    }

    private List<String> startedInRun(String runId) {
        return journal.read("handled", runId).stream().filter(JournalEvent.StepStarted.class::isInstance)
                .map(e -> ((JournalEvent.StepStarted) e).step()).toList();
    }

    @Test
    void aFailureRunsThePhasesHandlersThenThePlansOnceEachAndNeverTheFailedStepAgain() {
        RunReport report = Rollback.runner().journal(journal).run(plan());

        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(ran).containsExactly("stop app", "stop phase done", "restore", "start app", "restore phase done", "status page");
        assertThat(startedInRun(report.runId())).containsExactly("stop app", "stopped", "(always) stop phase done", "restore",
                "(on failure) start the app again", "(always) restore phase done", "(on failure) notify team: FAILED at ${failure.step} (${failure....",
                "(always) status page");
        assertThat(report.handlers()).extracting(StepResult::name).containsExactly("(always) stop phase done",
                "(on failure) start the app again", "(always) restore phase done",
                "(on failure) notify team: FAILED at ${failure.step} (${failure....", "(always) status page");
        assertThat(report.handlers()).extracting(StepResult::status).containsOnly(StepResult.Status.SUCCEEDED);
        // The handlers are journaled after the plan's last step, and the failure stays the step's.
        int steps = plan().steps().size();
        assertThat(journal.read("handled", report.runId()).stream().filter(JournalEvent.StepStarted.class::isInstance)
                .map(e -> ((JournalEvent.StepStarted) e).index()).filter(i -> i > steps)).hasSize(5);
        assertThat(report.failure().step()).isEqualTo("restore");
        assertThat(report.step("after restore")).get().extracting(StepResult::status).isEqualTo(StepResult.Status.NOT_RUN);
        assertThat(sent).singleElement().satisfies(m -> assertThat(m)
                .startsWith("FAILED at restore (step.failed): IllegalStateException: pg_restore exited 1")
                .contains("Last checkpoint: 'stopped'").contains("Stopped at: 3 'restore'"));
        // The plan's state names the step that failed, not a handler.
        RunSummary summary = journal.status("handled").interrupted().get(0);
        assertThat(summary.stoppedAt()).isEqualTo("3 'restore'");
    }

    @Test
    void aSuccessRunsEachPhasesAlwaysHandlersWhenThePhaseIsLeftAndNoFailureHandler() {
        restoreFails.set(false);
        RunReport report = Rollback.runner().journal(journal).run(plan());

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(ran).containsExactly("stop app", "stop phase done", "restore", "after restore", "restore phase done", "last",
                "status page");
        assertThat(sent).isEmpty();
        assertThat(report.phases()).allSatisfy(p -> assertThat(p.actual()).isNotNull());
    }

    @Test
    void aResumeRepeatsNoHandlerOfTheEarlierEndingStopsTheAppTheHandlerStartedAndRunsAlwaysAgainAtItsEnd() {
        RunReport failed = Rollback.runner().journal(journal).run(plan());
        ran.clear();
        restoreFails.set(false);

        RunReport resumed = Rollback.runner().journal(journal).resume(plan(), failed.runId());

        assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        // The failure handler started the app; the checkpoint stood on it being stopped, so it is stopped again first.
        assertThat(ran).containsExactly("stop app", "restore", "after restore", "restore phase done", "last", "status page");
        assertThat(resumed.step("stop app")).get().extracting(StepResult::status).isEqualTo(StepResult.Status.SUCCEEDED);
        assertThat(sent).hasSize(1);   // the team heard of the failure once; the resume did not tell them again
        List<String> all = startedInRun(failed.runId());
        assertThat(all.stream().filter(n -> n.startsWith("(on failure) notify"))).hasSize(1);
        assertThat(all.stream().filter(n -> n.equals("(always) status page"))).hasSize(2);   // once per ending
        assertThat(all.stream().filter(n -> n.equals("restore"))).hasSize(2);
        assertThat(journal.status("handled").state()).isEqualTo(PlanStatus.State.SUCCEEDED);
    }

    @Test
    void aResumeThatFailsAgainNotifiesAgain() {
        RunReport failed = Rollback.runner().journal(journal).run(plan());
        Rollback.runner().journal(journal).resume(plan(), failed.runId());
        assertThat(sent).hasSize(2);
    }

    @Test
    void aFailingHandlerIsRecordedAndTheNextOneRuns() {
        RollbackPlan plan = Rollback.plan("handler-fails")
                .step(record("work"))
                .always(h -> h.step("broken status page", c -> { throw new IllegalStateException("status page is read-only"); })
                        .step(record("close incident")))
                .build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED_WITH_WARNINGS);
        assertThat(ran).containsExactly("work", "close incident");
        assertThat(report.handlers()).extracting(StepResult::status).containsExactly(StepResult.Status.FAILED, StepResult.Status.SUCCEEDED);
        assertThat(report.handlers().get(0).errorCode()).contains("step.failed");
    }

    @Test
    void aRefusedApprovalRunsThePlansHandlersWithItsCodeAndNoPhasesHandler() {
        RollbackPlan plan = Rollback.plan("refused").withoutCapture("drill")
                .onFailure(h -> h.notify(team, "${failure.code} at ${failure.step}"))
                .phase("restore", Duration.ofMinutes(1), p -> p
                        .restore(record("restore"))
                        .onFailure(h -> h.step(record("phase handler"))))
                .build();
        RunReport report = Rollback.runner().journal(journal)
                .confirmations(r -> Confirmations.Approval.refused("console", "typed 'no'")).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.REFUSED);
        assertThat(ran).isEmpty();
        assertThat(sent).containsExactly("approval.refused at restore");
    }

    @Test
    void aNoticeMayHaveItsOwnTextForAFailureCode() {
        RollbackPlan plan = Rollback.plan("watched")
                .onFailure(h -> h.notify(team, "ROLLBACK FAILED at ${failure.step}",
                        java.util.Map.of("monitor.window.failed", "Rollback complete; the monitoring window fired: ${failure.message}")))
                .step(record("restore"))
                .monitorFor(Duration.ofSeconds(30), dev.rollback.core.decision.Monitoring.checks(
                        Check.of("health", c -> CheckResult.failed("health", 503, 200, "down"))).every(Duration.ofMillis(20)).failAfter(2))
                .build();
        assertThat(plan.describe()).contains("message on monitor.window.failed");
        assertThat(Rollback.runner().journal(journal).run(plan).outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(sent).singleElement().asString().startsWith("Rollback complete; the monitoring window fired: ")
                .contains("check 'health' failing 2 polls in a row").doesNotContain("ROLLBACK FAILED");

        sent.clear();
        RollbackPlan broken = Rollback.plan("broken")
                .onFailure(h -> h.notify(team, "ROLLBACK FAILED at ${failure.step}",
                        java.util.Map.of("monitor.window.failed", "Rollback complete; the monitoring window fired")))
                .step("restore", c -> {
                    throw new IllegalStateException("pg_restore exited 1");
                })
                .build();
        Rollback.runner().journal(journal).run(broken);
        assertThat(sent).containsExactly("ROLLBACK FAILED at restore");
    }

    @Test
    void handlersAfterAPrecheckFailedLeaveThePlanWithNothingChanged() {
        RollbackPlan plan = Rollback.plan("precheck-fails")
                .precheck("backup complete", c -> CheckResult.failed("backup complete", 20, 26, "incomplete"))
                .stopApp(app)
                .onFailure(h -> h.startApp(app, StepOptions.defaults().name("make sure the app runs")))
                .build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(ran).containsExactly("start app");
        assertThat(RunSummary.of(report.runId(), journal.read("precheck-fails", report.runId())).state())
                .isEqualTo(RunSummary.State.NOTHING_CHANGED);
        assertThat(Rollback.runner().journal(journal).run(plan).outcome()).isEqualTo(RunOutcome.FAILED);   // a new run is allowed
    }

    @Test
    void theConsoleShowsHandlersWithoutAPositionOfTheirOwn() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Rollback.runner().journal(journal).listener(ConsoleProgress.to(new PrintStream(out, true, StandardCharsets.UTF_8))).run(plan());
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("[3/5] action       restore")
                .contains("     start app    (on failure) start the app again")
                .doesNotContain("[6/5]");
    }

    @Test
    void theDryRunListsEveryHandlerUnderItsPhaseAndThePlansLast() {
        String text = plan().describe();
        assertThat(text).contains("(on failure) start the app again").contains("When the plan ends")
                .containsSubsequence("restore phase done", "When the plan ends", "(on failure) notify team", "(always) status page");
        RollbackPlan without = Rollback.plan("handled").step(record("s")).build();
        RollbackPlan with = Rollback.plan("handled").step(record("s")).always(h -> h.step(record("t"))).build();
        assertThat(with.fingerprint()).isNotEqualTo(without.fingerprint());
        assertThat(with.handlers()).singleElement().satisfies(h -> {
            assertThat(h.when()).isEqualTo(RollbackPlan.Handler.When.ALWAYS);
            assertThat(h.step().index()).isEqualTo(2);
            assertThat(h.phaseName()).isEmpty();
        });
    }

    @Test
    void handlersMayNotDestroyAndTheirNamesAreUnique() {
        assertThatThrownBy(() -> Rollback.plan("p").step(record("s"))
                .onFailure(h -> h.step(record("drop"), StepOptions.defaults().destructive(true))).build())
                .isInstanceOf(PlanValidationException.class).hasMessageContaining("handler '(on failure) drop' is destructive");
        assertThatThrownBy(() -> Rollback.plan("p").step(record("s"))
                .onFailure(h -> h.step(record("tell"))).phase("x", Duration.ofMinutes(1), p -> p.step(record("y"))
                        .onFailure(h -> h.step(record("tell")))).build())
                .isInstanceOf(PlanValidationException.class).hasMessageContaining("'(on failure) tell' is used by more than one");
    }
}
