package dev.rollback.postgres;

import dev.rollback.core.RollbackException;

/**
 * The root of every failure of this module: SQL errors, tool failures and I/O errors are wrapped
 * into it once, with a message naming the problem, what was tried, the state left behind and the
 * fix. Messages are redacted: no password ever appears in them. Every type below it is final and
 * has its own {@linkplain #code() error code}; a failure without a type of its own is a
 * {@link PostgresOperationException}.
 */
public abstract class PostgresException extends RollbackException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, what was tried, what is left behind and the fix */
    protected PostgresException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, what was tried, what is left behind and the fix
     * @param cause   the underlying failure
     */
    protected PostgresException(String message, Throwable cause) {
        super(message, cause);
    }
}
