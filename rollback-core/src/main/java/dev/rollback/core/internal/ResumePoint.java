package dev.rollback.core.internal;

import dev.rollback.core.PlanChangedException;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunNotResumableException;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.StepKind;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a resume restarts, read from the run's journal: after the last checkpoint it reached, with
 * the captures it does not take again and the application stops it repeats.
 *
 * @param events     the run's events so far
 * @param checkpoint the last checkpoint reached, or null
 */
record ResumePoint(List<JournalEvent> events, JournalEvent.CheckpointReached checkpoint) {

    /**
     * The run's events, refusing a run the journal does not have.
     *
     * @param purpose what the run is wanted for, for the message ({@code ""}, {@code " to abandon"})
     * @throws RunNotResumableException naming the last runs there are
     */
    static List<JournalEvent> eventsOf(RollbackPlan plan, Journal journal, String runId, String purpose) {
        List<JournalEvent> events = journal.read(plan.name(), runId);
        if (events.isEmpty()) {
            List<String> known = journal.runIds(plan.name());
            throw new RunNotResumableException("No run " + runId + " of plan '" + plan.name() + "' in "
                    + journal.describeLocation(plan.name(), runId) + purpose + (known.isEmpty() ? "; the journal has no runs of this plan"
                    : "; recorded runs: " + String.join(", ", known.subList(Math.max(0, known.size() - 5), known.size()))));
        }
        return events;
    }

    /**
     * @throws RunNotResumableException when there is no such run, it succeeded, or it was abandoned
     * @throws PlanChangedException     when the plan is not the one the run started with
     */
    static ResumePoint of(RollbackPlan plan, Journal journal, String runId) {
        List<JournalEvent> events = eventsOf(plan, journal, runId, "");
        JournalEvent.RunStarted started = events.stream().filter(JournalEvent.RunStarted.class::isInstance)
                .map(JournalEvent.RunStarted.class::cast).findFirst()
                .orElseThrow(() -> new RunNotResumableException("Run " + runId + " has no start event; its journal is damaged"));
        if (!started.fingerprint().equals(plan.fingerprint())) {
            throw new PlanChangedException(runId, started.fingerprint(), plan.fingerprint());
        }
        Optional<JournalEvent.RunFinished> finished = last(events, JournalEvent.RunFinished.class);
        if (finished.isPresent() && RunOutcome.valueOf(finished.get().outcome()).isSuccess()
                && events.get(events.size() - 1) instanceof JournalEvent.RunFinished) {
            throw new RunNotResumableException("Run " + runId + " of plan '" + plan.name() + "' already finished "
                    + finished.get().outcome() + " at " + finished.get().time() + "; there is nothing to resume");
        }
        Optional<JournalEvent.RunAbandoned> abandoned = last(events, JournalEvent.RunAbandoned.class);
        if (abandoned.isPresent()) {
            throw new RunNotResumableException("Run " + runId + " of plan '" + plan.name() + "' was abandoned by "
                    + abandoned.get().operator() + " at " + abandoned.get().time() + " (" + abandoned.get().reason()
                    + "); its temporaries were cleaned up and it cannot be resumed. Start a new run instead.");
        }
        return new ResumePoint(events, last(events, JournalEvent.CheckpointReached.class).orElse(null));
    }

    private static <E extends JournalEvent> Optional<E> last(List<JournalEvent> events, Class<E> type) {
        return events.stream().filter(type::isInstance).map(type::cast).reduce((a, b) -> b);
    }

    /** @return the position the resume restarts after: its checkpoint's, or 0 */
    int after() {
        return checkpoint == null ? 0 : checkpoint.index();
    }

    /**
     * Captures are taken once per run: once a destructive step has started, the captures that
     * finished before it hold the only pre-rollback state there is, and taking them again would
     * overwrite it with what the destructive step left.
     *
     * @return the captures after the resume point that a resume does not take again, by position
     */
    Map<Integer, JournalEvent.StepFinished> capturesTaken(RollbackPlan plan) {
        boolean destroyed = events.stream().anyMatch(e -> e instanceof JournalEvent.StepStarted s && s.index() <= plan.steps().size()
                && plan.steps().get(s.index() - 1).destructive());
        Map<Integer, JournalEvent.StepFinished> taken = new LinkedHashMap<>();
        if (destroyed) {
            for (JournalEvent e : events) {
                if (e instanceof JournalEvent.StepFinished f && f.index() > after() && f.kind() == StepKind.CAPTURE) {
                    taken.put(f.index(), f);
                }
            }
        }
        return taken;
    }

    /**
     * A failure handler that started the application again undid the stop the checkpoint stands on:
     * the steps that stopped it before the checkpoint run again first ({@code AppControl.stop} is
     * safe to repeat).
     *
     * @return the stop steps to run again, in order; empty unless a failure handler started the application
     */
    List<PlannedStep> stopsToRepeat(RollbackPlan plan) {
        boolean started = false;
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.RunStarted || e instanceof JournalEvent.RunResumed) {
                started = false;   // only the last invocation's handlers count
            } else if (e instanceof JournalEvent.StepStarted s && s.kind() == StepKind.START_APP && plan.handlerAt(s.index()).isPresent()) {
                started = true;
            }
        }
        boolean startedByHandler = started;
        return plan.steps().stream().filter(s -> startedByHandler && s.index() <= after() && s.kind() == StepKind.STOP_APP).toList();
    }
}
