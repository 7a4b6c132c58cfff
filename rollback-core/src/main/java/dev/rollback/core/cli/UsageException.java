package dev.rollback.core.cli;

import dev.rollback.core.RollbackException;

/** The program was started with arguments or settings it cannot use. Exit code 2. */
public final class UsageException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "cli.usage";
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and how to fix it */
    public UsageException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return CODE;
    }
}
