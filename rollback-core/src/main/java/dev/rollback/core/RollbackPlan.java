package dev.rollback.core;

import dev.rollback.core.internal.PlanRendering;

import java.util.List;
import java.util.Optional;

/**
 * An immutable, ordered rollback plan, made by {@link Rollback#plan(String)}. It describes
 * itself ({@link #describe()}, secrets redacted) and has a stable {@link #fingerprint()}, so that
 * a resumed run refuses a plan that changed underneath it.
 */
public final class RollbackPlan {
    private final String name;
    private final String description;
    private final List<PlannedStep> steps;
    private final List<Phase> phases;
    private final String withoutCaptureReason;
    private final String fingerprint;
    private final java.time.Duration newRunAllowedAfter;

    RollbackPlan(String name, String description, List<PlannedStep> steps, List<Phase> phases, String withoutCaptureReason,
                 java.time.Duration newRunAllowedAfter) {
        this.name = name;
        this.description = description;
        this.steps = List.copyOf(steps);
        this.phases = List.copyOf(phases);
        this.withoutCaptureReason = withoutCaptureReason;
        this.newRunAllowedAfter = newRunAllowedAfter;
        this.fingerprint = PlanRendering.fingerprint(this);
    }

    /** @return the plan's name; journals and locks are kept per name */
    public String name() {
        return name;
    }

    /** @return the description, or an empty string */
    public String description() {
        return description;
    }

    /** @return the steps in order */
    public List<PlannedStep> steps() {
        return steps;
    }

    /** @return the phases in order */
    public List<Phase> phases() {
        return phases;
    }

    /**
     * @param stepName a step name
     * @return the step, if the plan has one of that name
     */
    public Optional<PlannedStep> step(String stepName) {
        return steps.stream().filter(s -> s.name().equals(stepName)).findFirst();
    }

    /** @return why the plan destroys without capturing first, if it says so */
    public Optional<String> withoutCaptureReason() {
        return Optional.ofNullable(withoutCaptureReason);
    }

    /**
     * How long after a success a new run still needs {@code --again}; empty when it always does.
     * Not part of the {@link #fingerprint()}: it does not change what the plan does.
     *
     * @return the window set with {@link PlanBuilder#allowNewRunAfter(java.time.Duration)}
     */
    public Optional<java.time.Duration> newRunAllowedAfter() {
        return Optional.ofNullable(newRunAllowedAfter);
    }

    /**
     * A hash of everything that defines what the plan does: names, kinds, order, options and
     * descriptions (parameters and commands). Secrets are never part of it.
     *
     * @return 16 hex digits
     */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * Renders every step with its parameters and the exact commands it would run, secrets
     * redacted. This is what a dry run prints.
     *
     * @return the description, several lines
     */
    public String describe() {
        return PlanRendering.describe(this);
    }

    @Override
    public String toString() {
        return "RollbackPlan[" + name + ", " + steps.size() + " steps, " + fingerprint + "]";
    }
}
