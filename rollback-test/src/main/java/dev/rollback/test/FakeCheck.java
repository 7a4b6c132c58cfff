package dev.rollback.test;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Check} that answers from a script: fail twice then pass, pass then fail, throw once.
 * After the script runs out, the last scripted answer repeats; with no script it passes. Counts
 * its calls. Thread-safe.
 *
 * <pre>{@code
 * FakeCheck health = FakeCheck.named("health").failTimes(2);   // fails, fails, then passes
 * RollbackPlan plan = Rollback.plan("p").step("x", c -> { })
 *     .verify(health, StepOptions.defaults().retry(Retry.times(3)))
 *     .build();
 * assertThat(runner.run(plan)).succeeded();
 * assertThat(health.calls()).isEqualTo(3);
 * }</pre>
 */
public final class FakeCheck implements Check {
    private final String name;
    private final List<Answer> script = new ArrayList<>();
    private int calls;

    /** One scripted answer: a result, or an exception (the check could not be evaluated). */
    private record Answer(boolean passed, Exception failure) {
    }

    private FakeCheck(String name) {
        this.name = name;
    }

    /**
     * @param name the check's name
     * @return a check that passes until told otherwise
     */
    public static FakeCheck named(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a fake check needs a name; the plan step is named after it");
        }
        return new FakeCheck(name);
    }

    /**
     * Scripts {@code n} failed results followed by passing ones.
     *
     * @param n how many calls fail, 0 or more
     * @return this check
     */
    public synchronized FakeCheck failTimes(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("failTimes needs 0 or more, not " + n);
        }
        for (int i = 0; i < n; i++) {
            script.add(new Answer(false, null));
        }
        script.add(new Answer(true, null));
        return this;
    }

    /**
     * Appends answers to the script: {@code true} passes, {@code false} fails.
     *
     * @param passes the answers, in order
     * @return this check
     */
    public synchronized FakeCheck thenAnswer(boolean... passes) {
        for (boolean p : passes) {
            script.add(new Answer(p, null));
        }
        return this;
    }

    /**
     * Appends one call that throws, as a check does when its server cannot be reached.
     *
     * @param failure what the call throws
     * @return this check
     */
    public synchronized FakeCheck thenThrow(Exception failure) {
        script.add(new Answer(false, Objects.requireNonNull(failure, "failure")));
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized CheckResult check(StepContext context) throws Exception {
        int call = ++calls;
        Answer a = script.isEmpty() ? new Answer(true, null) : script.get(Math.min(call, script.size()) - 1);
        if (a.failure() != null) {
            throw a.failure();
        }
        return a.passed()
                ? CheckResult.passed(name, "call " + call + " passed", "pass")
                : CheckResult.failed(name, "call " + call + " failed", "pass", "fake check '" + name + "' fails on call " + call + " as scripted");
    }

    /** @return how many times the check was evaluated */
    public synchronized int calls() {
        return calls;
    }

    @Override
    public synchronized String toString() {
        return "FakeCheck[" + name + ", " + calls + " calls]";
    }
}
