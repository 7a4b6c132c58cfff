package dev.rollback.core;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * The steps of one phase, as {@link PlanBuilder#phase(String, java.time.Duration, Consumer)} hands it
 * to the phase's lambda: the same verbs as the plan, and the phase's own handlers. It cannot open
 * another phase (phases do not nest) nor build the plan, and it takes no steps once its lambda has
 * returned.
 *
 * <pre>{@code
 * .phase("Phase 3: restore", Duration.ofMinutes(12), p -> p
 *     .restore(crm.restoreFrom(backup))
 *     .verify(crm.countsMatch(backup))
 *     .onFailure(h -> h.startApp(app)))        // the live data is untouched: serve it again
 * }</pre>
 */
public final class PhaseBuilder extends StepsBuilder<PhaseBuilder> {
    private boolean closed;

    PhaseBuilder(PlanParts parts, String phase) {
        super(parts, phase);
    }

    @Override
    PhaseBuilder self() {
        return this;
    }

    @Override
    void checkOpen(String verb) {
        if (closed) {
            throw new IllegalStateException(verb + " on phase '" + phase + "' after its lambda returned; add the phase's steps "
                    + "inside the lambda, and later steps through the plan's builder");
        }
    }

    void close() {
        closed = true;
    }

    /** @return the phase's name */
    public String name() {
        return phase;
    }

    /**
     * Steps that run when the run stops on a step of this phase (a failure, an approval refused or
     * not given), before the plan's own handlers: start the application again when the live data is
     * untouched, tell the team. They run once, are journaled like steps, never re-run the step that
     * failed, and a failing one is recorded and the next one runs. A resume after them restarts this
     * phase from its first step (a handler may have undone what the phase's first steps did), unless
     * a checkpoint after it was reached.
     *
     * @param handlers adds the handler steps to the builder it is given
     * @return this builder
     */
    public PhaseBuilder onFailure(Consumer<HandlerSteps> handlers) {
        return handlers(RollbackPlan.Handler.When.ON_FAILURE, handlers);
    }

    /**
     * Steps that run whenever the run leaves this phase: after its last step, or after its
     * {@link #onFailure(Consumer) failure handlers} when the run stopped in it.
     *
     * @param handlers adds the handler steps to the builder it is given
     * @return this builder
     */
    public PhaseBuilder always(Consumer<HandlerSteps> handlers) {
        return handlers(RollbackPlan.Handler.When.ALWAYS, handlers);
    }

    private PhaseBuilder handlers(RollbackPlan.Handler.When when, Consumer<HandlerSteps> handlers) {
        Objects.requireNonNull(handlers, "handlers");
        checkOpen(when == RollbackPlan.Handler.When.ON_FAILURE ? "onFailure" : "always");
        handlers.accept(new HandlerSteps(parts, phase, when));
        return this;
    }
}
