package dev.rollback.postgres;

import java.util.Optional;

/**
 * A restore failed. Under the safe strategy the live database was not touched and the new,
 * partly restored database is kept for forensics; {@link #leftBehindDatabase()} names it.
 */
public final class PostgresRestoreFailedException extends PostgresException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "postgres.restore.failed";
    private static final long serialVersionUID = 1L;
    private final String leftBehindDatabase;

    /**
     * @param message            what failed, the state left behind and the fix
     * @param leftBehindDatabase the partly restored database kept for forensics, or null
     */
    public PostgresRestoreFailedException(String message, String leftBehindDatabase) {
        super(message);
        this.leftBehindDatabase = leftBehindDatabase;
    }

    /** @return the partly restored database kept for forensics, if one was created */
    public Optional<String> leftBehindDatabase() {
        return Optional.ofNullable(leftBehindDatabase);
    }

    @Override
    public String code() {
        return CODE;
    }
}
