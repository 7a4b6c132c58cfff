package dev.rollback.postgres;

/**
 * Sessions still hold a database that a step needs to itself (an in-place restore, a template
 * snapshot). The message names the applications and the option that terminates them.
 */
public final class ActiveSessionsException extends PostgresException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "postgres.sessions.active";
    private static final long serialVersionUID = 1L;

    /** @param message the sessions found and the fix */
    public ActiveSessionsException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return CODE;
    }
}
