package dev.rollback.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-step options: timeout, retry with backoff, failure policy, destructive flag, name.
 * Immutable; every method returns a copy.
 *
 * <pre>{@code
 * plan.step(Command.of("redis-cli", "FLUSHDB"),
 *           StepOptions.defaults().timeout(Duration.ofSeconds(30))
 *                      .retry(Retry.times(3).delay(Duration.ofSeconds(2)))
 *                      .onFailure(FailurePolicy.CONTINUE));
 * }</pre>
 *
 * @param name        the name in the plan, overriding the step's own (null keeps it)
 * @param timeout     the longest the step may take, or null for none
 * @param retry       how often it is tried
 * @param onFailure   what happens when it fails after its retries
 * @param destructive true or false to override the step's own flag, or null to keep it
 * @param waivable    whether an operator may skip this precheck or capture with a waiver ({@code --waive NAME --reason TEXT})
 */
public record StepOptions(String name, Duration timeout, Retry retry, FailurePolicy onFailure, Boolean destructive, boolean waivable) {
    private static final StepOptions DEFAULTS = new StepOptions(null, null, Retry.NONE, FailurePolicy.ABORT, null, false);

    /** Validates the fields. */
    public StepOptions {
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(onFailure, "onFailure");
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /**
     * Options that no waiver may skip.
     *
     * @param name        the name in the plan, or null
     * @param timeout     the longest the step may take, or null
     * @param retry       how often it is tried
     * @param onFailure   what happens when it fails
     * @param destructive the destructive flag's override, or null
     */
    public StepOptions(String name, Duration timeout, Retry retry, FailurePolicy onFailure, Boolean destructive) {
        this(name, timeout, retry, onFailure, destructive, false);
    }

    /** @return no timeout, no retry, abort on failure */
    public static StepOptions defaults() {
        return DEFAULTS;
    }

    /**
     * @param name the step's name in the plan
     * @return a copy
     */
    public StepOptions name(String name) {
        return new StepOptions(name, timeout, retry, onFailure, destructive, waivable);
    }

    /**
     * @param timeout the longest the step may take; it is interrupted and the run stops
     * @return a copy
     */
    public StepOptions timeout(Duration timeout) {
        return new StepOptions(name, timeout, retry, onFailure, destructive, waivable);
    }

    /**
     * @param retry how often the step is tried
     * @return a copy
     */
    public StepOptions retry(Retry retry) {
        return new StepOptions(name, timeout, retry, onFailure, destructive, waivable);
    }

    /**
     * @param policy what happens when the step fails after its retries
     * @return a copy
     */
    public StepOptions onFailure(FailurePolicy policy) {
        return new StepOptions(name, timeout, retry, policy, destructive, waivable);
    }

    /**
     * @param destructive whether the step destroys data and so needs approval and a capture before it
     * @return a copy
     */
    public StepOptions destructive(boolean destructive) {
        return new StepOptions(name, timeout, retry, onFailure, destructive, waivable);
    }

    /**
     * Lets an operator skip this precheck (or capture) with a waiver: {@code --waive NAME --reason TEXT},
     * or {@code RollbackRunner.waive(name, reason)}. The waiver is journaled and shown in the report.
     * For the emergency where the check cannot pass because the broken system is down ("the old
     * database is unreachable"). A capture a destructive step depends on is waived only when the plan
     * allows it ({@code PlanBuilder.allowWaivingCaptures(why)}).
     *
     * @param waivable whether an operator may waive the step
     * @return a copy
     */
    public StepOptions waivable(boolean waivable) {
        return new StepOptions(name, timeout, retry, onFailure, destructive, waivable);
    }

    /** @return the timeout, if any */
    public Optional<Duration> timeoutIfAny() {
        return Optional.ofNullable(timeout);
    }
}
