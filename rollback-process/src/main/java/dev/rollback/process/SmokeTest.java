package dev.rollback.process;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A list of HTTP checks run one after the other, with one result each (the seeds' "smoke
 * tests": sign-in, list accounts, open one account). As a {@link Check} it passes when every
 * check passes, and its message lists the ones that failed. Made by {@link Http#smoke(String, HttpCheck...)}.
 */
public final class SmokeTest implements Check {
    private final String name;
    private final List<HttpCheck> checks;

    private SmokeTest(String name, List<HttpCheck> checks) {
        this.name = name;
        this.checks = checks;
    }

    static SmokeTest of(String name, List<HttpCheck> checks) {
        Objects.requireNonNull(name, "name");
        if (checks.isEmpty()) {
            throw new IllegalArgumentException("Smoke test '" + name + "' needs at least one check");
        }
        return new SmokeTest(name, List.copyOf(checks));
    }

    /** @return the checks, in order */
    public List<HttpCheck> checks() {
        return checks;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Runs every check, also after a failure, and returns one result each.
     *
     * @param context the step's context, or null
     * @return the results, in order
     * @throws InterruptedException when interrupted
     */
    public List<CheckResult> runAll(StepContext context) throws InterruptedException {
        List<CheckResult> results = new ArrayList<>();
        for (HttpCheck c : checks) {
            CheckResult r = c.check(context);
            results.add(r);
            if (context != null) {
                context.progress(r.summary());
            }
        }
        return results;
    }

    @Override
    public CheckResult check(StepContext context) throws InterruptedException {
        List<CheckResult> results = runAll(context);
        List<String> failed = new ArrayList<>();
        for (CheckResult r : results) {
            if (!r.isPassed()) {
                failed.add(r.summary());
            }
        }
        String measured = (results.size() - failed.size()) + "/" + results.size() + " passed";
        String expected = results.size() + "/" + results.size() + " passed";
        return failed.isEmpty() ? CheckResult.passed(name, measured, expected)
                : CheckResult.failed(name, measured, expected, "failed: " + String.join("; ", failed));
    }

    @Override
    public StepDescription describe() {
        StepDescription d = StepDescription.of(name);
        for (int i = 0; i < checks.size(); i++) {
            StepDescription c = checks.get(i).describe();
            d = d.param("check " + (i + 1), c.summary() + " expect " + c.parameters().get("expect"));
            for (String command : c.commands()) {
                d = d.command(command);   // what a dry run shows: the request, a secret body field masked
            }
        }
        return d;
    }
}
