package dev.rollback.core.journal;

import dev.rollback.core.RollbackException;

/**
 * A runner's lease on its plan was taken over (it expired while the runner was paused or cut off,
 * or an operator broke it): the append was refused, and the runner must run no further step.
 * The message names the new holder.
 */
public final class LeaseLostException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "journal.lease.lost";
    private static final long serialVersionUID = 1L;

    /** @param message who holds the plan now, and what this runner did not write */
    public LeaseLostException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return CODE;
    }
}
