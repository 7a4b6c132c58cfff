package dev.rollback.process;

import dev.rollback.test.TestStepContext;

import dev.rollback.test.StandIns;

import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.InMemoryJournal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** App controls against stand-ins that start and stop real HTTP server processes. */
class AppControlIT {
    @TempDir
    Path tmp;
    StandIns standIns;
    TestStepContext ctx;

    @BeforeEach
    void setUp() throws IOException {
        standIns = StandIns.install(tmp, TestAppServer.class);
        ctx = TestStepContext.in(tmp);
    }

    @AfterEach
    void tearDown() throws IOException {
        standIns.close();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void systemdStartsAndStopsTheUnitAndConfirmsWithIsActiveAndHealth() throws Exception {
        int port = freePort();
        standIns.wantPort("systemd-nextcrm", port);
        String health = "http://127.0.0.1:" + port + "/api/health";
        Systemd app = Systemd.unit("nextcrm").searchPath(standIns.searchPath()).healthUrl(health);

        app.start(ctx);
        assertThat(standIns.isRunning("systemd-nextcrm")).isTrue();
        assertThat(Http.get(health).check(null).isPassed()).isTrue();
        ProcessHandle server = standIns.process("systemd-nextcrm").orElseThrow();

        app.stop(ctx);
        assertThat(server.isAlive()).isFalse();
        assertThat(Http.down(health).check(null).isPassed()).isTrue();
        assertThat(standIns.calls()).containsExactly("start systemd-nextcrm", "stop systemd-nextcrm");

        app.stop(ctx); // safe to call again
        assertThat(standIns.isRunning("systemd-nextcrm")).isFalse();
    }

    @Test
    void systemdDescriptionShowsTheCommands() {
        assertThat(Systemd.unit("nextcrm").sudo().describeStop().commands())
                .containsExactly("sudo -n systemctl stop nextcrm", "sudo -n systemctl is-active nextcrm");
    }

    @Test
    void startFailsClearlyWhenTheHealthUrlNeverAnswers() throws Exception {
        String wrong = "http://127.0.0.1:" + freePort() + "/api/health";
        Systemd app = Systemd.unit("lonely").searchPath(standIns.searchPath()).healthUrl(wrong).waitUpTo(Duration.ofSeconds(2));
        AppControlException e = catchThrowableOfType(AppControlException.class, () -> app.start(ctx));
        assertThat(e.getMessage()).contains("systemd unit lonely was started but " + wrong + " does not answer 200")
                .contains("connection refused");
    }

    // pm2 is tested against real PM2 in Pm2IT (the stand-in remains for drills on machines without it)

    @Test
    void kubernetesScalesToZeroAndBackToTheReplicaCountItFound() throws Exception {
        Path replicas = standIns.stateDirectory().resolve("k8s-prod-nextcrm.replicas");
        Files.writeString(replicas, "0");
        int port = freePort();
        standIns.wantPort("k8s-prod-nextcrm", port);
        // the deployment runs with 3 replicas before the rollback
        Command.of("kubectl", "--namespace", "prod", "scale", "deployment/nextcrm", "--replicas=3").searchPath(standIns.searchPath()).run();
        Command.of("kubectl", "--namespace", "prod", "rollout", "status", "deployment/nextcrm").searchPath(standIns.searchPath()).run();
        ProcessHandle before = standIns.process("k8s-prod-nextcrm").orElseThrow();

        Kubernetes app = Kubernetes.deployment("nextcrm").namespace("prod").searchPath(standIns.searchPath())
                .healthUrl("http://127.0.0.1:" + port + "/api/health");
        app.stop(ctx);
        assertThat(ctx.output(app.replicasOutputKey())).contains("3");
        assertThat(Files.readString(replicas).trim()).isEqualTo("0");
        assertThat(before.isAlive()).isFalse();

        app.stop(ctx); // again, as after a resume: the count found first is kept
        assertThat(ctx.output(app.replicasOutputKey())).contains("3");

        app.start(ctx);
        assertThat(Files.readString(replicas).trim()).isEqualTo("3");
        assertThat(standIns.isRunning("k8s-prod-nextcrm")).isTrue();
    }

    @Test
    void kubernetesMissingDeploymentFailsWithKubectlsError() {
        Kubernetes app = Kubernetes.deployment("ghost").searchPath(standIns.searchPath());
        assertThatThrownBy(() -> app.stop(ctx)).isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("deployments.apps \"ghost\" not found");
    }

    @Test
    void kubernetesInAPlanJournalsTheReplicaCount() throws Exception {
        Files.writeString(standIns.stateDirectory().resolve("k8s-default-web.replicas"), "2");
        Command.of("kubectl", "scale", "deployment/web", "--replicas=2").searchPath(standIns.searchPath()).run();
        Kubernetes app = Kubernetes.deployment("web").searchPath(standIns.searchPath()).waitUpTo(Duration.ofSeconds(30));
        RollbackPlan plan = Rollback.plan("k8s-plan").stopApp(app).startApp(app).build();
        InMemoryJournal journal = InMemoryJournal.create();
        RunReport report = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ci")).run(plan);
        assertThat(report.isSuccess()).as(String.valueOf(report.failureIfAny())).isTrue();
        assertThat(String.join("\n", journal.lines("k8s-plan", report.runId())))
                .contains("kubernetes.default.web.replicas");
        assertThat(Files.readString(standIns.stateDirectory().resolve("k8s-default-web.replicas")).trim()).isEqualTo("2");
    }

    @Test
    void dockerComposeStopsAndStartsTheServices() throws Exception {
        Path compose = Files.writeString(tmp.resolve("docker-compose.production.yml"),
                "services:\n  web:\n    image: app\n  worker:\n    image: app\n");
        DockerCompose all = DockerCompose.file(compose).searchPath(standIns.searchPath());
        all.start(ctx);
        assertThat(standIns.isRunning("compose-web")).isTrue();
        assertThat(standIns.isRunning("compose-worker")).isTrue();
        DockerCompose web = all.services("web");
        web.stop(ctx);
        assertThat(standIns.isRunning("compose-web")).isFalse();
        assertThat(standIns.isRunning("compose-worker")).isTrue();
        all.stop(ctx);
        assertThat(standIns.isRunning("compose-worker")).isFalse();
        assertThat(web.describeStart().commands()).first().asString()
                .isEqualTo("docker compose -f " + compose + " up -d web");
    }

    @Test
    void genericAppFromTwoCommandsChecksStatusAndHealth() throws Exception {
        int port = freePort();
        standIns.wantPort("generic-billing", port);
        Path ctl = standIns.binDirectory().resolve("app-ctl");
        GenericApp app = GenericApp.of("billing", Command.of(ctl.toString(), "stop", "billing"), Command.of(ctl.toString(), "start", "billing"))
                .statusCommand(Command.of(ctl.toString(), "status", "billing"))
                .healthUrl("http://127.0.0.1:" + port + "/api/health");
        app.start(ctx);
        ProcessHandle server = standIns.process("generic-billing").orElseThrow();
        assertThat(Http.get("http://127.0.0.1:" + port + "/api/health").expectJson("status", "ok").check(null).isPassed()).isTrue();
        app.stop(ctx);
        assertThat(server.isAlive()).isFalse();
    }

    @Test
    void genericAppWithoutAnyVerificationIsRefused() {
        GenericApp app = GenericApp.of("blind", Command.of("true"), Command.of("true"));
        assertThatThrownBy(app::describeStop).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot confirm").hasMessageContaining("healthUrl");
    }

    @Test
    void fleetRunsOnEveryHostOverSshAndReportsEachHost() throws Exception {
        Fleet fleet = Fleet.of("web1", "deploy@web2").parallel(2).searchPath(standIns.searchPath());
        FleetControl control = fleet.control(Systemd.unit("nextcrm").sudo().searchPath(List.of()));
        // sudo is not a stand-in: use a control without it for the run
        FleetControl plain = fleet.control(Systemd.unit("nextcrm"));
        assertThat(control.describeStop().commands()).contains("ssh -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=10 -o ServerAliveCountMax=3 web1 -- sudo -n systemctl stop nextcrm");

        plain.start(ctx);
        assertThat(standIns.isRunning("web1-systemd-nextcrm")).isTrue();
        assertThat(standIns.isRunning("web2-systemd-nextcrm")).isTrue();
        assertThat(ctx.outputs()).containsEntry("fleet.start.web1", "ok").containsEntry("fleet.start.deploy@web2", "ok");
        plain.stop(ctx);
        assertThat(standIns.isRunning("web1-systemd-nextcrm")).isFalse();
        assertThat(standIns.isRunning("web2-systemd-nextcrm")).isFalse();
        assertThat(standIns.calls()).contains("ssh web1 systemctl stop nextcrm", "ssh deploy@web2 systemctl stop nextcrm");
    }

    @Test
    void fleetTriesAllHostsAndFailsIfAnyFailed() throws Exception {
        FleetControl control = Fleet.of("web1", "unreachable-2", "web3").searchPath(standIns.searchPath())
                .control(Systemd.unit("nextcrm").waitUpTo(Duration.ofSeconds(20)));
        FleetException e = catchThrowableOfType(FleetException.class, () -> control.start(ctx));
        assertThat(e.results()).extracting(HostResult::ok).containsExactly(true, false, true);
        assertThat(e.getMessage()).contains("failed on 1 of 3 hosts").contains("unreachable-2: ")
                .contains("Connection refused").contains("done (2): web1, web3");
        assertThat(standIns.isRunning("web1-systemd-nextcrm")).isTrue();
        assertThat(standIns.isRunning("web3-systemd-nextcrm")).isTrue();
        assertThat(ctx.outputs()).hasEntrySatisfying("fleet.start.unreachable-2", v -> assertThat(v).startsWith("FAILED: "));
    }

    @Test
    void sshQuotesRemoteArgumentsAndRefusesEnvironment() throws Exception {
        Command remote = Ssh.to("web1").binary(standIns.binDirectory().resolve("ssh").toString())
                .wrap(Command.of("printf", "[%s]\\n", "a b", "it's", "$HOME"));
        assertThat(remote.run().stdout()).containsExactly("[a b]", "[it's]", "[$HOME]");
        assertThatThrownBy(() -> Ssh.to("web1").wrap(Command.of("psql").env("PGPASSWORD", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ssh does not carry");
    }

    @Test
    void badNamesAreRejected() {
        assertThatThrownBy(() -> Systemd.unit("--all")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Kubernetes.deployment("Bad_Name")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower-case");
        assertThatThrownBy(() -> Fleet.of()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one host");
        assertThatThrownBy(() -> Fleet.of("a", "a")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> Ssh.to("-oProxyCommand=x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Systemd.unit("x").healthUrl("localhost:3000")).isInstanceOf(IllegalArgumentException.class);
    }
}
