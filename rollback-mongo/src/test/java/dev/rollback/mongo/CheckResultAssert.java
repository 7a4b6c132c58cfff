package dev.rollback.mongo;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs a check and asserts on its result. */
final class CheckResultAssert {
    private CheckResultAssert() {
    }

    static CheckResult run(Check check, StepContext ctx) {
        try {
            return check.check(ctx);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static CheckResult passed(Check check, StepContext ctx) {
        CheckResult r = run(check, ctx);
        assertThat(r.isPassed()).as(r.summary()).isTrue();
        return r;
    }
}
