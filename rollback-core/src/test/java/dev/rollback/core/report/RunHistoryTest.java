package dev.rollback.core.report;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.StepKind;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the reports read from a journal: the invocations of a run and the gaps between them, each
 * step's attempts and status, approvals, checks and outputs, for journals written at known instants.
 */
class RunHistoryTest {
    private static final Instant T0 = Instant.parse("2026-11-30T04:00:00Z");
    private static final String RUN = "run-h";

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    private static JournalEvent.RunStarted started(int s) {
        return new JournalEvent.RunStarted(RUN, at(s), "history-plan", "fp", "alice", "bad release", "host-a", 11, 4);
    }

    private static JournalEvent.StepStarted stepStarted(int s, int index, String name, StepKind kind, int attempt) {
        return new JournalEvent.StepStarted(RUN, at(s), index, name, kind, attempt);
    }

    private static JournalEvent.StepFinished finished(int s, int index, String name, StepKind kind, int attempt, long millis,
                                                      Map<String, String> outputs, List<CheckResult> checks) {
        return new JournalEvent.StepFinished(RUN, at(s), index, name, kind, attempt, millis, outputs, checks);
    }

    private static JournalEvent.StepFailed failed(int s, int index, String name, StepKind kind, int attempt, long millis, String error,
                                                  boolean retry) {
        return new JournalEvent.StepFailed(RUN, at(s), index, name, kind, attempt, millis, error, retry,
                List.of(CheckResult.failed(name, "red", "green", error)), Map.of("k" + attempt, "v" + attempt), "IllegalStateException", "E" + attempt);
    }

    @Test
    void aRunThatDiedAndWasResumedHasTwoInvocationsAGapAndAnInterruptedAttempt() {
        List<JournalEvent> events = List.of(
                started(0),
                stepStarted(1, 1, "stop app", StepKind.STOP_APP, 1),
                finished(3, 1, "stop app", StepKind.STOP_APP, 1, 2000, Map.of(), List.of()),
                stepStarted(4, 2, "restore", StepKind.RESTORE, 1),
                // the process dies here; an operator resumes 60 s later
                new JournalEvent.RunResumed(RUN, at(64), "fp", "bob", "host-b", 22, "after stop"),
                new JournalEvent.StepSkipped(RUN, at(64), 1, "stop app", "done before the checkpoint"),
                stepStarted(65, 2, "restore", StepKind.RESTORE, 1),
                finished(75, 2, "restore", StepKind.RESTORE, 1, 10_000, Map.of("rows", "42"), List.of()),
                stepStarted(76, 3, "start app", StepKind.START_APP, 1),
                finished(78, 3, "start app", StepKind.START_APP, 1, 2000, Map.of(), List.of()),
                new JournalEvent.RunFinished(RUN, at(80), "SUCCEEDED", null, null, 80_000));
        RunHistory h = new RunHistory(events, null);

        assertThat(h.runId).isEqualTo(RUN);
        assertThat(h.planName()).isEqualTo("history-plan");
        assertThat(h.t0).isEqualTo(at(0));
        assertThat(h.t1).isEqualTo(at(80));
        assertThat(h.ended()).isTrue();
        assertThat(h.succeeded()).isTrue();
        assertThat(h.needsAttention()).isFalse();
        assertThat(h.abandoned()).isEmpty();

        assertThat(h.invocations).hasSize(2);
        RunHistory.Invocation first = h.invocations.get(0);
        assertThat(first).isEqualTo(new RunHistory.Invocation(1, "alice", "host-a", 11, at(0), at(4), null, true, null));
        assertThat(h.invocations.get(1)).isEqualTo(new RunHistory.Invocation(2, "bob", "host-b", 22, at(64), at(80), "SUCCEEDED", false,
                "after stop"));
        assertThat(h.gaps()).singleElement().satisfies(g -> {
            assertThat(g.from()).isEqualTo(at(4));
            assertThat(g.to()).isEqualTo(at(64));
            assertThat(g.before().number()).isEqualTo(1);
            assertThat(g.after().number()).isEqualTo(2);
        });

        RunHistory.StepRecord restore = h.steps.get(2);
        assertThat(restore.status).isEqualTo(RunHistory.Status.SUCCEEDED);
        assertThat(restore.attempts).hasSize(2);
        RunHistory.Attempt died = restore.attempts.get(0);
        assertThat(died).isEqualTo(new RunHistory.Attempt(1, 1, at(4), at(4), false, false, "the process died during this attempt"));
        RunHistory.Attempt ok = restore.attempts.get(1);
        assertThat(ok).isEqualTo(new RunHistory.Attempt(1, 2, at(65), at(75), true, true, null));
        assertThat(restore.time()).isEqualTo(Duration.ofSeconds(10));
        assertThat(h.steps.get(1).status).isEqualTo(RunHistory.Status.SKIPPED);
        assertThat(h.outputs).containsExactly(Map.entry("rows", "42"));
        assertThat(restore.outputs).containsExactly(Map.entry("rows", "42"));
        assertThat(h.steps.get(3).outputs).isEmpty();

        assertThat(h.restoreRan()).isTrue();
        assertThat(h.hasRestore()).isTrue();
        assertThat(h.lastAppStep()).get().extracting(r -> r.name).isEqualTo("start app");
        assertThat(h.changes()).extracting(r -> r.name).containsExactly("stop app", "restore", "start app");
        assertThat(h.phases()).isEmpty();
    }

