package dev.rollback.core.journal;

import dev.rollback.core.RollbackException;

/** The journal could not be written or read: a full disk, a permission, a corrupt file. */
public final class JournalException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "journal.failed";
    private static final long serialVersionUID = 1L;

    /** @param message what failed and where */
    public JournalException(String message) {
        super(message);
    }

    /**
     * @param message what failed and where
     * @param cause   the I/O failure
     */
    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return CODE;
    }
}
