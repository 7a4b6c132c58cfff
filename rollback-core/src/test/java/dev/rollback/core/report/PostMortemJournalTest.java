package dev.rollback.core.report;

import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.StepKind;
import dev.rollback.core.decision.Monitoring;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The post-mortem skeleton of runs that did not go well, written from journals made by hand at known
 * instants: a run with no reason that died, was resumed from a checkpoint, retried, left the
 * application down and was abandoned; a run a watchdog started; a run with no end.
 */
class PostMortemJournalTest {
    private static final Instant T0 = Instant.parse("2026-11-30T04:00:00Z");
    private static final String RUN = "run-pm";

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    private static JournalEvent.StepFinished ok(int s, int index, String name, StepKind kind, long millis, Map<String, String> outputs) {
        return new JournalEvent.StepFinished(RUN, at(s), index, name, kind, 1, millis, outputs, List.of());
    }

    private static JournalEvent.StepFailed failed(int s, int index, String name, StepKind kind, int attempt, String error, boolean retry,
                                                  Map<String, String> outputs, String code) {
        return new JournalEvent.StepFailed(RUN, at(s), index, name, kind, attempt, 1000, error, retry, List.of(), outputs,
                "IllegalStateException", code);
    }

    @Test
    void anAbandonedRunThatLeftTheAppDownListsEveryDecisionAndFollowUp() {
        RollbackPlan plan = Rollback.plan("pm-plan")
                .phase("Phase 1", Duration.ofSeconds(4), p -> p
                        .step("stop app", c -> { })
                        .step("restore", c -> { }))
                .phase("Phase 2", Duration.ofMinutes(5), p -> p.step("tell", c -> { }))
                .build();
        int stop = plan.stepsAndHandlers().get(0).index();
        int restore = plan.stepsAndHandlers().get(1).index();
        int tell = plan.stepsAndHandlers().get(2).index();
        List<JournalEvent> events = List.of(
                new JournalEvent.RunStarted(RUN, at(0), "pm-plan", "fp", "alice", " ", "host-a", 11, 3),
                new JournalEvent.ApprovalRefused(RUN, at(1), "restore", "console", "wrong dump"),
                ok(3, stop, "stop app", StepKind.STOP_APP, 2000, Map.of(PostMortem.FOLLOW_UP_PREFIX + "1", "Re-enable the cron jobs",
                        PostMortem.FOLLOW_UP_PREFIX + "2", " ")),
                new JournalEvent.FileCaptured(RUN, at(4), stop, "stop app", "forensics/app.log", 10, "ab"),
                new JournalEvent.CheckpointReached(RUN, at(5), stop, "stopped", Map.of()),
                new JournalEvent.RunResumed(RUN, at(65), "fp", "bob", "host-b", 22, "stopped"),
                new JournalEvent.ApprovalGranted(RUN, at(66), "restore", "carol", "console", "DBA"),
                failed(70, restore, "restore", StepKind.RESTORE, 1, "timeout", true, Map.of(), "restore.timeout"),
                failed(80, restore, "restore", StepKind.RESTORE, 2, "disk full", false, Map.of(), "restore.disk"),
                failed(81, tell, "tell", StepKind.NOTIFY, 1, "chat is down", false, Map.of(), null),
                new JournalEvent.RunAbandoned(RUN, at(90), "bob", "giving up for the night", "host-b", 22, 0),
                new JournalEvent.RunFinished(RUN, at(91), "FAILED", "restore", "disk full", 91_000));
        String md = PostMortem.of(events).plan(plan).toMarkdown();

        assertThat(md).contains("# Post-mortem: rollback 'pm-plan', run " + RUN)
                .contains("**ABANDONED**")
                .contains("1 min 31 s from the start to the last event, in 2 processes")
                .contains("alice, bob")
                .contains("1 of 3 done")
                .contains("No reason was given when the run started.")
                .contains("alice started the rollback")
                .contains("'restore' was **not approved**: wrong dump")
                .contains("bob resumed the run after checkpoint 'stopped'")
                .contains("carol as DBA approved 'restore' (console)")
                .contains("bob abandoned the run: giving up for the night")
                .contains("Time to roll back: 1 min 31 s, of which 1 min 00 s between a process that stopped and the one that resumed")
                .contains("Issues during the rollback: 3 failed attempt(s) (1 retried), 1 resume(s); see Failures.")
                .contains("step " + restore + " 'restore', attempt 1 (retried): timeout (error code restore.timeout)")
                .contains("[ ] Re-enable the cron jobs")
                .contains("[ ] The run did not succeed (abandoned)")
                .contains("[ ] Read the forensics the run captured (in its folder): forensics/app.log")
                .contains("[ ] The run watched no monitoring window");
        // the plan's steps are plain actions: only the journal (read without the plan) says which stopped the app and which notified
        assertThat(md).contains("No step of the run stopped the application.");
        assertThat(PostMortem.of(events).toMarkdown()).contains("The application was stopped at 2026-11-30 04:00:03 UTC ('stop app') and the run "
                + "did not start it again.").contains("[ ] Notification 'tell' was not delivered (chat is down): tell them by hand");
        assertThat(md).doesNotContain("[ ]  \n").doesNotContain("[ ] \n");
        // Phase 1: 2 s of stopping plus the restore's two attempts of 1 s each: exactly its 4 s budget, which is within it
        assertThat(md).containsPattern("Phase 1 \\| 4\\.0 s \\| 4\\.0 s \\| within budget")
                .containsPattern("Phase 2 \\| 1\\.0 s \\| 5 min 00 s \\| within budget");
        assertThat(PostMortem.isEdited(md)).isFalse();
        assertThat(PostMortem.isEdited(md.replace("carol", "carl"))).isTrue();
        assertThat(PostMortem.isEdited(md.substring(0, md.lastIndexOf("<!--")))).isTrue();
    }

