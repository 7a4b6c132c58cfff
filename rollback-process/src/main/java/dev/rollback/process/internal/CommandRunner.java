package dev.rollback.process.internal;

import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Redactor;
import dev.rollback.core.Secret;
import dev.rollback.core.StepContext;
import dev.rollback.process.Command;
import dev.rollback.process.CommandFailedException;
import dev.rollback.process.CommandResult;
import dev.rollback.process.CommandTimeoutException;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteResultHandler;
import org.apache.commons.exec.ProcessDestroyer;
import org.apache.commons.exec.PumpStreamHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs one {@link Command} with Apache Commons Exec. One instance per run. */
public final class CommandRunner {
    private static final Logger LOG = LoggerFactory.getLogger(Command.class);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    // A process that exits while something it left behind keeps its output open must not hang us.
    private static final Duration PUMP_STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Command command;
    private final StepContext context;

    /**
     * @param command what to run
     * @param context the step's context for progress, or null
     */
    public CommandRunner(Command command, StepContext context) {
        this.command = command;
        this.context = context;
    }

    /**
     * Runs the command; see {@link Command#run()}.
     *
     * @return the result
     */
    public CommandResult run() {
        List<String> argv = command.argv();
        String shown = Redactor.redact(Argv.render(argv));
        Path dir = command.directory();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new CommandFailedException("Cannot run " + shown + ": working directory " + dir
                    + " does not exist or is not a directory; nothing was run. Create it or fix Command.directory(...).", (CommandResult) null);
        }
        Map<String, String> env = childEnvironment();
        List<Path> dirs = new ArrayList<>(command.searchPath());
        dirs.addAll(Argv.splitPath(command.environment().containsKey("PATH")
                ? String.valueOf(revealed(command.environment().get("PATH"))) : System.getenv("PATH")));
        Path exe = Argv.resolve(argv.get(0), dirs, dir);

        // The tool dies with this JVM (parent-death signal), so no pg_restore finishes a copy
        // after the runner was killed; see ChildDeath.
        List<String> wrapper = ChildDeath.wrapper();
        CommandLine line;
        if (wrapper.isEmpty()) {
            line = new CommandLine(exe.toFile());
        } else {
            line = new CommandLine(wrapper.get(0));
            for (String w : wrapper.subList(1, wrapper.size())) {
                line.addArgument(w, false);
            }
            line.addArgument(exe.toString(), false);
        }
        for (String arg : argv.subList(1, argv.size())) {
            line.addArgument(arg, false);
        }

        OutputLines out = new OutputLines(LOG, "[" + exe.getFileName() + " out]", command.keepLines(), context);
        OutputLines err = new OutputLines(LOG, "[" + exe.getFileName() + " err]", command.keepLines(), context);
        OutputStream stdoutSink;
        Path stdoutFile = command.stdoutFile();
        if (stdoutFile != null && !stdoutFile.isAbsolute() && context != null) {
            stdoutFile = context.runDirectory().resolve(stdoutFile);   // relative: in the run folder, as captures are
        }
        try {
            stdoutSink = stdoutFile != null ? OwnerOnlyFiles.newOutputStream(stdoutFile) : out;   // 0600: dumps
        } catch (IOException e) {
            throw new CommandFailedException("Cannot run " + shown + ": standard output file " + stdoutFile
                    + " cannot be written (" + e + "); nothing was run. Check that its folder exists and is writable.", e);
        }
        PumpStreamHandler streams = new PumpStreamHandler(stdoutSink, err);
        streams.setStopTimeout(PUMP_STOP_TIMEOUT);
        CompletableFuture<Process> started = new CompletableFuture<>();
        DefaultExecutor executor = DefaultExecutor.builder()
                .setExecuteStreamHandler(streams)
                .setWorkingDirectory(dir != null ? dir.toFile() : new File("."))
                .get();
        executor.setExitValues(null);
        executor.setProcessDestroyer(new StartedProcess(started));

        LOG.info("Running {}{}{}", shown, dir != null ? " in " + dir : "",
                command.environment().isEmpty() ? "" : " with env " + command.environment().keySet());
        Completion handler = new Completion();
        long t0 = System.nanoTime();
        try {
            executor.execute(line, env, handler);
            Duration timeout = command.timeoutOrNull();
            if (timeout != null) {
                handler.waitFor(timeout);
                if (!handler.hasResult()) {
                    int killed = killTree(started);
                    handler.waitFor(KILL_WAIT);
                    CommandResult partial = result(argv, handler.hasResult() ? exitValue(handler) : -1, t0, out, err);
                    LOG.warn("{} timed out after {}; killed it and {} process(es) it started", shown, timeout, killed - 1);
                    throw new CommandTimeoutException("Command " + shown + " ran longer than its timeout of " + timeout
                            + " and was killed together with " + (killed - 1) + " process(es) it started. "
                            + tail(partial) + "What it did before the kill is not rolled back; check its target, "
                            + "then raise Command.timeout(...) or find why it hangs.", timeout, partial);
                }
            } else {
                handler.waitFor();
            }
        } catch (InterruptedException e) {
            killTree(started);
            Thread.currentThread().interrupt();
            throw new CommandFailedException("Command " + shown + " was interrupted (step timeout or cancel); it was killed "
                    + "together with the processes it started. What it did before is not rolled back.", e);
        } catch (IOException e) {
            throw new CommandFailedException("Cannot start " + shown + ": " + e.getMessage() + ". Nothing was run.", e);
        } finally {
            closeQuietly(out);
            closeQuietly(err);
            if (stdoutSink != out) {
                closeQuietly(stdoutSink);
            }
        }

