package dev.rollback.core;

import java.time.Duration;

/** A step ran longer than its timeout and was interrupted. */
public final class StepTimeoutException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "step.timeout";
    private static final long serialVersionUID = 1L;
    private final boolean stillRunning;

    /**
     * @param step         the step
     * @param timeout      its timeout
     * @param stillRunning whether it ignored the interruption and still runs in the background
     */
    public StepTimeoutException(String step, Duration timeout, boolean stillRunning) {
        super("Step '" + step + "' timed out after " + Durations.human(timeout) + " and was interrupted"
                + (stillRunning ? "; it did not stop and may still be running in the background, so the run stops here" : ""));
        this.stillRunning = stillRunning;
    }

    /** @return whether the step's thread was still alive after the interruption */
    public boolean stillRunning() {
        return stillRunning;
    }

    @Override
    public String code() {
        return CODE;
    }
}