    @Test
    void aStepInterruptedAndNeverResumedStaysInterruptedAndTheRunNeedsAttention() {
        List<JournalEvent> events = List.of(
                started(0),
                stepStarted(1, 1, "stop app", StepKind.STOP_APP, 1),
                new JournalEvent.RunResumed(RUN, at(30), "fp", "alice", "host-a", 12, null),
                stepStarted(31, 2, "check", StepKind.VERIFY, 1));
        RunHistory h = new RunHistory(events, null);
        assertThat(h.ended()).isFalse();
        assertThat(h.succeeded()).isFalse();
        assertThat(h.needsAttention()).isTrue();
        assertThat(h.steps.get(1).status).isEqualTo(RunHistory.Status.INTERRUPTED);
        assertThat(h.steps.get(1).attempts).singleElement().extracting(RunHistory.Attempt::end).isEqualTo(at(1));
        // the step of the last invocation is still running: no attempt yet, but it counts as a change only if it writes
        assertThat(h.steps.get(2).status).isEqualTo(RunHistory.Status.RUNNING);
        assertThat(h.steps.get(2).isCheck()).isTrue();
        assertThat(h.steps.get(1).isCheck()).isFalse();
        assertThat(h.changes()).extracting(r -> r.name).containsExactly("stop app");
        // the last invocation is open: it ends at the last event, with no outcome, and did not die
        assertThat(h.invocations).hasSize(2);
        assertThat(h.invocations.get(1)).isEqualTo(new RunHistory.Invocation(2, "alice", "host-a", 12, at(30), at(31), null, false, null));
        assertThat(h.lastAppStep()).as("an interrupted attempt counts: the app may be stopped").get()
                .extracting(r -> r.name).isEqualTo("stop app");
        assertThat(h.restoreRan()).isFalse();
        assertThat(h.hasRestore()).isFalse();
    }

