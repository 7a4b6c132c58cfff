package dev.rollback.core.journal;

/** {@code --break-lock} on a journal whose locks cannot be broken (an OS file lock), saying what to do instead. */
public final class LockNotBreakableException extends JournalException {
    private static final long serialVersionUID = 1L;

    /**
     * @param planName the plan
     * @param why      why, and what to do instead
     */
    public LockNotBreakableException(String planName, String why) {
        super("Cannot break the lock of plan '" + planName + "': " + why);
    }
}
