package dev.rollback.core;

import java.util.Objects;

/**
 * The outcome of one {@link Check}: what was measured against what was expected.
 *
 * @param name     the check's name
 * @param status   passed or failed
 * @param measured what was measured, rendered as text ("12034 rows"); may be empty
 * @param expected what was expected ("at least 12000 rows"); may be empty
 * @param message  a sentence for people; for a failure it names the problem
 */
public record CheckResult(String name, Status status, String measured, String expected, String message) {

    /** Whether a check passed. */
    public enum Status {
        /** The expectation holds. */
        PASSED,
        /** The expectation does not hold. */
        FAILED
    }

    /** Validates and normalises the fields. */
    public CheckResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        measured = measured == null ? "" : measured;
        expected = expected == null ? "" : expected;
        message = message == null ? "" : message;
    }

    /**
     * A passed result.
     *
     * @param name     check name
     * @param measured measured value
     * @param expected expectation
     * @return the result
     */
    public static CheckResult passed(String name, Object measured, Object expected) {
        return new CheckResult(name, Status.PASSED, str(measured), str(expected), "");
    }

    /**
     * A failed result.
     *
     * @param name     check name
     * @param measured measured value
     * @param expected expectation
     * @param message  what is wrong, for people
     * @return the result
     */
    public static CheckResult failed(String name, Object measured, Object expected, String message) {
        return new CheckResult(name, Status.FAILED, str(measured), str(expected), message);
    }

    /** @return whether the check passed */
    public boolean isPassed() {
        return status == Status.PASSED;
    }

    /** @return a one-line summary: name, status, measured against expected */
    public String summary() {
        StringBuilder b = new StringBuilder(name).append(": ").append(status);
        if (!measured.isEmpty() || !expected.isEmpty()) {
            b.append(" (measured ").append(measured.isEmpty() ? "-" : measured)
                    .append(", expected ").append(expected.isEmpty() ? "-" : expected).append(')');
        }
        if (!message.isEmpty()) {
            b.append(" - ").append(message);
        }
        return b.toString();
    }

    private static String str(Object o) {
        return o == null ? "" : String.valueOf(o);
    }
}
