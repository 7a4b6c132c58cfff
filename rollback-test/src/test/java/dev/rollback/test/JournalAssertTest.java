package dev.rollback.test;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.Step;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.rollback.test.RollbackAssertions.assertThatJournal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalAssertTest {
    /** The journal of the latest run: each run gets its own, since a plan that succeeded refuses a new run on the same journal. */
    private InMemoryJournal journal = InMemoryJournal.create();

    private final RollbackPlan plan = Rollback.plan("db-restore")
            .capture("dump", c -> { })
            .restore(Step.of("restore", c -> { }))
            .verify("rows", c -> CheckResult.passed("rows", 1, 1))
            .build();

    private RunReport run(Confirmations confirmations) {
        journal = InMemoryJournal.create();
        return Rollback.runner().journal(journal).confirmations(confirmations).run(plan);
    }

    @Test
    void anApprovedRunPassesItsAssertions() {
        RunReport report = run(Confirmations.autoApprove("ops@example.com"));
        assertThatJournal(journal, plan, report.runId())
                .hasApprovalBy("ops@example.com", "restore")
                .hasNoApprovalFor("dump")
                .recordedEventsInOrder(JournalEvent.RunStarted.class, JournalEvent.ApprovalGranted.class, JournalEvent.StepFinished.class,
                        JournalEvent.RunFinished.class)
                .ranStepTimes("restore", 1)
                .ranStepTimes("dump", 1)
                .containsNoText("this-text-is-nowhere");
    }

    @Test
    void approvalAssertionsFailNamingWhoApprovedOrThatNoOneDid() {
        RunReport approved = run(Confirmations.autoApprove("ops@example.com"));
        List<JournalEvent> events = journal.read(plan.name(), approved.runId());
        assertThatThrownBy(() -> assertThatJournal(events).hasApprovalBy("alice", "restore"))
                .hasMessageContaining("an approval of 'restore' by 'alice' but it was approved by ['ops@example.com' (auto-approve)]")
                .hasMessageContaining("ApprovalGranted 'restore' by ops@example.com (auto-approve)");
        assertThatThrownBy(() -> assertThatJournal(events).hasNoApprovalFor("restore"))
                .hasMessageContaining("no approval of 'restore' but it was approved by [ops@example.com (auto-approve)]");

        RunReport refused = run(Confirmations.none());
        List<JournalEvent> none = journal.read(plan.name(), refused.runId());
        assertThatJournal(none).hasNoApprovalFor("restore");
        assertThatThrownBy(() -> assertThatJournal(none).hasApprovalBy("ops@example.com", "restore"))
                .hasMessageContaining("but no approval of that step is recorded")
                .hasMessageContaining("ApprovalRefused 'restore' (none)");
    }

    @Test
    void eventsOutOfOrderFail() {
        RunReport report = run(Confirmations.autoApprove("ci"));
        List<JournalEvent> events = journal.read(plan.name(), report.runId());
        assertThatThrownBy(() -> assertThatJournal(events).recordedEventsInOrder(JournalEvent.RunFinished.class, JournalEvent.RunStarted.class))
                .hasMessageContaining("to record [RunFinished, RunStarted] in this order but no RunStarted follows RunFinished");
        assertThatThrownBy(() -> assertThatJournal(events).recordedEventsInOrder(JournalEvent.RunResumed.class))
                .hasMessageContaining("but no RunResumed follows the start");
    }

    @Test
    void aSecretInTheJournalFailsWithTheSecretMasked() {
        // A step that publishes a secret as an output: the journal would hold it (outputs must never be secrets).
        String leaked = "tok-" + System.nanoTime();
        RollbackPlan leaky = Rollback.plan("leaky").step("publish", c -> c.output("api.token", leaked)).build();
        RunReport report = Rollback.runner().journal(journal).run(leaky);
        assertThatThrownBy(() -> assertThatJournal(journal, leaky, report.runId()).containsNoText(leaked))
                .hasMessageContaining("contain no trace of the secret, but 1 line(s) do")
                .hasMessageContaining("\"api.token\":\"******\"")
                .hasMessageNotContaining(leaked);
    }

    @Test
    void aSecretWrappedInSecretNeverReachesTheJournal() {
        Secret pw = Secret.of("pw-" + System.nanoTime());
        RollbackPlan careful = Rollback.plan("careful")
                .step("fail with password", c -> {
                    throw new IllegalStateException("login failed for password " + pw.reveal());
                })
                .build();
        RunReport report = Rollback.runner().journal(journal).run(careful);
        assertThatJournal(journal, careful, report.runId()).containsNoText(pw.reveal());
    }

    @Test
    void ranStepTimesCountsFinishesAcrossInvocations() {
        List<JournalEvent> events = new ArrayList<>();
        Instant t = Instant.parse("2026-11-25T02:00:00Z");
        events.add(new JournalEvent.StepStarted("r", t, 1, "restore", dev.rollback.core.StepKind.RESTORE, 1));
        events.add(new JournalEvent.StepFinished("r", t, 1, "restore", dev.rollback.core.StepKind.RESTORE, 1, 5, Map.of(), List.of()));
        events.add(new JournalEvent.StepStarted("r", t, 1, "restore", dev.rollback.core.StepKind.RESTORE, 1));
        events.add(new JournalEvent.StepFinished("r", t, 1, "restore", dev.rollback.core.StepKind.RESTORE, 1, 5, Map.of(), List.of()));
        assertThatJournal(events).ranStepTimes("restore", 2);
        assertThatThrownBy(() -> assertThatJournal(events).ranStepTimes("restore", 1))
                .hasMessageContaining("Expecting step 'restore' to have finished 1 time(s) but it finished 2 time(s) (2 attempt(s) started, 0 failed)");
        assertThatThrownBy(() -> assertThatJournal(events).ranStepTimes("restore", -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(events).hasSize(4);
    }
}
