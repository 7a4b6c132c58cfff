package dev.rollback.mongo;

import dev.rollback.core.RollbackException;

/**
 * The root of the exceptions of the MongoDB adapter. Messages name the problem, what was tried,
 * the state left behind and the fix; they are redacted like every {@link RollbackException}.
 */
public abstract class MongoRollbackException extends RollbackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong
     * @param cause   the underlying failure, may be null
     */
    protected MongoRollbackException(String message, Throwable cause) {
        super(message, cause);
    }
}
