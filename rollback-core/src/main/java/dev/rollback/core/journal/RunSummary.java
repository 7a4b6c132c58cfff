package dev.rollback.core.journal;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a run's journal says about it, in a few fields: how it stands, who started it, where it
 * stopped. {@link PlanStatus} is made of these.
 *
 * @param runId     the run
 * @param state     how it stands
 * @param startedAt when it started (its {@code RunStarted} event), or the first event's time
 * @param operator  who started it, or null when its start is missing
 * @param host      where it started, or null
 * @param lastEvent when its last event was written
 * @param endedAt   when it succeeded or was abandoned, or null
 * @param outcome   the outcome of its last {@code RunFinished}, or null when the process stopped
 *                  without recording an end
 * @param stoppedAt the step it stopped at ("5 'restore'"), or null
 */
public record RunSummary(String runId, State state, Instant startedAt, String operator, String host, Instant lastEvent,
                         Instant endedAt, String outcome, String stoppedAt) {

    /** How a run stands. */
    public enum State {
        /** It ran to its end. */
        SUCCEEDED,
        /**
         * It changed something (a step other than a precheck, capture, verify, checkpoint or
         * notification started), then failed or died: resume it or abandon it.
         */
        INTERRUPTED,
        /** It stopped before any step that changes something started: there is nothing to resume or clean up. */
        NOTHING_CHANGED,
        /** It was abandoned: its temporaries were cleaned up and it is never resumed. */
        ABANDONED
    }

    /** Validates the fields. */
    public RunSummary {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(state, "state");
    }

    /**
     * Sums a run up from its events.
     *
     * @param runId  the run
     * @param events its events, in order (not empty)
     * @return the summary
     */
    public static RunSummary of(String runId, List<JournalEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("run " + runId + " has no events");
        }
        JournalEvent.RunStarted start = null;
        JournalEvent.RunFinished lastFinish = null;
        JournalEvent.RunAbandoned abandoned = null;
        boolean changed = false;
        boolean stepSinceFinish = false;
        String stoppedAt = null;
        String lastStartedName = null;
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.RunStarted s && start == null) {
                start = s;
            } else if (e instanceof JournalEvent.StepStarted s) {
                stepSinceFinish = true;
                // A handler (positions after the plan's steps) reacts to how the run ended: it neither
                // makes the run one that changed something nor moves where it stopped.
                if (start == null || s.index() <= start.stepCount()) {
                    changed |= !s.kind().isReadOnly();
                    stoppedAt = s.index() + " '" + s.step() + "'";
                    lastStartedName = s.step();
                }
            } else if (e instanceof JournalEvent.RunFinished f) {
                lastFinish = f;
                stepSinceFinish = false;
                if (f.failedStep() != null && !f.failedStep().equals(lastStartedName)) {
                    stoppedAt = "'" + f.failedStep() + "'";
                }
            } else if (e instanceof JournalEvent.RunAbandoned a) {
                abandoned = a;
            }
        }
        boolean succeeded = lastFinish != null && !stepSinceFinish
                && (lastFinish.outcome().equals("SUCCEEDED") || lastFinish.outcome().equals("SUCCEEDED_WITH_WARNINGS"));
        State state = abandoned != null ? State.ABANDONED : succeeded ? State.SUCCEEDED : changed ? State.INTERRUPTED : State.NOTHING_CHANGED;
        Instant ended = abandoned != null ? abandoned.time() : succeeded ? lastFinish.time() : null;
        String outcome = lastFinish == null || stepSinceFinish ? null : lastFinish.outcome();
        return new RunSummary(runId, state, start != null ? start.time() : events.get(0).time(), start == null ? null : start.operator(),
                start == null ? null : start.host(), events.get(events.size() - 1).time(), ended, outcome,
                state == State.SUCCEEDED ? null : stoppedAt);
    }

    /** @return a line for people: "run R, started T by alice on ops-1: INTERRUPTED at step 5 'restore' (FAILED)" */
    public String describe() {
        StringBuilder b = new StringBuilder("run ").append(runId).append(", started ").append(startedAt);
        if (operator != null) {
            b.append(" by ").append(operator);
        }
        if (host != null) {
            b.append(" on ").append(host);
        }
        b.append(": ").append(state);
        switch (state) {
            case SUCCEEDED -> b.append(" at ").append(endedAt);
            case ABANDONED -> b.append(" at ").append(endedAt);
            default -> {
                if (stoppedAt != null) {
                    b.append(" at step ").append(stoppedAt);
                }
                b.append(outcome == null ? " (the process stopped without recording an end; last event " + lastEvent + ")"
                        : " (" + outcome + ")");
            }
        }
        return b.toString();
    }
}
