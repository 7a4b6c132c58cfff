package dev.rollback.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The application on every host of the fleet tests and the benchmark: an {@code app-ctl
 * start|stop|status} script that runs a real process ({@code sleep}) per host, keyed by the
 * {@code SSH_TEST_HOST} that each of {@link dev.rollback.test.SshHosts}' servers sets, with its pid
 * and every call it got under {@code <state>/<host>}. A host's app fails while its
 * {@code broken} file exists (the file's text is the error).
 */
public final class FleetTestApp {
    private final Path state;
    private final Path ctl;

    private FleetTestApp(Path state, Path ctl) {
        this.state = state;
        this.ctl = ctl;
    }

    /**
     * @param dir a folder of the test's
     * @return the app, its script written; give the hosts {@code FLEET_STATE=}{@link #state()}
     */
    public static FleetTestApp in(Path dir) {
        try {
            Path state = Files.createDirectories(dir.resolve("state"));
            Path script = dir.resolve("app-ctl");
            Files.writeString(script, """
                    #!/bin/bash
                    # app-ctl start|stop|status: the fleet tests' application on host $SSH_TEST_HOST
                    d="$FLEET_STATE/$SSH_TEST_HOST"; mkdir -p "$d"
                    [ "$1" = status ] || echo "$1" >> "$d/calls"
                    if [ -f "$d/broken" ]; then echo "app on $SSH_TEST_HOST: $(cat "$d/broken")" >&2; exit 3; fi
                    running() { [ -f "$d/pid" ] && kill -0 "$(cat "$d/pid")" 2>/dev/null; }
                    case "$1" in
                      start) running || { nohup sleep 600 >/dev/null 2>&1 </dev/null & echo $! > "$d/pid"; } ;;
                      stop) running && kill "$(cat "$d/pid")"; rm -f "$d/pid" ;;
                      status) running ;;
                      *) echo "usage: app-ctl start|stop|status" >&2; exit 2 ;;
                    esac
                    """);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            return new FleetTestApp(state, script);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the state folder, for the hosts' {@code FLEET_STATE} */
    public Path state() {
        return state;
    }

    /** @return the app-ctl script */
    public Path ctl() {
        return ctl;
    }

    /** @return the app as a {@link GenericApp}, confirmed with {@code app-ctl status} */
    public GenericApp control() {
        return GenericApp.of("billing", Command.of(ctl.toString(), "stop"), Command.of(ctl.toString(), "start"))
                .statusCommand(Command.of(ctl.toString(), "status")).waitUpTo(Duration.ofSeconds(20));
    }

    /**
     * @param host a host's address
     * @param why  the error its app-ctl prints
     */
    public void breakOn(String host, String why) {
        try {
            Files.writeString(Files.createDirectories(state.resolve(host)).resolve("broken"), why);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param host a host's address whose app works again */
    public void repair(String host) {
        try {
            Files.deleteIfExists(state.resolve(host).resolve("broken"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param host a host's address
     * @return the start and stop calls it got, in order
     */
    public List<String> calls(String host) {
        Path f = state.resolve(host).resolve("calls");
        try {
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param host a host's address
     * @return whether its app's process runs
     */
    public boolean running(String host) {
        Path f = state.resolve(host).resolve("pid");
        try {
            return Files.exists(f) && ProcessHandle.of(Long.parseLong(Files.readString(f).trim())).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** Kills every app process and forgets every call and breakage. */
    public void reset() {
        try (Stream<Path> s = Files.walk(state)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                if (p.getFileName().toString().equals("pid")) {
                    try {
                        ProcessHandle.of(Long.parseLong(Files.readString(p).trim())).ifPresent(ProcessHandle::destroy);
                    } catch (NumberFormatException ignored) {
                        // being written
                    }
                }
                if (!p.equals(state)) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
