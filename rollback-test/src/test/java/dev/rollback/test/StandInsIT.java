package dev.rollback.test;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The stand-ins start and stop a real process, and never the machine's service managers. */
class StandInsIT {
    @TempDir
    Path dir;

    private String run(StandIns s, String... argv) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(argv));
        cmd.set(0, s.binDirectory().resolve(argv[0]).toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + ":" + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    @Test
    void systemctlStartsAndStopsARealProcess() throws Exception {
        try (StandIns s = StandIns.install(dir, HelloApp.class)) {
            assertThat(run(s, "systemctl", "is-active", "web")).isEqualTo("3:inactive");
            run(s, "systemctl", "start", "web");
            assertThat(run(s, "systemctl", "is-active", "web")).isEqualTo("0:active");
            ProcessHandle app = s.process(StandIns.systemd("web")).orElseThrow();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (s.port(StandIns.systemd("web")).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(s.port(StandIns.systemd("web"))).isPresent();
            run(s, "systemctl", "stop", "web");
            assertThat(app.isAlive()).isFalse();
            assertThat(s.isRunning(StandIns.systemd("web"))).isFalse();
            assertThat(s.calls()).containsExactly("start systemd-web", "stop systemd-web");
        }
    }

    @Test
    void kubectlScalesADeploymentAndWaitsForTheRollout() throws Exception {
        try (StandIns s = StandIns.install(dir, HelloApp.class)) {
            s.deployment("prod", "api", 3);
            assertThat(run(s, "kubectl", "get", "deployment", "api", "-o", "jsonpath={.spec.replicas}", "-n", "prod")).isEqualTo("0:3");
            run(s, "kubectl", "scale", "deployment/api", "--replicas=0", "-n", "prod");
            assertThat(s.isRunning(StandIns.kubernetes("prod", "api"))).isFalse();
            run(s, "kubectl", "scale", "deployment/api", "--replicas=3", "-n", "prod");
            assertThat(run(s, "kubectl", "rollout", "status", "deployment/api", "-n", "prod")).startsWith("0:deployment \"api\" successfully rolled out");
            assertThat(s.isRunning(StandIns.kubernetes("prod", "api"))).isTrue();
        }
    }

    @Test
    void closingKillsWhatIsStillRunning() throws Exception {
        ProcessHandle app;
        try (StandIns s = StandIns.install(dir, HelloApp.class)) {
            run(s, "pm2", "start", "worker");
            app = s.process(StandIns.pm2("worker")).orElseThrow();
            assertThat(run(s, "pm2", "pid", "worker")).isEqualTo("0:" + app.pid());
        }
        app.onExit().get(10, TimeUnit.SECONDS);
        assertThat(app.isAlive()).isFalse();
    }
}
