package dev.rollback.core;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
 */
public record RunReport(String planName, String fingerprint, String runId, RunOutcome outcome, Instant startedAt,
                        Instant finishedAt, List<StepResult> steps, List<PhaseResult> phases, Failure failure,
                        Map<String, String> outputs, String journal, Path runDirectory) {

    /** Copies the collections. */
    public RunReport {
        steps = List.copyOf(steps);
        phases = List.copyOf(phases);
        outputs = Map.copyOf(outputs);
    }

    /** @return the wall time of this invocation */
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
     * Why a run stopped.
     *
     * @param step            the step that stopped it
     * @param index           its position
     * @param message         what went wrong, redacted
     * @param stateLeftBehind what was done and what was not, for the operator
     * @param resumeCommand   the exact call that resumes the run
     */
    public record Failure(String step, int index, String message, String stateLeftBehind, String resumeCommand) {
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
