package dev.rollback.core;

/**
 * The root of every exception this library throws. Unchecked; messages are redacted and name
 * the problem and, where there is one, the fix.
 */
public abstract class RollbackException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, redacted */
    protected RollbackException(String message) {
        super(Redactor.redact(message));
    }

    /**
     * @param message what went wrong, redacted
     * @param cause   the underlying failure
     */
    protected RollbackException(String message, Throwable cause) {
        super(Redactor.redact(message), cause);
    }
}
