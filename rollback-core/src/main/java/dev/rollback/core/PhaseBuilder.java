package dev.rollback.core;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The steps of one phase, as {@link PlanBuilder#phase(String, Duration, Consumer)} hands it to the
 * phase's lambda: the same verbs as the plan, and the phase's own handlers
 * ({@link StepsBuilder#onFailure onFailure}, {@link StepsBuilder#always always}). It cannot open another phase (phases
 * do not nest) nor build the plan, and it takes no steps once its lambda has returned.
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
}
