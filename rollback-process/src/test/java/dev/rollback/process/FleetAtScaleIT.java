package dev.rollback.process;

import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.test.SshHosts;
import dev.rollback.test.TestStepContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Fleets at scale over 24 real OpenSSH servers, one per loopback address (the testkit's
 * {@link SshHosts}, started in parallel once for the class): rolling batches, the failure budget,
 * hosts down (connection refused) and silent (connect timeout), hosts whose app fails, and a
 * resumed run that retries only the hosts that failed or were not tried. The "app" on each host is
 * a real process ({@code sleep}) started and stopped by a small app-ctl script over ssh; its state
 * and every call it got are kept per host. Needs sshd and root ({@code .ci/run}); else skipped.
 */
class FleetAtScaleIT {
    private static final int HOSTS = 24;
    private static SshHosts hosts;
    private static FleetTestApp app;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startHosts() throws Exception {
        Assumptions.assumeTrue(SshHosts.available(), "sshd is not installed or this is not root (.ci/run installs openssh-server)");
        Path dir = Files.createTempDirectory("fleet-at-scale-");
        app = FleetTestApp.in(dir);
        hosts = SshHosts.start(dir.resolve("sshd"), HOSTS, Map.of("FLEET_STATE", app.state().toString()));
    }

    @AfterAll
    static void stopHosts() throws Exception {
        if (hosts != null) {
            app.reset();
            hosts.close();
        }
    }

    @BeforeEach
    void cleanHosts() {
        app.reset();
        hosts.addresses().forEach(hosts::start);
    }

    private Fleet fleet() {
        return Fleet.of(hosts.destinations()).sshOptions(hosts.sshOptions()).connectTimeout(Duration.ofSeconds(2));
    }

    private static String host(int i) {
        return hosts.addresses().get(i - 1);
    }

    private static String dest(int i) {
        return hosts.destinations().get(i - 1);
    }

    private static void breakApp(int i, String why) {
        app.breakOn(host(i), why);
    }

    private static void repairApp(int i) {
        app.repair(host(i));
    }

    private static List<String> calls(int i) {
        return app.calls(host(i));
    }

    private static boolean running(int i) {
        return app.running(host(i));
    }

    @Test
    void rollingBatchesStopBeforeTheNextBatchOnceTheBudgetIsSpentAndNameEveryHost() throws Exception {
        hosts.stop(host(5));                        // batch 1: one host down
        breakApp(8, "config missing");              // batch 2: two apps fail
        breakApp(9, "port in use");
        FleetControl rolling = fleet().serial(6).parallel(6).maxFailPercent(10).control(app.control());   // 10 % of 24: 2 may fail
        TestStepContext ctx = TestStepContext.in(tmp);

        FleetException e = catchThrowableOfType(FleetException.class, () -> rolling.start(ctx));

        assertThat(e).isNotNull();
        assertThat(e.hosts(HostResult.Status.FAILED)).containsExactly(dest(5), dest(8), dest(9));
        assertThat(e.hosts(HostResult.Status.OK)).hasSize(9);
        assertThat(e.hosts(HostResult.Status.NOT_TRIED)).hasSize(12).first().isEqualTo(dest(13));
        assertThat(e.getMessage()).contains("failed on 3 of 24 hosts", "batches of 6, maxFailPercent 10: at most 2 failed hosts",
                "spent after batch 2 of 4", "12 hosts were not tried", "config missing", "port in use", "Connection refused",
                "not tried (12): " + dest(13));
        for (int i = 13; i <= HOSTS; i++) {
            assertThat(calls(i)).as("host %d was not touched", i).isEmpty();
        }
        assertThat(running(1)).isTrue();
        assertThat(running(12)).isTrue();
        assertThat(ctx.outputs()).containsEntry("fleet.start." + dest(1), "ok").containsEntry("fleet.start." + dest(20), "not tried")
                .hasEntrySatisfying("fleet.start." + dest(8), v -> assertThat(v).startsWith("FAILED: ").contains("config missing"));
        assertThat(ctx.memory()).containsEntry("fleet.start." + dest(1), "ok").doesNotContainKey("fleet.start." + dest(8));

        // fixed: the next attempt (a retry, or a resume on another machine) runs only the 15 others
        hosts.start(host(5));
        repairApp(8);
        repairApp(9);
        rolling.start(ctx.resumed());
        for (int i = 1; i <= HOSTS; i++) {
            assertThat(running(i)).as("host %d runs the app", i).isTrue();
            assertThat(calls(i)).as("host %d: done hosts started once, the failed ones retried", i)
                    .containsExactlyElementsOf(i == 8 || i == 9 ? List.of("start", "start") : List.of("start"));
        }
    }

