package dev.rollback.core;

/** What role a step plays in a plan; reports and the testkit group by it. */
public enum StepKind {
    /** A check that runs before anything is changed. */
    PRECHECK,
    /** Captures state for forensics (a dump, a sample, a copy). */
    CAPTURE,
    /** Stops the application. */
    STOP_APP,
    /** Starts the application. */
    START_APP,
    /** Any other action. */
    ACTION,
    /** Restores data; destructive. */
    RESTORE,
    /** A check after a change. */
    VERIFY,
    /** A durable marker that resume restarts after. */
    CHECKPOINT,
    /** Tells people. */
    NOTIFY;

    /** @return whether a step of this kind changes nothing (may run before a precheck) */
    public boolean isReadOnly() {
        return this == PRECHECK || this == CAPTURE || this == VERIFY || this == CHECKPOINT || this == NOTIFY;
    }
}
