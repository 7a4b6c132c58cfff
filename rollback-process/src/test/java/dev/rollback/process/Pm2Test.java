package dev.rollback.process;

import dev.rollback.test.TestStepContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Pm2}'s stability window, deterministically: a scripted {@code pm2} on the search path answers
 * {@code jlist} with a given sequence of process lists (one per call, the last one repeated), so that
 * what the control decides depends on what pm2 reports, not on how fast a real app crashes.
 * {@link Pm2IT} runs the real pm2.
 */
class Pm2Test {
    @TempDir
    Path dir;
    private Path errorLog;

    @BeforeEach
    void scriptedPm2() throws IOException {
        Path pm2 = dir.resolve("pm2");
        Files.writeString(pm2, """
                #!/bin/bash
                d="$(dirname "$0")"
                echo "$*" >> "$d/calls"
                if [ "$1" = jlist ]; then
                  n=$(cat "$d/n" 2>/dev/null || echo 0)
                  if [ -f "$d/jlist.$n" ]; then cat "$d/jlist.$n"; date +%s%3N > "$d/served.$n"; echo $((n + 1)) > "$d/n"; else cat "$d/jlist.last"; fi
                fi
                """);
        Files.setPosixFilePermissions(pm2, PosixFilePermissions.fromString("rwx------"));
        errorLog = Files.writeString(dir.resolve("web-error.log"), "Error: connect ECONNREFUSED 127.0.0.1:5432\n");
    }

    /** jlist with one app "web". */
    private String web(String status, long pid, int restarts, long startedMillis) {
        return "[{\"name\":\"web\",\"pid\":" + pid + ",\"pm2_env\":{\"status\":\"" + status + "\",\"restart_time\":" + restarts
                + ",\"pm_uptime\":" + startedMillis + ",\"pm_err_log_path\":\"" + errorLog + "\"}}]\n";
    }

    private void answers(List<String> sequence, String thenAlways) throws IOException {
        for (int i = 0; i < sequence.size(); i++) {
            Files.writeString(dir.resolve("jlist." + i), sequence.get(i));
        }
        Files.writeString(dir.resolve("jlist.last"), thenAlways);
    }

    private Pm2 web() {
        return Pm2.app("web").searchPath(List.of(dir)).waitUpTo(Duration.ofSeconds(60));
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(dir.resolve("calls"));
    }

    @Test
    void aProcessReplacedOnEveryReadingIsACrashEvenWhenPm2SaysItHasBeenUpForLong() throws IOException {
        long aMinuteAgo = System.currentTimeMillis() - 60_000;
        // pm2's uptime says "up for a minute" each time, but every reading shows a new process: pm2 restarts it
        answers(List.of(web("stopped", 0, 0, 0),
                web("online", 101, 1, aMinuteAgo), web("online", 102, 2, aMinuteAgo), web("online", 103, 3, aMinuteAgo)),
                web("online", 104, 4, aMinuteAgo));

        assertThatThrownBy(() -> web().stableFor(Duration.ofSeconds(1)).start(TestStepContext.in(dir)))
                .isInstanceOf(AppControlException.class)
                .hasMessageContaining("pm2 app web crashes on start: pm2 restarted it 3 times while we waited")
                .hasMessageContaining("4 restarts in all")
                .hasMessageContaining("Error: connect ECONNREFUSED 127.0.0.1:5432");
        assertThat(calls()).contains("start web");
    }

    @Test
    void aStartCountsOnlyOnceTheSameProcessWasSeenOnlineForTheWholeWindow() throws IOException, InterruptedException {
        answers(List.of(web("stopped", 0, 0, 0), web("launching", 0, 0, 0)), web("online", 200, 1, 0));
        Duration window = Duration.ofMillis(700);

        long t0 = System.nanoTime();
        web().stableFor(window).start(TestStepContext.in(dir));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(took).as("the window is waited out on this JVM's clock").isGreaterThanOrEqualTo(window);
        assertThat(calls()).startsWith("jlist", "start web", "jlist", "jlist", "jlist");
    }

    @Test
    void aRestartDuringTheWindowStartsTheWindowAgain() throws IOException, InterruptedException {
        // online as pid 300, then pm2 restarts it once (pid 301) and it stays up
        answers(List.of(web("stopped", 0, 0, 0), web("online", 300, 1, 0), web("online", 301, 2, 0)), web("online", 301, 2, 0));
        Duration window = Duration.ofMillis(800);

        web().stableFor(window).start(TestStepContext.in(dir));
        long returned = System.currentTimeMillis();

        long firstSeen301 = Long.parseLong(Files.readString(dir.resolve("served.2")).trim());
        assertThat(returned - firstSeen301).as("the window counts from the first reading of the new process")
                .isGreaterThanOrEqualTo(window.toMillis());
    }

    @Test
    void theWindowIsValidatedAndDescribed() {
        assertThatThrownBy(() -> Pm2.app("web").stableFor(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stableFor must not be negative");
        assertThat(Pm2.app("web").describeStart().parameters()).containsEntry("stableFor", "PT5S");
        assertThat(Pm2.DEFAULT_STABLE).isEqualTo(Duration.ofSeconds(5));
        assertThat(Pm2.app("web").stableFor(Duration.ofSeconds(20)).describeStart().parameters())
                .containsEntry("stableFor", "PT20S");
    }
}
