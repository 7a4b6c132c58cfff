package dev.rollback.mongo;

/**
 * No usable backup where one was expected: the root folder is missing, no folder matches the
 * pattern, or a database folder holds no collections.
 */
public final class BackupNotFoundException extends MongoRollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "mongo.backup.missing";
    private static final long serialVersionUID = 1L;

    /** @param message what was looked for, where, and the fix */
    public BackupNotFoundException(String message) {
        super(message, null);
    }

    @Override
    public String code() {
        return CODE;
    }
}
