package dev.rollback.core.journal;

/**
 * Another run of the same plan holds the lock. The message names the holder: process id, host,
 * start time and run id.
 */
public final class JournalLockedException extends JournalException {
    private static final long serialVersionUID = 1L;
    private final String holder;

    /**
     * @param planName the plan
     * @param holder   who holds the lock, as the holder recorded it
     * @param lockFile where the lock is
     */
    public JournalLockedException(String planName, String holder, String lockFile) {
        super("Another run of plan '" + planName + "' is in progress (" + holder + "; lock " + lockFile
                + "). Wait for it to finish, or stop that process; the lock is released when it exits.");
        this.holder = holder;
    }

    /** @return the holder, as recorded in the lock file */
    public String holder() {
        return holder;
    }
}
