package dev.rollback.process;

import dev.rollback.core.RollbackException;

/**
 * An application did not stop or start as asked: the command ran but the application is not
 * in the expected state. The message names the application, what was checked and what to do.
 */
public class AppControlException extends RollbackException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, the state left behind and the fix */
    public AppControlException(String message) {
        super(message);
    }
}
