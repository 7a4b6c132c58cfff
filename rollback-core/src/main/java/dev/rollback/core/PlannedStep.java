package dev.rollback.core;

import java.util.Objects;
import java.util.Optional;

/**
 * One step as it stands in a built plan: its position, name, kind, options and what it runs.
 *
 * @param index              position in the plan, from 1
 * @param name               unique name in the plan
 * @param kind               role of the step
 * @param destructive        whether it needs approval and a capture before it
 * @param phase              the phase it belongs to, or null
 * @param options            timeout, retry, failure policy
 * @param description        what it will do, redacted
 * @param confirmationTarget what an operator types to approve it
 * @param step               the action, for every kind but checks
 * @param check              the check, for {@link StepKind#PRECHECK} and {@link StepKind#VERIFY}
 */
public record PlannedStep(int index, String name, StepKind kind, boolean destructive, String phase,
                          StepOptions options, StepDescription description, String confirmationTarget,
                          Step step, Check check) {

    /** Validates the fields. */
    public PlannedStep {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(description, "description");
        if ((step == null) == (check == null)) {
            throw new IllegalArgumentException("a planned step has either a step or a check");
        }
    }

    /** @return the phase, if the step belongs to one */
    public Optional<String> phaseName() {
        return Optional.ofNullable(phase);
    }

    /** @return whether this is a check (precheck or verify) */
    public boolean isCheck() {
        return check != null;
    }
}
