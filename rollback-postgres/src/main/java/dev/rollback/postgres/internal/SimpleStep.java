package dev.rollback.postgres.internal;

import dev.rollback.core.Step;
import dev.rollback.core.StepAction;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;

/**
 * A step made of a name, a description and an action.
 *
 * @param name        the step name
 * @param description what it does, deterministic
 * @param destructive whether it destroys data
 * @param action      the action
 */
public record SimpleStep(String name, StepDescription description, boolean destructive, StepAction action) implements Step {
    @Override
    public void execute(StepContext context) throws Exception {
        action.execute(context);
    }

    @Override
    public StepDescription describe() {
        return description;
    }
}
