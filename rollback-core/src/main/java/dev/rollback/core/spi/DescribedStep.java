package dev.rollback.core.spi;

import dev.rollback.core.Step;
import dev.rollback.core.StepAction;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;

import java.util.List;
import java.util.Objects;

/**
 * A step made from a name, a description, a destructive flag and an action. Immutable: every
 * method returns a copy.
 *
 * <pre>{@code
 * Step restore = DescribedStep.of("restore orders", StepDescription.of("restore orders").param("backup", backup),
 *         ctx -> copy(backup, live))
 *     .destructive(true)
 *     .confirmationTarget("orders");
 * }</pre>
 */
public final class DescribedStep implements Step {
    private final String name;
    private final StepDescription description;
    private final boolean destructive;
    private final String confirmationTarget;
    private final StepAction action;
    private final CleanUp cleanUp;

    /** Removes what an abandoned run of the step left behind; see {@link Step#cleanUp(StepContext)}. */
    @FunctionalInterface
    public interface CleanUp {
        /**
         * @param context the abandoned run's context for this step
         * @return what was removed, one line per object
         * @throws Exception when cleaning up failed
         */
        List<String> cleanUp(StepContext context) throws Exception;
    }

    private DescribedStep(String name, StepDescription description, boolean destructive, String confirmationTarget,
                          StepAction action, CleanUp cleanUp) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.destructive = destructive;
        this.confirmationTarget = confirmationTarget;
        this.action = Objects.requireNonNull(action, "action");
        this.cleanUp = cleanUp;
    }

    /**
     * A non-destructive step.
     *
     * @param name        the step's default name in a plan
     * @param description what it does, for dry runs, fingerprints and reports (no secret values)
     * @param action      what it does
     * @return the step
     */
    public static DescribedStep of(String name, StepDescription description, StepAction action) {
        return new DescribedStep(name, description, false, null, action, null);
    }

    /**
     * A non-destructive step named after its description's summary.
     *
     * @param description what it does
     * @param action      what it does
     * @return the step
     */
    public static DescribedStep of(StepDescription description, StepAction action) {
        return of(Objects.requireNonNull(description, "description").summary(), description, action);
    }

    /**
     * @param destructive whether the step destroys or replaces data: it then asks for approval and
     *                    needs a capture before it
     * @return a copy
     */
    public DescribedStep destructive(boolean destructive) {
        return new DescribedStep(name, description, destructive, confirmationTarget, action, cleanUp);
    }

    /**
     * @param target what an operator types to approve the step (a database name); default the step's name
     * @return a copy
     */
    public DescribedStep confirmationTarget(String target) {
        return new DescribedStep(name, description, destructive, Objects.requireNonNull(target, "target"), action, cleanUp);
    }

    /**
     * @param cleanUp removes the step's temporaries when an interrupted run is abandoned
     * @return a copy
     */
    public DescribedStep cleanUp(CleanUp cleanUp) {
        return new DescribedStep(name, description, destructive, confirmationTarget, action, Objects.requireNonNull(cleanUp, "cleanUp"));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void execute(StepContext context) throws Exception {
        action.execute(context);
    }

    @Override
    public boolean destructive() {
        return destructive;
    }

    @Override
    public String confirmationTarget() {
        return confirmationTarget != null ? confirmationTarget : name;
    }

    @Override
    public List<String> cleanUp(StepContext context) throws Exception {
        return cleanUp == null ? List.of() : cleanUp.cleanUp(context);
    }

    @Override
    public StepDescription describe() {
        return description;
    }

    @Override
    public String toString() {
        return "DescribedStep[" + name + "]";
    }
}
