package dev.rollback.core.spi;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;

import java.util.Objects;

/**
 * A check made from a name, a description and a function. Immutable.
 *
 * <pre>{@code
 * Check present = DescribedCheck.of("down.sql present", StepDescription.of("down.sql present").param("file", file),
 *         ctx -> Files.isRegularFile(file) ? CheckResult.passed("down.sql present", file, "a file")
 *                                          : CheckResult.failed("down.sql present", "missing", file, file + " does not exist"));
 * }</pre>
 */
public final class DescribedCheck implements Check {
    private final String name;
    private final StepDescription description;
    private final CheckFunction function;

    private DescribedCheck(String name, StepDescription description, CheckFunction function) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.function = Objects.requireNonNull(function, "function");
    }

    /**
     * @param name        the check's default name in a plan
     * @param description what it checks, for dry runs, fingerprints and reports (no secret values)
     * @param function    evaluates it; throws when it cannot be evaluated at all
     * @return the check
     */
    public static DescribedCheck of(String name, StepDescription description, CheckFunction function) {
        return new DescribedCheck(name, description, function);
    }

    /**
     * A check named after its description's summary.
     *
     * @param description what it checks
     * @param function    evaluates it
     * @return the check
     */
    public static DescribedCheck of(StepDescription description, CheckFunction function) {
        return of(Objects.requireNonNull(description, "description").summary(), description, function);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CheckResult check(StepContext context) throws Exception {
        return function.check(context);
    }

    @Override
    public StepDescription describe() {
        return description;
    }

    @Override
    public String toString() {
        return "DescribedCheck[" + name + "]";
    }
}
