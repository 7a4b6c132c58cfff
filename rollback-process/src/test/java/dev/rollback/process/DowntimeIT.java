package dev.rollback.process;

import dev.rollback.core.Confirmations;
import dev.rollback.core.ConsoleProgress;
import dev.rollback.core.Downtime;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.report.IncidentReport;
import dev.rollback.test.StandIns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Downtime measured on a run whose application is a real HTTP server in a child process, stopped
 * and started by the systemd stand-in: the restore prepared while the server answers is total time,
 * not downtime; the downtime runs from the stop to the health check that passed after the start.
 */
class DowntimeIT {
    @TempDir
    Path tmp;
    StandIns standIns;

    @BeforeEach
    void setUp() {
        standIns = StandIns.install(tmp, TestAppServer.class);
    }

    @AfterEach
    void tearDown() {
        standIns.close();
    }

    @Test
    void aRestorePreparedWhileTheAppServesIsNotDowntimeAndTheReportAndConsoleSaySo() throws Exception {
        int port = AppControlIT.freePort();
        standIns.wantPort("systemd-nextcrm", port);
        String health = "http://127.0.0.1:" + port + "/api/health";
        Systemd app = Systemd.unit("nextcrm").searchPath(standIns.searchPath()).healthUrl(health);
        app.start(dev.rollback.test.TestStepContext.in(tmp));
        ProcessHandle before = standIns.process("systemd-nextcrm").orElseThrow();

        AtomicBoolean servedDuringPrepare = new AtomicBoolean();
        RollbackPlan plan = Rollback.plan("nextcrm-prepare-first")
                .step("prepare nextcrm_rollback from backup", c -> {
                    // a long restore into a copy, in a child process, while the application serves
                    Command.of("sleep", "1.5").run(c);
                    servedDuringPrepare.set(Http.get(health).check(c).isPassed());
                })
                .stopApp(app)
                .restore(dev.rollback.core.Step.of("swap in nextcrm_rollback", c -> Files.writeString(c.runDirectory().resolve("swapped"), "yes")))
                .startApp(app)
                .verify(Http.get(health).expectJson("status", "ok"))
                .withoutCapture("a test of the timing only")
                .build();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        FileJournal journal = FileJournal.in(tmp.resolve("journal"));
        RunReport run = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("dba"))
                .listener(ConsoleProgress.to(new PrintStream(console, true, StandardCharsets.UTF_8))).run(plan);

        assertThat(run.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(servedDuringPrepare).as("the app answered while the copy was prepared").isTrue();
        assertThat(before.isAlive()).as("the stop ended the server process").isFalse();
        assertThat(standIns.process("systemd-nextcrm").orElseThrow().pid()).as("a new server process").isNotEqualTo(before.pid());

        Downtime d = run.downtime();
        Downtime.Window w = d.windows().get(0);
        assertThat(d.windows()).hasSize(1);
        assertThat(w.end()).isEqualTo(Downtime.End.HEALTHY);
        assertThat(w.stopStep()).isEqualTo("stop systemd unit nextcrm");
        assertThat(w.startStep()).isEqualTo("start systemd unit nextcrm");
        List<JournalEvent> events = journal.read(plan.name(), run.runId());
        JournalEvent stopStarted = events.stream().filter(e -> e instanceof JournalEvent.StepStarted s && s.index() == 2).findFirst().orElseThrow();
        JournalEvent verified = events.stream().filter(e -> e instanceof JournalEvent.StepFinished f && f.index() == 5).findFirst().orElseThrow();
        assertThat(w.stopped()).isEqualTo(stopStarted.time());
        assertThat(w.until()).isEqualTo(verified.time());

        // downtime covers the stop, the swap, the start and the check, and leaves the 1.5 s prepare out
        JournalEvent prepared = events.stream().filter(e -> e instanceof JournalEvent.StepFinished f && f.index() == 1).findFirst().orElseThrow();
        assertThat(w.stopped()).isAfterOrEqualTo(prepared.time());
        assertThat(((JournalEvent.StepFinished) prepared).durationMillis()).isGreaterThanOrEqualTo(1500);
        Duration total = Duration.between(events.get(0).time(), events.get(events.size() - 1).time());
        assertThat(d.total()).isLessThanOrEqualTo(total.minusMillis(1500));
        assertThat(d.total()).isGreaterThan(Duration.ZERO);

        String out = console.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("app down from here").contains("app verified healthy: it was down ")
                .contains("SUCCEEDED in ").contains("\nDowntime: " + d.summary() + "\n");
        assertThat(out.indexOf("app down from here")).isGreaterThan(out.indexOf("stop systemd unit nextcrm"));

        String report = Files.readString(run.runDirectory().resolve(IncidentReport.FILE_NAME));
        assertThat(report).contains("| Downtime | **").contains("(step 2 'stop systemd unit nextcrm' began)")
                .contains("(step 5 '" + run.steps().get(4).name() + "' passed after the app was started)")
                .contains("## Downtime").containsPattern("app down +\\|");
    }
}
