package dev.rollback.test;

import dev.rollback.core.Confirmations;
import dev.rollback.core.FailurePolicy;
import dev.rollback.core.Retry;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.StepOptions;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.rollback.test.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FakesTest {
    private static final Instant T0 = Instant.parse("2026-11-25T02:00:00Z");

    @Test
    void manualClockMovesOnlyWhenToldAndIsSharedByItsZonedViews() {
        ManualClock clock = ManualClock.at(T0);
        assertThat(clock.instant()).isEqualTo(T0);
        assertThat(clock.instant()).isEqualTo(T0);
        assertThat(clock.advance(Duration.ofMinutes(5))).isEqualTo(T0.plusSeconds(300));
        Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));
        clock.set(T0.minusSeconds(60));
        assertThat(paris.instant()).isEqualTo(T0.minusSeconds(60));
        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(clock.millis()).isEqualTo(T0.minusSeconds(60).toEpochMilli());
        assertThat(ManualClock.atDefaultStart().instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only moves forward").hasMessageContaining("set(instant)");
    }

    @Test
    void manualClockAdvancesAtomicallyFromManyThreads() throws Exception {
        ManualClock clock = ManualClock.at(T0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 1000; i++) {
                    clock.advance(Duration.ofMillis(1));
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(clock.instant()).isEqualTo(T0.plusMillis(4000));
    }

    @Test
    void theRunnerUsesTheManualClockForJournalTimes() {
        ManualClock clock = ManualClock.at(T0);
        InMemoryJournal journal = InMemoryJournal.create();
        RollbackPlan plan = Rollback.plan("timed").step("wait a while", c -> clock.advance(Duration.ofMinutes(3))).build();
        RunReport report = Rollback.runner().journal(journal).clock(clock).run(plan);
        List<JournalEvent> events = journal.read("timed", report.runId());
        assertThat(events.get(0).time()).isEqualTo(T0);
        assertThat(events.get(events.size() - 1).time()).isEqualTo(T0.plus(Duration.ofMinutes(3)));
        assertThat(report.runId()).startsWith("20261125-020000-");
    }

    @Test
    void fakeAppControlRecordsStopsAndStartsWithTimesAndState() {
        ManualClock clock = ManualClock.at(T0);
        FakeAppControl app = FakeAppControl.named("nextcrm").clock(clock);
        RollbackPlan plan = Rollback.plan("restart").stopApp(app)
                .step("work", c -> {
                    assertThat(app.isRunning()).isFalse();
                    clock.advance(Duration.ofSeconds(42));
                })
                .startApp(app).build();
        assertThat(app.isRunning()).isTrue();
        RunReport report = Rollback.runner().clock(clock).run(plan);
        assertThat(report).succeeded().ranStepsInOrder("stop nextcrm", "work", "start nextcrm");
        assertThat(app.isRunning()).isTrue();
        assertThat(app.actions()).containsExactly(FakeAppControl.Action.STOP, FakeAppControl.Action.START);
        assertThat(app.calls()).extracting(FakeAppControl.Call::time).containsExactly(T0, T0.plusSeconds(42));
        assertThat(app.calls()).extracting(FakeAppControl.Call::runId).containsOnly(report.runId());
        assertThat(app.stops()).isEqualTo(1);
        assertThat(app.starts()).isEqualTo(1);
        assertThat(plan.describe()).contains("stop nextcrm (fake)");
    }

    @Test
    void fakeAppControlFailsTheNextStopOnceAndStaysUp() {
        FakeAppControl app = FakeAppControl.named("api").failNextStop(new IOException("unit api did not stop within 30s"));
        RollbackPlan plan = Rollback.plan("p").stopApp(app).step("x", c -> { }).startApp(app).build();
        InMemoryJournal journal = InMemoryJournal.create();
        RunReport failed = Rollback.runner().journal(journal).run(plan);
        assertThat(failed).failedAt("stop api").didNotRun("x", "start api");
        assertThat(failed.failure().message()).contains("unit api did not stop within 30s");
        assertThat(app.isRunning()).isTrue();
        assertThat(app.calls()).singleElement().satisfies(c -> assertThat(c.succeeded()).isFalse());
        RunReport resumed = Rollback.runner().journal(journal).resume(plan, failed.runId());
        assertThat(resumed).succeeded();
        assertThat(app.stops()).isEqualTo(1);
        assertThat(app.isRunning()).isTrue();
    }

    @Test
    void fakeAppControlFailsTheNextStart() {
        FakeAppControl app = FakeAppControl.named("api").initiallyRunning(false).failNextStart(new IllegalStateException("port 8080 in use"));
        assertThat(app.isRunning()).isFalse();
        RunReport report = Rollback.runner().run(Rollback.plan("p").startApp(app).build());
        assertThat(report).failedAt("start api");
        assertThat(app.isRunning()).isFalse();
        assertThat(app.toString()).contains("api, stopped, 1 calls");
        assertThatThrownBy(() -> FakeAppControl.named(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a name");
    }

    @Test
    void recordingNotifierKeepsExpandedMessagesAndFailsAsTold() {
        RecordingNotifier slack = RecordingNotifier.named("slack").failTimes(1);
        RollbackPlan plan = Rollback.plan("notified")
                .notify(slack, "Rollback of ${plan} started (run ${runId})")
                .step("pick backup", c -> c.output("backup.path", "/backups/b1"))
                .notify(slack, "Using ${backup.path}")
                .build();
        RunReport report = Rollback.runner().run(plan);
        // the first notification failed: a failing notification does not stop the run
        assertThat(report).hasOutcome(RunOutcome.SUCCEEDED_WITH_WARNINGS);
        assertThat(slack.attempts()).isEqualTo(2);
        assertThat(slack.messages()).containsExactly("Using /backups/b1");
        assertThat(slack.notifications()).singleElement().satisfies(n -> {
            assertThat(n.planName()).isEqualTo("notified");
            assertThat(n.runId()).isEqualTo(report.runId());
        });
        RunReport second = Rollback.runner().run(plan);
        assertThat(second).succeeded();
        assertThat(slack.messages()).hasSize(3).contains("Rollback of notified started (run " + second.runId() + ")");
        assertThatThrownBy(() -> slack.failTimes(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 or more, not -1");
    }

    @Test
    void aRequiredNotificationThatFailsStopsTheRun() {
        RecordingNotifier pager = RecordingNotifier.named("pager").failTimes(5);
        RollbackPlan plan = Rollback.plan("paged")
                .notify(pager, "paging on-call", StepOptions.defaults().onFailure(FailurePolicy.ABORT).retry(Retry.times(3)))
                .step("x", c -> { })
                .build();
        RunReport report = Rollback.runner().run(plan);
        assertThat(report).failedAt("notify pager: paging on-call").didNotRun("x");
        assertThat(pager.attempts()).isEqualTo(3);
        assertThat(report.failure().message()).contains("recording notifier 'pager' fails as told (attempt 3)");
    }

    @Test
    void fakeCheckFailsTwiceThenPassesUnderARetry() {
        FakeCheck health = FakeCheck.named("health").failTimes(2);
        RollbackPlan plan = Rollback.plan("p").step("x", c -> { })
                .verify(health, StepOptions.defaults().retry(Retry.times(3)))
                .build();
        InMemoryJournal journal = InMemoryJournal.create();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        assertThat(report).succeeded();
        assertThat(health.calls()).isEqualTo(3);
        assertThat(report.step("health").orElseThrow().attempts()).isEqualTo(3);
        assertThat(report.step("health").orElseThrow().checks()).singleElement()
                .satisfies(r -> assertThat(r.measured()).isEqualTo("call 3 passed"));
        assertThat(journal.read("p", report.runId())).filteredOn(JournalEvent.StepFailed.class::isInstance).hasSize(2);
    }

    @Test
    void fakeCheckFollowsItsScriptAndRepeatsTheLastAnswer() {
        FakeCheck check = FakeCheck.named("counts").thenAnswer(true, false).thenThrow(new IOException("mongod unreachable"));
        RollbackPlan plan = Rollback.plan("p").step("x", c -> { }).verify(check).build();
        assertThat(Rollback.runner().run(plan)).succeeded();
        RunReport second = Rollback.runner().run(plan);
        assertThat(second).failedAt("counts");
        assertThat(second.failure().message()).contains("fake check 'counts' fails on call 2 as scripted");
        RunReport third = Rollback.runner().run(plan);
        assertThat(third.failure().message()).contains("mongod unreachable");
        RunReport fourth = Rollback.runner().run(plan);
        assertThat(fourth.failure().message()).contains("mongod unreachable");
        assertThat(check.calls()).isEqualTo(4);
        FakeCheck always = FakeCheck.named("always");
        assertThat(Rollback.runner().run(Rollback.plan("q").verify(always).build())).succeeded();
        assertThatThrownBy(() -> always.failTimes(-2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FakeCheck.named("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a name");
    }

    @Test
    void aDestructiveStepWithConfirmationsNoneNeedsApprovalAndTheAppIsNeverTouched() {
        FakeAppControl app = FakeAppControl.named("crm");
        RollbackPlan plan = Rollback.plan("p").capture("dump", c -> { }).stopApp(app)
                .restore(dev.rollback.core.Step.of("restore", c -> { })).startApp(app).build();
        RunReport report = Rollback.runner().confirmations(Confirmations.none()).run(plan);
        assertThat(report).needsApproval().didNotRun("dump", "stop crm", "restore", "start crm");
        assertThat(app.isRunning()).isTrue();
        assertThat(app.stops()).isZero();

        FakeAppControl late = FakeAppControl.named("crm");
        RollbackPlan planLate = Rollback.plan("p2").capture("dump", c -> { }).stopApp(late)
                .restore(dev.rollback.core.Step.of("restore", c -> { })).startApp(late).build();
        RunReport lateReport = Rollback.runner().confirmations(Confirmations.none()).approvalsWhenReached().run(planLate);
        assertThat(lateReport).needsApproval().ranStepsInOrder("dump", "stop crm").didNotRun("restore", "start crm");
        assertThat(late.isRunning()).as("asked only when reached, the app was already stopped").isFalse();
    }
}
