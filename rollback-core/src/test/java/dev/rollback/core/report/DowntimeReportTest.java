package dev.rollback.core.report;

import dev.rollback.core.AppControl;
import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.ConsoleProgress;
import dev.rollback.core.Downtime;
import dev.rollback.core.Retry;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepOptions;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.testing.StepClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Downtime (app stopped to app verified healthy) read from the journals of real runs, apart from
 * the total time: a restore prepared while the app serves is not downtime, a resume's gap is.
 * The runs use a clock that the steps move, so that the figures are exact.
 */
class DowntimeReportTest {
    private static final Instant T0 = Instant.parse("2026-11-29T03:00:00Z");

    private static AppControl app(StepClock clock, Duration stop, Duration start, AtomicBoolean startFails) {
        return new AppControl() {
            public String name() { return "nextcrm"; }
            public void stop(StepContext c) { clock.advance(stop); }
            public void start(StepContext c) {
                clock.advance(start);
                if (startFails.get()) {
                    throw new IllegalStateException("nextcrm did not come up");
                }
            }
        };
    }

    private static Step swap(StepClock clock, AtomicBoolean fails) {
        return new Step() {
            public String name() { return "swap in nextcrm"; }
            public boolean destructive() { return true; }
            public void execute(StepContext c) {
                clock.advance(Duration.ofMillis(20));
                if (fails.get()) {
                    throw new IllegalStateException("could not rename nextcrm");
                }
            }
        };
    }

    /** Prepare for a minute while the app serves; stop (2 s), swap (20 ms), start (3 s), health fails once (1 s) then passes. */
    private static RollbackPlan plan(StepClock clock, AtomicBoolean swapFails, AtomicBoolean startFails, boolean healthCheck) {
        AtomicInteger polls = new AtomicInteger();
        var b = Rollback.plan("prepare-then-swap")
                .phase("Phase 1: prepare", Duration.ofMinutes(5), p -> p
                        .step("prepare nextcrm from backup.dump", c -> clock.advance(Duration.ofSeconds(60))))
                .phase("Phase 2: stop", Duration.ofMinutes(1), p -> p
                        .stopApp(app(clock, Duration.ofSeconds(2), Duration.ofSeconds(3), startFails))
                        .checkpoint("app-stopped"))
                .phase("Phase 3: swap", Duration.ofMinutes(1), p -> p.restore(swap(clock, swapFails)))
                .phase("Phase 4: start", Duration.ofMinutes(2), p -> {
                    p.startApp(app(clock, Duration.ofSeconds(2), Duration.ofSeconds(3), startFails));
                    if (healthCheck) {
                        p.verify(Check.of("http GET /api/health", c -> {
                            clock.advance(Duration.ofSeconds(1));
                            return polls.incrementAndGet() == 1 ? CheckResult.failed("http GET /api/health", 503, 200, "starting")
                                    : CheckResult.passed("http GET /api/health", 200, 200);
                        }), StepOptions.defaults().name("health after restart").retry(Retry.times(3)));
                    }
                });
        return b.step("notify team", c -> clock.advance(Duration.ofSeconds(5))).withoutCapture("a test of the timing only").build();
    }

    @Test
    void downtimeRunsFromTheStopToTheFirstPassingCheckAfterTheStartAndLeavesThePrepareOut() {
        StepClock clock = StepClock.at(T0);
        InMemoryJournal journal = InMemoryJournal.create();
        RollbackPlan plan = plan(clock, new AtomicBoolean(), new AtomicBoolean(), true);
        RunReport run = Rollback.runner().journal(journal).clock(clock).confirmations(Confirmations.autoApprove("dba")).run(plan);
        assertThat(run.outcome()).isEqualTo(RunOutcome.SUCCEEDED);

        List<JournalEvent> events = journal.read(plan.name(), run.runId());
        Downtime d = Downtime.of(events);
        // stop 2 s + swap 20 ms + start 3 s + a failed poll 1 s + a passing poll 1 s; the 60 s prepare and the 5 s notify are not downtime
        assertThat(d.total()).isEqualTo(Duration.ofMillis(7020));
        assertThat(d.windows()).singleElement().satisfies(w -> {
            assertThat(w.end()).isEqualTo(Downtime.End.HEALTHY);
            assertThat(w.stopStep()).isEqualTo("stop nextcrm");
            assertThat(w.startStep()).isEqualTo("start nextcrm");
            assertThat(w.untilStep()).isEqualTo("health after restart");
            assertThat(w.stopped()).isEqualTo(T0.plusSeconds(60));
            assertThat(w.betweenProcesses()).isZero();
        });
        assertThat(d.summary()).isEqualTo("7.0 s (app stopped 03:01:00.000 -> healthy 03:01:07.020)");

        String md = IncidentReport.of(events).plan(plan).toMarkdown();
        assertThat(md).contains("| Total time | 1 min 12 s (first event to last) |")
                .contains("| Downtime | **7.0 s** of 1 min 12 s, from 03:01:00.000 (step 2 'stop nextcrm' began) to 03:01:07.020 "
                        + "(step 6 'health after restart' passed after the app was started) |")
                .contains("## Downtime\n\n**7.0 s** of 1 min 12 s in all.")
                .contains("| 03:01:00.000 2 'stop nextcrm' | 03:01:05.020 5 'start nextcrm' | 03:01:07.020 6 'health after restart' passed "
                        + "| **7.0 s** |  |");
        // the text timeline has a row for the downtime, under the stop to the check and nowhere near the prepare
        Matcher row = Pattern.compile("app down +\\|( *)(=+)( *)\\| 7\\.0 s").matcher(md);
        assertThat(row.find()).as(md).isTrue();
        assertThat(row.group(1).length()).as("the band starts after the minute-long prepare").isGreaterThan(35);
        assertThat(md).contains("- `=` app down 7.0 s: stopped by 'stop nextcrm' at 03:01:00.000, verified healthy by 'health after restart' at 03:01:07.020")
                .contains("    section Downtime\n    app down 7.0 s :crit, d")
                .contains(", " + T0.plusSeconds(60).toEpochMilli() + ", " + T0.plusMillis(67_020).toEpochMilli() + "\n");

        String html = IncidentReport.of(events).plan(plan).toHtml();
        assertThat(html).contains("<g class=\"downtime\"><title>app down 7.0 s: stopped by 'stop nextcrm'")
                .contains("class=\"downlabel\">app down 7.0 s</text>");
    }

