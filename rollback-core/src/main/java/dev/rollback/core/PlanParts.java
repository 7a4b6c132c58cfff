package dev.rollback.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a plan's builders have added so far: its planned steps (built directly, in order, with their
 * positions), its phases and budgets, and its handlers. Shared by {@link PlanBuilder}, the
 * {@link PhaseBuilder} each phase's lambda gets and the {@link HandlerSteps} of each handler block.
 */
final class PlanParts {
    final String planName;
    final List<PlannedStep> steps = new ArrayList<>();
    final Map<String, Duration> phaseBudgets = new LinkedHashMap<>();
    /** Handlers in declaration order; their positions are given at build, after the last step. */
    final List<RollbackPlan.Handler> handlers = new ArrayList<>();
    /** The phase whose lambda is running, or null. */
    String openPhase;

    PlanParts(String planName) {
        this.planName = Objects.requireNonNull(planName, "plan name");
    }

    /** A step of the plan, with the next position. */
    void addStep(String phase, StepKind kind, Step step, StepOptions options, boolean destructiveByDefault) {
        steps.add(planStep(steps.size() + 1, phase, kind, step, options, destructiveByDefault, ""));
    }

    /** A check of the plan, with the next position. */
    void addCheck(String phase, StepKind kind, Check check, StepOptions options) {
        steps.add(planCheck(steps.size() + 1, phase, kind, check, options, ""));
    }

    private static PlannedStep planStep(int index, String phase, StepKind kind, Step step, StepOptions options,
                                        boolean destructiveByDefault, String namePrefix) {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(options, "options");
        boolean destructive = options.destructive() != null ? options.destructive() : (destructiveByDefault || step.destructive());
        String name = namePrefix + (options.name() != null ? options.name() : step.name());
        String target = step.confirmationTarget() == null ? name : step.confirmationTarget();
        return new PlannedStep(index, name, kind, destructive, phase, options, step.describe(), target, step, null);
    }

    private static PlannedStep planCheck(int index, String phase, StepKind kind, Check check, StepOptions options, String namePrefix) {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(options, "options");
        String name = namePrefix + (options.name() != null ? options.name() : check.name());
        return new PlannedStep(index, name, kind, Boolean.TRUE.equals(options.destructive()), phase, options, check.describe(),
                name, null, check);
    }

    /** A handler step; its name says when it runs, and its position is given at build. */
    void addHandler(RollbackPlan.Handler.When when, String phase, StepKind kind, Step step, StepOptions options) {
        handlers.add(new RollbackPlan.Handler(when, planStep(0, phase, kind, step, options, false, prefix(when))));
    }

    /** A handler check; its name says when it runs, and its position is given at build. */
    void addHandler(RollbackPlan.Handler.When when, String phase, Check check, StepOptions options) {
        handlers.add(new RollbackPlan.Handler(when, planCheck(0, phase, StepKind.VERIFY, check, options, prefix(when))));
    }

    private static String prefix(RollbackPlan.Handler.When when) {
        return when == RollbackPlan.Handler.When.ON_FAILURE ? "(on failure) " : "(always) ";
    }

    /** @return the handlers with their positions, after the plan's last step */
    List<RollbackPlan.Handler> positionedHandlers() {
        List<RollbackPlan.Handler> out = new ArrayList<>();
        int index = steps.size();
        for (RollbackPlan.Handler h : handlers) {
            PlannedStep s = h.step();
            out.add(new RollbackPlan.Handler(h.when(), new PlannedStep(++index, s.name(), s.kind(), s.destructive(), s.phase(),
                    s.options(), s.description(), s.confirmationTarget(), s.step(), s.check())));
        }
        return out;
    }
}
