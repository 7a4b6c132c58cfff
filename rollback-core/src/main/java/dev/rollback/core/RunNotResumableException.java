package dev.rollback.core;

/** A resume was refused: no such run, or it already finished. */
public final class RunNotResumableException extends RollbackException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and what to do */
    public RunNotResumableException(String message) {
        super(message);
    }
}
