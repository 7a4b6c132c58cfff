package dev.rollback.core.internal;

import dev.rollback.core.PlannedStep;
import dev.rollback.core.RollbackException;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.JournalException;
import dev.rollback.core.journal.LeaseLostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Journals a run's events, then tells the listeners; remembers the last step it saw start, so that
 * a journal that stops accepting events can say where the run stopped.
 */
final class RunRecorder {
    private static final Logger LOG = LoggerFactory.getLogger("dev.rollback.runner");

    private final RollbackPlan plan;
    private final Journal.JournalWriter writer;
    private final Listeners listeners;
    private PlannedStep lastStarted;
    private boolean lastStartedEnded = true;

    RunRecorder(RollbackPlan plan, Journal.JournalWriter writer, Listeners listeners) {
        this.plan = plan;
        this.writer = writer;
        this.listeners = listeners;
    }

    /** Makes the event durable, then tells the listeners. */
    void append(JournalEvent event) {
        writer.append(event);
        if (event instanceof JournalEvent.StepStarted s) {
            lastStarted = plan.stepAt(s.index()).orElse(null);
            lastStartedEnded = lastStarted == null;
        } else if (event instanceof JournalEvent.StepFinished || event instanceof JournalEvent.StepFailed) {
            lastStartedEnded = true;
        }
        listeners.event(event);
    }

    /**
     * The journal refused an event (its server is gone, the disk is full, another runner took the
     * lease): the run stops before its next step, with nothing run that is not journaled.
     *
     * @param e      what the journal threw
     * @param runId  the run
     * @param resume the call that resumes it
     * @return the exception that stops the run, saying where it stopped
     */
    RollbackException stopped(RollbackException e, String runId, String resume) {
        String next;
        if (lastStarted != null && !lastStartedEnded) {
            next = "after step " + lastStarted.index() + " '" + lastStarted.name() + "' ran (its end could not be journaled, so a "
                    + "resume runs it again)";
        } else if (lastStarted == null) {
            next = "before its first step";
        } else if (lastStarted.index() < plan.steps().size()) {
            next = "before step " + (lastStarted.index() + 1) + " '" + plan.steps().get(lastStarted.index()).name() + "'";
        } else {
            next = "at its end";
        }
        if (e instanceof LeaseLostException) {
            LOG.error("Run {} of plan '{}' stopped {}: {}", runId, plan.name(), next, e.getMessage());
            return new LeaseLostException(e.getMessage() + " This runner stopped " + next
                    + " and runs nothing more; the other runner goes on with the plan.");
        }
        LOG.error("Run {} of plan '{}' stopped {}: the journal failed: {}", runId, plan.name(), next, e.getMessage());
        return new JournalException("The journal stopped accepting events, so run " + runId + " of plan '" + plan.name()
                + "' stopped " + next + "; nothing ran that the journal did not record. Cause: " + e.getMessage()
                + " Once the journal is back, resume with: " + resume, e);
    }
}
