package dev.rollback.core;

/**
 * The root of every exception this library throws. Unchecked; messages are redacted and name
 * the problem and, where there is one, the fix.
 *
 * <p>Each module has one root below this one ({@code PostgresException}, {@code MongoRollbackException},
 * {@code GitException}, {@code ProcessException}); every type below a root is final. Every concrete
 * type has a stable {@linkplain #code() error code}, also as its constant {@code CODE}, so that a
 * program can act on a failure without matching its message:
 *
 * <pre>{@code
 * switch (report.failure().code()) {
 *     case PostgresRestoreFailedException.CODE -> page("database restore failed");
 *     case CheckFailedException.CODE -> page("a check failed: " + report.failure().step());
 *     default -> page(report.failure().message());
 * }
 * }</pre>
 *
 * <p>{@code docs/errors.md} lists every code.
 */
public abstract class RollbackException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, redacted */
    protected RollbackException(String message) {
        super(Redactor.redact(message));
    }

    /**
     * @param message what went wrong, redacted
     * @param cause   the underlying failure
     */
    protected RollbackException(String message, Throwable cause) {
        super(Redactor.redact(message), cause);
    }

    /**
     * The stable error code of this failure, such as {@code postgres.restore.failed}: lower case,
     * dot-separated, starting with the module's area. It never changes between releases; the
     * message may.
     *
     * @return the code, equal to the type's {@code CODE} constant
     */
    public abstract String code();
}
