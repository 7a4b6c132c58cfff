package dev.rollback.core;

import java.util.Objects;

/**
 * An operator refused a destructive step (run outcome {@link RunOutcome#REFUSED}). The run stopped
 * before the step; with approvals asked up front, before any step.
 */
public final class ApprovalRefusedException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "approval.refused";
    private static final long serialVersionUID = 1L;
    private final String step;
    private final String method;

    /**
     * @param step    the destructive step
     * @param method  how approval was asked ({@code console}, ...)
     * @param message what was refused, why, and what was run
     */
    public ApprovalRefusedException(String step, String method, String message) {
        super(message);
        this.step = Objects.requireNonNull(step, "step");
        this.method = Objects.requireNonNull(method, "method");
    }

    /** @return the step that was not approved */
    public String step() {
        return step;
    }

    /** @return how approval was asked */
    public String method() {
        return method;
    }

    @Override
    public String code() {
        return CODE;
    }
}
