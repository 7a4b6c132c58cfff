package dev.rollback.process;

import dev.rollback.core.RollbackException;

/** A file step ({@link EnvFile}, {@link StatusPage}, {@link FileCopy}) could not read or write its file. */
public class FileStepException extends RollbackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was tried, the state left behind and the fix
     * @param cause   the I/O failure, or null
     */
    public FileStepException(String message, Throwable cause) {
        super(message, cause);
    }
}
