package dev.rollback.postgres;

import java.nio.file.Path;

/** A dump is missing, empty, truncated or unreadable; found before anything is changed. */
public final class BackupInvalidException extends PostgresException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "postgres.backup.invalid";
    private static final long serialVersionUID = 1L;
    private final transient Path backup;

    /**
     * @param backup  the dump
     * @param message what is wrong and the fix
     */
    public BackupInvalidException(Path backup, String message) {
        super(message);
        this.backup = backup;
    }

    /** @return the dump that is invalid */
    public Path backup() {
        return backup;
    }

    @Override
    public String code() {
        return CODE;
    }
}
