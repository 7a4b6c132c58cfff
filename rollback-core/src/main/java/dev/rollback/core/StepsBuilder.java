package dev.rollback.core;

import dev.rollback.core.decision.Monitoring;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The verbs that add steps, in the order they run: what {@link PlanBuilder} and the
 * {@link PhaseBuilder} of each phase share. Every verb returns the builder it was called on.
 *
 * @param <B> the builder type
 */
public abstract sealed class StepsBuilder<B extends StepsBuilder<B>> permits PlanBuilder, PhaseBuilder {
    final PlanParts parts;
    /** The phase the steps go into, or null for steps outside any phase. */
    final String phase;

    StepsBuilder(PlanParts parts, String phase) {
        this.parts = parts;
        this.phase = phase;
    }

    /** @return this builder, typed */
    abstract B self();

    /** Refuses a verb when this builder may not take steps now (a plan whose phase lambda runs, a phase whose lambda returned). */
    abstract void checkOpen(String verb);

    private B step(StepKind kind, Step step, StepOptions options, boolean destructiveByDefault, String verb) {
        checkOpen(verb);
        parts.addStep(phase, kind, step, options, destructiveByDefault);
        return self();
    }

    private B check(StepKind kind, Check check, StepOptions options, String verb) {
        checkOpen(verb);
        parts.addCheck(phase, kind, check, options);
        return self();
    }

    /**
     * A check that runs before anything is changed; if it fails, nothing is touched.
     *
     * @param check the check
     * @return this builder
     */
    public B precheck(Check check) {
        return precheck(check, StepOptions.defaults());
    }

    /**
     * @param check   the check
     * @param options step options
     * @return this builder
     */
    public B precheck(Check check, StepOptions options) {
        return check(StepKind.PRECHECK, check, options, "precheck");
    }

    /**
     * @param name     the check's name
     * @param function the check
     * @return this builder
     */
    public B precheck(String name, Check.CheckFunction function) {
        return precheck(Check.of(name, function));
    }

    /**
     * @param name     the check's name
     * @param function the check
     * @param options  step options
     * @return this builder
     */
    public B precheck(String name, Check.CheckFunction function, StepOptions options) {
        return precheck(Check.of(name, function), options);
    }

    /**
     * Captures state for forensics before it is changed (a dump, samples, logs).
     *
     * @param step the capture
     * @return this builder
     */
    public B capture(Step step) {
        return capture(step, StepOptions.defaults());
    }

    /**
     * @param step    the capture
     * @param options step options
     * @return this builder
     */
    public B capture(Step step, StepOptions options) {
        return step(StepKind.CAPTURE, step, options, false, "capture");
    }

    /**
     * @param name   the capture's name
     * @param action what it does
     * @return this builder
     */
    public B capture(String name, StepAction action) {
        return capture(Step.of(name, action));
    }

    /**
     * Stops the application.
     *
     * @param app the application control
     * @return this builder
     */
    public B stopApp(AppControl app) {
        return stopApp(app, StepOptions.defaults());
    }

    /**
     * @param app     the application control
     * @param options step options
     * @return this builder
     */
    public B stopApp(AppControl app, StepOptions options) {
        return step(StepKind.STOP_APP, NotifyStep.stopping(app), options, false, "stopApp");
    }

    /**
     * Starts the application.
     *
     * @param app the application control
     * @return this builder
     */
    public B startApp(AppControl app) {
        return startApp(app, StepOptions.defaults());
    }

    /**
     * @param app     the application control
     * @param options step options
     * @return this builder
     */
    public B startApp(AppControl app, StepOptions options) {
        return step(StepKind.START_APP, NotifyStep.starting(app), options, false, "startApp");
    }

    /**
     * Restores data. Destructive unless the options say otherwise: it asks for approval and
     * needs a capture before it.
     *
     * @param step the restore
     * @return this builder
     */
    public B restore(Step step) {
        return restore(step, StepOptions.defaults());
    }

    /**
     * @param step    the restore
     * @param options step options
     * @return this builder
     */
    public B restore(Step step, StepOptions options) {
        return step(StepKind.RESTORE, step, options, true, "restore");
    }

    /**
     * A check after a change. Give it a {@link Retry} in the options to try it until it passes.
     *
     * @param check the check
     * @return this builder
     */
    public B verify(Check check) {
        return verify(check, StepOptions.defaults());
    }

    /**
     * @param check   the check
     * @param options step options (retry, timeout, failure policy)
     * @return this builder
     */
    public B verify(Check check, StepOptions options) {
        return check(StepKind.VERIFY, check, options, "verify");
    }

    /**
     * @param name     the check's name
     * @param function the check
     * @return this builder
     */
    public B verify(String name, Check.CheckFunction function) {
        return verify(Check.of(name, function));
    }

    /**
     * @param name     the check's name
     * @param function the check
     * @param options  step options (retry, timeout, failure policy)
     * @return this builder
     */
    public B verify(String name, Check.CheckFunction function, StepOptions options) {
        return verify(Check.of(name, function), options);
    }

