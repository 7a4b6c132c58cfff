package dev.rollback.core.internal;

import dev.rollback.core.ConsoleProgress;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.Redactor;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunListener;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.JournalEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.List;
import java.util.function.Consumer;

/** Tells a run's listeners what happens: the one place that keeps a failing listener from stopping a run. */
final class Listeners {
    private static final Logger LOG = LoggerFactory.getLogger("dev.rollback.runner");

    private final RollbackPlan plan;
    private final List<RunListener> listeners;

    Listeners(RollbackPlan plan, List<RunListener> listeners) {
        this.plan = plan;
        this.listeners = List.copyOf(listeners);
    }

    void runStarting(String runId, boolean resumed) {
        each(l -> l.runStarting(plan, runId, resumed));
    }

    void event(JournalEvent event) {
        each(l -> l.event(plan, event));
    }

    void approvalRequested(PlannedStep step) {
        each(l -> l.approvalRequested(plan, step));
    }

    void progress(PlannedStep step, String message) {
        each(l -> l.progress(step, message));
    }

    void runFinished(RunReport report) {
        each(l -> l.runFinished(report));
    }

    /**
     * What the console progress shows (steps, their failures, the end) is logged at its own level
     * only when no console progress follows the run; with one, at DEBUG, so a console with a log
     * binding does not show every line twice.
     */
    Level level(Level own) {
        return listeners.stream().anyMatch(ConsoleProgress.class::isInstance) ? Level.DEBUG : own;
    }

    private void each(Consumer<RunListener> call) {
        for (RunListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("Listener {} failed: {}", l, Redactor.redact(String.valueOf(e)));
            }
        }
    }
}
