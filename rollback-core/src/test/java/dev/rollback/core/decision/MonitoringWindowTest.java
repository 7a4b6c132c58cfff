package dev.rollback.core.decision;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Notifier;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunListener;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.testing.StepClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.rollback.core.decision.Condition.signal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The monitoring window poll by poll, on a clock that each read moves on by ten minutes: which polls
 * print a progress line, what people are told and when, how a window ends, and what a failure keeps
 * as evidence. The clock makes every figure exact.
 */
class MonitoringWindowTest {
    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);
    private static final DecisionTable TABLE = DecisionTable.of(
            Rule.must("error rate > 50%", signal("error.rate").above(0.5)),
            Rule.consider("error rate > 5%", signal("error.rate").above(0.05)));

    private final StepClock clock = StepClock.at(Instant.parse("2026-11-30T04:00:00Z"));
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<String> progress = new CopyOnWriteArrayList<>();
    private final Notifier team = Notifier.of("team", n -> sent.add(n.message()));
    private final InMemoryJournal journal = InMemoryJournal.create();
    private final RunListener listener = new RunListener() {
        @Override
        public void progress(PlannedStep step, String message) {
            progress.add(message);
        }
    };

    /** A signal whose n-th read moves the clock on by ten minutes and answers the n-th value (the last one after that). */
    private Signal errorRate(AtomicInteger reads, double... values) {
        return Signal.of("error.rate", () -> {
            clock.advance(TEN_MINUTES);
            int n = reads.getAndIncrement();
            return values[Math.min(n, values.length - 1)];
        });
    }

    private RunReport run(RollbackPlan plan) {
        return Rollback.runner().journal(journal).clock(clock).listener(listener).run(plan);
    }

    private List<String> monitoringLines() {
        return progress.stream().filter(p -> p.startsWith("monitoring: ")).toList();
    }

    @Test
    void aWindowThatSawAWeakAlarmPassesTellsItsStartAndEndAndSaysTheStrongestSeen() {
        AtomicInteger reads = new AtomicInteger();
        Monitoring watch = Monitoring.rules(TABLE).signals(errorRate(reads, 0.0, 0.1, 0.1, 0.0)).every(Duration.ofMillis(5)).notifier(team);
        RunReport report = run(Rollback.plan("mw").step(watch.forWindow(Duration.ofHours(1))).build());

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(reads).hasValue(6);
        String run = "Monitoring mw (run " + report.runId() + ")";
        assertThat(sent).containsExactly(
                run + " for 1 h 00 min, polling every 5 ms; a MUST rule fails the run.",
                sent.get(1),
                run + ", 40 min 00 s of 1 h 00 min: back to NONE.",
                run + " complete: no MUST rule fired in 1 h 00 min (the strongest seen: CONSIDER).");
        assertThat(sent.get(1)).startsWith(run + ", 20 min 00 s of 1 h 00 min: CONSIDER (the run fails on MUST). ")
                .contains("CONSIDER 'error rate > 5%'");
        // a line on the first poll, on every change, and then at least every 50th of the window (72 s: every poll here)
        assertThat(monitoringLines()).containsExactly(
                "monitoring: 10 min 00 s of 1 h 00 min (50 min 00 s left), poll 1: NONE; error.rate=0.0",
                "monitoring: 20 min 00 s of 1 h 00 min (40 min 00 s left), poll 2: CONSIDER ['error rate > 5%']; error.rate=0.1",
                "monitoring: 30 min 00 s of 1 h 00 min (30 min 00 s left), poll 3: CONSIDER ['error rate > 5%']; error.rate=0.1",
                "monitoring: 40 min 00 s of 1 h 00 min (20 min 00 s left), poll 4: NONE; error.rate=0.0",
                "monitoring: 50 min 00 s of 1 h 00 min (10 min 00 s left), poll 5: NONE; error.rate=0.0",
                "monitoring: 1 h 00 min of 1 h 00 min, poll 6: NONE; error.rate=0.0");
        assertThat(report.outputs()).containsEntry(Monitoring.OUTPUT_WATCHED, "1 h 00 min").containsEntry(Monitoring.OUTPUT_POLLS, "6")
                .containsEntry(Monitoring.OUTPUT_WORST, "CONSIDER")
                .containsEntry(Monitoring.OUTPUT_RESULT, "no MUST rule fired in 1 h 00 min (the strongest seen: CONSIDER)");
        // what was watched is remembered as the window goes, so that a resume goes on from there
        assertThat(memories("mw", report.runId())).containsSubsequence("PT10M", "PT20M", "PT50M", "PT1H");
    }

    @Test
    void aQuietWindowWithoutANotifierEndsOnItsLastPollAndTellsOnlyTheConsole() {
        AtomicInteger reads = new AtomicInteger();
        Monitoring watch = Monitoring.rules(TABLE).signals(errorRate(reads, 0.0)).every(Duration.ofMillis(1));
        RunReport report = run(Rollback.plan("long").step(watch.forWindow(Duration.ofMinutes(40))).build());
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(reads).hasValue(4);
        // without a notifier the messages still reach the console (the run's progress)
        assertThat(monitoringLines()).hasSize(4).last().isEqualTo("monitoring: 40 min 00 s of 40 min 00 s, poll 4: NONE; error.rate=0.0");
        assertThat(report.outputs()).containsEntry(Monitoring.OUTPUT_RESULT, "no MUST rule fired in 40 min 00 s")
                .containsEntry(Monitoring.OUTPUT_WORST, "NONE");
        assertThat(progress).anySatisfy(p -> assertThat(p).isEqualTo("Monitoring long (run " + report.runId()
                + ") for 40 min 00 s, polling every 1 ms; a MUST rule fails the run."));
    }

    @Test
    void aLongWindowPrintsALineOnTheFirstPollOnEachChangeAndThenEveryFiftiethOfTheWindow() {
        AtomicInteger reads = new AtomicInteger();
        // 10 hours polled every 10 min of the clock: a line (and a remembered position) at least every 12 min, so every other poll
        Monitoring watch = Monitoring.rules(TABLE).signals(errorRate(reads, 0.0, 0.0, 0.1, 0.0)).every(Duration.ofMillis(1));
        RunReport report = run(Rollback.plan("long").step(watch.forWindow(Duration.ofHours(10))).build());
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(reads).hasValue(60);
        List<String> lines = monitoringLines();
        assertThat(lines).hasSize(32);
        assertThat(lines.subList(0, 6)).extracting(l -> l.replaceAll(".*, poll (\\d+): .*", "$1"))
                .containsExactly("1", "2", "3", "4", "6", "8");
        assertThat(lines.get(2)).isEqualTo("monitoring: 30 min 00 s of 10 h 00 min (9 h 30 min left), poll 3: CONSIDER ['error rate > 5%']; error.rate=0.1");
        assertThat(lines).last().isEqualTo("monitoring: 10 h 00 min of 10 h 00 min, poll 60: NONE; error.rate=0.0");
        List<String> remembered = memories("long", report.runId());
        assertThat(remembered).hasSize(30).startsWith("PT20M", "PT40M", "PT1H").endsWith("PT9H40M", "PT10H");
        assertThat(report.outputs()).containsEntry(Monitoring.OUTPUT_POLLS, "60");
    }

    @Test
    void aFailingWindowKeepsTheRulesAndChecksThatFiredAsEvidenceAndTellsThem() {
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger healthPolls = new AtomicInteger();
        Check health = Check.of("health", c -> healthPolls.incrementAndGet() < 2
                ? CheckResult.passed("health", 200, 200) : CheckResult.failed("health", 503, 200, "down"));
        Monitoring watch = Monitoring.rules(TABLE).signals(errorRate(reads, 0.0, 0.9)).withChecks(health)
                .every(Duration.ofMillis(5)).notifier(team);
        RunReport report = run(Rollback.plan("bad").step(watch.forWindow(Duration.ofHours(2))).build());

        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(reads).hasValue(2);
        JournalEvent.StepFailed failed = journal.read("bad", report.runId()).stream().filter(JournalEvent.StepFailed.class::isInstance)
                .map(JournalEvent.StepFailed.class::cast).findFirst().orElseThrow();
        assertThat(failed.errorCode()).isEqualTo(MonitoringFailedException.CODE);
        String evidence = "MUST 'error rate > 50%'; MUST 'check 'health' failing'; check health: FAILED (measured 503, expected 200) - down";
        assertThat(failed.outputs()).containsEntry(Monitoring.OUTPUT_WATCHED, "20 min 00 s").containsEntry(Monitoring.OUTPUT_WORST, "MUST")
                .containsEntry(Monitoring.OUTPUT_RESULT, "MUST after 20 min 00 s: " + evidence);
        assertThat(failed.checks()).singleElement().satisfies(c -> {
            assertThat(c.isPassed()).isFalse();
            assertThat(c.measured()).isEqualTo("MUST after 20 min 00 s: " + evidence);
            assertThat(c.expected()).isEqualTo("no MUST rule for 2 h 00 min");
        });
        // the weaker CONSIDER rule fired too, but is not evidence of a MUST
        assertThat(failed.outputs().get(Monitoring.OUTPUT_RESULT)).doesNotContain("error rate > 5%");
        assertThat(sent).last().asString()
                .startsWith("Monitoring bad (run " + report.runId() + ") FAILED after 20 min 00 s of 2 h 00 min: ")
                .endsWith(" Checks: health: FAILED (measured 503, expected 200) - down");
        // a resume watches the whole window again: what was watched before the alarm is forgotten
        assertThat(memories("bad", report.runId())).last().isEqualTo("PT0S");
        assertThat(journal.read("bad", report.runId())).filteredOn(JournalEvent.StepMemory.class::isInstance)
                .map(e -> (JournalEvent.StepMemory) e).anySatisfy(m -> {
                    assertThat(m.key()).isEqualTo(Monitoring.MEMORY_FIRED);
                    assertThat(m.value()).isEqualTo(evidence);
                });
    }

    @Test
    void aCheckThatThrowsOrAnswersNothingIsAFailingCheck() {
        AtomicInteger reads = new AtomicInteger();
        Check throwing = Check.of("api", c -> { throw new java.net.ConnectException("Connection refused"); });
        Check silent = Check.of("queue", c -> null);
        Monitoring watch = Monitoring.rules(TABLE).signals(errorRate(reads, 0.0)).withChecks(throwing, silent).every(Duration.ofMillis(5));
        RunReport report = run(Rollback.plan("checks").step(watch.forWindow(Duration.ofHours(2))).build());
        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        JournalEvent.StepFailed failed = journal.read("checks", report.runId()).stream().filter(JournalEvent.StepFailed.class::isInstance)
                .map(JournalEvent.StepFailed.class::cast).findFirst().orElseThrow();
        assertThat(failed.outputs().get(Monitoring.OUTPUT_RESULT)).startsWith("MUST after 10 min 00 s: ")
                .contains("check api: FAILED (measured ConnectException, expected a result) - Connection refused")
                .contains("check queue: FAILED (measured no result, expected a result) - the check returned no result");
    }

    @Test
    void aNotifierThatFailsIsReportedAsProgressAndTheWindowGoesOn() {
        AtomicInteger reads = new AtomicInteger();
        Monitoring watch = Monitoring.rules(TABLE).signals(errorRate(reads, 0.0)).every(Duration.ofMillis(5))
                .notifier(Notifier.of("chat", n -> { throw new java.io.IOException("chat is down"); }));
        RunReport report = run(Rollback.plan("deaf").step(watch.forWindow(Duration.ofMinutes(20))).build());
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(progress).filteredOn(p -> p.equals("notification via chat failed: chat is down")).hasSize(2);
    }

    private List<String> memories(String plan, String runId) {
        return journal.read(plan, runId).stream().filter(JournalEvent.StepMemory.class::isInstance).map(e -> (JournalEvent.StepMemory) e)
                .filter(m -> m.key().equals(Monitoring.MEMORY_WATCHED)).map(JournalEvent.StepMemory::value).toList();
    }
}
