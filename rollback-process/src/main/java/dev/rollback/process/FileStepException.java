package dev.rollback.process;

/** A file step ({@link EnvFile}, {@link StatusPage}, {@link FileCopy}) could not read or write its file. */
public final class FileStepException extends ProcessException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "process.file.failed";
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was tried, the state left behind and the fix
     * @param cause   the I/O failure, or null
     */
    public FileStepException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return CODE;
    }
}