    @Test
    void theRunReportAndTheConsoleShowTheDowntimeApartFromTheTotalTime() {
        StepClock clock = StepClock.at(T0);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        RollbackPlan plan = plan(clock, new AtomicBoolean(), new AtomicBoolean(), true);
        RunReport run = Rollback.runner().journal(InMemoryJournal.create()).clock(clock).confirmations(Confirmations.autoApprove("dba"))
                .listener(ConsoleProgress.to(new PrintStream(buf, true, StandardCharsets.UTF_8))).run(plan);
        assertThat(run.downtime().total()).isEqualTo(Duration.ofMillis(7020));
        assertThat(run.downtime().windows()).singleElement().satisfies(w -> assertThat(w.untilStep()).isEqualTo("health after restart"));

        String console = buf.toString(StandardCharsets.UTF_8);
        List<String> lines = console.lines().toList();
        int stop = indexOf(lines, "stop app     stop nextcrm");
        assertThat(lines.get(stop + 1)).as(console).endsWith("app down from here: downtime lasts until a check passes after the app is started");
        int healthy = indexOf(lines, "app verified healthy: it was down 7.0 s");
        assertThat(lines.get(healthy - 1)).as("right after the check that passed").contains("http GET /api/health: PASSED");
        assertThat(lines.get(healthy - 2)).contains("ok in");
        assertThat(lines.subList(stop, healthy).toString()).contains("health after restart").contains("start nextcrm");
        assertThat(console).containsOnlyOnce("app down from here").containsOnlyOnce("app verified healthy")
                .contains("Downtime: 7.0 s (app stopped 03:01:00.000 -> healthy 03:01:07.020)\n");
        assertThat(lines.get(indexOf(lines, "Downtime: ") - 1)).as("under the total").matches("Run \\S+ SUCCEEDED in .+");

        RunReport noStop = Rollback.runner().journal(InMemoryJournal.create()).run(Rollback.plan("no-stop").step("clear cache", c -> { }).build());
        assertThat(noStop.downtime().isNone()).isTrue();
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        throw new AssertionError("no line with '" + part + "' in\n" + String.join("\n", lines));
    }

