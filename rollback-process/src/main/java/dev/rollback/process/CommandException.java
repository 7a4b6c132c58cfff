package dev.rollback.process;

import dev.rollback.core.RollbackException;

/** The root of the exceptions a {@link Command} throws; messages are redacted. */
public abstract class CommandException extends RollbackException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong */
    protected CommandException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause   the underlying failure
     */
    protected CommandException(String message, Throwable cause) {
        super(message, cause);
    }
}
