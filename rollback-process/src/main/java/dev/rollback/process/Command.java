package dev.rollback.process;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Redactor;
import dev.rollback.core.Secret;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.core.spi.DescribedCheck;
import dev.rollback.process.internal.CommandRunner;
import dev.rollback.process.internal.Argv;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An external command as a rollback {@link Step}: an argument list (never a shell), a working
 * directory, an environment, a timeout and the exit codes that count as success.
 *
 * <p>Immutable: every setter returns a copy. Secrets go in the environment only
 * ({@link #env(String, Secret)}), never in the argument list, where {@code ps} would show them.
 * Output is streamed to the SLF4J log line by line (redacted) and the last lines
 * ({@link #keepLines(int)}, 200 by default) are kept for the {@link CommandResult} and for error
 * messages. On timeout or interruption the process and every process it started are killed.
 *
 * <pre>{@code
 * CommandResult r = Command.of("pg_dump", "--format=custom", "--file", out.toString(), "nextcrm")
 *     .env("PGPASSWORD", password)                 // a Secret: masked in describe(), never in argv
 *     .timeout(Duration.ofMinutes(30))
 *     .run();
 *
 * plan.step(Command.of("redis-cli", "FLUSHDB").named("flush sessions"));
 * plan.verify(Command.of("systemctl", "is-active", "--quiet", "nginx").asCheck());
 * }</pre>
 */
public final class Command implements Step {
    /** Lines of standard output and of standard error kept by default. */
    public static final int DEFAULT_KEEP_LINES = 200;

    private final List<String> argv;
    private final Path directory;
    private final Map<String, Object> env;          // values are String or Secret
    private final Duration timeout;
    private final int[] exitCodes;
    private final String name;
    private final Path stdoutFile;
    private final List<Path> searchPath;
    private final int keepLines;
    private final boolean destructive;

    private Command(List<String> argv, Path directory, Map<String, Object> env, Duration timeout, int[] exitCodes,
                    String name, Path stdoutFile, List<Path> searchPath, int keepLines, boolean destructive) {
        this.argv = argv;
        this.directory = directory;
        this.env = env;
        this.timeout = timeout;
        this.exitCodes = exitCodes;
        this.name = name;
        this.stdoutFile = stdoutFile;
        this.searchPath = searchPath;
        this.keepLines = keepLines;
        this.destructive = destructive;
    }

    /**
     * @param executable the program: a name looked up on the search path and {@code PATH}, or a path
     * @param args       its arguments, passed as they are (no shell, no quoting, no expansion)
     * @return the command
     * @throws IllegalArgumentException when the executable is blank
     */
    public static Command of(String executable, String... args) {
        Objects.requireNonNull(args, "args");
        List<String> all = new ArrayList<>();
        all.add(executable);
        all.addAll(Arrays.asList(args));
        return of(all);
    }

    /**
     * @param argv the program followed by its arguments
     * @return the command
     * @throws IllegalArgumentException when the list is empty, holds a null, or the executable is blank
     */
    public static Command of(List<String> argv) {
        Objects.requireNonNull(argv, "argv");
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("A command needs at least an executable; the argument list is empty");
        }
        for (int i = 0; i < argv.size(); i++) {
            if (argv.get(i) == null) {
                throw new IllegalArgumentException("Argument " + i + " of command " + argv + " is null");
            }
        }
        if (argv.get(0).isBlank()) {
            throw new IllegalArgumentException("The executable of command " + Redactor.redact(argv.toString()) + " is blank");
        }
        return new Command(List.copyOf(argv), null, Collections.emptyMap(), null, new int[] {0}, null, null,
                List.of(), DEFAULT_KEEP_LINES, false);
    }

    /**
     * @param dir the working directory; it must exist when the command runs
     * @return a copy that runs in {@code dir}
     */
    public Command directory(Path dir) {
        return new Command(argv, Objects.requireNonNull(dir, "dir"), env, timeout, exitCodes, name, stdoutFile,
                searchPath, keepLines, destructive);
    }

    /**
     * Sets an environment variable of the command (the rest of the environment is inherited).
     * {@code PATH} set here is also where the executable is looked up.
     *
     * @param name  the variable
     * @param value its value; shown masked in {@link #describe()}
     * @return a copy with the variable set
     */
    public Command env(String name, String value) {
        return withEnv(name, Objects.requireNonNull(value, "value"));
    }

    /**
     * Passes a secret to the command through its environment, the only place secrets go.
     *
     * @param name  the variable, such as {@code PGPASSWORD}
     * @param value the secret
     * @return a copy with the variable set
     */
    public Command env(String name, Secret value) {
        return withEnv(name, Objects.requireNonNull(value, "value"));
    }

    private Command withEnv(String variable, Object value) {
        Objects.requireNonNull(variable, "name");
        if (variable.isEmpty() || variable.indexOf('=') >= 0 || variable.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Invalid environment variable name '" + variable + "': it must be non-empty without '=' or NUL");
        }
        Map<String, Object> e = new LinkedHashMap<>(env);
        e.put(variable, value);
        return new Command(argv, directory, Collections.unmodifiableMap(e), timeout, exitCodes, name, stdoutFile,
                searchPath, keepLines, destructive);
    }

    /**
     * @param timeout how long the command may run; then it is killed with every process it started
     * @return a copy with the timeout
     * @throws IllegalArgumentException when not positive
     */
    public Command timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("A command timeout must be positive, got " + timeout);
        }
        return new Command(argv, directory, env, timeout, exitCodes, name, stdoutFile, searchPath, keepLines, destructive);
    }

    /**
     * @param codes the exit codes that count as success (default 0)
     * @return a copy accepting these codes
     * @throws IllegalArgumentException when none are given
     */
    public Command expectExitCodes(int... codes) {
        Objects.requireNonNull(codes, "codes");
        if (codes.length == 0) {
            throw new IllegalArgumentException("expectExitCodes needs at least one exit code");
        }
        int[] c = codes.clone();
        Arrays.sort(c);
        return new Command(argv, directory, env, timeout, c, name, stdoutFile, searchPath, keepLines, destructive);
    }

    /**
     * @param stepName the step's name in plans and reports
     * @return a renamed copy
     */
    public Command named(String stepName) {
        Objects.requireNonNull(stepName, "stepName");
        if (stepName.isBlank()) {
            throw new IllegalArgumentException("A step name must not be blank");
        }
        return new Command(argv, directory, env, timeout, exitCodes, stepName, stdoutFile, searchPath, keepLines, destructive);
    }

    /**
     * Sends standard output to a file (created or truncated) instead of the log and memory, for
     * large output such as a dump. Standard error is still logged and kept. The file is readable by
     * its owner only (0600, an existing file is narrowed first) and missing folders are created
     * 0700, through {@link dev.rollback.core.OwnerOnlyFiles}. A relative path is resolved against
     * the run folder when the command runs as a step (as captures are), against the working
     * directory otherwise.
     *
     * @param file the file
     * @return a copy writing standard output to {@code file}
     */
    public Command stdoutTo(Path file) {
        return new Command(argv, directory, env, timeout, exitCodes, name, Objects.requireNonNull(file, "file"),
                searchPath, keepLines, destructive);
    }

    /**
     * Directories searched for the executable before {@code PATH}. They are also put in front of
     * the command's own {@code PATH}, so that what it runs in turn is found there too.
     *
     * @param dirs the directories, in order
     * @return a copy with the search path
     */
    public Command searchPath(List<Path> dirs) {
        Objects.requireNonNull(dirs, "dirs");
        return new Command(argv, directory, env, timeout, exitCodes, name, stdoutFile, List.copyOf(dirs), keepLines, destructive);
    }

    /**
     * @param lines how many of the last lines of each output stream to keep (at least 1)
     * @return a copy keeping that many lines
     */
    public Command keepLines(int lines) {
        if (lines < 1) {
            throw new IllegalArgumentException("keepLines must be at least 1, got " + lines);
        }
        return new Command(argv, directory, env, timeout, exitCodes, name, stdoutFile, searchPath, lines, destructive);
    }

    /**
     * Marks the command as destroying or replacing data, so that the runner asks for approval.
     *
     * @return a destructive copy
     */
    public Command markDestructive() {
        return new Command(argv, directory, env, timeout, exitCodes, name, stdoutFile, searchPath, keepLines, true);
    }

    /**
     * Runs the command and waits for it.
     *
     * @return the result, with an expected exit code
     * @throws ExecutableNotFoundException when the executable is not found; nothing ran
     * @throws CommandFailedException      on an unexpected exit code, or when it could not start
     * @throws CommandTimeoutException     when it ran past its timeout (its process tree is killed)
     */
    public CommandResult run() {
        return new CommandRunner(this, null).run();
    }

    /**
     * Runs the command and reports each output line as progress of the step.
     *
     * @param ctx the step's context
     * @return the result, with an expected exit code
     * @throws ExecutableNotFoundException when the executable is not found; nothing ran
     * @throws CommandFailedException      on an unexpected exit code, or when it could not start
     * @throws CommandTimeoutException     when it ran past its timeout (its process tree is killed)
     */
    public CommandResult run(StepContext ctx) {
        return new CommandRunner(this, Objects.requireNonNull(ctx, "ctx")).run();
    }

    /**
     * Runs the command and returns its result whatever the exit code (missing executables and
     * timeouts still throw).
     *
     * @param ctx the step's context, or null
     * @return the result
     */
    public CommandResult runAnyExit(StepContext ctx) {
        return new CommandRunner(this.expectExitCodesUnchecked(), ctx).run();
    }

    private Command expectExitCodesUnchecked() {
        return new Command(argv, directory, env, timeout, null, name, stdoutFile, searchPath, keepLines, destructive);
    }

    /** @return the argument list, executable first */
    public List<String> argv() {
        return argv;
    }

    /** @return the working directory, or null for the current one */
    public Path directory() {
        return directory;
    }

    /** @return the environment variables set on top of the inherited environment; values are String or Secret */
    public Map<String, Object> environment() {
        return env;
    }

    /** @return the timeout, or null for none */
    public Duration timeoutOrNull() {
        return timeout;
    }

    /** @return the expected exit codes, sorted; null means any */
    public int[] expectedExitCodes() {
        return exitCodes == null ? null : exitCodes.clone();
    }

    /** @return where standard output goes, or null for the log */
    public Path stdoutFile() {
        return stdoutFile;
    }

    /** @return the directories searched before {@code PATH} */
    public List<Path> searchPath() {
        return searchPath;
    }

    /** @return how many lines of each stream are kept */
    public int keepLines() {
        return keepLines;
    }

    @Override
    public String name() {
        if (name != null) {
            return name;
        }
        String rendered = Redactor.redact(Argv.render(argv));
        return "run " + (rendered.length() <= 60 ? rendered : rendered.substring(0, 57) + "...");
    }

    @Override
    public boolean destructive() {
        return destructive;
    }

    @Override
    public void execute(StepContext context) {
        run(context);
    }

    /** Shows the argument list (redacted), the environment variable names with masked values and the options. */
    @Override
    public StepDescription describe() {
        StepDescription d = StepDescription.of(name());
        if (directory != null) {
            d = d.param("directory", directory);
        }
        for (String variable : env.keySet()) {
            d = d.param("env." + variable, Secret.MASK);
        }
        if (timeout != null) {
            d = d.param("timeout", timeout);
        }
        if (exitCodes != null && !(exitCodes.length == 1 && exitCodes[0] == 0)) {
            d = d.param("exitCodes", Arrays.toString(exitCodes));
        }
        if (stdoutFile != null) {
            d = d.param("stdout", stdoutFile);
        }
        if (!searchPath.isEmpty()) {
            d = d.param("searchPath", searchPath);
        }
        return d.command(argv);
    }

    /**
     * The command as a check: passed when it exits with an expected code, failed otherwise
     * (with the exit code and the last lines of its error output). A missing executable or a
     * timeout means the check could not be evaluated and throws.
     *
     * <pre>{@code
     * plan.verify(Command.of("systemctl", "is-active", "--quiet", "nextcrm").asCheck());
     * }</pre>
     *
     * @return the check, named like this step
     */
    public Check asCheck() {
        return asCheck(name());
    }

    /**
     * @param checkName the check's name
     * @return the command as a check, see {@link #asCheck()}
     */
    public Check asCheck(String checkName) {
        Objects.requireNonNull(checkName, "checkName");
        Command self = this;
        String expected = "exit code " + (exitCodes.length == 1 ? String.valueOf(exitCodes[0]) : Arrays.toString(exitCodes));
        return DescribedCheck.of(checkName, describe().param("expect", expected), context -> {
            CommandResult r = self.runAnyExit(context);
            if (Arrays.binarySearch(exitCodes, r.exitCode()) >= 0) {
                return CheckResult.passed(checkName, "exit code " + r.exitCode(), expected);
            }
            return CheckResult.failed(checkName, "exit code " + r.exitCode(), expected,
                    Redactor.redact(Argv.render(argv)) + " exited with " + r.exitCode()
                            + (r.stderr().isEmpty() ? "" : "; stderr: " + String.join(" | ", r.stderrTail(5))));
        });
    }

    @Override
    public String toString() {
        return "Command" + Redactor.redact(argv.toString());
    }
}
