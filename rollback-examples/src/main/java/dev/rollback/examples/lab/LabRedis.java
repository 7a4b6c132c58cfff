package dev.rollback.examples.lab;

import dev.rollback.examples.seeds.Targets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for the drills (Debian's redis-server; {@code .ci/run} installs it),
 * with a password, on a free loopback port, started from a 0600 config file so that the password
 * is in no process's argument list. {@link #installed()} says whether the machine has it.
 */
public final class LabRedis implements AutoCloseable {
    private final Process server;
    private final int port;
    private final String password;

    private LabRedis(Process server, int port, String password) {
        this.server = server;
        this.port = port;
        this.password = password;
    }

    /** @return whether redis-server and redis-cli are on the PATH */
    public static boolean installed() {
        return Targets.searchPath(System.getenv("PATH")).stream()
                .anyMatch(d -> Files.isExecutable(d.resolve("redis-server")))
                && Targets.searchPath(System.getenv("PATH")).stream()
                .anyMatch(d -> Files.isExecutable(d.resolve("redis-cli")));
    }

    /**
     * @param dir      a folder for its configuration and log
     * @param password its {@code requirepass}
     * @return the running server
     */
    public static LabRedis start(Path dir, String password) {
        try {
            Files.createDirectories(dir);
            int port = Lab.freePort();
            Path conf = dir.resolve("redis.conf");
            Files.writeString(conf, String.join("\n", "port " + port, "bind 127.0.0.1", "requirepass " + password, "dir " + dir,
                    "save \"\"", "appendonly no", "logfile " + dir.resolve("redis.log"), ""));
            Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
            Process p = new ProcessBuilder("redis-server", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!listening(port)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroy();
                    throw new IllegalStateException("redis-server did not start: " + Files.readString(dir.resolve("stdout.log")));
                }
                Thread.sleep(20);
            }
            return new LabRedis(p, port, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return its port on 127.0.0.1 */
    public int port() {
        return port;
    }

    /**
     * Runs redis-cli against it (the password in REDISCLI_AUTH) and returns what it printed.
     *
     * @param args the command, such as {@code SET session:alice 1}
     * @return standard output, trimmed
     */
    public String cli(String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-e", "-p", String.valueOf(port)));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("REDISCLI_AUTH", password);
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.destroy();
        try {
            server.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
