package dev.rollback.core;

/** The body of a step written as a lambda: {@code ctx -> cache.clear()}. */
@FunctionalInterface
public interface StepAction {
    /**
     * Runs the action.
     *
     * @param context the step's context
     * @throws Exception on failure
     */
    void execute(StepContext context) throws Exception;
}
