package dev.rollback.core;

import java.util.Objects;

/**
 * A check ran and its expectation does not hold: a precheck, a verify step, or a check a step ran
 * on its own work. {@link #result()} holds what was measured against what was expected.
 */
public final class CheckFailedException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "check.failed";
    private static final long serialVersionUID = 1L;
    private final transient CheckResult result;

    /** @param result the failed result */
    public CheckFailedException(CheckResult result) {
        super("check failed: " + Objects.requireNonNull(result, "result").summary());
        this.result = result;
    }

    /** @return the check's result: its name, what was measured and what was expected */
    public CheckResult result() {
        return result;
    }

    @Override
    public String code() {
        return CODE;
    }
}
