package dev.rollback.core;

/**
 * A step failed with an exception that is not one of this library's, such as an
 * {@code IOException} from a step written as a lambda. The runner wraps it once, with a redacted
 * message; the step's exception is the {@linkplain #getCause() cause}, and
 * {@link RunReport.Failure#errorType()} names its type.
 */
public final class StepFailedException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "step.failed";
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, redacted
     * @param cause   what the step threw
     */
    public StepFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return CODE;
    }
}
