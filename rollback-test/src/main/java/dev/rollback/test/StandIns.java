package dev.rollback.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Executable stand-ins for {@code systemctl}, {@code pm2}, {@code kubectl}, {@code docker compose},
 * {@code ssh} and an {@code app-ctl} script, in a bin folder to put first on a test search path.
 * They really start and stop your application command — one process per unit, app, deployment,
 * service or host — so a drill stops and starts a real process without touching the machine's own
 * service managers.
 *
 * <pre>{@code
 * try (StandIns standIns = StandIns.install(tempDir, List.of(java, "-cp", cp, "com.example.App"))) {
 *     AppControl app = Systemd.unit("nextcrm").searchPath(standIns.searchPath());
 *     // ... run the plan ...
 *     assertThat(standIns.isRunning(StandIns.systemd("nextcrm"))).isTrue();
 * }
 * }</pre>
 *
 * The application command gets two more arguments: the port to listen on ({@code 0} for any, or
 * what {@link #wantPort(String, int)} set) and a file to write the chosen port into; the
 * {@code rollout status} and health stand-ins wait for that port to accept connections.
 * The ssh stand-in runs the "remote" command locally with {@code STANDIN_HOST} set; hosts named
 * {@code unreachable*} fail like an unreachable host (exit 255). It is not a test of a real sshd.
 */
public final class StandIns implements AutoCloseable {
    private static final List<String> SCRIPTS = List.of("standin-lib.sh", "systemctl", "pm2", "kubectl", "docker", "ssh", "app-ctl");

    private final Path bin;
    private final Path state;

    private StandIns(Path bin, Path state) {
        this.bin = bin;
        this.state = state;
    }

    /**
     * Writes the stand-ins into {@code <root>/bin} and their state into {@code <root>/state}.
     *
     * @param root       a folder of the test's
     * @param appCommand the application's command line
     * @return the stand-ins
     */
    public static StandIns install(Path root, List<String> appCommand) {
        Objects.requireNonNull(appCommand, "appCommand");
        if (appCommand.isEmpty()) {
            throw new IllegalArgumentException("the application command is empty");
        }
        try {
            Path bin = Files.createDirectories(root.resolve("bin"));
            Path state = Files.createDirectories(root.resolve("state"));
            for (String s : SCRIPTS) {
                try (InputStream in = StandIns.class.getResourceAsStream("standins/" + s)) {
                    if (in == null) {
                        throw new IllegalStateException("stand-in script " + s + " is missing from the rollback-test jar");
                    }
                    Files.copy(in, bin.resolve(s), StandardCopyOption.REPLACE_EXISTING);
                }
                Files.setPosixFilePermissions(bin.resolve(s), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            StringBuilder app = new StringBuilder("APP=(");
            for (String a : appCommand) {
                app.append(" '").append(a.replace("'", "'\\''")).append('\'');
            }
            app.append(" )\n");
            Files.writeString(bin.resolve("standin.conf"), app + "STATE='" + state.toString().replace("'", "'\\''") + "'\n");
            return new StandIns(bin, state);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not install the stand-ins in " + root, e);
        }
    }

    /**
     * Stand-ins that run a Java main class of the test class path in its own JVM.
     *
     * @param root      a folder of the test's
     * @param mainClass the application; it gets the arguments, then the port and the port file
     * @param args      its first arguments
     * @return the stand-ins
     */
    public static StandIns install(Path root, Class<?> mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        cmd.addAll(List.of(args));
        return install(root, cmd);
    }

    /** @return the search path to give app controls: the stand-ins' bin folder */
    public List<Path> searchPath() {
        return List.of(bin);
    }

    /** @return the folder of the stand-ins' state: pid, port and replica files, calls.log */
    public Path stateDirectory() {
        return state;
    }

    /** @return the bin folder */
    public Path binDirectory() {
        return bin;
    }

    /**
     * @param unit a systemd unit
     * @return its key
     */
    public static String systemd(String unit) {
        return "systemd-" + unit;
    }

    /**
     * @param app a pm2 app
     * @return its key
     */
    public static String pm2(String app) {
        return "pm2-" + app;
    }

    /**
     * @param namespace namespace
     * @param name      deployment
     * @return its key
     */
    public static String kubernetes(String namespace, String name) {
        return "k8s-" + namespace + "-" + name;
    }

    /**
     * @param service a compose service
     * @return its key
     */
    public static String compose(String service) {
        return "compose-" + service;
    }

    /**
     * @param name an app-ctl name
     * @return its key
     */
    public static String appCtl(String name) {
        return "generic-" + name;
    }

    /**
     * Creates a Kubernetes deployment in the stand-in's state, running with that many replicas.
     *
     * @param namespace namespace
     * @param name      deployment name
     * @param replicas  replicas
     */
    public void deployment(String namespace, String name, int replicas) {
        write(kubernetes(namespace, name) + ".replicas", String.valueOf(replicas));
    }

    /**
     * Makes the app of a key listen on a fixed port (so a health URL can be known in advance).
     *
     * @param key  the key
     * @param port the port
     */
    public void wantPort(String key, int port) {
        write(key + ".want-port", String.valueOf(port));
    }

    /**
     * @param key the key
     * @return the running process of that key
     */
    public Optional<ProcessHandle> process(String key) {
        Path f = state.resolve(key + ".pid");
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return ProcessHandle.of(Long.parseLong(Files.readString(f).trim())).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * @param key the key
     * @return whether its process runs
     */
    public boolean isRunning(String key) {
        return process(key).isPresent();
    }

    /**
     * @param key the key
     * @return the port its process listens on, once it wrote it
     */
    public OptionalInt port(String key) {
        Path f = state.resolve(key + ".port");
        try {
            return Files.exists(f) ? OptionalInt.of(Integer.parseInt(Files.readString(f).trim())) : OptionalInt.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** @return every start and stop the stand-ins were asked for, in order ("stop systemd-nextcrm") */
    public List<String> calls() {
        Path f = state.resolve("calls.log");
        try {
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills every application process still running, so that no test leaves one behind. */
    @Override
    public void close() {
        try (Stream<Path> files = Files.list(state)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".pid")) {
                    try {
                        ProcessHandle.of(Long.parseLong(Files.readString(f).trim())).ifPresent(ProcessHandle::destroyForcibly);
                    } catch (NumberFormatException ignored) {
                        // a pid file being written; nothing to kill
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(String file, String content) {
        try {
            Files.writeString(state.resolve(file), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
