package dev.rollback.core.decision;

import dev.rollback.core.Durations;
import dev.rollback.core.RollbackException;

import java.time.Duration;
import java.util.Objects;

/**
 * A monitoring window saw trouble: a rule at its failing level fired (by default a MUST), or, when
 * it fails on {@link Level#CONSIDER}, a signal could not be read. {@link #decision()} holds the rules
 * that fired with the values behind them. The rollback's changes stand; the team decides whether to
 * roll back further or fix forward. A resume watches the whole window again.
 *
 * <pre>{@code
 * if (report.failure().is(MonitoringFailedException.class)) {
 *     page("the system is unhealthy after the rollback: " + report.failure().message());
 * }
 * }</pre>
 */
public final class MonitoringFailedException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "monitor.window.failed";
    private static final long serialVersionUID = 1L;
    private final transient Decision decision;
    private final Duration watched;
    private final Duration window;

    /**
     * @param decision the decision that failed the window
     * @param watched  how long the window had been watched when it failed
     * @param window   the whole window
     */
    public MonitoringFailedException(Decision decision, Duration watched, Duration window) {
        super("monitoring window failed after " + Durations.human(watched) + " of " + Durations.human(window) + ": "
                + Objects.requireNonNull(decision, "decision").summary()
                + ". The rollback's changes stand; decide whether to roll back further or fix forward. "
                + "A resume watches the whole window again.");
        this.decision = decision;
        this.watched = Objects.requireNonNull(watched, "watched");
        this.window = Objects.requireNonNull(window, "window");
    }

    /** @return the decision that failed the window: the level, each fired rule with its evidence, unreadable signals */
    public Decision decision() {
        return decision;
    }

    /** @return how long the window had been watched when it failed, resumes included */
    public Duration watched() {
        return watched;
    }

    /** @return the whole window */
    public Duration window() {
        return window;
    }

    @Override
    public String code() {
        return CODE;
    }
}
