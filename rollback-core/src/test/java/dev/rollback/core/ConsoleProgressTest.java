package dev.rollback.core;

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
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator reads on the terminal, line by line, for runs whose steps move a clock: the
 * times, phases against budgets, retries, progress, approvals, downtime, waivers and a resume.
 */
class ConsoleProgressTest {
    private static final Instant T0 = Instant.parse("2026-11-29T03:00:00Z");

    private final StepClock clock = StepClock.at(T0);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final InMemoryJournal journal = InMemoryJournal.create();

    private AppControl app() {
        return new AppControl() {
            public String name() { return "nextcrm"; }
            public void stop(StepContext c) { clock.advance(Duration.ofSeconds(2)); }
            public void start(StepContext c) { clock.advance(Duration.ofSeconds(3)); }
        };
    }

    /** Stop (2 s, over its 1 s budget), a restore that fails once (1 s) then copies (3 s), start (3 s), health (1 s). */
    private RollbackPlan plan(AtomicInteger restoreFailures) {
        return Rollback.plan("nextcrm-back").withoutCapture("the test's restore changes nothing")
                .phase("Phase 1: stop", Duration.ofSeconds(1), p -> p
                        .precheck(Check.of("disk space", c -> CheckResult.passed("disk space", "40 GB", ">= 10 GB")),
                                StepOptions.defaults().waivable(true))
                        .stopApp(app())
                        .checkpoint("app-stopped"))
                .phase("Phase 2: restore", Duration.ofMinutes(1), p -> p
                        .restore(Step.of("restore nextcrm", c -> {
                            if (restoreFailures.getAndDecrement() > 0) {
                                clock.advance(Duration.ofSeconds(1));
                                throw new IllegalStateException("pg_restore exited with 1");
                            }
                            c.progress("copied 12 of 12 tables");
                            clock.advance(Duration.ofSeconds(3));
                        }), StepOptions.defaults().retry(Retry.times(2)))
                        .startApp(app())
                        .verify("health", c -> {
                            clock.advance(Duration.ofSeconds(1));
                            return CheckResult.passed("health", 200, 200);
                        }))
                .build();
    }

    private RollbackRunner runner() {
        return Rollback.runner().journal(journal).clock(clock).operator("alice").confirmations(Confirmations.autoApprove("dba"))
                .listener(ConsoleProgress.to(new PrintStream(out, true, StandardCharsets.UTF_8)));
    }

    /** Step times are measured, not read from the clock: they are shown as T. */
    private String console() {
        String text = out.toString(StandardCharsets.UTF_8);
        out.reset();
        return text.replaceAll("(ok in|FAILED after|took|SUCCEEDED in|FAILED in) [0-9.]+ (ms|s)\\b", "$1 T")
                .replaceAll("InMemoryJournal@[0-9a-f]+", "InMemoryJournal@X");
    }

