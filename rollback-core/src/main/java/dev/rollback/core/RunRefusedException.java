package dev.rollback.core;

import dev.rollback.core.journal.PlanStatus;

import java.util.Objects;

/**
 * A new run was refused because of the plan's state, before anything was touched: a run of the
 * plan is interrupted (resume it or abandon it), or the plan already succeeded (run it again
 * with a reason). The refusal is journaled in the plan's log with the operator and reason.
 */
public final class RunRefusedException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "run.refused";
    private static final long serialVersionUID = 1L;

    /** Why a new run was refused. */
    public enum Why {
        /** A run of the plan failed or died after changing something. */
        INTERRUPTED,
        /** The plan already succeeded. */
        SUCCEEDED
    }

    private final Why why;
    private final String blockingRunId;
    private final transient PlanStatus status;

    /**
     * @param why           why
     * @param blockingRunId the interrupted run, or the run that succeeded
     * @param status        the plan's state at the refusal
     * @param message       what was refused and the ways on
     */
    public RunRefusedException(Why why, String blockingRunId, PlanStatus status, String message) {
        super(message);
        this.why = Objects.requireNonNull(why, "why");
        this.blockingRunId = Objects.requireNonNull(blockingRunId, "blockingRunId");
        this.status = status;
    }

    /** @return why the run was refused */
    public Why why() {
        return why;
    }

    /** @return the interrupted run to resume or abandon, or the run that succeeded */
    public String blockingRunId() {
        return blockingRunId;
    }

    /** @return the plan's state when the run was refused */
    public PlanStatus status() {
        return status;
    }

    @Override
    public String code() {
        return CODE;
    }
}
