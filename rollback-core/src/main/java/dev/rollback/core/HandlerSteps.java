package dev.rollback.core;

import java.util.Map;
import java.util.Objects;

/**
 * The steps of an {@code onFailure} or {@code always} block of a plan or a phase: notifications,
 * starting or stopping the application, other actions and checks. Handlers never destroy data (they
 * run without approval), and a failing handler is recorded and the next one runs.
 *
 * <pre>{@code
 * .onFailure(h -> h
 *     .notify(team, "ROLLBACK FAILED at ${failure.step} (${failure.code}): ${failure.message}\n${failure.state}")
 *     .step(status.message("Rollback failed; engineers are on it")))
 * }</pre>
 */
public final class HandlerSteps {
    private final PlanParts parts;
    private final String phase;
    private final RollbackPlan.Handler.When when;

    HandlerSteps(PlanParts parts, String phase, RollbackPlan.Handler.When when) {
        this.parts = parts;
        this.phase = phase;
        this.when = when;
    }

    /**
     * Any action.
     *
     * @param step the step
     * @return this builder
     */
    public HandlerSteps step(Step step) {
        return step(step, StepOptions.defaults());
    }

    /**
     * @param step    the step
     * @param options step options (timeout, retry, name)
     * @return this builder
     */
    public HandlerSteps step(Step step, StepOptions options) {
        parts.addHandler(when, phase, StepKind.ACTION, step, options);
        return this;
    }

    /**
     * An action written as a lambda; {@link StepContext#failure()} says why the run stopped.
     *
     * @param name   the step's name
     * @param action what it does
     * @return this builder
     */
    public HandlerSteps step(String name, StepAction action) {
        return step(Step.of(name, action));
    }

    /**
     * Sends a notification. Besides {@code ${plan}}, {@code ${runId}} and {@code ${<output key>}}, the
     * message may use {@code ${failure.step}}, {@code ${failure.code}}, {@code ${failure.message}}
     * and {@code ${failure.state}} (the state left behind), empty when the run did not fail.
     *
     * @param notifier where to send it
     * @param message  the text
     * @return this builder
     */
    public HandlerSteps notify(Notifier notifier, String message) {
        parts.addHandler(when, phase, StepKind.NOTIFY, new NotifyStep(notifier, message), StepOptions.defaults());
        return this;
    }

    /**
     * Sends a notification whose text depends on why the run stopped: the message of the failure's
     * error code ({@code RunReport.Failure.code()}) when {@code byFailureCode} has one, else
     * {@code message}. For a rollback that completed but whose monitoring window then fired
     * ({@code monitor.window.failed}), which must not be announced as a failed rollback:
     *
     * <pre>{@code
     * h.notify(team, "ROLLBACK FAILED at ${failure.step}: ${failure.message}",
     *         Map.of(MonitoringFailedException.CODE, "Rollback complete, but the monitoring window fired: ${failure.message}"))
     * }</pre>
     *
     * The dry run shows every message. The placeholders are those of {@link #notify(Notifier, String)}.
     *
     * @param notifier      where to send it
     * @param message       the text for any other failure (and when the run did not fail)
     * @param byFailureCode the text for a failure of each error code
     * @return this builder
     */
    public HandlerSteps notify(Notifier notifier, String message, Map<String, String> byFailureCode) {
        parts.addHandler(when, phase, StepKind.NOTIFY, new NotifyStep(notifier, message, byFailureCode), StepOptions.defaults());
        return this;
    }

    /**
     * Starts the application (again).
     *
     * @param app the application control
     * @return this builder
     */
    public HandlerSteps startApp(AppControl app) {
        return startApp(app, StepOptions.defaults());
    }

    /**
     * @param app     the application control
     * @param options step options (a name of its own, when the plan starts the same application elsewhere)
     * @return this builder
     */
    public HandlerSteps startApp(AppControl app, StepOptions options) {
        parts.addHandler(when, phase, StepKind.START_APP, NotifyStep.starting(app), options);
        return this;
    }

    /**
     * Stops the application.
     *
     * @param app the application control
     * @param options step options (a name of its own, when the plan stops the same application elsewhere)
     * @return this builder
     */
    public HandlerSteps stopApp(AppControl app, StepOptions options) {
        parts.addHandler(when, phase, StepKind.STOP_APP, NotifyStep.stopping(app), options);
        return this;
    }

    /**
     * A check, such as "the application answers again"; a failed one is recorded and the next handler runs.
     *
     * @param check   the check
     * @param options step options (retry, name)
     * @return this builder
     */
    public HandlerSteps verify(Check check, StepOptions options) {
        parts.addHandler(when, phase, Objects.requireNonNull(check, "check"), options);
        return this;
    }
}