    @Test
    void retriesFailuresWaiversApprovalsAndCheckpointsAreEachRecorded() {
        List<JournalEvent> events = List.of(
                started(0),
                new JournalEvent.ApprovalRefused(RUN, at(1), "restore", "console", "not now"),
                new JournalEvent.ApprovalGranted(RUN, at(2), "restore", "carol", "console", "DBA"),
                new JournalEvent.ApprovalGranted(RUN, at(2), "restore", "dave", "--yes", null),
                stepStarted(3, 2, "restore", StepKind.RESTORE, 1),
                failed(5, 2, "restore", StepKind.RESTORE, 1, 2000, "timeout", true),
                stepStarted(6, 2, "restore", StepKind.RESTORE, 2),
                failed(9, 2, "restore", StepKind.RESTORE, 2, 3000, "disk full", false),
                new JournalEvent.StepWaived(RUN, at(10), 3, "verify rows", "erin", "checked by hand"),
                new JournalEvent.CheckpointReached(RUN, at(11), 4, "after restore", Map.of("dump", "/tmp/d", "rows", "from checkpoint")),
                finished(12, 5, "notify", StepKind.NOTIFY, 1, 100, Map.of(RunHistory.NOTIFY_MESSAGE, "we rolled back", "rows", "7"), List.of()),
                new JournalEvent.StepFailed(RUN, at(12), 6, "page on-call", StepKind.NOTIFY, 1, 50, "pager down", false, List.of(),
                        Map.of(RunHistory.NOTIFY_MESSAGE, "paging: we rolled back"), "IOException", null),
                new JournalEvent.RunAbandoned(RUN, at(13), "erin", "gave up", "host-a", 11, 0),
                new JournalEvent.RunFinished(RUN, at(14), "FAILED", "restore", "disk full", 14_000));
        RunHistory h = new RunHistory(events, null);

        assertThat(h.succeeded()).isFalse();
        assertThat(h.ended()).isTrue();
        assertThat(h.abandoned()).get().extracting(JournalEvent.RunAbandoned::reason).isEqualTo("gave up");
        assertThat(h.approvals).containsExactly(
                new RunHistory.Approval(at(1), "restore", false, null, "console", "not now"),
                new RunHistory.Approval(at(2), "restore", true, "carol as DBA", "console", null),
                new RunHistory.Approval(at(2), "restore", true, "dave", "--yes", null));

        RunHistory.StepRecord restore = h.steps.get(2);
        assertThat(restore.status).isEqualTo(RunHistory.Status.FAILED);
        assertThat(restore.error).isEqualTo("disk full");
        assertThat(restore.attempts).extracting(RunHistory.Attempt::start, RunHistory.Attempt::end, RunHistory.Attempt::ok)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(at(3), at(5), false), org.assertj.core.groups.Tuple.tuple(at(6), at(9), false));
        assertThat(restore.checks).singleElement().extracting(CheckResult::summary).asString().contains("disk full");
        // the retried failure is a failure record but leaves no check: only the last attempt's checks count
        assertThat(h.failures).extracting(RunHistory.FailureRecord::attempt, RunHistory.FailureRecord::retried, RunHistory.FailureRecord::code)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, true, "E1"), org.assertj.core.groups.Tuple.tuple(2, false, "E2"),
                        org.assertj.core.groups.Tuple.tuple(1, false, null));
        assertThat(h.checks).singleElement().extracting(c -> c.step().name).isEqualTo("restore");
        assertThat(h.allOutputs).containsEntry("k1", "v1").containsEntry("k2", "v2");
        assertThat(h.outputs).doesNotContainKey("k1");

        RunHistory.StepRecord waived = h.steps.get(3);
        assertThat(waived.name).isEqualTo("verify rows");
        assertThat(waived.status).isEqualTo(RunHistory.Status.WAIVED);
        assertThat(waived.error).isEqualTo("waived by erin: checked by hand");

        // a checkpoint's outputs do not replace a step's, and a later step's do
        assertThat(h.outputs).containsEntry("dump", "/tmp/d").containsEntry("rows", "7");
        assertThat(h.steps.get(5).sentMessage).isEqualTo("we rolled back");
        assertThat(h.steps.get(6).sentMessage).as("what a failed notification tried to send").isEqualTo("paging: we rolled back");
        assertThat(h.allOutputs).containsEntry("dump", "/tmp/d");
        assertThat(h.steps.get(5).attempts).singleElement().satisfies(a -> {
            assertThat(a.start()).as("no StepStarted: the start is the end minus the duration").isEqualTo(at(12).minusMillis(100));
            assertThat(a.duration()).isEqualTo(Duration.ofMillis(100));
        });
        assertThat(h.restoreRan()).as("a restore that never succeeded did not run").isFalse();
        assertThat(h.hasRestore()).isTrue();
        assertThat(h.changes()).extracting(r -> r.name).containsExactly("restore");
    }

    @Test
    void aPlanNamesEveryStepAndPhaseEvenThoseNeverRun() {
        RollbackPlan plan = Rollback.plan("planned")
                .phase("Phase 1", Duration.ofMinutes(1), p -> p
                        .step("first", c -> { })
                        .step("second", c -> { }))
                .phase("Phase 2", Duration.ofMinutes(1), p -> p.step("third", c -> { }))
                .build();
        int first = plan.stepsAndHandlers().get(0).index();
        int second = plan.stepsAndHandlers().get(1).index();
        List<JournalEvent> events = List.of(
                new JournalEvent.StepWaived(RUN, at(0), second, "a name the plan does not use", "erin", "by hand"),
                new JournalEvent.StepStarted(RUN, at(0), first, "first", StepKind.ACTION, 1),
                new JournalEvent.StepFinished(RUN, at(4), first, "ignored name", StepKind.ACTION, 1, 4000, Map.of(), List.of()));
        RunHistory h = new RunHistory(events, plan);
        assertThat(h.started).isNull();
        assertThat(h.planName()).isEqualTo("planned");
        assertThat(h.invocations).isEmpty();
        assertThat(h.gaps()).isEmpty();
        assertThat(h.stepList()).extracting(r -> r.name).containsExactly("first", "second", "third");
        assertThat(h.stepList()).extracting(r -> r.status)
                .containsExactly(RunHistory.Status.SUCCEEDED, RunHistory.Status.WAIVED, RunHistory.Status.NOT_RUN);
        assertThat(h.phases()).extracting(p -> p.name()).containsExactly("Phase 1", "Phase 2");
        assertThat(h.phaseTime(plan.phases().get(0))).isEqualTo(Duration.ofSeconds(4));
        assertThat(h.phaseTime(plan.phases().get(1))).isEqualTo(Duration.ZERO);
        assertThat(new RunHistory(events, null).planName()).isEqualTo("?");
    }

    @Test
    void theLastAppStepIsTheOneThatEndedLast() {
        List<JournalEvent> events = List.of(
                started(0),
                finished(5, 1, "start app", StepKind.START_APP, 1, 1000, Map.of(), List.of()),
                finished(5, 2, "stop app again", StepKind.STOP_APP, 1, 1000, Map.of(), List.of()),
                finished(3, 3, "stop app early", StepKind.STOP_APP, 1, 1000, Map.of(), List.of()));
        RunHistory h = new RunHistory(events, null);
        // two ended at the same instant: the later in the plan wins; one that ended earlier does not
        assertThat(h.lastAppStep()).get().extracting(r -> r.name).isEqualTo("stop app again");
    }
}
