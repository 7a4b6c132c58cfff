package dev.rollback.core;

import java.util.List;

/** {@link PlanBuilder#build()} found problems; the message lists each with its fix. */
public final class PlanValidationException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "plan.invalid";
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    /**
     * @param planName the plan
     * @param problems each problem, one sentence
     */
    public PlanValidationException(String planName, List<String> problems) {
        super("Plan '" + planName + "' is not valid:\n - " + String.join("\n - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** @return each problem found */
    public List<String> problems() {
        return problems;
    }

    @Override
    public String code() {
        return CODE;
    }
}
