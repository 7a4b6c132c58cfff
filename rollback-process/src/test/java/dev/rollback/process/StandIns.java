package dev.rollback.process;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Executable stand-ins for systemctl, pm2, kubectl, docker and ssh in a temporary bin folder,
 * to put first on a test search path. They start and stop real {@link TestAppServer} processes.
 * Tests never call the machine's own service managers.
 */
final class StandIns implements AutoCloseable {
    private static final List<String> SCRIPTS = List.of("standin-lib.sh", "systemctl", "pm2", "kubectl", "docker", "ssh", "app-ctl");

    final Path bin;
    final Path state;

    StandIns(Path root) throws IOException {
        bin = Files.createDirectories(root.resolve("bin"));
        state = Files.createDirectories(root.resolve("state"));
        for (String s : SCRIPTS) {
            try (InputStream in = StandIns.class.getResourceAsStream("/standins/" + s)) {
                Files.copy(in, bin.resolve(s));
            }
            Files.setPosixFilePermissions(bin.resolve(s), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        Path classes;
        try {
            classes = Path.of(TestAppServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Files.writeString(bin.resolve("standin.conf"),
                "JAVA='" + java + "'\nCP='" + classes + "'\nSTATE='" + state + "'\n");
    }

    List<Path> path() {
        return List.of(bin);
    }

    void wantPort(String key, int port) throws IOException {
        Files.writeString(state.resolve(key + ".want-port"), String.valueOf(port));
    }

    Optional<ProcessHandle> process(String key) throws IOException {
        Path f = state.resolve(key + ".pid");
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(Files.readString(f).trim())).filter(ProcessHandle::isAlive);
    }

    boolean alive(String key) throws IOException {
        return process(key).isPresent();
    }

    List<String> calls() throws IOException {
        Path f = state.resolve("calls.log");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    /** Kills every app process still running, so that no test leaves one behind. */
    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.list(state)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".pid")) {
                    ProcessHandle.of(Long.parseLong(Files.readString(f).trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }
}
