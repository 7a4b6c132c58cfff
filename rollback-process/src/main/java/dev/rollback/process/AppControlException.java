package dev.rollback.process;

/**
 * An application did not stop or start as asked: the command ran but the application is not
 * in the expected state. The message names the application, what was checked and what to do.
 */
public final class AppControlException extends ProcessException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "process.app.failed";
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, the state left behind and the fix */
    public AppControlException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return CODE;
    }
}