    /**
     * Any action.
     *
     * @param step the step
     * @return this builder
     */
    public B step(Step step) {
        return step(step, StepOptions.defaults());
    }

    /**
     * @param step    the step
     * @param options step options
     * @return this builder
     */
    public B step(Step step, StepOptions options) {
        return step(StepKind.ACTION, step, options, false, "step");
    }

    /**
     * An action written as a lambda.
     *
     * @param name   the step's name
     * @param action what it does
     * @return this builder
     */
    public B step(String name, StepAction action) {
        return step(Step.of(name, action));
    }

    /**
     * @param name    the step's name
     * @param action  what it does
     * @param options step options
     * @return this builder
     */
    public B step(String name, StepAction action, StepOptions options) {
        return step(Step.of(name, action), options);
    }

    /**
     * A durable marker: a resumed run restarts after the last checkpoint it reached and does not
     * repeat what finished before it.
     *
     * @param name unique checkpoint name
     * @return this builder
     */
    public B checkpoint(String name) {
        Objects.requireNonNull(name, "checkpoint name");
        checkOpen("checkpoint");
        parts.steps.add(new PlannedStep(parts.steps.size() + 1, name, StepKind.CHECKPOINT, false, phase, StepOptions.defaults(),
                StepDescription.of("checkpoint " + name), name, Step.of(name, ctx -> { }), null));
        return self();
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
    public B notify(Notifier notifier, String message) {
        return notify(notifier, message, StepOptions.defaults().onFailure(FailurePolicy.CONTINUE));
    }

    /**
     * @param notifier where to send it
     * @param message  the text
     * @param options  step options
     * @return this builder
     */
    public B notify(Notifier notifier, String message, StepOptions options) {
        return step(StepKind.NOTIFY, new NotifyStep(notifier, message), options, false, "notify");
    }

    /**
     * Watches the system for a window after the rollback, as the runbooks ask ("monitor closely for
     * 2 hours"): polls the monitoring's rules and checks at its interval, reports progress, tells its
     * notifier, and fails the run with a {@link dev.rollback.core.decision.MonitoringFailedException}
     * as soon as a rule at its failing level fires. A resume after a crash inside the window watches
     * what remained of it. A verify step: it changes nothing.
     *
     * <pre>{@code
     * .monitorFor(Duration.ofHours(2), Monitoring.checks(Http.get(healthUrl).expectStatus(200)).notifier(team))
     * }</pre>
     *
     * @param window     how long to watch (seconds in a drill)
     * @param monitoring what to watch, how often, who to tell
     * @return this builder
     */
    public B monitorFor(Duration window, Monitoring monitoring) {
        return monitorFor(window, monitoring, StepOptions.defaults());
    }

    /**
     * @param window     how long to watch
     * @param monitoring what to watch, how often, who to tell
     * @param options    step options (a name; a timeout longer than the window)
     * @return this builder
     */
    public B monitorFor(Duration window, Monitoring monitoring, StepOptions options) {
        return step(StepKind.VERIFY, Objects.requireNonNull(monitoring, "monitoring").forWindow(window), options, false, "monitorFor");
    }

    /**
     * Steps that run when the run stops without success: on the plan, when it ends {@code FAILED},
     * {@code REFUSED} or {@code NEEDS_APPROVAL}; on a phase, when it stops on one of the phase's steps
     * (a failure, an approval refused or not given), before the plan's own handlers. Typically: tell
     * the team with the state left behind, start the application again when the live data is untouched.
     * They run once per ending, are journaled like steps (positions after the plan's last step),
     * never re-run the step that failed, and a failing one is recorded and the next one runs. A resume
     * does not repeat them (if the resumed run stops again, they run for that ending), and when one
     * started the application again, the resume stops it again first.
     *
     * <pre>{@code
     * .onFailure(h -> h.notify(team, "Rollback ${runId} FAILED at ${failure.step} (${failure.code}): ${failure.message}\n"
     *         + "${failure.state}"))
     * }</pre>
     *
     * @param handlers adds the handler steps to the builder it is given
     * @return this builder
     */
    public B onFailure(Consumer<HandlerSteps> handlers) {
        return handlers(RollbackPlan.Handler.When.ON_FAILURE, handlers);
    }

    /**
     * Steps that run whenever the plan ends (on the plan) or the run leaves the phase (on a phase:
     * after its last step, or after its {@link #onFailure(Consumer) failure handlers}), whatever the
     * outcome: update the status page, close the incident. {@link StepContext#failure()} says
     * whether and why the run stopped.
     *
     * @param handlers adds the handler steps to the builder it is given
     * @return this builder
     */
    public B always(Consumer<HandlerSteps> handlers) {
        return handlers(RollbackPlan.Handler.When.ALWAYS, handlers);
    }

    private B handlers(RollbackPlan.Handler.When when, Consumer<HandlerSteps> handlers) {
        Objects.requireNonNull(handlers, "handlers");
        checkOpen(when == RollbackPlan.Handler.When.ON_FAILURE ? "onFailure" : "always");
        handlers.accept(new HandlerSteps(parts, phase, when));
        return self();
    }
}
