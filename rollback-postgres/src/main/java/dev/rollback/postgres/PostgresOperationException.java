package dev.rollback.postgres;

/**
 * A PostgreSQL operation failed for a reason without a type of its own: an SQL statement, a
 * snapshot, a dump target that already exists, a file the step could not write. The message names
 * the problem, what was tried, the state left behind and the fix.
 */
public final class PostgresOperationException extends PostgresException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "postgres.operation.failed";
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, what was tried, what is left behind and the fix */
    public PostgresOperationException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, what was tried, what is left behind and the fix
     * @param cause   the underlying failure
     */
    public PostgresOperationException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return CODE;
    }
}
