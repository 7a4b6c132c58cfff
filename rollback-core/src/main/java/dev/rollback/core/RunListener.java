package dev.rollback.core;

import dev.rollback.core.journal.JournalEvent;

/**
 * Follows a run: every journal event as it is written, and progress of long steps. For progress
 * bars, logs and metrics; {@link #NONE} does nothing. Listeners must not throw; an exception from
 * a listener is logged and ignored.
 */
public interface RunListener {
    /** A listener that does nothing. */
    RunListener NONE = new RunListener() {
    };

    /**
     * The run is about to start or resume.
     *
     * @param plan    the plan
     * @param runId   the run
     * @param resumed whether it resumes an earlier run
     */
    default void runStarting(RollbackPlan plan, String runId, boolean resumed) {
    }

    /**
     * A destructive step's approval is being asked for; the decision follows as an
     * {@link JournalEvent.ApprovalGranted} or {@link JournalEvent.ApprovalRefused} event. A console
     * approval may wait for a person between the two: a live page shows it as waiting.
     *
     * @param plan the plan
     * @param step the step that needs approval
     */
    default void approvalRequested(RollbackPlan plan, PlannedStep step) {
    }

    /**
     * An event was journaled.
     *
     * @param plan  the plan
     * @param event the event
     */
    default void event(RollbackPlan plan, JournalEvent event) {
    }

    /**
     * A running step reported progress.
     *
     * @param step    the step
     * @param message what it said
     */
    default void progress(PlannedStep step, String message) {
    }

    /**
     * The run ended.
     *
     * @param report the report
     */
    default void runFinished(RunReport report) {
    }
}
