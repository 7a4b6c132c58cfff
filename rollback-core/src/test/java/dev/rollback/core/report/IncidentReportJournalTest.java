package dev.rollback.core.report;

import dev.rollback.core.CheckResult;
import dev.rollback.core.StepKind;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The incident report of journals that no single test run writes in one go: every kind of event in
 * the events table, a run that crashed, was resumed on another machine and was then abandoned with
 * a failed cleanup, and a run whose process is still running (or died) with no end recorded.
 */
class IncidentReportJournalTest {
    private static final Instant T0 = Instant.parse("2026-11-29T03:00:00Z");
    private static final String RUN = "r-journal";

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    /** Crashed during the swap's second attempt, resumed on host-b after 10 minutes, failed again, abandoned. */
    private static List<JournalEvent> abandonedAfterACrash() {
        List<JournalEvent> e = new ArrayList<>();
        e.add(new JournalEvent.RunStarted(RUN, at(0), "nextcrm-back", "fp-1", "alice", "", "host-a", 101, 5));
        e.add(new JournalEvent.StepStarted(RUN, at(1), 1, "dump", StepKind.CAPTURE, 1));
        e.add(new JournalEvent.FileCaptured(RUN, at(2), 1, "dump", "forensics/dump.sql", 2048, "abc123"));
        e.add(new JournalEvent.StepFinished(RUN, at(3), 1, "dump", StepKind.CAPTURE, 1, 2000,
                Map.of("kept.postgres.original", "database nextcrm_before", "git.safetyTag", "rollback/safety/r-journal"), List.of()));
        e.add(new JournalEvent.CheckpointReached(RUN, at(3), 2, "captured", Map.of()));
        e.add(new JournalEvent.StepWaived(RUN, at(4), 3, "disk space", "alice", "checked by hand"));
        e.add(new JournalEvent.StepMemory(RUN, at(4), 4, "swap", "swap.next", "rename nextcrm"));
        e.add(new JournalEvent.ApprovalGranted(RUN, at(5), "swap", "bob", "console", "DBA"));
        e.add(new JournalEvent.ApprovalGranted(RUN, at(5), "swap", "carol", "--approve", null));
        e.add(new JournalEvent.StepStarted(RUN, at(6), 4, "swap", StepKind.RESTORE, 1));
        e.add(new JournalEvent.StepFailed(RUN, at(7), 4, "swap", StepKind.RESTORE, 1, 1000, "rename failed", true, List.of(),
                Map.of("leftover.postgres.copy", "database nextcrm_copy"), IllegalStateException.class.getName(), "postgres.swap.failed"));
        e.add(new JournalEvent.StepStarted(RUN, at(7), 4, "swap", StepKind.RESTORE, 2));
        // the process dies here; another resumes on host-b
        e.add(new JournalEvent.RunResumed(RUN, at(607), "fp-1", "carol", "host-b", 202, "captured"));
        e.add(new JournalEvent.CapturedFilesMissing(RUN, at(607), "host-b", List.of("forensics/dump.sql: missing")));
        e.add(new JournalEvent.StepStarted(RUN, at(608), 4, "swap", StepKind.RESTORE, 3));
        e.add(new JournalEvent.StepFailed(RUN, at(610), 4, "swap", StepKind.RESTORE, 3, 2000, "rename failed again", false,
                List.of(CheckResult.failed("copy complete", "11 tables", "12 tables", "crm_notes missing")), Map.of(), null, null));
        e.add(new JournalEvent.RunFinished(RUN, at(611), "FAILED", "swap", "rename failed again", 4000));
        e.add(new JournalEvent.StepCleanedUp(RUN, at(700), 4, "swap", List.of("database nextcrm_copy"), null));
        e.add(new JournalEvent.StepCleanedUp(RUN, at(700), 1, "dump", List.of(), "permission denied"));
        e.add(new JournalEvent.StepCleanedUp(RUN, at(700), 5, "notify", List.of(), null));
        e.add(new JournalEvent.RunAbandoned(RUN, at(701), "dave", "fixed forward", "host-c", 303, 1));
        return e;
    }

