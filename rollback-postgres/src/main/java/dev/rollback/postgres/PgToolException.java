package dev.rollback.postgres;

/**
 * {@code pg_dump}, {@code pg_restore} or {@code psql} is missing, older than the server, or
 * failed. The message names the tool, its version and path, the server's version and the fix.
 */
public final class PgToolException extends PostgresException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "postgres.tool.failed";
    private static final long serialVersionUID = 1L;

    /** @param message what was tried and the fix */
    public PgToolException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return CODE;
    }
}
