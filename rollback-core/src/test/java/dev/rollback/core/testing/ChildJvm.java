package dev.rollback.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts a class of the test class path in a child JVM, with no standard input, as CI runs things. */
public final class ChildJvm {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ChildJvm(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * @param dir        folder for the child's output files
     * @param mainClass  class to run
     * @param properties system properties as "k=v"
     * @param args       program arguments
     * @return the running child
     * @throws IOException when it cannot be started
     */
    public static ChildJvm start(Path dir, Class<?> mainClass, List<String> properties, List<String> args) throws IOException {
        return start(dir, List.of(), mainClass, properties, args);
    }

    /**
     * @param dir        folder for the child's output files
     * @param wrapper    a command the JVM is started through (such as {@code setpriv ...}), or empty
     * @param mainClass  class to run
     * @param properties system properties as "k=v"
     * @param args       program arguments
     * @return the running child
     * @throws IOException when it cannot be started
     */
    public static ChildJvm start(Path dir, List<String> wrapper, Class<?> mainClass, List<String> properties, List<String> args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
        properties.forEach(p -> cmd.add("-D" + p));
        cmd.add(mainClass.getName());
        cmd.addAll(args);
        Path out = Files.createTempFile(dir, "child-", ".out");
        Path err = Files.createTempFile(dir, "child-", ".err");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new ChildJvm(p, out, err);
    }

    /** @return the process */
    public Process process() {
        return process;
    }

    /**
     * Waits for the child to exit.
     *
     * @param timeout how long at most
     * @return its exit code
     * @throws Exception when it does not exit in time
     */
    public int waitFor(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child did not exit within " + timeout + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /**
     * Kills the child with SIGKILL, as a crash or {@code kill -9} would, and waits for it.
     *
     * @throws InterruptedException when interrupted
     */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * Waits until a file exists (the child reached a point).
     *
     * @param file    the file
     * @param timeout how long at most
     * @throws Exception when it does not appear in time or the child died
     */
    public void awaitFile(Path file, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file)) {
            if (!process.isAlive()) {
                throw new AssertionError("child exited with " + process.exitValue() + " before " + file + " appeared\nstdout:\n"
                        + stdout() + "\nstderr:\n" + stderr());
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("child did not reach " + file + " within " + timeout + "\nstdout:\n" + stdout());
            }
            Thread.sleep(20);
        }
    }

    /** @return what the child printed on standard output */
    public String stdout() throws IOException {
        return Files.readString(stdout);
    }

    /** @return what the child printed on standard error */
    public String stderr() throws IOException {
        return Files.readString(stderr);
    }
}
