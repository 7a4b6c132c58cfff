package dev.rollback.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What abandoning a run did: each started step's cleanup, what it removed and what failed. The
 * plan is idle afterwards either way; a failed cleanup names what is left to remove by hand.
 *
 * @param planName     the plan
 * @param runId        the abandoned run
 * @param operator     who abandoned it
 * @param reason       why
 * @param steps        each started step's cleanup, in the order they ran (the reverse of the plan)
 * @param runDirectory the run's folder, with its incident report
 */
public record AbandonReport(String planName, String runId, String operator, String reason, List<CleanedStep> steps, Path runDirectory) {

    /** Copies the list. */
    public AbandonReport {
        Objects.requireNonNull(runId, "runId");
        steps = List.copyOf(steps);
    }

    /** @return whether every cleanup succeeded */
    public boolean isClean() {
        return steps.stream().allMatch(s -> s.error() == null);
    }

    /** @return everything removed, one line per object */
    public List<String> removed() {
        return steps.stream().flatMap(s -> s.removed().stream()).toList();
    }

    /**
     * One started step's cleanup.
     *
     * @param index   its position in the run's plan
     * @param step    its name
     * @param removed what its {@link Step#cleanUp(StepContext)} removed
     * @param error   why the cleanup failed, or null
     */
    public record CleanedStep(int index, String step, List<String> removed, String error) {
        /** Copies the list. */
        public CleanedStep {
            removed = List.copyOf(removed);
        }
    }
}
