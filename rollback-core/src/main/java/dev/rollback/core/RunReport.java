package dev.rollback.core;

import dev.rollback.core.internal.Failures;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of a run: outcome, each step's result, phases against their budgets, the failure
 * with the state left behind and the call that resumes the run.
 *
 * @param planName     the plan
 * @param fingerprint  the plan's fingerprint
 * @param runId        the run
 * @param outcome      how it ended
 * @param startedAt    when this invocation started
 * @param finishedAt   when it ended
 * @param steps        every step, in plan order
 * @param phases       every phase with budget and actual time
 * @param failure      what stopped the run, or null
 * @param outputs      every output published, in order
 * @param journal      where the run is recorded
 * @param runDirectory the run's folder (forensics, incident report)
 * @param handlers     the {@link StepsBuilder#onFailure onFailure} and {@link StepsBuilder#always always} handlers
 *                     of the plan and its phases that ran in this invocation, in the order they ran
 * @param downtime     how long the application was down, stopped to verified healthy, over the whole run (all
 *                     its processes, read from the journal), as opposed to {@link #duration()}; {@link Downtime#NONE}
 *                     when no step stopped it
 */
public record RunReport(String planName, String fingerprint, String runId, RunOutcome outcome, Instant startedAt,
                        Instant finishedAt, List<StepResult> steps, List<PhaseResult> phases, Failure failure,
                        Map<String, String> outputs, String journal, Path runDirectory, List<StepResult> handlers,
                        Downtime downtime) {

    /** Copies the collections. */
    public RunReport {
        steps = List.copyOf(steps);
        handlers = List.copyOf(handlers);
        phases = List.copyOf(phases);
        outputs = Map.copyOf(outputs);
        downtime = downtime == null ? Downtime.NONE : downtime;
    }

    /**
     * @return the wall time of this invocation; the time users waited is {@link #downtime()}, which a plan that
     *         prepares its restore while the application serves keeps far shorter
     */
    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    /** @return whether the run reached its end */
    public boolean isSuccess() {
        return outcome.isSuccess();
    }

    /** @return the failure, if the run stopped early */
    public Optional<Failure> failureIfAny() {
        return Optional.ofNullable(failure);
    }

    /**
     * @param name step name
     * @return its result
     */
    public Optional<StepResult> step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * @param status a status
     * @return the steps with that status
     */
    public List<StepResult> steps(StepResult.Status status) {
        return steps.stream().filter(s -> s.status() == status).toList();
    }

    /**
     * @return this report when the run succeeded
     * @throws RunFailedException with the failure, the state left behind and the resume call
     */
    public RunReport orThrow() {
        if (!isSuccess() && outcome != RunOutcome.DRY_RUN) {
            throw new RunFailedException(this);
        }
        return this;
    }

    /**
     * Why a run stopped: the step, what went wrong, the state left behind, the call that resumes
     * the run, and the exception, which a program can act on by its {@link #code() code} or type
     * instead of its message.
     *
     * <pre>{@code
     * RunReport.Failure f = report.failure();
     * if (f.is(PostgresRestoreFailedException.class)) { ... }      // or: switch (f.code())
     * }</pre>
     *
     * @param step            the step that stopped it
     * @param index           its position
     * @param message         what went wrong, redacted
     * @param stateLeftBehind what was done and what was not, for the operator
     * @param resumeCommand   the exact call that resumes the run
     * @param exception       the exception the step failed with (a step's own exception that is not a
     *                        {@link RollbackException} is the cause of a {@link StepFailedException}); an
     *                        approval that was not given is an {@link ApprovalRefusedException} or an
     *                        {@link ApprovalUnavailableException}, a failed check a {@link CheckFailedException}
     */
    public record Failure(String step, int index, String message, String stateLeftBehind, String resumeCommand,
                          RollbackException exception) {

        /** Validates the fields. */
        public Failure {
            Objects.requireNonNull(exception, "exception");
        }

        /**
         * The stable error code of the failure, such as {@code postgres.restore.failed},
         * {@code check.failed} or {@code approval.refused}; {@code docs/errors.md} lists them all.
         *
         * @return the code of {@link #exception()}
         */
        public String code() {
            return exception.code();
        }

        /**
         * The type of the exception the step failed with: the step's own exception's type when it
         * was wrapped in a {@link StepFailedException}, such as {@code java.io.IOException}.
         *
         * @return the fully qualified class name
         */
        public String errorType() {
            return Failures.errorType(exception);
        }

        /**
         * Whether the failure is of a type, or was caused by one: the exception and every cause in
         * its chain are tested.
         *
         * @param type an exception type, such as {@code CheckFailedException.class} or {@code java.sql.SQLException.class}
         * @return whether the exception or one of its causes is an instance of it
         */
        public boolean is(Class<? extends Throwable> type) {
            return Failures.causedBy(exception, type);
        }
    }

    /**
     * A phase's time against its budget.
     *
     * @param name   phase
     * @param budget the budget
     * @param actual time spent on its steps in this invocation
     */
    public record PhaseResult(String name, Duration budget, Duration actual) {
        /** @return whether the phase took longer than its budget */
        public boolean isOverBudget() {
            return actual.compareTo(budget) > 0;
        }
    }
}
