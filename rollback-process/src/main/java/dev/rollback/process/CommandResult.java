package dev.rollback.process;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a finished {@link Command} did: its argument list, exit code, how long it took, and the
 * last lines of its standard output and standard error (bounded, see {@link Command#keepLines(int)}).
 *
 * <pre>{@code
 * CommandResult r = Command.of("git", "rev-parse", "HEAD").run();
 * String sha = r.stdoutText().trim();
 * }</pre>
 *
 * @param argv     the argument list as given (never holds secrets: they go in the environment)
 * @param exitCode the process exit code
 * @param duration wall-clock time from start to exit
 * @param stdout   the last lines of standard output (empty when it went to a file)
 * @param stderr   the last lines of standard error
 */
public record CommandResult(List<String> argv, int exitCode, Duration duration, List<String> stdout, List<String> stderr) {

    /** Copies the lists so that the result is immutable. */
    public CommandResult {
        argv = List.copyOf(Objects.requireNonNull(argv, "argv"));
        Objects.requireNonNull(duration, "duration");
        stdout = List.copyOf(Objects.requireNonNull(stdout, "stdout"));
        stderr = List.copyOf(Objects.requireNonNull(stderr, "stderr"));
    }

    /** @return the kept standard output lines joined with newlines */
    public String stdoutText() {
        return String.join("\n", stdout);
    }

    /** @return the kept standard error lines joined with newlines */
    public String stderrText() {
        return String.join("\n", stderr);
    }

    /**
     * @param n how many lines
     * @return the last {@code n} kept lines of standard error
     */
    public List<String> stderrTail(int n) {
        return stderr.subList(Math.max(0, stderr.size() - n), stderr.size());
    }

    /**
     * @param n how many lines
     * @return the last {@code n} kept lines of standard output
     */
    public List<String> stdoutTail(int n) {
        return stdout.subList(Math.max(0, stdout.size() - n), stdout.size());
    }
}
