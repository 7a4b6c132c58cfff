package dev.rollback.postgres.internal;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;

/**
 * A check made of a name, a description and a function.
 *
 * @param name        the check name
 * @param description what it checks, deterministic
 * @param function    the function
 */
public record SimpleCheck(String name, StepDescription description, Check.CheckFunction function) implements Check {
    @Override
    public CheckResult check(StepContext context) throws Exception {
        return function.check(context);
    }

    @Override
    public StepDescription describe() {
        return description;
    }
}
