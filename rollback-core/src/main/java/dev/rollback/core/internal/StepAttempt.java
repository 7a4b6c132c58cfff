package dev.rollback.core.internal;

import dev.rollback.core.CheckFailedException;
import dev.rollback.core.CheckResult;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepTimeoutException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One attempt of a step, within its timeout: a step with a timeout runs on a thread of its own,
 * is interrupted when the time is up, and is given a grace period to stop before the runner says
 * it may still be running.
 */
final class StepAttempt {
    private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(5);

    private StepAttempt() {
    }

    /**
     * @param step   the step
     * @param ctx    its context
     * @param checks where a check's result goes
     * @return what it threw (a failed check as a {@link CheckFailedException}, a timeout as a
     *         {@link StepTimeoutException}), or null when it succeeded
     */
    static Throwable run(PlannedStep step, StepContext ctx, List<CheckResult> checks) {
        Callable<Void> body = () -> {
            if (step.isCheck()) {
                CheckResult r = step.check().check(ctx);
                if (r == null) {
                    throw new IllegalStateException("check '" + step.name() + "' returned no result");
                }
                checks.add(r);
                if (!r.isPassed()) {
                    throw new CheckFailedException(r);
                }
            } else {
                step.step().execute(ctx);
            }
            return null;
        };
        Duration timeout = step.options().timeout();
        if (timeout == null) {
            try {
                body.call();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }
        FutureTask<Void> task = new FutureTask<>(body);
        Thread worker = new Thread(task, "rollback-step-" + step.index());
        worker.setDaemon(true);
        worker.start();
        try {
            task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            task.cancel(true);
            try {
                worker.join(INTERRUPT_GRACE.toMillis());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            return new StepTimeoutException(step.name(), timeout, worker.isAlive());
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            return e;
        }
    }
}
