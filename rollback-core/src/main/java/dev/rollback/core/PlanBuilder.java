package dev.rollback.core;

import dev.rollback.core.internal.PreparedCopies;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Builds a {@link RollbackPlan}, verb by verb, in the order the steps run. Every verb returns
 * this builder; {@link #build()} validates the plan and makes it immutable. Phases get a builder of
 * their own ({@link PhaseBuilder}); {@link #onFailure} and {@link #always} add steps that run when the
 * plan ends.
 *
 * <pre>{@code
 * RollbackPlan plan = Rollback.plan("nextcrm-back-to-mongo")
 *     .precheck(backupComplete)
 *     .capture(schemaDump)
 *     .stopApp(app)
 *     .checkpoint("app-stopped")
 *     .restore(restoreFromBackup)
 *     .verify(countsMatch)
 *     .startApp(app)
 *     .build();
 * }</pre>
 */
public final class PlanBuilder extends StepsBuilder<PlanBuilder> {
    private final String name;
    private String description = "";
    private String withoutCaptureReason;
    private Duration newRunAllowedAfter;
    private ApprovalPolicy approvalPolicy = ApprovalPolicy.single();
    private String captureWaiverReason;

    PlanBuilder(String name) {
        super(new PlanParts(name), null);
        this.name = name;
    }

    @Override
    PlanBuilder self() {
        return this;
    }

    @Override
    void checkOpen(String verb) {
        if (parts.openPhase != null) {
            throw new IllegalStateException(verb + " on the plan's builder inside phase '" + parts.openPhase + "': add the phase's "
                    + "steps through the builder its lambda is given (phases do not nest)");
        }
    }

    /**
     * @param description what the plan is for, shown in dry runs and reports
     * @return this builder
     */
    public PlanBuilder description(String description) {
        this.description = Objects.requireNonNull(description, "description");
        return this;
    }

    /**
     * Who must approve the plan's destructive steps, as the runbook says: for example
     * {@code ApprovalPolicy.roles("Migration Lead", "DBA").or(ApprovalPolicy.roles("CTO"))}. Under a
     * policy of more than one person, or with roles, the runner asks each approver in turn, refuses
     * the operator as an approver and the same person twice, and journals every approval with its
     * role. The default, {@link ApprovalPolicy#single()}, is one approver.
     *
     * @param policy who must approve
     * @return this builder
     */
    public PlanBuilder approvals(ApprovalPolicy policy) {
        this.approvalPolicy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * Lets a waiver skip a capture that a destructive step depends on (one marked
     * {@link StepOptions#waivable(boolean)}), and says why: for the emergency where the broken system is
     * down and cannot be dumped. Without it, such a waiver is refused.
     *
     * @param why the reason, recorded in the plan and the report
     * @return this builder
     */
    public PlanBuilder allowWaivingCaptures(String why) {
        if (why == null || why.isBlank()) {
            throw new IllegalArgumentException("allowWaivingCaptures needs a reason, for the incident report");
        }
        this.captureWaiverReason = why;
        return this;
    }

    /**
     * Declares that destructive steps in this plan run without a capture before them, and why.
     * Without it, {@link #build()} refuses such a plan.
     *
     * @param why the reason, recorded in the plan and the report
     * @return this builder
     */
    public PlanBuilder withoutCapture(String why) {
        if (why == null || why.isBlank()) {
            throw new IllegalArgumentException("withoutCapture needs a reason, for the incident report");
        }
        this.withoutCaptureReason = why;
        return this;
    }

    /**
     * Lets a new run of this plan start without {@code --again} once this long has passed since
     * its last success. Without it, a plan that succeeded refuses every new run until an operator
     * says why it must run again ({@code --again --reason TEXT}): running a rollback twice can undo
     * it. Use it for plans that are meant to repeat, such as a nightly reset of a staging database.
     *
     * @param window how long after a success a new run still needs {@code --again}
     * @return this builder
     */
    public PlanBuilder allowNewRunAfter(Duration window) {
        Objects.requireNonNull(window, "window");
        if (window.isNegative()) {
            throw new IllegalArgumentException("allowNewRunAfter needs a window of zero or more, not " + window);
        }
        this.newRunAllowedAfter = window;
        return this;
    }

    /**
     * Groups steps in a phase with a time budget; the report compares actual time with it. The
     * lambda gets the phase's own builder, which has the plan's verbs and the phase's handlers, and
     * can neither open another phase nor build the plan.
     *
     * <pre>{@code
     * .phase("Phase 2: stop application", Duration.ofMinutes(2), p -> p
     *     .stopApp(app)
     *     .step(pg.terminateConnections("nextcrm")))
     * }</pre>
     *
     * @param name   phase name
     * @param budget time budget
     * @param steps  adds the phase's steps to the builder it is given
     * @return this builder
     */
    public PlanBuilder phase(String name, Duration budget, Consumer<PhaseBuilder> steps) {
        Objects.requireNonNull(name, "phase name");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(steps, "steps");
        if (parts.openPhase != null) {
            throw new IllegalStateException("phase '" + name + "' is nested in phase '" + parts.openPhase + "'; phases do not nest");
        }
        if (parts.phaseBudgets.containsKey(name)) {
            throw new IllegalArgumentException("phase '" + name + "' is declared twice; give each phase its own name");
        }
        parts.phaseBudgets.put(name, budget);
        PhaseBuilder phase = new PhaseBuilder(parts, name);
        parts.openPhase = name;
        try {
            steps.accept(phase);
        } finally {
            parts.openPhase = null;
            phase.close();
        }
        return this;
    }

    /**
     * Validates the plan and makes it immutable.
     *
     * @return the plan
     * @throws PlanValidationException listing every problem: an empty plan, duplicate names, a
     *                                 destructive step with no capture before it, a precheck after a
     *                                 change, a destructive handler, a swap with no prepare before it or a
     *                                 prepared copy swapped in twice
     */
    public RollbackPlan build() {
        checkOpen("build");
        List<PlannedStep> steps = parts.steps;
        List<RollbackPlan.Handler> handlers = parts.positionedHandlers();
        List<String> problems = new ArrayList<>();
        if (name.isBlank()) {
            problems.add("the plan has no name; pass one to Rollback.plan(name)");
        }
        if (steps.stream().noneMatch(e -> e.kind() != StepKind.CHECKPOINT)) {
            problems.add("the plan has no steps; add at least one step, restore or verify before build()");
        }
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new LinkedHashSet<>();
        for (PlannedStep e : steps) {
            if (e.name().isBlank()) {
                problems.add("a " + e.kind().name().toLowerCase(Locale.ROOT) + " step has a blank name; name it with StepOptions.defaults().name(\"...\")");
            } else if (!seen.add(e.name())) {
                duplicates.add(e.name());
            }
        }
        for (RollbackPlan.Handler h : handlers) {
            if (!seen.add(h.step().name())) {
                duplicates.add(h.step().name());
            }
            if (h.step().destructive()) {
                problems.add("handler '" + h.step().name() + "' is destructive; handlers run without approval after the plan or a phase "
                        + "ends, so they may not destroy data: make it a step of the plan instead");
            }
        }
        for (String d : duplicates) {
            problems.add("the name '" + d + "' is used by more than one step, checkpoint or handler; names identify steps in the journal, "
                    + "so give each its own with StepOptions.defaults().name(\"...\")");
        }
        boolean captured = false;
        String firstChange = null;
        for (PlannedStep e : steps) {
            if (e.kind() == StepKind.CAPTURE) {
                captured = true;
            }
            if (e.destructive() && !captured && withoutCaptureReason == null) {
                problems.add("destructive step '" + e.name() + "' has no capture before it; add .capture(...) of what it destroys "
                        + "before it, or declare .withoutCapture(\"why\") on the plan");
            }
            if (e.kind() == StepKind.PRECHECK && firstChange != null) {
                problems.add("precheck '" + e.name() + "' comes after '" + firstChange + "', which changes things; "
                        + "move it before the first change, or make it a verify");
            }
            if (e.options().waivable() && e.kind() != StepKind.PRECHECK && e.kind() != StepKind.CAPTURE) {
                problems.add("step '" + e.name() + "' is marked waivable, but only prechecks and captures may be waived; "
                        + "remove StepOptions.waivable(true) from it");
            }
            if (firstChange == null && !e.kind().isReadOnly()) {
                firstChange = e.name();
            }
        }
        problems.addAll(PreparedCopies.problems(steps));
        if (!problems.isEmpty()) {
            throw new PlanValidationException(name, problems);
        }
        List<Phase> phases = new ArrayList<>();
        parts.phaseBudgets.forEach((phase, budget) -> phases.add(new Phase(phase, budget,
                steps.stream().filter(e -> phase.equals(e.phase())).map(PlannedStep::name).toList())));
        return new RollbackPlan(name, description, steps, phases, handlers, withoutCaptureReason, newRunAllowedAfter, approvalPolicy,
                captureWaiverReason);
    }
}
