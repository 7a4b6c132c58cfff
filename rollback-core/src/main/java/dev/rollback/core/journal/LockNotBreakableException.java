package dev.rollback.core.journal;

import dev.rollback.core.RollbackException;

/** {@code --break-lock} on a journal whose locks cannot be broken (an OS file lock), saying what to do instead. */
public final class LockNotBreakableException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "journal.lock.unbreakable";
    private static final long serialVersionUID = 1L;

    /**
     * @param planName the plan
     * @param why      why, and what to do instead
     */
    public LockNotBreakableException(String planName, String why) {
        super("Cannot break the lock of plan '" + planName + "': " + why);
    }

    @Override
    public String code() {
        return CODE;
    }
}