    @Test
    void aFailedRunNamesItsLastErrorCodeAndAPhaseOverBudgetIsMarked() {
        RollbackPlan plan = Rollback.plan("pm-plan")
                .phase("Phase 1", Duration.ofSeconds(1), p -> p.step("stop app", c -> { }).step("start app", c -> { }))
                .build();
        int stop = plan.stepsAndHandlers().get(0).index();
        int start = plan.stepsAndHandlers().get(1).index();
        List<JournalEvent> events = List.of(
                new JournalEvent.RunStarted(RUN, at(0), "pm-plan", "fp", "alice", "Decision at 03:00: MUST 'errors'", "host-a", 11, 2),
                ok(2, stop, "stop app", StepKind.STOP_APP, 2000, Map.of()),
                ok(32, start, "start app", StepKind.START_APP, 1000, Map.of()),
                failed(35, 8, "warm cache", StepKind.ACTION, 1, "cold", false, Map.of(), "cache.cold"),
                failed(40, 9, "monitor for 1 h 00 min", StepKind.VERIFY, 1, "MUST", false,
                        Map.of(Monitoring.OUTPUT_RESULT, "MUST after 8 s: MUST 'errors'"), "monitor.window.failed"),
                new JournalEvent.RunFinished(RUN, at(41), "FAILED", "monitor for 1 h 00 min", "MUST", 41_000));
        String md = PostMortem.of(events).plan(plan).toMarkdown();
        assertThat(md).contains("**FAILED**")
                .contains("A watchdog started the run on this decision: Decision at 03:00: MUST 'errors'")
                .contains("monitoring window 'monitor for 1 h 00 min' **failed**: MUST after 8 s: MUST 'errors'; the team decides")
                .contains("[ ] The run did not succeed (FAILED, `monitor.window.failed` at 'monitor for 1 h 00 min')")
                .contains("[ ] The monitoring window failed: decide whether to roll back further or fix forward")
                .contains("Issues during the rollback: 2 failed attempt(s), 0 resume(s); see Failures.")
                .doesNotContain("retried)")
                .doesNotContain("The run watched no monitoring window")
                .doesNotContain(" processes");
        assertThat(PostMortem.of(events).toMarkdown()).contains("The application was stopped at 2026-11-30 04:00:02 UTC ('stop app') and "
                + "started again at 2026-11-30 04:00:32 UTC ('start app'): down for 30.0 s as the run measured it.");
        assertThat(md).containsPattern("Phase 1 \\| 3\\.0 s \\| 1\\.0 s \\| \\*\\*over budget\\*\\*");
    }

    @Test
    void aRunWithNoEndAndAPassedWindowSaysSo() {
        List<JournalEvent> events = List.of(
                new JournalEvent.RunStarted(RUN, at(0), "pm-plan", "fp", "alice", "checkout errors", "host-a", 11, 2),
                ok(5, 1, "monitor for 5 s", StepKind.VERIFY, 5000, Map.of(Monitoring.OUTPUT_RESULT, "no MUST rule fired in 5.0 s")));
        String md = PostMortem.of(events).toMarkdown();
        assertThat(md).contains("**INCOMPLETE (no end recorded)**")
                .contains("The reason given when the run started: checkout errors")
                .contains("monitoring window 'monitor for 5 s' passed: no MUST rule fired in 5.0 s")
                .contains("[ ] The run did not succeed (no end recorded)")
                .contains("No step of the run stopped the application.")
                .contains("Issues during the rollback: none recorded.")
                .doesNotContain("The monitoring window failed")
                .doesNotContain("The run watched no monitoring window");
        assertThatThrownBy(() -> PostMortem.of(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no journal events");
    }

    @Test
    void theAppWindowRunsFromTheLastSuccessfulStopToTheLastStartAfterIt() {
        List<JournalEvent> restarted = List.of(
                ok(2, 1, "stop app", StepKind.STOP_APP, 1000, Map.of()),
                // the same stop ran again after a resume: the application was down from its last successful end
                ok(12, 1, "stop app", StepKind.STOP_APP, 1000, Map.of()),
                ok(20, 2, "start app", StepKind.START_APP, 1000, Map.of()),
                ok(25, 3, "start app again", StepKind.START_APP, 1000, Map.of()));
        assertThat(PostMortem.of(restarted).toMarkdown()).contains("The application was stopped at 2026-11-30 04:00:12 UTC ('stop app') and "
                + "started again at 2026-11-30 04:00:25 UTC ('start app again'): down for 13.0 s as the run measured it.");
        List<JournalEvent> startedFirst = List.of(
                ok(2, 1, "start app", StepKind.START_APP, 1000, Map.of()),
                ok(5, 2, "stop app", StepKind.STOP_APP, 1000, Map.of()));
        assertThat(PostMortem.of(startedFirst).toMarkdown()).contains("The application was stopped at 2026-11-30 04:00:05 UTC ('stop app') "
                + "and the run did not start it again.");
    }

    @Test
    void aRunWithoutOperatorsOrStepsSaysNoneWereRecorded() {
        List<JournalEvent> events = List.of(ok(5, 1, "only", StepKind.ACTION, 100, Map.of()));
        String md = PostMortem.of(events).toMarkdown();
        assertThat(md).contains("(none recorded)").contains("1 of 1 done").contains("# Post-mortem: rollback '?', run " + RUN);
    }
}
