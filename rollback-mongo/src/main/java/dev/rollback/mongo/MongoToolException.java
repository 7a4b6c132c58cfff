package dev.rollback.mongo;

/**
 * {@code mongodump} or {@code mongorestore} could not be started or exited with an error.
 */
public final class MongoToolException extends MongoRollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "mongo.tool.failed";
    private static final long serialVersionUID = 1L;

    /**
     * @param message the command (without secrets), the exit code, the tail of its output and the fix
     * @param cause   the underlying failure, may be null
     */
    public MongoToolException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return CODE;
    }
}
