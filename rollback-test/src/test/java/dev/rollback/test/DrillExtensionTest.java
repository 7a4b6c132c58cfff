package dev.rollback.test;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Step;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.rollback.test.RollbackAssertions.assertThat;
import static dev.rollback.test.RollbackAssertions.assertThatJournal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@RollbackDrill
class DrillExtensionTest {
    private final FakeAppControl app = FakeAppControl.named("nextcrm");

    private RollbackPlan plan(boolean restoreFails) {
        return Rollback.plan("nextcrm-back")
                .capture("dump", c -> { })
                .stopApp(app)
                .checkpoint("stopped")
                .restore(Step.of("restore", c -> {
                    if (restoreFails) {
                        throw new IllegalStateException("backup /backups/crm.dump is truncated at 4096 bytes");
                    }
                }))
                .verify("rows", c -> CheckResult.passed("rows", 10, 10))
                .startApp(app)
                .build();
    }

    private Drill fromBeforeEach;
    private static Path fileJournalDirectory;

    @org.junit.jupiter.api.AfterAll
    static void theFileJournalFolderIsDeletedAfterItsTest() {
        assertThat(fileJournalDirectory).as("the file-journal test ran and recorded its folder").isNotNull();
        assertThat(fileJournalDirectory).doesNotExist();
    }

    @BeforeEach
    void keep(Drill drill) {
        fromBeforeEach = drill;
    }

    @Test
    void aDrillRunsThePlanApprovedByDrillAndExposesReportEventsAndIncidentReport(Drill drill) {
        assertThat((Object) drill).isSameAs(fromBeforeEach);
        assertThat(drill.journal()).isInstanceOf(InMemoryJournal.class);
        drill.run(plan(false));
        assertThat(drill).succeeded().ranStepsInOrder("stop nextcrm", "restore", "start nextcrm");
        assertThatJournal(drill.events()).hasApprovalBy("drill", "restore")
                .recordedEventsInOrder(JournalEvent.RunStarted.class, JournalEvent.ApprovalGranted.class, JournalEvent.RunFinished.class);
        assertThat(drill.events()).first().isInstanceOfSatisfying(JournalEvent.RunStarted.class,
                s -> assertThat(s.operator()).isEqualTo("drill"));
        assertThat(drill.incidentReport()).contains("nextcrm-back").contains("SUCCEEDED").contains("drill");
    }

    @Test
    void anUnexpectedFailureFailsTheTestWithTheIncidentReport(Drill drill) {
        assertThatThrownBy(() -> drill.run(plan(true)))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("Drill run of plan 'nextcrm-back'")
                .hasMessageContaining("ended FAILED at 'restore': IllegalStateException: backup /backups/crm.dump is truncated at 4096 bytes")
                .hasMessageContaining("Last checkpoint: 'stopped'")
                .hasMessageContaining("Use drill.attempt(plan)")
                .hasMessageContaining("Incident report:")
                .hasMessageContaining(drill.report().runId());
    }

    @Test
    void attemptReturnsAFailureAndResumeFinishesTheRun(Drill drill) {
        assertThat(drill.attempt(plan(true))).failedAt("restore");
        drill.resume(plan(false));
        assertThat(drill).succeeded().skipped("dump", "stop nextcrm", "stopped");
        assertThatJournal(drill.events()).ranStepTimes("stop nextcrm", 1).ranStepTimes("restore", 1)
                .recordedEventsInOrder(JournalEvent.StepFailed.class, JournalEvent.RunResumed.class, JournalEvent.StepFinished.class);
        assertThat(drill.incidentReport()).contains("| Resumed | 1 time |");
    }

    @Test
    void aFailedResumeAlsoFailsTheTest(Drill drill) {
        drill.attempt(plan(true));
        assertThatThrownBy(() -> drill.resume(plan(true))).isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("Drill resume of plan 'nextcrm-back'");
        assertThat(drill.attemptResume(plan(true))).failedAt("restore");
    }

    @Test
    void confirmationsCanBeTakenAway(Drill drill) {
        drill.confirmations(Confirmations.none());
        assertThat(drill.attempt(plan(false))).needsApproval().didNotRun("restore");
        assertThatJournal(drill.events()).hasNoApprovalFor("restore");
        assertThat(app.isRunning()).as("approvals are asked before the first step: nothing was touched").isTrue();
    }

    @Test
    void askingForResultsBeforeAnyRunFailsClearly(Drill drill) {
        assertThatThrownBy(drill::report).isInstanceOf(IllegalStateException.class).hasMessageContaining("has not run a plan yet");
        assertThatThrownBy(() -> drill.resume(plan(false))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has not run a plan yet");
        assertThat(drill.journalDirectory()).isEmpty();
    }

    @Test
    @RollbackDrill(approver = "ops@example.com", operator = "alice", journal = RollbackDrill.JournalKind.FILE)
    void theMethodAnnotationChoosesAFileJournalAndTheApprover(Drill drill) {
        Path dir = drill.journalDirectory().orElseThrow();
        fileJournalDirectory = dir;
        assertThat(drill.journal()).isInstanceOf(FileJournal.class);
        drill.reason("error rate 12% after v2.3.0").run(plan(false));
        assertThatJournal(drill.events()).hasApprovalBy("ops@example.com", "restore");
        assertThat(drill.events()).first().isInstanceOfSatisfying(JournalEvent.RunStarted.class, s -> {
            assertThat(s.operator()).isEqualTo("alice");
            assertThat(s.reason()).isEqualTo("error rate 12% after v2.3.0");
        });
        assertThat(((FileJournal) drill.journal()).file("nextcrm-back", drill.report().runId())).exists();
        assertThat(Files.isDirectory(dir)).isTrue();
    }

    @Nested
    class InANestedClass {
        @Test
        void theEnclosingClassAnnotationApplies(Drill drill) {
            drill.run(plan(false));
            assertThatJournal(drill.events()).hasApprovalBy("drill", "restore");
        }
    }
}
