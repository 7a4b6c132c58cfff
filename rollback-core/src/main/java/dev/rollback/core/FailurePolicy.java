package dev.rollback.core;

/** What the runner does when a step fails after its retries. */
public enum FailurePolicy {
    /** Stop the run; the report names the step and the resume command. The default. */
    ABORT,
    /** Record the failure and go on with the next step (a smoke test that is nice to have). */
    CONTINUE
}
