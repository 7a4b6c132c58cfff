package dev.rollback.postgres;

/** The server could not be reached or refused the login (wrong password, unknown database). */
public final class PostgresConnectionException extends PostgresException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "postgres.connection.failed";
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was tried and the fix
     * @param cause   the driver's exception
     */
    public PostgresConnectionException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return CODE;
    }
}
