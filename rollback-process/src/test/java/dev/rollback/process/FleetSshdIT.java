package dev.rollback.process;

import dev.rollback.test.TestStepContext;

import dev.rollback.test.StandIns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A fleet over a real OpenSSH server on 127.0.0.1: the machine's {@code ssh} client, key
 * authentication, a pinned host key. The application on the "remote" host is a real process
 * started and stopped through an app-ctl script there. Needs {@code /usr/sbin/sshd}
 * ({@code .ci/run} installs openssh-server); without it this class is reported as skipped, with
 * the reason, and the ssh stand-in tests in {@code AppControlIT} still cover the fleet logic.
 */
class FleetSshdIT {
    private static final Path SSHD = Path.of("/usr/sbin/sshd");
    private static Path dir;
    private static Process sshd;
    private static int port;
    private static StandIns standIns;

    @BeforeAll
    static void startSshd() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(SSHD), "openssh-server is not installed (.ci/run installs it); "
                + "the fleet logic is still tested through the ssh stand-in in AppControlIT");
        dir = Files.createTempDirectory("sshd-");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_key").toString());
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        Files.setPosixFilePermissions(dir.resolve("authorized_keys"), PosixFilePermissions.fromString("rw-------"));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + Files.readString(dir.resolve("host_key.pub")));
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PidFile " + dir.resolve("sshd.pid"),
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password", "StrictModes no", "UsePAM no", "LogLevel ERROR", ""));
        Files.createDirectories(Path.of("/run/sshd"));
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!listening(port)) {
            assertThat(sshd.isAlive()).as("sshd exited: %s", Files.readString(dir.resolve("sshd.log"))).isTrue();
            assertThat(System.nanoTime()).as("sshd did not listen in time").isLessThan(deadline);
            Thread.sleep(50);
        }
        standIns = StandIns.install(dir.resolve("remote"), TestAppServer.class);
    }

    @AfterAll
    static void stopSshd() {
        if (standIns != null) {
            standIns.close();
        }
        if (sshd != null) {
            sshd.destroy();
        }
    }

    private Fleet fleet(String... hosts) {
        return Fleet.of(hosts).parallel(2).sshOptions("-p", String.valueOf(port), "-i", dir.resolve("client_key").toString(),
                "-o", "UserKnownHostsFile=" + dir.resolve("known_hosts"), "-o", "StrictHostKeyChecking=yes",
                "-o", "ConnectTimeout=5");
    }

    private GenericApp billing() {
        Path ctl = standIns.binDirectory().resolve("app-ctl");
        return GenericApp.of("billing", Command.of(ctl.toString(), "stop", "billing"), Command.of(ctl.toString(), "start", "billing"))
                .statusCommand(Command.of(ctl.toString(), "status", "billing")).waitUpTo(Duration.ofSeconds(30));
    }

    /** A step's context of its own: a fleet remembers the hosts it handled in its step's memory. */
    private static TestStepContext ctx() throws IOException {
        return TestStepContext.in(Files.createTempDirectory(dir, "run"));
    }

    @Test
    void startsAndStopsTheApplicationOnTheHostOverRealSsh() throws Exception {
        TestStepContext ctx = ctx();
        FleetControl control = fleet("root@127.0.0.1").control(billing());
        control.start(ctx);
        ProcessHandle app = standIns.process(StandIns.appCtl("billing")).orElseThrow();
        assertThat(app.isAlive()).isTrue();
        assertThat(ctx.outputs()).containsEntry("fleet.start.root@127.0.0.1", "ok");

        control.stop(ctx);
        app.onExit().get(10, TimeUnit.SECONDS);
        assertThat(standIns.isRunning(StandIns.appCtl("billing"))).isFalse();
        assertThat(standIns.calls()).containsExactly("start generic-billing", "stop generic-billing");
    }

    @Test
    void aHostWithTheWrongHostKeyOrNoServerFailsAfterTheOthersWereTried() throws Exception {
        FleetControl control = fleet("root@127.0.0.1", "root@127.0.0.2").control(billing());
        TestStepContext ctx = ctx();
        FleetException e = catchThrowableOfType(FleetException.class, () -> control.start(ctx));
        assertThat(e).isNotNull();
        assertThat(e.results()).extracting(HostResult::ok).containsExactly(true, false);
        assertThat(e.getMessage()).contains("127.0.0.2");
        assertThat(standIns.isRunning(StandIns.appCtl("billing"))).as("the reachable host was still started").isTrue();
        fleet("root@127.0.0.1").control(billing()).stop(ctx());
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", argv) + ": " + new String(p.getInputStream().readAllBytes())).isZero();
    }
}
