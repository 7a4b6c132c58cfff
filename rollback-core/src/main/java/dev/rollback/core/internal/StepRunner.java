package dev.rollback.core.internal;

import dev.rollback.core.CheckResult;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.RollbackException;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.StepResult;
import dev.rollback.core.StepTimeoutException;
import dev.rollback.core.journal.JournalEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one step to its end: each attempt journaled before and after, retried as its options say. */
final class StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger("dev.rollback.runner");

    private final RollbackPlan plan;
    private final RunState state;
    private final RunRecorder recorder;
    private final Listeners listeners;
    private final Clock clock;
    private final CapturedFiles capturedFiles;
    private final Path runDirectory;

    StepRunner(RollbackPlan plan, RunState state, RunRecorder recorder, Listeners listeners, Clock clock, CapturedFiles capturedFiles,
               Path runDirectory) {
        this.plan = plan;
        this.state = state;
        this.recorder = recorder;
        this.listeners = listeners;
        this.clock = clock;
        this.capturedFiles = capturedFiles;
        this.runDirectory = runDirectory;
    }

    /** A context for the step's attempt (or its cleanup), with these check results. */
    RunContext context(PlannedStep step, List<CheckResult> checks) {
        return new RunContext(plan.name(), state, recorder, listeners, clock, step, runDirectory, checks);
    }

    StepResult run(PlannedStep step) {
        int attempts = step.options().retry().attempts();
        long stepStart = System.nanoTime();
        String runId = state.runId;
        for (int attempt = 1; ; attempt++) {
            recorder.append(new JournalEvent.StepStarted(runId, clock.instant(), step.index(), step.name(), step.kind(), attempt));
            LOG.atLevel(listeners.level(Level.INFO)).log("[{}/{}] {} {} (attempt {})", step.index() <= plan.steps().size() ? step.index() : "handler",
                    plan.steps().size(), step.kind(), step.name(), attempt);
            List<CheckResult> checks = Collections.synchronizedList(new ArrayList<>());
            RunContext ctx = context(step, checks);
            long a0 = System.nanoTime();
            Throwable thrown = StepAttempt.run(step, ctx, checks);
            long attemptMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - a0);
            recordCapturedFiles(step);
            Map<String, String> published = ctx.stepOutputs();
            if (thrown == null) {
                state.publish(published);
                recorder.append(new JournalEvent.StepFinished(runId, clock.instant(), step.index(), step.name(), step.kind(), attempt,
                        attemptMillis, published, checks));
                return new StepResult(step.index(), step.name(), step.kind(), step.phase(), StepResult.Status.SUCCEEDED, attempt,
                        Duration.ofNanos(System.nanoTime() - stepStart), checks, published, null, null);
            }
            RollbackException error = Failures.of(thrown);
            String message = Failures.describe(thrown);
            boolean stillRunning = error instanceof StepTimeoutException te && te.stillRunning();
            boolean retry = attempt < attempts && !stillRunning && !(thrown instanceof InterruptedException);
            recorder.append(new JournalEvent.StepFailed(runId, clock.instant(), step.index(), step.name(), step.kind(), attempt,
                    attemptMillis, message, retry, checks, published, Failures.errorType(error), error.code()));
            LOG.atLevel(listeners.level(Level.WARN)).log("Step '{}' failed (attempt {} of {}): {}", step.name(), attempt, attempts, message);
            if (!retry) {
                return new StepResult(step.index(), step.name(), step.kind(), step.phase(), StepResult.Status.FAILED, attempt,
                        Duration.ofNanos(System.nanoTime() - stepStart), checks, published,
                        attempts > 1 ? message + " (after " + attempt + " attempts)" : message, error);
            }
            try {
                Thread.sleep(step.options().retry().delayAfter(attempt).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new StepResult(step.index(), step.name(), step.kind(), step.phase(), StepResult.Status.FAILED, attempt,
                        Duration.ofNanos(System.nanoTime() - stepStart), checks, Map.of(), "interrupted while waiting to retry: " + message,
                        error);
            }
        }
    }

    /** Journals the files the step's attempt wrote into the run folder, before its end is journaled. */
    private void recordCapturedFiles(PlannedStep step) {
        if (capturedFiles == null) {
            return;
        }
        try {
            capturedFiles.changedBy(state.runId, step.index(), step.name(), clock).forEach(recorder::append);
        } catch (UncheckedIOException e) {
            LOG.warn("Could not record the files step '{}' wrote into the run folder: {}", step.name(), e.getMessage());
        }
    }
}