        ExecuteException failure = handler.getException();
        if (failure != null && !started.isDone()) {
            throw new CommandFailedException("Cannot start " + shown + " (" + exe + "): "
                    + (failure.getCause() != null ? failure.getCause().getMessage() : failure.getMessage())
                    + ". Nothing was run. Check that it is a working executable.", failure);
        }
        CommandResult result = result(argv, exitValue(handler), t0, out, err);
        if (!wrapper.isEmpty() && (result.exitCode() == 126 || result.exitCode() == 127)
                && result.stderrText().contains("setpriv: failed to execute")) {
            // The wrapper started but could not execute the tool: the same failure as a failed start without it.
            throw new CommandFailedException("Cannot start " + shown + " (" + exe + "): " + result.stderrText().strip()
                    + ". Nothing was run. Check that it is a working executable.", result);
        }
        LOG.info("{} exited with {} after {}", shown, result.exitCode(), result.duration());
        int[] expected = command.expectedExitCodes();
        if (expected != null && Arrays.binarySearch(expected, result.exitCode()) < 0) {
            throw new CommandFailedException("Command " + shown + " exited with " + result.exitCode()
                    + " (expected " + (expected.length == 1 ? String.valueOf(expected[0]) : Arrays.toString(expected)) + "). "
                    + tail(result) + "Whatever it changed before failing is left as it is; fix the cause and run the step again.",
                    result);
        }
        return result;
    }

    private Map<String, String> childEnvironment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        for (Map.Entry<String, Object> e : command.environment().entrySet()) {
            env.put(e.getKey(), revealed(e.getValue()));
        }
        if (context != null) {
            // Inherited by everything the tool forks: the next attempt of the step finds and kills
            // what an earlier, killed JVM left running.
            env.put(ChildDeath.OWNER_VARIABLE, ChildDeath.ownerTag(context));
        }
        if (!command.searchPath().isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (Path p : command.searchPath()) {
                parts.add(p.toAbsolutePath().toString());
            }
            String inherited = env.get("PATH");
            if (inherited != null && !inherited.isEmpty()) {
                parts.add(inherited);
            }
            env.put("PATH", String.join(File.pathSeparator, parts));
        }
        return env;
    }

    private static String revealed(Object value) {
        return value instanceof Secret ? ((Secret) value).reveal() : String.valueOf(value);
    }

    private static int exitValue(Completion handler) {
        ExecuteException e = handler.getException();
        return e != null ? e.getExitValue() : handler.getExitValue();
    }

    private static CommandResult result(List<String> argv, int exit, long t0, OutputLines out, OutputLines err) {
        closeQuietly(out);
        closeQuietly(err);
        return new CommandResult(argv, exit, Duration.ofNanos(System.nanoTime() - t0), out.lines(), err.lines());
    }

    private static String tail(CommandResult r) {
        List<String> lines = r.stderrTail(10);
        if (lines.isEmpty()) {
            lines = r.stdoutTail(5);
            return lines.isEmpty() ? "It printed nothing. " : "Last output:\n  " + String.join("\n  ", lines) + "\n";
        }
        return "Last error output:\n  " + String.join("\n  ", lines) + "\n";
    }

    private static int killTree(CompletableFuture<Process> started) {
        try {
            Process p = started.get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return ProcessTree.kill(p.toHandle(), KILL_WAIT).size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (ExecutionException | TimeoutException e) {
            return 0;
        }
    }

    private static void closeQuietly(OutputStream s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.debug("closing an output stream failed", e);
        }
    }

    /**
     * Waits for the end of the process without polling (Commons Exec's default handler sleeps
     * 50 ms between checks, which made every command 50 ms slower).
     */
    private static final class Completion implements ExecuteResultHandler {
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile int exitValue = -1;
        private volatile ExecuteException exception;

        @Override
        public void onProcessComplete(int exit) {
            exitValue = exit;
            done.countDown();
        }

        @Override
        public void onProcessFailed(ExecuteException e) {
            exception = e;
            exitValue = e.getExitValue();
            done.countDown();
        }

        void waitFor() throws InterruptedException {
            done.await();
        }

        void waitFor(Duration timeout) throws InterruptedException {
            done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        boolean hasResult() {
            return done.getCount() == 0;
        }

        ExecuteException getException() {
            return exception;
        }

        int getExitValue() {
            return exitValue;
        }
    }

    /** Commons Exec hands the started process to its destroyer; we keep it to kill its tree. */
    private static final class StartedProcess implements ProcessDestroyer {
        private final CompletableFuture<Process> started;

        StartedProcess(CompletableFuture<Process> started) {
            this.started = started;
        }

        @Override
        public boolean add(Process process) {
            started.complete(process);
            return true;
        }

        @Override
        public boolean remove(Process process) {
            return true;
        }

        @Override
        public int size() {
            return started.isDone() ? 1 : 0;
        }
    }
}