    @Test
    void aResumedRunCountsTheGapBetweenProcessesAsDowntimeAndSaysSo() {
        StepClock clock = StepClock.at(T0);
        InMemoryJournal journal = InMemoryJournal.create();
        AtomicBoolean swapFails = new AtomicBoolean(true);
        RollbackPlan plan = plan(clock, swapFails, new AtomicBoolean(), true);
        RunReport failed = Rollback.runner().journal(journal).clock(clock).confirmations(Confirmations.autoApprove("dba")).run(plan);
        assertThat(failed.outcome()).isEqualTo(RunOutcome.FAILED);

        // the app is down, and stays down for the ten minutes until someone resumes
        Downtime meanwhile = Downtime.of(journal.read(plan.name(), failed.runId()));
        assertThat(meanwhile.stillDown()).isTrue();
        assertThat(meanwhile.summary()).contains("still down at").contains("STILL DOWN or unverified when the journal ends, so this is a lower bound");
        assertThat(IncidentReport.of(journal.read(plan.name(), failed.runId())).plan(plan).toMarkdown())
                .contains("| Downtime | **2.0 s** so far of 1 min 02 s, from 03:01:00.000 (step 2 'stop nextcrm' began) to 03:01:02.020, "
                        + "the journal's last event: **the app is still down or unverified**, so the downtime goes on |")
                .contains("| **not started** | **no**: still down at the journal's last event, 03:01:02.020 |");

        clock.advance(Duration.ofMinutes(10));
        swapFails.set(false);
        RunReport resumed = Rollback.runner().journal(journal).clock(clock).confirmations(Confirmations.autoApprove("dba"))
                .resume(plan, failed.runId());
        assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(resumed.downtime().betweenProcesses()).as("the resume's report counts the first process's stop").isEqualTo(Duration.ofMinutes(10));

        List<JournalEvent> events = journal.read(plan.name(), failed.runId());
        Downtime d = Downtime.of(events);
        assertThat(d.windows()).singleElement().satisfies(w -> {
            assertThat(w.end()).isEqualTo(Downtime.End.HEALTHY);
            assertThat(w.stopped()).as("the stop of the first process").isEqualTo(T0.plusSeconds(60));
            assertThat(w.betweenProcesses()).isEqualTo(Duration.ofMinutes(10));
        });
        // first process: stop 2 s + failed swap 20 ms; ten minutes with no process; then swap 20 ms, start 3 s, two polls 2 s
        assertThat(d.total()).isEqualTo(Duration.ofMinutes(10).plusMillis(2020 + 20 + 3000 + 2000));
        assertThat(d.betweenProcesses()).isEqualTo(Duration.ofMinutes(10));
        assertThat(d.summary()).endsWith(", 10 min 00 s of it between processes (the app stayed down while no process ran the run)");

        String md = IncidentReport.of(events).plan(plan).toMarkdown();
        assertThat(md).contains("| Downtime | **10 min 07 s** of 11 min 12 s, from 03:01:00.000 (step 2 'stop nextcrm' began) to 03:11:07.040 "
                        + "(step 6 'health after restart' passed after the app was started); 10 min 00 s of it between processes: "
                        + "the app stayed down while no process ran the run |")
                .contains("It is wall time: 10 min 00 s of it passed between processes")
                .contains("| **10 min 07 s** | 10 min 00 s |");
        String html = IncidentReport.of(events).plan(plan).toHtml();
        assertThat(html).contains("<g class=\"downtime\"><title>app down 10 min 07 s: stopped by 'stop nextcrm' at 03:01:00.000, "
                + "verified healthy by 'health after restart' at 03:11:07.040; 10 min 00 s of it between processes, when the app stayed down");
    }

    @Test
    void aStartWithNoCheckAfterItEndsTheDowntimeUnverifiedAndAFailedStartLeavesItOpen() {
        StepClock clock = StepClock.at(T0);
        InMemoryJournal journal = InMemoryJournal.create();
        RollbackPlan unchecked = plan(clock, new AtomicBoolean(), new AtomicBoolean(), false);
        RunReport run = Rollback.runner().journal(journal).clock(clock).confirmations(Confirmations.autoApprove("dba")).run(unchecked);
        Downtime d = Downtime.of(journal.read(unchecked.name(), run.runId()));
        assertThat(d.windows()).singleElement().satisfies(w -> assertThat(w.end()).isEqualTo(Downtime.End.STARTED_UNCHECKED));
        assertThat(d.total()).isEqualTo(Duration.ofMillis(5020));
        assertThat(d.stillDown()).isFalse();
        assertThat(IncidentReport.of(journal.read(unchecked.name(), run.runId())).plan(unchecked).toMarkdown())
                .contains("(step 5 'start nextcrm' started the app; **no check after the start verified it**)")
                .contains("| not checked: no verify step after the start |");

        StepClock clock2 = StepClock.at(T0);
        RollbackPlan startFails = plan(clock2, new AtomicBoolean(), new AtomicBoolean(true), true);
        RunReport failed = Rollback.runner().journal(journal = InMemoryJournal.create()).clock(clock2).confirmations(Confirmations.autoApprove("dba")).run(startFails);
        assertThat(failed.outcome()).isEqualTo(RunOutcome.FAILED);
        Downtime open = Downtime.of(journal.read(startFails.name(), failed.runId()));
        assertThat(open.stillDown()).isTrue();
        assertThat(open.windows()).singleElement().satisfies(w -> {
            assertThat(w.started()).isNull();
            assertThat(w.until()).as("counted to the journal's last event").isEqualTo(T0.plusMillis(65_020));
        });
    }

    @Test
    void aRunThatNeverStopsTheAppHasNoDowntime() {
        InMemoryJournal journal = InMemoryJournal.create();
        RollbackPlan plan = Rollback.plan("no-stop").step("clear cache", c -> { }).build();
        RunReport run = Rollback.runner().journal(journal).run(plan);
        List<JournalEvent> events = journal.read(plan.name(), run.runId());
        assertThat(Downtime.of(events).isNone()).isTrue();
        assertThat(Downtime.of(events).summary()).isEqualTo("none (the app was not stopped)");
        String md = IncidentReport.of(events).plan(plan).toMarkdown();
        assertThat(md).contains("| Downtime | none: no step of this run stopped the app |")
                .contains("No step of this run stopped the app: no downtime.").doesNotContain("app down");
    }
}
