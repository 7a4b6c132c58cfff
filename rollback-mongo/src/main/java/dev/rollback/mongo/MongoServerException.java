package dev.rollback.mongo;

/**
 * The MongoDB server could not be reached or refused an operation. The message names the
 * operation, the server (password masked), the state left behind and the fix.
 */
public final class MongoServerException extends MongoRollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "mongo.server.failed";
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was tried and the state left behind
     * @param cause   the driver's exception
     */
    public MongoServerException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return CODE;
    }
}
