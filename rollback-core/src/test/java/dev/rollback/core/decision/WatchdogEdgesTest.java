package dev.rollback.core.decision;

import dev.rollback.core.Confirmations;
import dev.rollback.core.Notifier;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.testing.StepClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The watchdog's less travelled paths: its settings, a failing listener, notifier or plan, and the background poller. */
class WatchdogEdgesTest {
    private final StepClock clock = StepClock.at(Instant.parse("2026-11-25T03:00:00Z"));
    private final List<Notifier.Notification> notified = new CopyOnWriteArrayList<>();
    private final Notifier notifier = Notifier.of("capture", notified::add);
    private final AtomicInteger rollbacks = new AtomicInteger();
    private final RollbackPlan plan = Rollback.plan("back-to-v1").step("roll back", c -> rollbacks.incrementAndGet()).build();
    private final DecisionTable table = DecisionTable.of(
            Rule.must("error rate above 50%", Condition.signal("error.rate").above(0.50)),
            Rule.should("error rate above 5%", Condition.signal("error.rate").above(0.05)),
            Rule.fixForward("error rate above 1%", Condition.signal("error.rate").above(0.01)));

    @Test
    void settingsRefuseWhatCannotWork() {
        Watchdog w = Watchdog.watch(table);
        assertThatThrownBy(() -> w.every(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the poll interval must be positive");
        assertThatThrownBy(() -> w.every(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(w.every(Duration.ofMillis(1))).isSameAs(w);
        assertThatThrownBy(() -> w.clock(null)).isInstanceOf(NullPointerException.class).hasMessage("clock");
        assertThatThrownBy(() -> w.notifier(null)).isInstanceOf(NullPointerException.class).hasMessage("notifier");
        assertThatThrownBy(() -> w.listener(null)).isInstanceOf(NullPointerException.class).hasMessage("listener");
        assertThatThrownBy(() -> w.onMust(null, Rollback.runner())).isInstanceOf(NullPointerException.class).hasMessage("plan");
        assertThatThrownBy(() -> w.onMust(plan, null)).isInstanceOf(NullPointerException.class).hasMessage("runner");
        assertThatThrownBy(() -> Watchdog.watch(null)).isInstanceOf(NullPointerException.class).hasMessage("table");
        assertThat(w.state()).isEqualTo(Watchdog.State.IDLE);
        assertThat(w.lastDecision()).isEmpty();
        assertThat(w.triggeredRun()).isEmpty();
        assertThat(w.triggerError()).isEmpty();
    }

    @Test
    void aListenerSeesEveryDecisionAndItsFailureDoesNotStopTheWatch() {
        AtomicReference<Double> rate = new AtomicReference<>(0.0);
        List<Level> seen = new CopyOnWriteArrayList<>();
        Watchdog w = Watchdog.watch(table).signals(Signal.of("error.rate", rate::get)).clock(clock).notifier(notifier)
                .listener(d -> {
                    seen.add(d.level());
                    throw new IllegalStateException("listener broke");
                });
        assertThat(w.pollOnce().level()).isEqualTo(Level.NONE);
        rate.set(0.07);
        assertThat(w.pollOnce().level()).isEqualTo(Level.SHOULD);
        assertThat(seen).containsExactly(Level.NONE, Level.SHOULD);
        assertThat(w.lastDecision()).get().extracting(Decision::level).isEqualTo(Level.SHOULD);
        // without a plan, a notification names the watchdog
        assertThat(notified).singleElement().satisfies(n -> {
            assertThat(n.planName()).isEqualTo("watchdog");
            assertThat(n.message()).startsWith("SHOULD roll back? ");
        });
        // without a plan, even a MUST only tells people: nothing runs and the watch goes on
        rate.set(0.9);
        assertThat(w.pollOnce().level()).isEqualTo(Level.MUST);
        assertThat(w.state()).isEqualTo(Watchdog.State.IDLE);
        assertThat(notified).hasSize(2).last().satisfies(n -> assertThat(n.message()).startsWith("MUST roll back? "));
    }

    @Test
    void aLevelIsToldAgainOnlyAfterItCleared() {
        AtomicReference<Double> rate = new AtomicReference<>(0.07);
        Watchdog w = Watchdog.watch(table).signals(Signal.of("error.rate", rate::get)).clock(clock).notifier(notifier);
        w.pollOnce();
        w.pollOnce();
        assertThat(notified).hasSize(1);
        // fix-forward is below what people are told about, and it clears the last one told
        rate.set(0.02);
        assertThat(w.pollOnce().level()).isEqualTo(Level.FIX_FORWARD);
        assertThat(notified).hasSize(1);
        rate.set(0.07);
        w.pollOnce();
        assertThat(notified).hasSize(2);
        assertThat(notified).extracting(Notifier.Notification::message).allSatisfy(m -> assertThat(m).startsWith("SHOULD roll back? "));
    }

    @Test
    void aFailingNotifierIsLoggedNotThrown() {
        Watchdog w = Watchdog.watch(table).signals(Signal.of("error.rate", () -> 0.07)).clock(clock)
                .notifier(Notifier.of("broken", n -> { throw new java.io.IOException("chat is down"); }));
        assertThat(w.pollOnce().level()).isEqualTo(Level.SHOULD);
        assertThat(w.state()).isEqualTo(Watchdog.State.IDLE);
    }

    @Test
    void aFailedRollbackIsKeptAsTheTriggeredRunAndTheWatchStops() {
        RollbackPlan failing = Rollback.plan("broken-rollback").step("roll back", c -> {
            throw new IllegalStateException("the old release is gone");
        }).build();
        Watchdog w = Watchdog.watch(table).signals(Signal.of("error.rate", () -> 0.9)).clock(clock).notifier(notifier)
                .onMust(failing, Rollback.runner().journal(InMemoryJournal.create()).confirmations(Confirmations.autoApprove("watchdog")));
        Decision d = w.pollOnce();
        assertThat(d.level()).isEqualTo(Level.MUST);
        assertThat(w.state()).isEqualTo(Watchdog.State.TRIGGERED);
        assertThat(w.triggeredRun()).get().extracting(r -> r.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(w.triggerError()).isEmpty();
        assertThat(notified).singleElement().satisfies(n -> {
            assertThat(n.planName()).isEqualTo("broken-rollback");
            assertThat(n.message()).startsWith("MUST roll back; running plan 'broken-rollback'. Decision at ")
                    .contains("MUST 'error rate above 50%'");
        });
        // once triggered, polls return the decision that triggered it, read nothing and run nothing again
        assertThat(w.pollOnce()).isSameAs(d);
        assertThat(notified).hasSize(1);
        w.close();
        assertThat(w.state()).isEqualTo(Watchdog.State.TRIGGERED);
    }

    @Test
    void theBackgroundPollerReadsUntilMustThenRunsThePlanAndStops() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        Watchdog w = Watchdog.watch(table).signals(Signal.of("error.rate", () -> reads.incrementAndGet() < 3 ? 0.0 : 0.9))
                .every(Duration.ofMillis(10)).notifier(notifier)
                .onMust(plan, Rollback.runner().journal(InMemoryJournal.create()).confirmations(Confirmations.autoApprove("watchdog")));
        assertThatThrownBy(() -> Watchdog.watch(table).start()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[error.rate]");
        w.start();
        assertThatThrownBy(w::start).isInstanceOf(IllegalStateException.class).hasMessage("watchdog already WATCHING");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (w.state() != Watchdog.State.TRIGGERED && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(w.state()).isEqualTo(Watchdog.State.TRIGGERED);
        assertThat(w.stop(Duration.ofSeconds(10))).isTrue();
        assertThat(w.state()).as("stopping keeps a triggered watchdog's state").isEqualTo(Watchdog.State.TRIGGERED);
        assertThat(rollbacks).hasValue(1);
        assertThat(reads.get()).isGreaterThanOrEqualTo(3);
        int after = reads.get();
        Thread.sleep(100);
        assertThat(reads).as("no read after the plan ran").hasValue(after);
    }

    @Test
    void theBackgroundPollerKeepsReadingUntilClosed() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        Watchdog w = Watchdog.watch(table).signals(Signal.of("error.rate", () -> reads.incrementAndGet()))
                .every(Duration.ofMillis(10)).listener(d -> { });
        w.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (reads.get() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(reads.get()).isGreaterThanOrEqualTo(3);
        w.close();
        assertThat(w.state()).isEqualTo(Watchdog.State.STOPPED);
        int after = reads.get();
        Thread.sleep(100);
        assertThat(reads).as("no read after close").hasValue(after);
        assertThat(w.stop(Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void stoppingAWatchdogThatNeverStartedIsImmediate() throws Exception {
        Watchdog w = Watchdog.watch(table).signals(Signal.of("error.rate", () -> 0.9)).clock(clock);
        assertThat(w.stop(Duration.ZERO)).isTrue();
        assertThat(w.state()).isEqualTo(Watchdog.State.STOPPED);
        assertThat(w.pollOnce()).as("a stopped watchdog reads nothing").isNull();
    }
}
