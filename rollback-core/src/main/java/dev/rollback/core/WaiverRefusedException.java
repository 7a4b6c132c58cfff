package dev.rollback.core;

import java.util.Objects;

/**
 * A waiver ({@code --waive NAME --reason TEXT}, {@link RollbackRunner#waive(String, String)}) the
 * plan does not allow: no such step, a step that is not a waivable precheck or capture, no reason,
 * or a capture a destructive step depends on in a plan that does not allow waiving captures.
 * Nothing was run or journaled.
 */
public final class WaiverRefusedException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "waiver.refused";
    private static final long serialVersionUID = 1L;
    private final String step;

    /**
     * @param step    the step the waiver named
     * @param message what is wrong and how to fix it
     */
    public WaiverRefusedException(String step, String message) {
        super(message);
        this.step = Objects.requireNonNull(step, "step");
    }

    /** @return the step the waiver named */
    public String step() {
        return step;
    }

    @Override
    public String code() {
        return CODE;
    }
}