    @Test
    void everyEventOfTheJournalIsARowOfTheEventsTable() {
        String md = IncidentReport.of(abandonedAfterACrash()).toMarkdown();
        String events = md.substring(md.indexOf("## Events"));

        assertThat(events).contains("| 2026-11-29 03:00:00 | 0 ms | run started by alice on host-a (pid 101, 5 steps) |")
                .contains("| step 1 'dump' ok in 2.0 s |")
                .contains("| checkpoint 'captured' reached |")
                .contains("| step 3 'disk space' **WAIVED** by alice: checked by hand |")
                .contains("| 'swap' remembered swap.next = rename nextcrm |")
                .contains("| 'swap' approved by bob as DBA (console) |")
                .contains("| 'swap' approved by carol (--approve) |")
                .contains("| 2026-11-29 03:00:07 | 7.0 s | step 4 'swap' started (attempt 2); **no end recorded** |")
                .contains("| 2026-11-29 03:10:07 | 10 min 07 s | run resumed by carol on host-b (pid 202) after checkpoint 'captured' |")
                .contains("| resumed on host-b without 1 captured file(s) |")
                .contains("| step 4 'swap' **FAILED** after 2.0 s (attempt 3): rename failed again |")
                .contains("| run ended FAILED |")
                .contains("| cleanup of 'swap': removed database nextcrm_copy |")
                .contains("| cleanup of 'dump': **FAILED**: permission denied |")
                .contains("| cleanup of 'notify': nothing to remove |")
                .contains("| run abandoned by dave: fixed forward |");
        // an attempt that will be retried, and one whose end follows, are not rows of their own
        assertThat(events).doesNotContain("rename failed |").doesNotContain("'swap' started |")
                .doesNotContain("'swap' started (attempt 3)").doesNotContain("'dump' started");
    }

    @Test
    void anAbandonedRunSaysWhatIsStillThereAndWhichCleanupFailed() {
        String md = IncidentReport.of(abandonedAfterACrash()).toMarkdown();
        String state = md.substring(md.indexOf("## Current state"), md.indexOf("| Outcome |"));

        assertThat(state).contains("> **ABANDONED** by dave on host-c at 2026-11-29 03:11:41 UTC: fixed forward. Its started steps cleaned up "
                        + "their temporaries but 1 cleanup(s) FAILED: remove what they left by hand (see Cleanup below); the run is never "
                        + "resumed, and the plan is idle.")
                .contains("> **Still there**:")
                .contains("> - kept: database nextcrm_before (`kept.postgres.original`)")
                .contains("> - safety tag `rollback/safety/r-journal` (`git.safetyTag`)")
                .doesNotContain("leftover:");
        assertThat(md).contains("| Outcome | **ABANDONED** |")
                .contains("| Reason | (none given) |")
                .contains("| Resumed | 1 time |")
                .contains("| Processes | 1. pid 101 on host-a by alice, 03:00:00.000-03:00:07.000: **DIED** (no end recorded; the next "
                        + "process resumed the run); 2. pid 202 on host-b by carol, 03:10:07.000-03:10:11.000: FAILED |")
                .contains("| Abandoned | 2026-11-29 03:11:41 UTC by dave on host-c: fixed forward (1 cleanup(s) FAILED) |");

        assertThat(md).contains("## Cleanup (run abandoned)")
                .contains("| 4 | swap | database nextcrm_copy | ok |")
                .contains("| 1 | dump | nothing | **FAILED**: permission denied (remove what it left by hand) |")
                .contains("| 5 | notify | nothing | ok |");
        assertThat(md).contains("## Captured files").contains("| forensics/dump.sql | 2048 bytes | `abc123` | dump |")
                .contains("Resumed on host-b at 2026-11-29 03:10:07 UTC without these files:")
                .contains("- forensics/dump.sql: missing");
        assertThat(md).contains("| leftover | database nextcrm_copy | `leftover.postgres.copy` | left by a failed attempt: resuming the run "
                + "reuses or drops it; abandoning the run drops it |");
    }

    @Test
    void theStepsTableCountsEveryAttemptAndExplainsEachResult() {
        String md = IncidentReport.of(abandonedAfterACrash()).toMarkdown();
        String steps = md.substring(md.indexOf("## Steps"), md.indexOf("## Approvals"));

        assertThat(steps).contains("| 1 | dump | CAPTURE | ok | 1 | 2.0 s |  |")
                .contains("| 3 | disk space |  | **WAIVED** |  |  | waived by alice: checked by hand |")
                .contains("| 4 | swap | RESTORE | **FAILED** | 3 | 3.0 s | rename failed again |");
        assertThat(md).contains("- 2026-11-29 03:00:07 step 4 'swap', attempt 1 (retried): rename failed (error code postgres.swap.failed)\n"
                        + "  - leftover.postgres.copy = database nextcrm_copy")
                .contains("- 2026-11-29 03:10:10 step 4 'swap', attempt 3: rename failed again\n")
                .contains("- 2026-11-29 03:00:07 step 4 'swap', attempt 2: interrupted, its process died (last journaled at 2026-11-29 03:00:07 UTC)");
        assertThat(md).contains("| 4. swap | copy complete | **FAILED** | 11 tables | 12 tables | crm_notes missing |");
        assertThat(md).contains("| 2026-11-29 03:00:05 | swap | approved by bob as DBA | console |");
    }

