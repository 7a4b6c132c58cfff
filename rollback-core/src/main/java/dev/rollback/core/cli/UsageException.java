package dev.rollback.core.cli;

import dev.rollback.core.RollbackException;

/** The program was started with arguments or settings it cannot use. Exit code 2. */
public final class UsageException extends RollbackException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and how to fix it */
    public UsageException(String message) {
        super(message);
    }
}
