package dev.rollback.core;

import java.util.Objects;

/**
 * A destructive step needed approval and no one could be asked: no console, no approver, or asking
 * failed (run outcome {@link RunOutcome#NEEDS_APPROVAL}; run it again with an approver). The run stopped
 * before the step; with approvals asked up front, before any step.
 */
public final class ApprovalUnavailableException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "approval.unavailable";
    private static final long serialVersionUID = 1L;
    private final String step;
    private final String method;

    /**
     * @param step    the destructive step
     * @param method  how approval was asked ({@code console}, ...)
     * @param message why no one could approve, and what was run
     */
    public ApprovalUnavailableException(String step, String method, String message) {
        super(message);
        this.step = Objects.requireNonNull(step, "step");
        this.method = Objects.requireNonNull(method, "method");
    }

    /** @return the step that needed approval */
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
