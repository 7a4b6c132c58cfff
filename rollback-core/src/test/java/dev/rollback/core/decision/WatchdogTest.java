package dev.rollback.core.decision;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Notifier;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.testing.StepClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WatchdogTest {
    private final StepClock clock = StepClock.at(Instant.parse("2026-11-25T03:00:00Z"));
    private final List<String> notified = new CopyOnWriteArrayList<>();
    private final Notifier notifier = Notifier.of("capture", n -> notified.add(n.message()));
    private final AtomicInteger rollbacks = new AtomicInteger();
    private final InMemoryJournal journal = InMemoryJournal.create();
    private final RollbackPlan plan = Rollback.plan("back-to-v1").step("roll back", c -> rollbacks.incrementAndGet()).build();

    private final DecisionTable table = DecisionTable.of(
            Rule.must("error rate above 10% for 10+ minutes", Condition.signal("error.rate").above(0.10).sustainedFor(Duration.ofMinutes(10))),
            Rule.should("error rate above 5%", Condition.signal("error.rate").above(0.05)));

    @Test
    void mustRunsThePlanOnceWithTheEvidenceInTheJournal() {
        AtomicReference<Double> rate = new AtomicReference<>(0.01);
        Watchdog w = Watchdog.watch(table).signals(Signal.of("error.rate", rate::get)).clock(clock).notifier(notifier)
                .onMust(plan, Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("watchdog")));

        assertThat(w.pollOnce().level()).isEqualTo(Level.NONE);
        rate.set(0.12);
        for (int minute = 0; minute < 10; minute++) {
            Decision d = w.pollOnce();
            assertThat(d.level()).as("minute %d", minute).isEqualTo(Level.SHOULD);
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(rollbacks).hasValue(0);
        assertThat(notified).as("SHOULD is told once, not on every poll").singleElement().asString().startsWith("SHOULD roll back?");

        Decision must = w.pollOnce();
        assertThat(must.level()).isEqualTo(Level.MUST);
        assertThat(rollbacks).hasValue(1);
        assertThat(w.state()).isEqualTo(Watchdog.State.TRIGGERED);
        assertThat(w.triggeredRun()).get().extracting(r -> r.outcome()).isEqualTo(RunOutcome.SUCCEEDED);

        w.pollOnce();
        w.pollOnce();
        assertThat(rollbacks).as("the plan runs exactly once").hasValue(1);

        String runId = w.triggeredRun().orElseThrow().runId();
        JournalEvent.RunStarted started = (JournalEvent.RunStarted) journal.read("back-to-v1", runId).get(0);
        assertThat(started.reason()).contains("MUST 'error rate above 10% for 10+ minutes'")
                .contains("error.rate = 0.12 > 0.1 for 10 min 00 s");
        assertThat(notified).anySatisfy(n -> assertThat(n).startsWith("MUST roll back; running plan 'back-to-v1'"));
    }

    @Test
    void aSampleIsDatedWhenItsReadCompletedSoASlowReadNeverLengthensABreach() {
        Instant start = clock.instant();
        // each read takes 4 minutes of the clock: the breach was first seen when the first read answered
        Watchdog w = Watchdog.watch(table).signals(Signal.of("error.rate", () -> {
            clock.advance(Duration.ofMinutes(4));
            return 0.12;
        })).clock(clock).onMust(plan, Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("watchdog")));

        w.pollOnce();
        assertThat(w.history().latest("error.rate").orElseThrow().time()).isEqualTo(start.plus(Duration.ofMinutes(4)));
        w.pollOnce();   // read answered at 8 min: breached for 4 min, not 8
        w.pollOnce();   // 12 min: 8 min
        assertThat(rollbacks).as("the 10 minutes are counted from the first failing answer").hasValue(0);
        w.pollOnce();   // 16 min: 12 min
        assertThat(rollbacks).hasValue(1);
        assertThat(w.lastDecision().orElseThrow().summary()).contains("for 12 min 00 s");
    }

    @Test
    void aFailingSignalSourceIsReportedNotTakenForHealthy() {
        Watchdog w = Watchdog.watch(table).signals(Signal.of("error.rate", () -> {
            throw new java.io.IOException("metrics endpoint refused the connection");
        })).clock(clock).notifier(notifier).onMust(plan, Rollback.runner().journal(journal));
        Decision d = w.pollOnce();
        assertThat(d.level()).isEqualTo(Level.CONSIDER);
        assertThat(d.unavailable()).containsEntry("error.rate", "IOException: metrics endpoint refused the connection");
        assertThat(notified).singleElement().asString().contains("signal error.rate unavailable");
        assertThat(rollbacks).hasValue(0);
    }

    @Test
    void aFailingCheckIsAFailingHealthSignal() throws Exception {
        Check health = Check.of("health", c -> { throw new java.net.ConnectException("Connection refused"); });
        assertThat(Signal.failing("health.failing", health).read()).isEqualTo(1.0);
        assertThat(Signal.failing("ok", Check.of("ok", c -> CheckResult.passed("ok", 200, 200))).read()).isZero();
        assertThat(Signal.measured("rows", Check.of("rows", c -> CheckResult.passed("rows", "26 collections", ">= 26"))).read()).isEqualTo(26);
        assertThatThrownBy(() -> Signal.measured("rows", Check.of("rows", c -> CheckResult.passed("rows", "many", ""))).read())
                .hasMessageContaining("measured 'many', not a number");
    }

    @Test
    void theRulesMayOnlyReadSignalsThatHaveASource() {
        assertThatThrownBy(() -> Watchdog.watch(table).pollOnce())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("[error.rate]");
    }

    @Test
    void stoppingIsClean() throws Exception {
        Watchdog w = Watchdog.watch(table).signals(Signal.of("error.rate", () -> 0.0)).every(Duration.ofMillis(10)).start();
        assertThat(w.stop(Duration.ofSeconds(5))).isTrue();
        assertThat(w.state()).isEqualTo(Watchdog.State.STOPPED);
        assertThatThrownBy(w::start).hasMessageContaining("already STOPPED");
    }
}