    @Test
    void unreachableAndSilentHostsFailAfterTheConnectTimeoutWhileTheOthersGoOn() throws Exception {
        hosts.stop(host(3));
        hosts.silence(host(4));                     // accepts, never answers: ssh's banner exchange times out
        FleetControl all = fleet().parallel(HOSTS).control(app.control());
        long t0 = System.nanoTime();

        FleetException e = catchThrowableOfType(FleetException.class, () -> all.start(TestStepContext.in(tmp)));

        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(e.hosts(HostResult.Status.FAILED)).containsExactly(dest(3), dest(4));
        assertThat(e.getMessage()).contains("Connection refused").contains("timed out");
        assertThat(e.hosts(HostResult.Status.OK)).hasSize(HOSTS - 2);
        assertThat(took).as("never a hang: the silent host gives up after the 2 s connect timeout").isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void aResumedRunRetriesOnlyTheFailedAndNotTriedHostsAndTheReportHasAPerHostTable() throws Exception {
        fleet().parallel(HOSTS).control(app.control()).start(TestStepContext.in(tmp.resolve("setup")));   // the app runs everywhere
        breakApp(2, "disk full");
        hosts.stop(host(7));
        FleetControl servers = fleet().serial(8).parallel(8).maxFailPercent(5).control(app.control());   // 1 of 24 may fail
        RollbackPlan plan = Rollback.plan("stop-billing-fleet").stopApp(servers).build();
        FileJournal journal = FileJournal.in(tmp.resolve("journal"));

        RunReport first = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ops@example.com")).run(plan);

        assertThat(first.isSuccess()).isFalse();
        assertThat(first.failureIfAny().orElseThrow().message()).contains("failed on 2 of 24 hosts", "not tried (16)");
        for (int i = 9; i <= HOSTS; i++) {
            assertThat(calls(i)).as("host %d", i).containsExactly("start");
        }
        hosts.start(host(7));
        repairApp(2);

        RunReport resumed = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ops@example.com"))
                .resume(plan, first.runId());

        assertThat(resumed.isSuccess()).as(String.valueOf(resumed.failureIfAny())).isTrue();
        for (int i = 1; i <= HOSTS; i++) {
            assertThat(running(i)).as("host %d stopped", i).isFalse();
        }
        assertThat(calls(1)).as("done in the first run: not stopped again").containsExactly("start", "stop");
        assertThat(calls(2)).as("failed, retried").containsExactly("start", "stop", "stop");
        assertThat(calls(7)).as("down, retried").containsExactly("start", "stop");
        assertThat(calls(20)).as("not tried, then run once").containsExactly("start", "stop");
        String report = Files.readString(journal.runDirectory("stop-billing-fleet", first.runId()).resolve("incident-report.md"));
        assertThat(report).contains("## Hosts", "- stop: 24 ok", "| Host | stop |", "| " + dest(1) + " | ok |",
                "| " + dest(20) + " | ok |");
        assertThat(report.lines().filter(l -> l.startsWith("| " + hosts.user() + "@127.0.0."))).hasSize(HOSTS);
    }
}
