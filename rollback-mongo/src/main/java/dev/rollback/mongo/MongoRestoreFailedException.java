package dev.rollback.mongo;

import java.util.List;

/**
 * A restore did not complete. Says which collections failed and what state is left: under the
 * safe strategy the live collections are untouched and the temporary ones were dropped.
 */
public final class MongoRestoreFailedException extends MongoRollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "mongo.restore.failed";
    private static final long serialVersionUID = 1L;
    private final List<String> failedCollections;

    /**
     * @param message           what failed and the state left behind
     * @param failedCollections the collections that failed
     * @param cause             the first failure
     */
    public MongoRestoreFailedException(String message, List<String> failedCollections, Throwable cause) {
        super(message, cause);
        this.failedCollections = List.copyOf(failedCollections);
    }

    /** @return the collections that failed */
    public List<String> failedCollections() {
        return failedCollections;
    }

    @Override
    public String code() {
        return CODE;
    }
}
