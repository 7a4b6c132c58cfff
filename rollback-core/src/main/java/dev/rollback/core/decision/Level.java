package dev.rollback.core.decision;

/**
 * How strongly the rules call for a rollback, as the seeds' decision tables grade it. Ordered from
 * the weakest to the strongest.
 */
public enum Level {
    /** No rule holds. */
    NONE,
    /** "DO NOT ROLLBACK (Fix Forward Instead)": the problem is understood and fixable. */
    FIX_FORWARD,
    /** "CONSIDER ROLLBACK": evaluate; tell people. */
    CONSIDER,
    /** "SHOULD ROLLBACK (within 30 minutes)": tell people now. */
    SHOULD,
    /** "MUST ROLLBACK (immediate)": the watchdog runs the rollback plan. */
    MUST;

    /**
     * @param other another level
     * @return the stronger of the two
     */
    public Level max(Level other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
