package dev.rollback.core.journal;

/**
 * A runner's lease on its plan was taken over (it expired while the runner was paused or cut off,
 * or an operator broke it): the append was refused, and the runner must run no further step.
 * The message names the new holder.
 */
public final class LeaseLostException extends JournalException {
    private static final long serialVersionUID = 1L;

    /** @param message who holds the plan now, and what this runner did not write */
    public LeaseLostException(String message) {
        super(message);
    }
}
