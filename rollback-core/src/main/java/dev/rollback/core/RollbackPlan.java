package dev.rollback.core;

import dev.rollback.core.internal.PlanRendering;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

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
    private final List<Handler> handlers;
    private final String fingerprint;
    private final Duration newRunAllowedAfter;
    private final ApprovalPolicy approvalPolicy;
    private final String captureWaiverReason;

    /**
     * A step that runs when the plan or one of its phases ends, declared with
     * {@link StepsBuilder#onFailure onFailure} and {@link StepsBuilder#always always} on the plan
     * and the same methods of {@link PhaseBuilder}: notify the team, start the application again,
     * update the status page. Handlers are journaled like steps, with positions after the plan's
     * last step; each runs once when its plan or phase ends, never re-runs the step that failed, and
     * a resume does not repeat the handlers of an earlier ending.
     *
     * @param when when it runs
     * @param step the step as planned; its phase is the phase it belongs to, or null for the plan
     */
    public record Handler(When when, PlannedStep step) {

        /** When a handler runs. */
        public enum When {
            /** When the plan (or the phase) stops on a failure, a refused approval or one that could not be asked. */
            ON_FAILURE,
            /** Whenever the plan (or the phase) ends: after its last step, or after its failure handlers. */
            ALWAYS
        }

        /** Validates the fields. */
        public Handler {
            Objects.requireNonNull(when, "when");
            Objects.requireNonNull(step, "step");
        }

        /** @return the phase the handler belongs to, or empty for one of the plan */
        public Optional<String> phaseName() {
            return step.phaseName();
        }
    }

    RollbackPlan(String name, String description, List<PlannedStep> steps, List<Phase> phases, List<Handler> handlers,
                 String withoutCaptureReason, Duration newRunAllowedAfter, ApprovalPolicy approvalPolicy,
                 String captureWaiverReason) {
        this.name = name;
        this.description = description;
        this.steps = List.copyOf(steps);
        this.phases = List.copyOf(phases);
        this.handlers = List.copyOf(handlers);
        this.withoutCaptureReason = withoutCaptureReason;
        this.newRunAllowedAfter = newRunAllowedAfter;
        this.approvalPolicy = approvalPolicy;
        this.captureWaiverReason = captureWaiverReason;
        this.fingerprint = PlanRendering.fingerprint(this);
    }

    /** @return who must approve the plan's destructive steps; {@link ApprovalPolicy#single()} unless the plan says otherwise */
    public ApprovalPolicy approvalPolicy() {
        return approvalPolicy;
    }

    /** @return why a waiver may skip a capture a destructive step depends on, if the plan allows it */
    public Optional<String> captureWaiverReason() {
        return Optional.ofNullable(captureWaiverReason);
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

    /** @return the handlers of the plan and its phases, in the order of their positions (after the last step) */
    public List<Handler> handlers() {
        return handlers;
    }

    /**
     * The step or handler at a position, as the journal numbers them: the plan's steps from 1, then
     * its handlers.
     *
     * @param index a position
     * @return the step or the handler's step, if there is one at that position
     */
    public Optional<PlannedStep> stepAt(int index) {
        if (index >= 1 && index <= steps.size()) {
            return Optional.of(steps.get(index - 1));
        }
        return handlerAt(index).map(Handler::step);
    }

    /**
     * @param index a position
     * @return the handler at that position, if it is one
     */
    public Optional<Handler> handlerAt(int index) {
        int h = index - steps.size() - 1;
        return h >= 0 && h < handlers.size() ? Optional.of(handlers.get(h)) : Optional.empty();
    }

    /**
     * @param phase a phase's name, or null for the plan's own
     * @param when  when they run
     * @return the handlers of that phase (or of the plan) that run then, in order
     */
    public List<PlannedStep> handlers(String phase, Handler.When when) {
        return handlers.stream().filter(h -> h.when() == when && Objects.equals(h.step().phase(), phase)).map(Handler::step).toList();
    }

    /** @return the steps followed by the handlers' steps, in position order */
    public List<PlannedStep> stepsAndHandlers() {
        return Stream.concat(steps.stream(), handlers.stream().map(Handler::step)).toList();
    }

    /** @return why the plan destroys without capturing first, if it says so */
    public Optional<String> withoutCaptureReason() {
        return Optional.ofNullable(withoutCaptureReason);
    }

    /**
     * How long after a success a new run still needs {@code --again}; empty when it always does.
     * Not part of the {@link #fingerprint()}: it does not change what the plan does.
     *
     * @return the window set with {@link PlanBuilder#allowNewRunAfter(Duration)}
     */
    public Optional<Duration> newRunAllowedAfter() {
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
