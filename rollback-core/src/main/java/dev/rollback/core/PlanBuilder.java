package dev.rollback.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Builds a {@link RollbackPlan}, verb by verb, in the order the steps run. Every verb returns
 * this builder; {@link #build()} validates and copies the state into an immutable plan.
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
public final class PlanBuilder {
    private final String name;
    private String description = "";
    private String withoutCaptureReason;
    private Duration newRunAllowedAfter;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Duration> phaseBudgets = new LinkedHashMap<>();
    private String currentPhase;

    private record Entry(String name, StepKind kind, boolean destructive, String phase, StepOptions options,
                         StepDescription description, String confirmationTarget, Step step, Check check) {
    }

    PlanBuilder(String name) {
        this.name = Objects.requireNonNull(name, "plan name");
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
     * A check that runs before anything is changed; if it fails, nothing is touched.
     *
     * @param check the check
     * @return this builder
     */
    public PlanBuilder precheck(Check check) {
        return precheck(check, StepOptions.defaults());
    }

    /**
     * @param check   the check
     * @param options step options
     * @return this builder
     */
    public PlanBuilder precheck(Check check, StepOptions options) {
        return addCheck(StepKind.PRECHECK, check, options);
    }

    /**
     * @param name     the check's name
     * @param function the check
     * @return this builder
     */
    public PlanBuilder precheck(String name, Check.CheckFunction function) {
        return precheck(Check.of(name, function));
    }

    /**
     * @param name     the check's name
     * @param function the check
     * @param options  step options
     * @return this builder
     */
    public PlanBuilder precheck(String name, Check.CheckFunction function, StepOptions options) {
        return precheck(Check.of(name, function), options);
    }

    /**
     * Captures state for forensics before it is changed (a dump, samples, logs).
     *
     * @param step the capture
     * @return this builder
     */
    public PlanBuilder capture(Step step) {
        return capture(step, StepOptions.defaults());
    }

    /**
     * @param step    the capture
     * @param options step options
     * @return this builder
     */
    public PlanBuilder capture(Step step, StepOptions options) {
        return addStep(StepKind.CAPTURE, step, options, false);
    }

    /**
     * @param name   the capture's name
     * @param action what it does
     * @return this builder
     */
    public PlanBuilder capture(String name, StepAction action) {
        return capture(Step.of(name, action));
    }

    /**
     * Stops the application.
     *
     * @param app the application control
     * @return this builder
     */
    public PlanBuilder stopApp(AppControl app) {
        return stopApp(app, StepOptions.defaults());
    }

    /**
     * @param app     the application control
     * @param options step options
     * @return this builder
     */
    public PlanBuilder stopApp(AppControl app, StepOptions options) {
        Objects.requireNonNull(app, "app");
        Step s = new AppStep("stop " + app.name(), app.describeStop(), app::stop);
        return addStep(StepKind.STOP_APP, s, options, false);
    }

    /**
     * Starts the application.
     *
     * @param app the application control
     * @return this builder
     */
    public PlanBuilder startApp(AppControl app) {
        return startApp(app, StepOptions.defaults());
    }

    /**
     * @param app     the application control
     * @param options step options
     * @return this builder
     */
    public PlanBuilder startApp(AppControl app, StepOptions options) {
        Objects.requireNonNull(app, "app");
        Step s = new AppStep("start " + app.name(), app.describeStart(), app::start);
        return addStep(StepKind.START_APP, s, options, false);
    }

    /**
     * Restores data. Destructive unless the options say otherwise: it asks for approval and
     * needs a capture before it.
     *
     * @param step the restore
     * @return this builder
     */
    public PlanBuilder restore(Step step) {
        return restore(step, StepOptions.defaults());
    }

    /**
     * @param step    the restore
     * @param options step options
     * @return this builder
     */
    public PlanBuilder restore(Step step, StepOptions options) {
        return addStep(StepKind.RESTORE, step, options, true);
    }

    /**
     * A check after a change. Give it a {@link Retry} in the options to try it until it passes.
     *
     * @param check the check
     * @return this builder
     */
    public PlanBuilder verify(Check check) {
        return verify(check, StepOptions.defaults());
    }

    /**
     * @param check   the check
     * @param options step options (retry, timeout, failure policy)
     * @return this builder
     */
    public PlanBuilder verify(Check check, StepOptions options) {
        return addCheck(StepKind.VERIFY, check, options);
    }

    /**
     * @param name     the check's name
     * @param function the check
     * @return this builder
     */
    public PlanBuilder verify(String name, Check.CheckFunction function) {
        return verify(Check.of(name, function));
    }

    /**
     * @param name     the check's name
     * @param function the check
     * @param options  step options (retry, timeout, failure policy)
     * @return this builder
     */
    public PlanBuilder verify(String name, Check.CheckFunction function, StepOptions options) {
        return verify(Check.of(name, function), options);
    }

    /**
     * Any action.
     *
     * @param step the step
     * @return this builder
     */
    public PlanBuilder step(Step step) {
        return step(step, StepOptions.defaults());
    }

    /**
     * @param step    the step
     * @param options step options
     * @return this builder
     */
    public PlanBuilder step(Step step, StepOptions options) {
        return addStep(StepKind.ACTION, step, options, false);
    }

    /**
     * An action written as a lambda.
     *
     * @param name   the step's name
     * @param action what it does
     * @return this builder
     */
    public PlanBuilder step(String name, StepAction action) {
        return step(Step.of(name, action));
    }

    /**
     * @param name    the step's name
     * @param action  what it does
     * @param options step options
     * @return this builder
     */
    public PlanBuilder step(String name, StepAction action, StepOptions options) {
        return step(Step.of(name, action), options);
    }

    /**
     * A durable marker: a resumed run restarts after the last checkpoint it reached and does not
     * repeat what finished before it.
     *
     * @param name unique checkpoint name
     * @return this builder
     */
    public PlanBuilder checkpoint(String name) {
        Objects.requireNonNull(name, "checkpoint name");
        Step marker = Step.of(name, ctx -> { });
        entries.add(new Entry(name, StepKind.CHECKPOINT, false, currentPhase, StepOptions.defaults(),
                StepDescription.of("checkpoint " + name), name, marker, null));
        return this;
    }

    /**
     * Sends a notification. A failing notification is recorded and the run goes on; pass
     * {@code StepOptions.defaults().onFailure(FailurePolicy.ABORT)} to make it required.
     * The message may use {@code ${plan}}, {@code ${runId}} and {@code ${<output key>}}.
     *
     * @param notifier where to send it
     * @param message  the text
     * @return this builder
     */
    public PlanBuilder notify(Notifier notifier, String message) {
        return notify(notifier, message, StepOptions.defaults().onFailure(FailurePolicy.CONTINUE));
    }

    /**
     * @param notifier where to send it
     * @param message  the text
     * @param options  step options
     * @return this builder
     */
    public PlanBuilder notify(Notifier notifier, String message, StepOptions options) {
        Objects.requireNonNull(notifier, "notifier");
        Objects.requireNonNull(message, "message");
        Step s = new NotifyStep(notifier, message);
        return addStep(StepKind.NOTIFY, s, options, false);
    }

    /**
     * Groups steps in a phase with a time budget; the report compares actual time with it.
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
    public PlanBuilder phase(String name, Duration budget, Consumer<PlanBuilder> steps) {
        Objects.requireNonNull(name, "phase name");
        Objects.requireNonNull(budget, "budget");
        if (currentPhase != null) {
            throw new IllegalStateException("phase '" + name + "' is nested in phase '" + currentPhase + "'; phases do not nest");
        }
        if (phaseBudgets.containsKey(name)) {
            throw new IllegalArgumentException("phase '" + name + "' is declared twice; give each phase its own name");
        }
        phaseBudgets.put(name, budget);
        currentPhase = name;
        try {
            steps.accept(this);
        } finally {
            currentPhase = null;
        }
        return this;
    }

    /**
     * Validates the plan and copies it into an immutable {@link RollbackPlan}.
     *
     * @return the plan
     * @throws PlanValidationException listing every problem: an empty plan, duplicate names, a
     *                                 destructive step with no capture before it, a precheck after a change
     */
    public RollbackPlan build() {
        List<String> problems = new ArrayList<>();
        if (name.isBlank()) {
            problems.add("the plan has no name; pass one to Rollback.plan(name)");
        }
        if (entries.stream().noneMatch(e -> e.kind != StepKind.CHECKPOINT)) {
            problems.add("the plan has no steps; add at least one step, restore or verify before build()");
        }
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new LinkedHashSet<>();
        for (Entry e : entries) {
            if (e.name.isBlank()) {
                problems.add("a " + e.kind.name().toLowerCase() + " step has a blank name; name it with StepOptions.defaults().name(\"...\")");
            } else if (!seen.add(e.name)) {
                duplicates.add(e.name);
            }
        }
        for (String d : duplicates) {
            problems.add("the name '" + d + "' is used by more than one step or checkpoint; names identify steps in the journal, "
                    + "so give each its own with StepOptions.defaults().name(\"...\")");
        }
        boolean captured = false;
        String firstChange = null;
        for (Entry e : entries) {
            if (e.kind == StepKind.CAPTURE) {
                captured = true;
            }
            if (e.destructive && !captured && withoutCaptureReason == null) {
                problems.add("destructive step '" + e.name + "' has no capture before it; add .capture(...) of what it destroys "
                        + "before it, or declare .withoutCapture(\"why\") on the plan");
            }
            if (e.kind == StepKind.PRECHECK && firstChange != null) {
                problems.add("precheck '" + e.name + "' comes after '" + firstChange + "', which changes things; "
                        + "move it before the first change, or make it a verify");
            }
            if (firstChange == null && !e.kind.isReadOnly()) {
                firstChange = e.name;
            }
        }
        if (!problems.isEmpty()) {
            throw new PlanValidationException(name, problems);
        }
        List<PlannedStep> steps = new ArrayList<>();
        int i = 1;
        for (Entry e : entries) {
            steps.add(new PlannedStep(i++, e.name, e.kind, e.destructive, e.phase, e.options, e.description,
                    e.confirmationTarget, e.step, e.check));
        }
        List<Phase> phases = new ArrayList<>();
        phaseBudgets.forEach((phase, budget) -> phases.add(new Phase(phase, budget,
                entries.stream().filter(e -> phase.equals(e.phase)).map(Entry::name).toList())));
        return new RollbackPlan(name, description, steps, phases, withoutCaptureReason, newRunAllowedAfter);
    }

    private PlanBuilder addStep(StepKind kind, Step step, StepOptions options, boolean destructiveByDefault) {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(options, "options");
        boolean destructive = options.destructive() != null ? options.destructive() : (destructiveByDefault || step.destructive());
        String stepName = options.name() != null ? options.name() : step.name();
        String target = step.confirmationTarget() == null ? stepName : step.confirmationTarget();
        entries.add(new Entry(stepName, kind, destructive, currentPhase, options, step.describe(), target, step, null));
        return this;
    }

    private PlanBuilder addCheck(StepKind kind, Check check, StepOptions options) {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(options, "options");
        String stepName = options.name() != null ? options.name() : check.name();
        entries.add(new Entry(stepName, kind, Boolean.TRUE.equals(options.destructive()), currentPhase, options,
                check.describe(), stepName, null, check));
        return this;
    }

    /** Adapts one half of an {@link AppControl} to a step. */
    private record AppStep(String name, StepDescription description, StepAction action) implements Step {
        @Override
        public void execute(StepContext context) throws Exception {
            action.execute(context);
        }

        @Override
        public StepDescription describe() {
            return description;
        }
    }

    /** Sends a notification with the run's variables expanded. */
    private record NotifyStep(Notifier notifier, String message) implements Step {
        @Override
        public String name() {
            return "notify " + notifier.name() + ": " + abbreviate(message);
        }

        @Override
        public void execute(StepContext context) throws Exception {
            String text = message.replace("${plan}", context.planName()).replace("${runId}", context.runId());
            for (Map.Entry<String, String> out : context.outputs().entrySet()) {
                text = text.replace("${" + out.getKey() + "}", out.getValue());
            }
            String sent = Redactor.redact(text);
            context.output(Notifier.SENT_MESSAGE_OUTPUT, sent);   // the report shows what was sent, not the template
            notifier.send(new Notifier.Notification(context.planName(), context.runId(), sent));
        }

        @Override
        public StepDescription describe() {
            return StepDescription.of("notify " + notifier.name()).param("message", message);
        }

        private static String abbreviate(String s) {
            String line = s.lines().findFirst().orElse("");
            return line.length() <= 40 ? line : line.substring(0, 37) + "...";
        }
    }
}
