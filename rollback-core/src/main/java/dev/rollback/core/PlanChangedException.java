package dev.rollback.core;

/** A resume was refused: the plan is not the one the run started with. */
public final class PlanChangedException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "plan.changed";
    private static final long serialVersionUID = 1L;

    /**
     * @param runId       the run
     * @param recorded    fingerprint recorded when the run started
     * @param given       fingerprint of the plan given to resume
     */
    public PlanChangedException(String runId, String recorded, String given) {
        super("Cannot resume run " + runId + ": the plan changed since the run started (fingerprint " + recorded
                + " then, " + given + " now). Resume with the plan as it was, or start a new run with the new plan.");
    }

    @Override
    public String code() {
        return CODE;
    }
}