    @Test
    void aRunWithNoEndSaysWhichProcessLastWroteAndWhichStepWasRunning() {
        List<JournalEvent> e = new ArrayList<>();
        e.add(new JournalEvent.RunStarted(RUN, at(0), "nextcrm-back", "fp-1", "alice", "drill", "host-a", 101, 3));
        e.add(new JournalEvent.StepStarted(RUN, at(1), 1, "stop nextcrm", StepKind.STOP_APP, 1));
        e.add(new JournalEvent.StepFinished(RUN, at(2), 1, "stop nextcrm", StepKind.STOP_APP, 1, 1000, Map.of(), List.of()));
        e.add(new JournalEvent.StepStarted(RUN, at(3), 2, "restore", StepKind.RESTORE, 1));

        String md = IncidentReport.of(e).toMarkdown();

        assertThat(md).contains("> **INCOMPLETE**: no end is recorded; process 101 on host-a last wrote at 2026-11-29 03:00:03 UTC, "
                        + "during step 2 'restore'. It stopped (killed, or the machine died) or it is still running.")
                .contains("> **The app is DOWN**: step 1 'stop nextcrm' stopped it at 2026-11-29 03:00:02 UTC and no later step starts it.")
                .contains("> - step 2 'restore' (restore): started, no end recorded")
                .contains("| Outcome | **INCOMPLETE (no end recorded: the process stopped)** |")
                .contains("| Reason | drill |")
                .contains("| step 2 'restore' started; **no end recorded** |")
                .doesNotContain("| Resumed |").doesNotContain("| Processes |");
    }

    @Test
    void anAppThatFailedToStopOrToStartIsCalledOut() {
        List<JournalEvent> stop = new ArrayList<>();
        stop.add(new JournalEvent.RunStarted(RUN, at(0), "p", "fp", "alice", "x", "host-a", 1, 2));
        stop.add(new JournalEvent.StepStarted(RUN, at(1), 1, "stop nextcrm", StepKind.STOP_APP, 1));
        stop.add(new JournalEvent.StepFailed(RUN, at(2), 1, "stop nextcrm", StepKind.STOP_APP, 1, 1000, "pm2 timed out", false,
                List.of(), Map.of(), null, null));
        stop.add(new JournalEvent.RunFinished(RUN, at(3), "FAILED", "stop nextcrm", "pm2 timed out", 3000));
        assertThat(IncidentReport.of(stop).toMarkdown())
                .contains("> **FAILED** at step 1 'stop nextcrm': pm2 timed out")
                .contains("> **The app may be partly DOWN**: step 1 'stop nextcrm' failed while stopping it: pm2 timed out");

        List<JournalEvent> start = new ArrayList<>(stop.subList(0, 2));
        start.add(new JournalEvent.StepFinished(RUN, at(2), 1, "stop nextcrm", StepKind.STOP_APP, 1, 1000, Map.of(), List.of()));
        start.add(new JournalEvent.StepStarted(RUN, at(3), 2, "start nextcrm", StepKind.START_APP, 1));
        start.add(new JournalEvent.StepFailed(RUN, at(4), 2, "start nextcrm", StepKind.START_APP, 1, 1000, "port in use", false,
                List.of(), Map.of(), null, null));
        start.add(new JournalEvent.RunFinished(RUN, at(5), "FAILED", "start nextcrm", "port in use", 5000));
        assertThat(IncidentReport.of(start).toMarkdown())
                .contains("> **The app is DOWN or unhealthy**: step 2 'start nextcrm' failed to start it: port in use");

        List<JournalEvent> up = new ArrayList<>(start.subList(0, 4));
        up.add(new JournalEvent.StepFinished(RUN, at(4), 2, "start nextcrm", StepKind.START_APP, 1, 1000, Map.of(), List.of()));
        up.add(new JournalEvent.StepStarted(RUN, at(5), 3, "notify", StepKind.NOTIFY, 1));
        up.add(new JournalEvent.StepFailed(RUN, at(6), 3, "notify", StepKind.NOTIFY, 1, 1000, "slack is down", false,
                List.of(), Map.of(), null, null));
        up.add(new JournalEvent.RunFinished(RUN, at(7), "FAILED", "notify", null, 7000));
        assertThat(IncidentReport.of(up).toMarkdown())
                .contains("> **FAILED** at step 3 'notify'.")
                .contains("> **The app is UP** as far as the run knows: step 2 'start nextcrm' started it at 2026-11-29 03:00:04 UTC.");
    }
}
