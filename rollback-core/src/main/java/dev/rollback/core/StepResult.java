package dev.rollback.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What happened to one step in a run.
 *
 * @param index    position in the plan, from 1
 * @param name     step name
 * @param kind     step kind
 * @param phase    its phase, or null
 * @param status   what happened
 * @param attempts how many attempts were made
 * @param duration time spent, all attempts and waits included
 * @param checks   check results of the last attempt, for checks
 * @param outputs  outputs it published (for a failed step: what it published before failing)
 * @param error     why it failed, redacted, or null
 * @param exception  the exception it failed with (its type, its cause chain, its {@link RollbackException#code() code}),
 *                   or null; a step's own exception that is not a {@link RollbackException} is the cause of a
 *                   {@link StepFailedException}
 */
public record StepResult(int index, String name, StepKind kind, String phase, Status status, int attempts,
                         Duration duration, List<CheckResult> checks, Map<String, String> outputs, String error,
                         RollbackException exception) {

    /** What happened to a step. */
    public enum Status {
        /** It ran and succeeded. */
        SUCCEEDED,
        /** It ran and failed. */
        FAILED,
        /** It was not run: it finished before the checkpoint a resume restarted after. */
        SKIPPED,
        /** It was never reached. */
        NOT_RUN
    }

    /** Copies the collections. */
    public StepResult {
        checks = List.copyOf(checks);
        outputs = Map.copyOf(outputs);
    }

    /** @return the failure message, if it failed */
    public Optional<String> errorIfAny() {
        return Optional.ofNullable(error);
    }

    /** @return the exception it failed with, if it failed */
    public Optional<RollbackException> exceptionIfAny() {
        return Optional.ofNullable(exception);
    }

    /** @return the failure's stable error code ({@code docs/errors.md}), if it failed */
    public Optional<String> errorCode() {
        return exceptionIfAny().map(RollbackException::code);
    }
}
