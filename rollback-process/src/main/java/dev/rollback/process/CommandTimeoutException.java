package dev.rollback.process;

import java.time.Duration;

/**
 * A command ran longer than its timeout; it was killed together with every process it started.
 */
public final class CommandTimeoutException extends ProcessException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "process.command.timeout";
    private static final long serialVersionUID = 1L;

    private final transient Duration timeout;
    private final transient CommandResult partial;

    /**
     * @param message what happened
     * @param timeout the timeout that was exceeded
     * @param partial the output collected until the kill (exit code is the kill's)
     */
    public CommandTimeoutException(String message, Duration timeout, CommandResult partial) {
        super(message);
        this.timeout = timeout;
        this.partial = partial;
    }

    /** @return the timeout that was exceeded */
    public Duration timeout() {
        return timeout;
    }

    /** @return the output collected before the kill */
    public CommandResult partialResult() {
        return partial;
    }

    @Override
    public String code() {
        return CODE;
    }
}
