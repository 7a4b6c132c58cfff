package dev.rollback.process;

import dev.rollback.test.TestStepContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Pm2} against real PM2 (from npm; {@code .ci/run} installs it) managing small real Node
 * applications, with a daemon of its own ({@code PM2_HOME} in a temporary folder) that is killed
 * after the class. Without pm2 on the PATH the class is skipped, with the reason.
 */
class Pm2IT {
    private static Path dir;
    private static Path home;
    private static int webPort;
    private static int otherPort;
    private static TestStepContext ctx;

    @BeforeAll
    static void startPm2() throws Exception {
        Assumptions.assumeTrue(onPath("pm2"), "pm2 is not installed (.ci/run installs it with npm install -g pm2)");
        dir = Files.createTempDirectory("pm2it-");
        home = dir.resolve("pm2-home");
        Files.writeString(dir.resolve("server.js"), """
                const http = require('http');
                const port = Number(process.argv[2]);
                http.createServer((req, res) => res.end(JSON.stringify({status: 'ok', pid: process.pid})))
                    .listen(port, '127.0.0.1', () => console.log('listening on ' + port));
                """);
        Files.writeString(dir.resolve("crash.js"), """
                console.error('boom: REDIS_URL is not set, cannot start');
                process.exit(1);
                """);
        webPort = AppControlIT.freePort();
        otherPort = AppControlIT.freePort();
        pm2("start", dir.resolve("server.js").toString(), "--name", "web", "--", String.valueOf(webPort));
        pm2("start", dir.resolve("server.js").toString(), "--name", "other", "--", String.valueOf(otherPort));
        // registered as a deployment would, then stopped: pm2 knows it, it is not running
        pm2("start", dir.resolve("crash.js").toString(), "--name", "crashy", "--max-restarts", "3", "--restart-delay", "100");
        pm2("stop", "crashy");
        ctx = TestStepContext.in(Files.createDirectories(dir.resolve("run")));
    }

    @AfterAll
    static void killPm2() throws Exception {
        if (home != null) {
            pm2("kill");
        }
    }

    /** The healthy test server cannot crash on start: a 1 s window keeps the class quick. */
    private static Pm2 app(String name) {
        return Pm2.app(name).home(home).waitUpTo(Duration.ofSeconds(30)).stableFor(Duration.ofSeconds(1));
    }

    @Test
    void stopsStartsAndRestartsARealAppAndReadsItsStatusFromJlist() throws Exception {
        String health = "http://127.0.0.1:" + webPort + "/";
        Pm2 web = app("web").healthUrl(health);
        Pm2.Process before = web.status().orElseThrow();
        assertThat(before.online()).isTrue();
        assertThat(ProcessHandle.of(before.pid())).as("jlist's pid is the real process").isPresent();

        web.stop(ctx);
        Pm2.Process stopped = web.status().orElseThrow();
        assertThat(stopped.status()).isEqualTo("stopped");
        assertThat(stopped.pid()).isZero();
        assertThat(ProcessHandle.of(before.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Http.down(health).check(null).isPassed()).isTrue();
        assertThat(web.isOnline().check(ctx).isPassed()).isFalse();

        web.start(ctx);
        Pm2.Process started = web.status().orElseThrow();
        assertThat(started.online()).isTrue();
        assertThat(Http.get(health).expectStatus(200).check(null).isPassed()).isTrue();

        web.restart().execute(ctx);
        Pm2.Process restarted = web.status().orElseThrow();
        assertThat(restarted.online()).isTrue();
        assertThat(restarted.pid()).as("a new process").isNotEqualTo(started.pid());
        assertThat(web.isOnline().check(ctx).isPassed()).isTrue();

        web.stop(ctx);
        web.stop(ctx); // safe to call again
        web.start(ctx);
        web.start(ctx);
        assertThat(web.status().orElseThrow().online()).isTrue();
    }

    @Test
    void anAppPm2DoesNotKnowIsRefusedBeforeAnythingRuns() {
        assertThatThrownBy(() -> app("nextjs-app").start(ctx)).isInstanceOf(AppControlException.class)
                .hasMessageContaining("pm2 has no app named 'nextjs-app'").hasMessageContaining("web")
                .hasMessageContaining("Nothing was run");
        assertThatThrownBy(() -> app("nextjs-app").stop(ctx)).isInstanceOf(AppControlException.class)
                .hasMessageContaining("pm2 has no app named 'nextjs-app'");
        assertThat(app("nextjs-app").status()).isEmpty();
    }

    @Test
    void anAppThatCrashesOnStartIsReportedWithTheEndOfItsErrorLog() {
        // a window far longer than node needs to crash, however loaded the machine: the wait ends on pm2's
        // restarts (or errored), not on time, and the start can never be taken for a success
        Pm2 crashy = app("crashy").stableFor(Duration.ofMinutes(2)).waitUpTo(Duration.ofMinutes(3));
        assertThatThrownBy(() -> crashy.start(ctx)).isInstanceOf(AppControlException.class)
                .hasMessageContaining("pm2 app crashy crashes on start")
                .hasMessageContaining("restarts")
                .hasMessageContaining("boom: REDIS_URL is not set");
        assertThat(app("crashy").status().orElseThrow().online()).isFalse();
    }

    @Test
    void aStopIsNotConfirmedWhileAnotherProcessServesTheHealthUrl() throws Exception {
        // "web" claims the URL of "other", which keeps serving it after web stopped
        Pm2 web = app("web").healthUrl("http://127.0.0.1:" + otherPort + "/").waitUpTo(Duration.ofSeconds(1));
        try {
            assertThatThrownBy(() -> web.stop(ctx)).isInstanceOf(AppControlException.class)
                    .hasMessageContaining("still answers").hasMessageContaining("status 200");
        } finally {
            app("web").start(ctx);
        }
    }

    @Test
    void theDescriptionShowsTheCommandsAndTheDaemon() {
        var d = app("web").describeStop();
        assertThat(d.commands()).containsExactly("pm2 jlist", "pm2 stop web", "pm2 jlist");
        assertThat(d.parameters()).containsEntry("env.PM2_HOME", home.toAbsolutePath().toString());
    }

    private static void pm2(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("pm2"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PM2_HOME", home.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("pm2 %s: %s", args, out).isZero();
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
