package dev.rollback.core;

import dev.rollback.core.spi.DescribedCheck;

import java.util.Objects;

/**
 * A verification with a result: "the backup has at least 26 collections", "health answers 200".
 *
 * <p>Used by {@link PlanBuilder#precheck(Check)} (runs before anything is changed) and
 * {@link PlanBuilder#verify(Check)} (runs after a change, optionally retried until it passes).
 * A check reports failure through its {@link CheckResult}; throwing means it could not be
 * evaluated at all (server unreachable), which also fails the step.
 *
 * <pre>{@code
 * Check rows = Check.of("users not empty", ctx -> {
 *     long n = countUsers();
 *     return n > 0 ? CheckResult.passed("users not empty", n, "> 0")
 *                  : CheckResult.failed("users not empty", n, "> 0", "users table is empty");
 * });
 * }</pre>
 */
public interface Check {

    /** The check's default name in a plan. */
    String name();

    /**
     * Evaluates the check.
     *
     * @param context the run's context
     * @return the result, passed or failed, with the measured value and the expectation
     * @throws Exception when the check could not be evaluated
     */
    CheckResult check(StepContext context) throws Exception;

    /** Describes the check for dry runs, fingerprints and reports. */
    default StepDescription describe() {
        return StepDescription.of(name());
    }

    /**
     * Makes a check from a name and a function.
     *
     * @param name     the check name
     * @param function evaluates it
     * @return the check
     */
    static Check of(String name, CheckFunction function) {
        return DescribedCheck.of(name, StepDescription.of(Objects.requireNonNull(name, "name")), function);
    }

    /** The body of a check written as a lambda. */
    @FunctionalInterface
    interface CheckFunction {
        /**
         * Evaluates the check.
         *
         * @param context the step's context
         * @return the result
         * @throws Exception when it cannot be evaluated
         */
        CheckResult check(StepContext context) throws Exception;
    }
}
