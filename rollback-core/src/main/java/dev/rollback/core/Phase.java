package dev.rollback.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A group of steps with a time budget, as the seeds write "Phase 3: MongoDB restore (8-12
 * minutes)". The report compares the actual time with the budget.
 *
 * @param name      the phase name
 * @param budget    the time it is expected to take at most
 * @param stepNames the steps in it, in order
 */
public record Phase(String name, Duration budget, List<String> stepNames) {
    /** Validates the fields. */
    public Phase {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(budget, "budget");
        stepNames = List.copyOf(stepNames);
    }
}
