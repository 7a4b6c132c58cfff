package dev.rollback.process;

import java.util.Optional;

/**
 * A command exited with a code it was not expected to, or could not be run at all (working
 * directory missing, output file not writable). The message names the command (redacted), the
 * exit code and the last lines of its error output.
 */
public final class CommandFailedException extends ProcessException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "process.command.failed";
    private static final long serialVersionUID = 1L;

    private final transient CommandResult result;

    /**
     * @param message what went wrong
     * @param result  what the command did, or null if it never ran
     */
    public CommandFailedException(String message, CommandResult result) {
        super(message);
        this.result = result;
    }

    /**
     * @param message what went wrong
     * @param cause   the underlying failure
     */
    public CommandFailedException(String message, Throwable cause) {
        super(message, cause);
        this.result = null;
    }

    /** @return what the command did, when it ran to an exit code */
    public Optional<CommandResult> result() {
        return Optional.ofNullable(result);
    }

    /** @return the exit code, or -1 when the command never ran */
    public int exitCode() {
        return result == null ? -1 : result.exitCode();
    }

    @Override
    public String code() {
        return CODE;
    }
}
