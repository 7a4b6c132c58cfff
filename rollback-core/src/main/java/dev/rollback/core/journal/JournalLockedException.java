package dev.rollback.core.journal;

import dev.rollback.core.RollbackException;

import java.util.Optional;

/**
 * Another run of the same plan holds the lock. The message names the holder (run, operator,
 * process id, host, since when) and what to do.
 */
public final class JournalLockedException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "journal.locked";
    private static final long serialVersionUID = 1L;
    private final String holder;
    private final transient PlanLock lock;

    /**
     * @param planName the plan
     * @param lock     the lock as recorded by its holder
     * @param where    where the lock is (a file, a table)
     * @param whatToDo what the operator can do
     */
    public JournalLockedException(String planName, PlanLock lock, String where, String whatToDo) {
        super("Another run of plan '" + planName + "' is in progress: " + lock.describe() + " (lock " + where + "). " + whatToDo);
        this.holder = lock.describe();
        this.lock = lock;
    }

    /**
     * @param planName the plan
     * @param holder   who holds the lock, as far as it is known
     * @param where    where the lock is
     */
    public JournalLockedException(String planName, String holder, String where) {
        super("Another run of plan '" + planName + "' is in progress (" + holder + "; lock " + where
                + "). Wait for it to finish, or stop that process; the lock is released when it exits.");
        this.holder = holder;
        this.lock = null;
    }

    /** @return the holder, as recorded with the lock */
    public String holder() {
        return holder;
    }

    /** @return the lock, when its holder is known */
    public Optional<PlanLock> lock() {
        return Optional.ofNullable(lock);
    }

    @Override
    public String code() {
        return CODE;
    }
}
