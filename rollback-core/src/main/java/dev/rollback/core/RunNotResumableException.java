package dev.rollback.core;

/** A resume was refused: no such run, or it already finished. */
public final class RunNotResumableException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "run.not.resumable";
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and what to do */
    public RunNotResumableException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return CODE;
    }
}
