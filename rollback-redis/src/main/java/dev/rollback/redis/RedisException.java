package dev.rollback.redis;

import dev.rollback.core.RollbackException;

/**
 * A Redis step or check could not do its work: the server refused the password, could not be
 * reached, did not answer in time, or answered with an error. The message names the server (never
 * the password), what was tried and what to do. The module's only exception type, so its root and
 * a final leaf at once.
 */
public final class RedisException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "redis.failed";
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, the state left behind and the fix */
    public RedisException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, the state left behind and the fix
     * @param cause   the underlying failure
     */
    public RedisException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return CODE;
    }
}