    @Test
    void aRunIsShownStepByStepWithItsPhasesRetriesAndDowntime() {
        RollbackPlan plan = plan(new AtomicInteger(1));
        RunReport run = runner().run(plan);

        assertThat(run.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(console()).isEqualTo(String.join("\n",
                "Run " + run.runId() + " of plan 'nextcrm-back' (6 steps, fingerprint " + plan.fingerprint() + ")",
                "      'restore nextcrm' approved by dba (auto-approve)",
                "== Phase 1: stop (budget 1.0 s)",
                "[1/6] precheck     disk space",
                "      ok in T",
                "      disk space: PASSED (measured 40 GB, expected >= 10 GB)",
                "[2/6] stop app     stop nextcrm",
                "      app down from here: downtime lasts until a check passes after the app is started",
                "      ok in T",
                "[3/6] checkpoint   app-stopped",
                "      ok in T",
                "      checkpoint 'app-stopped' reached",
                "== Phase 1: stop took T of 1.0 s",
                "== Phase 2: restore (budget 1 min 00 s)",
                "[4/6] restore      restore nextcrm",
                "      FAILED after T: IllegalStateException: pg_restore exited with 1 (will retry)",
                "      attempt 2",
                "      ... copied 12 of 12 tables",
                "      ok in T",
                "[5/6] start app    start nextcrm",
                "      ok in T",
                "[6/6] verify       health",
                "      ok in T",
                "      health: PASSED (measured 200, expected 200)",
                "      app verified healthy: it was down 10.0 s",
                "== Phase 2: restore took T of 1 min 00 s",
                "Run " + run.runId() + " SUCCEEDED in T",
                "Downtime: 10.0 s (app stopped 03:00:00.000 -> healthy 03:00:10.000)",
                "Journal: in-memory journal, run " + run.runId()) + "\n");
    }

    @Test
    void aWaivedPrecheckAFailedRunAndItsResumeAreShown() {
        RollbackPlan plan = plan(new AtomicInteger(2));
        RunReport failed = runner().waive("disk space", "checked by hand").run(plan);
        assertThat(failed.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(console()).isEqualTo(String.join("\n",
                "Run " + failed.runId() + " of plan 'nextcrm-back' (6 steps, fingerprint " + plan.fingerprint() + ")",
                "      'restore nextcrm' approved by dba (auto-approve)",
                "== Phase 1: stop (budget 1.0 s)",
                "[1/6] WAIVED       disk space (by alice: checked by hand)",
                "[2/6] stop app     stop nextcrm",
                "      app down from here: downtime lasts until a check passes after the app is started",
                "      ok in T",
                "[3/6] checkpoint   app-stopped",
                "      ok in T",
                "      checkpoint 'app-stopped' reached",
                "== Phase 1: stop took T of 1.0 s",
                "== Phase 2: restore (budget 1 min 00 s)",
                "[4/6] restore      restore nextcrm",
                "      FAILED after T: IllegalStateException: pg_restore exited with 1 (will retry)",
                "      attempt 2",
                "      FAILED after T: IllegalStateException: pg_restore exited with 1",
                "== Phase 2: restore took T of 1 min 00 s",
                "Run " + failed.runId() + " FAILED in T",
                "Downtime: 4.0 s (app stopped 03:00:00.000 -> still down at 03:00:04.000); STILL DOWN or unverified when the journal "
                        + "ends, so this is a lower bound",
                "Stopped at step 4 'restore nextcrm': IllegalStateException: pg_restore exited with 1 (after 2 attempts)",
                "  Done: 1 'disk space', 2 'stop nextcrm', 3 'app-stopped'.",
                "  Last checkpoint: 'app-stopped' (step 3); a resume restarts after it.",
                "  Stopped at: 4 'restore nextcrm'. Not run: 5 'start nextcrm', 6 'health'.",
                "Resume with: Rollback.runner().journal(InMemoryJournal@X).resume(plan, \"" + failed.runId() + "\")",
                "Journal: in-memory journal, run " + failed.runId()) + "\n");

        RunReport resumed = runner().resume(plan, failed.runId());
        assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        // the steps done before the checkpoint are listed under their phase; the downtime spans both processes
        assertThat(console()).isEqualTo(String.join("\n",
                "Resuming run " + failed.runId() + " of plan 'nextcrm-back' (6 steps, fingerprint " + plan.fingerprint() + ")",
                "  restarting after checkpoint 'app-stopped'",
                "== Phase 1: stop (budget 1.0 s)",
                "[1/6] skipped      disk space (finished before checkpoint 'app-stopped' in an earlier invocation)",
                "[2/6] skipped      stop nextcrm (finished before checkpoint 'app-stopped' in an earlier invocation)",
                "[3/6] skipped      app-stopped (finished before checkpoint 'app-stopped' in an earlier invocation)",
                "      'restore nextcrm' approved by dba (auto-approve)",
                "== Phase 1: stop took T of 1.0 s",
                "== Phase 2: restore (budget 1 min 00 s)",
                "[4/6] restore      restore nextcrm",
                "      ... copied 12 of 12 tables",
                "      ok in T",
                "[5/6] start app    start nextcrm",
                "      ok in T",
                "[6/6] verify       health",
                "      ok in T",
                "      health: PASSED (measured 200, expected 200)",
                "== Phase 2: restore took T of 1 min 00 s",
                "Run " + failed.runId() + " SUCCEEDED in T",
                "Downtime: 11.0 s (app stopped 03:00:00.000 -> healthy 03:00:11.000)",
                "Journal: in-memory journal, run " + failed.runId()) + "\n");
    }
}
