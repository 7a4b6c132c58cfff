package dev.rollback.postgres;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Rollback;
import dev.rollback.core.RunReport;
import dev.rollback.core.Step;
import dev.rollback.core.StepResult;

import java.util.function.Consumer;

/** Runs steps and checks through the real core runner, so that they get a real StepContext. */
final class Plans {
    private Plans() {
    }

    static RunReport run(Consumer<PlanBuilder> steps) {
        PlanBuilder b = Rollback.plan("pg-test").withoutCapture("integration test");
        steps.accept(b);
        return Rollback.runner().confirmations(Confirmations.autoApprove("tester")).run(b.build());
    }

    /** Runs one step; fails the test with the run's failure when it fails. */
    static RunReport step(Step step) {
        RunReport r = run(b -> b.step(step));
        if (!r.isSuccess()) {
            throw new AssertionError("step failed: " + r.failure());
        }
        return r;
    }

    /** Runs one step expecting it to fail; returns the failure message. */
    static String failingStep(Step step) {
        RunReport r = run(b -> b.step(step));
        if (r.isSuccess()) {
            throw new AssertionError("step was expected to fail but succeeded: " + step.name());
        }
        return r.failure().message();
    }

    /** Runs a check once and returns its result (passed or failed). */
    static CheckResult check(Check check) {
        RunReport r = run(b -> b.verify(check));
        StepResult s = r.steps().get(0);
        if (s.checks().isEmpty()) {
            throw new AssertionError("check could not be evaluated: " + s.error());
        }
        return s.checks().get(s.checks().size() - 1);
    }
}
