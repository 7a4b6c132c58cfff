package dev.rollback.process;

import dev.rollback.core.RollbackException;

/**
 * The root of the exceptions of the process module: commands that failed, timed out or were not
 * found, applications that did not stop or start, fleets, files and webhooks. Every type below it
 * is final and has its own {@linkplain #code() error code}; messages are redacted.
 */
public abstract class ProcessException extends RollbackException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, what was tried, the state left behind and the fix */
    protected ProcessException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, what was tried, the state left behind and the fix
     * @param cause   the underlying failure
     */
    protected ProcessException(String message, Throwable cause) {
        super(message, cause);
    }
}
