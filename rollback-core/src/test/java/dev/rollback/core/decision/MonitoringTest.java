package dev.rollback.core.decision;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Notifier;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunListener;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.StepOptions;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.rollback.core.decision.Condition.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The monitoring window as a step of a real plan, run by the real runner on a file journal: a quiet
 * window succeeds, a MUST rule fails the run with a typed failure and tells people, weaker levels are
 * told and do not fail, a failing health endpoint (a real HTTP server) fails it through a check, and a
 * window cut short goes on where it stopped when the run is resumed.
 */
class MonitoringTest {
    private static final DecisionTable TABLE = DecisionTable.of(
            Rule.must("error rate > 5%", signal("error.rate").above(0.05)),
            Rule.should("latency > 10x", signal("latency.ratio").above(10)),
            Rule.consider("latency > 1.5x", signal("latency.ratio").above(1.5)));

    @TempDir
    Path dir;

    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<String> progress = new CopyOnWriteArrayList<>();
    private final Notifier team = Notifier.of("team", n -> sent.add(n.message()));

    private final RunListener listener = new RunListener() {
        @Override
        public void progress(PlannedStep step, String message) {
            progress.add(message);
        }
    };

    private RunReport run(RollbackPlan plan, FileJournal journal) {
        return Rollback.runner().journal(journal).listener(listener).run(plan);
    }

    private static Signal constant(String name, double value) {
        return Signal.of(name, () -> value);
    }

