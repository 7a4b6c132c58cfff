package dev.rollback.core;

/** How a run ended. */
public enum RunOutcome {
    /** Every step succeeded. */
    SUCCEEDED,
    /** Every step ran; some failed under a continue policy. */
    SUCCEEDED_WITH_WARNINGS,
    /** A step failed; the run stopped. Resume it after fixing the cause. */
    FAILED,
    /** A destructive step needed approval and no one could be asked. */
    NEEDS_APPROVAL,
    /** The operator refused a destructive step. */
    REFUSED,
    /** Nothing ran: the plan was only described. */
    DRY_RUN;

    /** @return whether the run reached its end */
    public boolean isSuccess() {
        return this == SUCCEEDED || this == SUCCEEDED_WITH_WARNINGS;
    }
}
