package dev.rollback.test.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A child JVM on the parent's class path, with no standard input and a small heap. Not public API. */
public final class ChildJvm {
    private final Process process;
    private final Path output;

    private ChildJvm(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * @param classPath   the child's class path
     * @param mainClass   class to run
     * @param properties  system properties
     * @param environment extra environment variables
     * @param args        program arguments
     * @param output      file for standard output and error
     * @return the running child
     * @throws IOException when it cannot be started
     */
    public static ChildJvm start(String classPath, Class<?> mainClass, Map<String, String> properties, Map<String, String> environment,
                                 List<String> args, Path output) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", classPath));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add(mainClass.getName());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().putAll(environment);
        Process p = pb.start();
        // No standard input: the child sees end of file at once, as under CI.
        p.getOutputStream().close();
        return new ChildJvm(p, output);
    }

    /**
     * Waits until the file exists or the child exits, whichever comes first.
     *
     * @param file    the marker
     * @param timeout how long at most
     * @return true when the file appeared, false when the child exited first
     * @throws InterruptedException when interrupted
     * @throws java.util.concurrent.TimeoutException when neither happened in time (the child is killed)
     */
    public boolean awaitFileOrExit(Path file, Duration timeout) throws InterruptedException, TimeoutException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Files.exists(file)) {
                return true;
            }
            if (!process.isAlive()) {
                return Files.exists(file);
            }
            if (System.nanoTime() > end) {
                kill();
                throw new TimeoutException("the child JVM neither reached the point nor exited within " + timeout);
            }
            Thread.sleep(5);
        }
    }

    /**
     * @param timeout how long at most
     * @return the exit code
     * @throws InterruptedException when interrupted
     * @throws java.util.concurrent.TimeoutException when it did not exit in time (it is killed)
     */
    public int awaitExit(Duration timeout) throws InterruptedException, TimeoutException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new TimeoutException("the child JVM did not exit within " + timeout);
        }
        return process.exitValue();
    }

    /**
     * @return the exit code once the child has exited, waiting for it if needed
     * @throws InterruptedException when interrupted
     */
    public int awaitExitQuietly() throws InterruptedException {
        return process.waitFor();
    }

    /** @return the child JVM's process, for finding what it started ({@code toHandle().descendants()}) */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** @return everything the child printed so far */
    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /**
     * Sends the child a signal by name ({@code STOP}, {@code CONT}), as {@code kill -STOP pid} does:
     * a paused process, as a machine that froze or a long garbage collection pause would leave it.
     *
     * @param name the signal
     * @throws IOException          when {@code kill} cannot be run
     * @throws InterruptedException when interrupted
     */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).redirectErrorStream(true).start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed: " + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /**
     * Kills the child with SIGKILL, as a crash or {@code kill -9} would, and waits until it is gone.
     *
     * @throws InterruptedException when interrupted
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * @param maxLines at most this many of the last lines
     * @return what the child printed
     */
    public String outputTail(int maxLines) {
        try {
            List<String> lines = Files.readAllLines(output);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