    @Test
    void aQuietWindowWatchesToItsEndPollsAtTheIntervalAndSaysSo() {
        AtomicInteger reads = new AtomicInteger();
        Monitoring watch = Monitoring.rules(TABLE)
                .signals(Signal.of("error.rate", () -> {
                    reads.incrementAndGet();
                    return 0.001;
                }), constant("latency.ratio", 1.0))
                .every(Duration.ofMillis(100)).notifier(team);
        RollbackPlan plan = Rollback.plan("quiet").step("restore", c -> { }).monitorFor(Duration.ofMillis(800), watch).build();
        FileJournal journal = FileJournal.in(dir);

        RunReport report = run(plan, journal);

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(reads.get()).as("a poll at the start, then one every 100 ms until 800 ms").isBetween(3, 10);
        assertThat(report.outputs()).containsEntry(Monitoring.OUTPUT_WORST, "NONE").containsEntry(Monitoring.OUTPUT_WATCHED, "800 ms")
                .containsKey(Monitoring.OUTPUT_POLLS).containsEntry(Monitoring.OUTPUT_RESULT, "no MUST rule fired in 800 ms");
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0)).contains("Monitoring quiet (run " + report.runId() + ") for 800 ms, polling every 100 ms; a MUST rule fails the run");
        assertThat(sent.get(1)).contains("complete: no MUST rule fired in 800 ms");
        assertThat(progress).anySatisfy(p -> assertThat(p).startsWith("monitoring: ").contains("of 800 ms").contains("poll 1: NONE")
                .contains("error.rate=0.001").contains("latency.ratio=1.0"));
        assertThat(progress).anySatisfy(p -> assertThat(p).startsWith("monitoring: 800 ms of 800 ms, poll"));
        JournalEvent.StepFinished finished = journal.read("quiet", report.runId()).stream().filter(JournalEvent.StepFinished.class::isInstance)
                .map(JournalEvent.StepFinished.class::cast).filter(f -> f.step().equals("monitor for 800 ms")).findFirst().orElseThrow();
        assertThat(finished.kind()).isEqualTo(dev.rollback.core.StepKind.VERIFY);
        assertThat(finished.checks()).singleElement().satisfies(c -> {
            assertThat(c.isPassed()).isTrue();
            assertThat(c.expected()).isEqualTo("no MUST rule for 800 ms");
        });
    }

    @Test
    void aMustRuleFailsTheRunAtOnceWithTheEvidenceAndTellsTheTeam() {
        AtomicInteger reads = new AtomicInteger();
        Monitoring watch = Monitoring.rules(TABLE)
                .signals(Signal.of("error.rate", () -> reads.incrementAndGet() >= 3 ? 0.12 : 0.0), constant("latency.ratio", 1.0))
                .every(Duration.ofMillis(20)).notifier(team);
        RollbackPlan plan = Rollback.plan("alarm").step("restore", c -> { }).monitorFor(Duration.ofHours(2), watch)
                .step("after", c -> { }).build();
        FileJournal journal = FileJournal.in(dir);

        RunReport report = run(plan, journal);

        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        RunReport.Failure f = report.failureIfAny().orElseThrow();
        assertThat(f.step()).isEqualTo("monitor for 2 h 00 min");
        assertThat(f.code()).isEqualTo(MonitoringFailedException.CODE).isEqualTo("monitor.window.failed");
        assertThat(f.exception()).isInstanceOfSatisfying(MonitoringFailedException.class, e -> {
            assertThat(e.decision().level()).isEqualTo(Level.MUST);
            assertThat(e.decision().fired()).extracting(Decision.Fired::rule).containsExactly("error rate > 5%");
            assertThat(e.window()).isEqualTo(Duration.ofHours(2));
            assertThat(e.watched()).isLessThan(Duration.ofMinutes(1));
        });
        assertThat(f.message()).contains("monitoring window failed after").contains("of 2 h 00 min")
                .contains("MUST 'error rate > 5%': error.rate").contains("0.12").contains("decide whether to roll back further or fix forward");
        assertThat(reads).as("it stops at the poll that fired, not at the end of two hours").hasValue(3);
        assertThat(report.step("after").orElseThrow().status()).isNotEqualTo(dev.rollback.core.StepResult.Status.SUCCEEDED);
        assertThat(sent).last().asString().contains("Monitoring alarm (run " + report.runId() + ") FAILED after")
                .contains("MUST - MUST 'error rate > 5%'");
        JournalEvent.StepFailed failed = journal.read("alarm", report.runId()).stream().filter(JournalEvent.StepFailed.class::isInstance)
                .map(JournalEvent.StepFailed.class::cast).findFirst().orElseThrow();
        assertThat(failed.outputs()).containsEntry(Monitoring.OUTPUT_WORST, "MUST");
        assertThat(failed.checks()).singleElement().satisfies(c -> assertThat(c.isPassed()).isFalse());
    }

    @Test
    void weakerLevelsAreToldWhenTheyChangeAndDoNotFailTheWindow() {
        double[] latency = {1.0, 12.0, 12.0, 12.0, 2.0, 1.0};
        AtomicInteger reads = new AtomicInteger();
        Monitoring watch = Monitoring.rules(TABLE)
                .signals(constant("error.rate", 0.0), Signal.of("latency.ratio", () -> latency[Math.min(reads.getAndIncrement(), latency.length - 1)]))
                .every(Duration.ofMillis(30)).notifier(team);
        RollbackPlan plan = Rollback.plan("degraded").step(watch.forWindow(Duration.ofMillis(1500))).build();

        RunReport report = run(plan, FileJournal.in(dir));

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(reads.get()).as("the samples ran out before the window ended").isGreaterThan(latency.length);
        assertThat(sent.subList(1, sent.size() - 1)).as("told on each change, not on every poll").satisfiesExactly(
                s -> assertThat(s).contains("SHOULD (the run fails on MUST)").contains("'latency > 10x'"),
                s -> assertThat(s).contains("CONSIDER (the run fails on MUST)").contains("'latency > 1.5x'"),
                s -> assertThat(s).contains("back to NONE"));
        assertThat(report.outputs()).containsEntry(Monitoring.OUTPUT_WORST, "SHOULD")
                .containsEntry(Monitoring.OUTPUT_RESULT, "no MUST rule fired in 1.5 s (the strongest seen: SHOULD)");
    }

    @Test
    void failingOnShouldAlsoFailsOnItAndASignalThatCannotBeReadFailsAWindowThatFailsOnConsider() {
        Monitoring should = Monitoring.rules(TABLE).signals(constant("error.rate", 0.0), constant("latency.ratio", 11))
                .every(Duration.ofMillis(20)).failOn(Level.SHOULD);
        RunReport r1 = run(Rollback.plan("should").step(should.forWindow(Duration.ofMinutes(30))).build(), FileJournal.in(dir.resolve("a")));
        assertThat(r1.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(r1.failureIfAny().orElseThrow().message()).contains("SHOULD 'latency > 10x'");

        Monitoring blind = Monitoring.rules(TABLE).signals(constant("latency.ratio", 1.0),
                        Signal.of("error.rate", () -> {
                            throw new java.io.IOException("metrics server refused the connection");
                        }))
                .every(Duration.ofMillis(20)).failOn(Level.CONSIDER);
        RunReport r2 = run(Rollback.plan("blind").step(blind.forWindow(Duration.ofMinutes(30))).build(), FileJournal.in(dir.resolve("b")));
        assertThat(r2.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(r2.failureIfAny().orElseThrow().message()).contains("signal error.rate unavailable: IOException: metrics server refused");
    }

    @Test
    void aFailingHealthEndpointFailsTheWindowThroughACheckWithItsMeasuredStatus() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/health", ex -> {
            if (requests.incrementAndGet() >= 4) {
                healthy.set(false);
            }
            byte[] body = (healthy.get() ? "ok" : "database unavailable").getBytes();
            ex.sendResponseHeaders(healthy.get() ? 200 : 503, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/health");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            Check health = Check.of("health", c -> {
                int status = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                return status == 200 ? CheckResult.passed("health", status, 200) : CheckResult.failed("health", status, 200, "unhealthy");
            });
            Monitoring watch = Monitoring.checks(health).failAfter(2).every(Duration.ofMillis(20)).notifier(team);

            RunReport report = run(Rollback.plan("health").step(watch.forWindow(Duration.ofMinutes(30))).build(), FileJournal.in(dir));

            assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
            assertThat(requests).as("two failing polls in a row: the 4th and 5th request").hasValue(5);
            assertThat(report.failureIfAny().orElseThrow().message()).contains("MUST 'check 'health' failing 2 polls in a row'");
            assertThat(sent).last().asString().contains("Checks: health: FAILED").contains("503");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aWindowCutShortByItsTimeoutRemembersHowLongItWatched() {
        Monitoring watch = Monitoring.rules(TABLE).signals(constant("error.rate", 0.0), constant("latency.ratio", 1.0))
                .every(Duration.ofMillis(50));
        RollbackPlan plan = Rollback.plan("timed-out")
                .step(watch.forWindow(Duration.ofMinutes(10)), StepOptions.defaults().timeout(Duration.ofMillis(500))).build();
        FileJournal journal = FileJournal.in(dir);

        RunReport report = run(plan, journal);

        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(remembered(journal, "timed-out", report.runId())).as("remembered when the timeout interrupted it")
                .isBetween(Duration.ofMillis(450), Duration.ofMinutes(1));
    }

    @Test
    void aWindowCutShortGoesOnWhereItStoppedWhenTheRunIsResumed() {
        AtomicInteger reads = new AtomicInteger();
        AtomicBoolean crash = new AtomicBoolean(true);
        Monitoring watch = Monitoring.rules(TABLE)
                .signals(Signal.of("error.rate", () -> {
                    if (reads.incrementAndGet() >= 8 && crash.get()) {
                        throw new SimulatedCrash();     // not a failed read: the step dies as its process would
                    }
                    return 0.0;
                }), constant("latency.ratio", 1.0))
                .every(Duration.ofMillis(50)).notifier(team);
        Duration window = Duration.ofMillis(1000);
        RollbackPlan plan = Rollback.plan("cut-short").step("restore", c -> { }).checkpoint("restored")
                .step(watch.forWindow(window)).build();
        FileJournal journal = FileJournal.in(dir);

        RunReport first = run(plan, journal);
        assertThat(first.outcome()).isEqualTo(RunOutcome.FAILED);
        Duration watchedBefore = remembered(journal, "cut-short", first.runId());
        assertThat(watchedBefore).as("what the window remembered before it died").isBetween(Duration.ofMillis(200), window.minusMillis(1));

        crash.set(false);
        progress.clear();
        RunReport resumed = Rollback.runner().journal(journal).listener(listener).resume(plan, first.runId());

        assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(progress.get(0)).startsWith("resuming the monitoring window: " + dev.rollback.core.Durations.human(watchedBefore)
                + " of 1.0 s watched before the run stopped; watching the remaining");
        Duration firstPollAfterResume = progress.stream().filter(p -> p.startsWith("monitoring: ")).findFirst()
                .map(p -> parseHuman(p.substring("monitoring: ".length(), p.indexOf(" of ")))).orElseThrow();
        assertThat(firstPollAfterResume).as("the resume's first poll counts on from the time watched before").isGreaterThanOrEqualTo(watchedBefore);
        assertThat(sent).as("told once that the window began").filteredOn(s -> s.contains("for 1.0 s, polling")).hasSize(1);
        assertThat(remembered(journal, "cut-short", first.runId())).isEqualTo(window);
    }

    /** Reads what {@code Durations.human} wrote for less than a minute: "850 ms" or "1.2 s". */
    private static Duration parseHuman(String text) {
        return text.endsWith(" ms") ? Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 3)))
                : Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0, text.length() - 2)) * 1000));
    }

    /** Stands for the death of the process inside the window. */
    private static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedCrash() {
            super("simulated crash");
        }
    }

    @Test
    void aResumeAfterAnAlarmWatchesTheWholeWindowAgain() {
        AtomicBoolean bad = new AtomicBoolean(true);
        Monitoring watch = Monitoring.rules(TABLE)
                .signals(Signal.of("error.rate", () -> bad.get() ? 0.2 : 0.0), constant("latency.ratio", 1.0))
                .every(Duration.ofMillis(30));
        RollbackPlan plan = Rollback.plan("again").step(watch.forWindow(Duration.ofMillis(300))).build();
        FileJournal journal = FileJournal.in(dir);
        RunReport first = run(plan, journal);
        assertThat(first.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(remembered(journal, "again", first.runId())).isZero();

        bad.set(false);
        progress.clear();
        RunReport resumed = Rollback.runner().journal(journal).listener(listener).resume(plan, first.runId());
        assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(progress).first().asString().startsWith("watching the whole window of 300 ms again: it failed before (MUST 'error rate > 5%')");
    }

    @Test
    void aNotifierThatFailsDoesNotFailTheWindow() {
        Monitoring watch = Monitoring.rules(TABLE).signals(constant("error.rate", 0.0), constant("latency.ratio", 1.0))
                .every(Duration.ofMillis(50)).notifier(Notifier.of("broken slack", n -> {
                    throw new java.io.IOException("HTTP 500 from hooks.slack.com");
                }));
        RunReport report = run(Rollback.plan("broken-notifier").step(watch.forWindow(Duration.ofMillis(200))).build(), FileJournal.in(dir));
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(progress).anySatisfy(p -> assertThat(p).isEqualTo("notification via broken slack failed: HTTP 500 from hooks.slack.com"));
    }

    @Test
    void mistakesInTheMonitoringAreRefusedWhenThePlanIsWritten() {
        assertThatThrownBy(() -> Monitoring.rules(TABLE).signals(constant("error.rate", 0)).forWindow(Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the monitoring rules read signals no source provides: [latency.ratio]; add them with .signals(Signal.of(\"name\", ...))");
        assertThatThrownBy(() -> Monitoring.checks().forWindow(Duration.ofMinutes(1)))
                .hasMessage("Monitoring.checks needs at least one check");
        Monitoring ok = Monitoring.rules(TABLE).signals(constant("error.rate", 0), constant("latency.ratio", 1));
        assertThatThrownBy(() -> ok.forWindow(Duration.ZERO)).hasMessage("a monitoring window must be positive, got PT0S");
        assertThatThrownBy(() -> ok.failOn(Level.FIX_FORWARD)).hasMessageContaining("would fail a healthy system");
        assertThatThrownBy(() -> ok.every(Duration.ZERO)).hasMessage("the poll interval must be positive, got PT0S");
        assertThatThrownBy(() -> ok.failAfter(0)).hasMessage("failAfter needs at least one poll, got 0");
        Check h = Check.of("health", c -> CheckResult.passed("health", 200, 200));
        assertThatThrownBy(() -> ok.withChecks(h, h).forWindow(Duration.ofMinutes(1)))
                .hasMessage("two monitored checks are named 'health'; give one another name");
        assertThat(ok.every(Duration.ofSeconds(5)).forWindow(Duration.ofHours(2)).describe().parameters())
                .containsEntry("window", "PT2H").containsEntry("every", "PT5S").containsEntry("fails on", "MUST or stronger")
                .containsEntry("signals", "error.rate, latency.ratio").containsEntry("rules", "3");
    }

    /** The time watched that the monitoring step last remembered in the run. */
    static Duration remembered(FileJournal journal, String plan, String runId) {
        return journal.read(plan, runId).stream().filter(JournalEvent.StepMemory.class::isInstance).map(JournalEvent.StepMemory.class::cast)
                .filter(m -> m.key().equals(Monitoring.MEMORY_WATCHED)).reduce((a, b) -> b).map(m -> Duration.parse(m.value()))
                .orElse(Duration.ZERO);
    }
}
