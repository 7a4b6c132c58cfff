package dev.rollback.test;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.InMemoryJournal;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.rollback.test.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunReportAssertTest {
    private final FakeAppControl app = FakeAppControl.named("api");
    /** The journal of the latest run: each run gets its own, since a plan that succeeded refuses a new run on the same journal. */
    private InMemoryJournal journal = InMemoryJournal.create();

    private RollbackPlan plan(boolean failRestore) {
        return Rollback.plan("api-back-to-v1")
                .capture("dump", c -> c.output("backup.path", "/backups/api.dump"))
                .stopApp(app)
                .checkpoint("stopped")
                .phase("restore", Duration.ofMinutes(10), p -> p
                        .restore(dev.rollback.core.Step.of("restore", c -> {
                            if (failRestore) {
                                throw new IllegalStateException("pg_restore exited 1: relation \"users\" already exists");
                            }
                        }))
                        .verify("rows", c -> CheckResult.passed("rows", 10, ">= 10")))
                .startApp(app)
                .build();
    }

    private RunReport run(RollbackPlan plan, Confirmations confirmations) {
        journal = InMemoryJournal.create();
        return Rollback.runner().journal(journal).confirmations(confirmations).run(plan);
    }

    @Test
    void aSuccessfulRunPassesItsAssertions() {
        RunReport report = run(plan(false), Confirmations.autoApprove("ci"));
        assertThat(report).succeeded()
                .ranStepsInOrder("dump", "stop api", "restore", "start api")
                .hasOutput("backup.path", "/backups/api.dump")
                .phaseWithinBudget("restore");
    }

    @Test
    void aFailedRunFailsSucceededWithTheFailureAndTheStepTable() {
        RunReport report = run(plan(true), Confirmations.autoApprove("ci"));
        assertThat(report).failedAt("restore").didNotRun("rows", "start api").ranStepsInOrder("dump", "restore");
        assertThatThrownBy(() -> assertThat(report).succeeded())
                .hasMessageContaining("to end SUCCEEDED but it ended FAILED")
                .hasMessageContaining("Failure at 'restore': IllegalStateException: pg_restore exited 1")
                .hasMessageContaining("Last checkpoint: 'stopped'")
                .hasMessageContaining("6 start api: NOT_RUN");
    }

    @Test
    void failedAtAnotherStepOrASuccessFails() {
        RunReport failed = run(plan(true), Confirmations.autoApprove("ci"));
        assertThatThrownBy(() -> assertThat(failed).failedAt("dump"))
                .hasMessageContaining("to have failed at 'dump' but it failed at 'restore'");
        RunReport ok = run(plan(false), Confirmations.autoApprove("ci"));
        assertThatThrownBy(() -> assertThat(ok).failedAt("restore"))
                .hasMessageContaining("to end FAILED but it ended SUCCEEDED");
        assertThatThrownBy(() -> assertThat(ok).failedAt("nope"))
                .hasMessageContaining("to end FAILED");
        assertThatThrownBy(() -> assertThat(failed).failedAt("nope"))
                .hasMessageContaining("to have a step named 'nope' but the plan has none");
    }

    @Test
    void needsApprovalPassesWithoutConfirmationsAndFailsOtherwise() {
        RunReport stopped = run(plan(false), Confirmations.none());
        assertThat(stopped).needsApproval().didNotRun("dump", "stop api", "restore", "start api");
        RunReport ok = run(plan(false), Confirmations.autoApprove("ci"));
        assertThatThrownBy(() -> assertThat(ok).needsApproval())
                .hasMessageContaining("to end NEEDS_APPROVAL but it ended SUCCEEDED");
        assertThat(run(plan(false), Confirmations.autoApprove("ci"))).hasOutcome(RunOutcome.SUCCEEDED);
    }

    @Test
    void ranStepsInOrderFailsForAStepThatDidNotRun() {
        RunReport stopped = run(plan(false), Confirmations.none());
        assertThatThrownBy(() -> assertThat(stopped).ranStepsInOrder("restore"))
                .hasMessageContaining("Expecting step 'restore' of run " + stopped.runId() + " to have run but it is NOT_RUN");
        RunReport ok = run(plan(false), Confirmations.autoApprove("ci"));
        assertThatThrownBy(() -> assertThat(ok).ranStepsInOrder("start api", "dump"))
                .hasMessageContaining("but 'dump' ran before 'start api'");
    }

    @Test
    void skippedAndDidNotRunAfterAResume() {
        RollbackPlan failing = plan(true);
        RunReport failed = run(failing, Confirmations.autoApprove("ci"));
        RunReport resumed = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ci"))
                .resume(plan(false), failed.runId());
        assertThat(resumed).succeeded().skipped("dump", "stop api", "stopped").didNotRun("dump")
                .ranStepsInOrder("restore", "start api")
                .hasOutput("backup.path", "/backups/api.dump");
        assertThatThrownBy(() -> assertThat(resumed).skipped("restore"))
                .hasMessageContaining("to be skipped by a resume, but 'restore' is SUCCEEDED");
        assertThatThrownBy(() -> assertThat(resumed).didNotRun("restore", "start api"))
                .hasMessageContaining("'restore' is SUCCEEDED, 'start api' is SUCCEEDED");
    }

    @Test
    void aWrongOrMissingOutputFails() {
        RunReport ok = run(plan(false), Confirmations.autoApprove("ci"));
        assertThatThrownBy(() -> assertThat(ok).hasOutput("backup.path", "/elsewhere"))
                .hasMessageContaining("Expecting output 'backup.path' of run " + ok.runId() + " to be\n  /elsewhere\nbut it is\n  /backups/api.dump");
        assertThatThrownBy(() -> assertThat(ok).hasOutput("git.tag", "v1"))
                .hasMessageContaining("to have published output 'git.tag' but it did not");
    }

    @Test
    void aPhaseOverBudgetOrMissingFails() {
        RollbackPlan slow = Rollback.plan("slow")
                .phase("tiny budget", Duration.ofMillis(1), p -> p.step("sleep", c -> Thread.sleep(30)))
                .build();
        RunReport report = Rollback.runner().run(slow);
        assertThatThrownBy(() -> assertThat(report).phaseWithinBudget("tiny budget"))
                .hasMessageContaining("to stay within its budget of 1ms but it took");
        assertThatThrownBy(() -> assertThat(report).phaseWithinBudget("other"))
                .hasMessageContaining("to have a phase named 'other' but it has none");
    }
}
