package dev.rollback.core;

import dev.rollback.core.spi.DescribedStep;

import java.util.List;
import java.util.Objects;

/**
 * One action of a rollback plan: stop a unit, restore a database, switch a config value.
 *
 * <p>Adapter modules hand steps out from static entry points ({@code Postgres.at(url).restore(...)},
 * {@code Git.repo(dir).revert(...)}); a plan author can also write one as a lambda with
 * {@link PlanBuilder#step(String, StepAction)}.
 *
 * <p>A step that runs again after a resume must be safe to run again: steps after the last
 * checkpoint a run reached are repeated.
 *
 * <pre>{@code
 * Step flush = Step.of("flush redis", ctx -> redis.flushAll());
 * }</pre>
 */
public interface Step {

    /** The step's default name in a plan; the plan may rename it. */
    String name();

    /**
     * Performs the step. Throw to fail it; the runner retries, continues or stops according to
     * the step's {@link StepOptions}. Long work should report progress through
     * {@link StepContext#progress(String)} and honour thread interruption (timeouts interrupt).
     *
     * @param context the run's context: outputs, run folder, progress
     * @throws Exception any failure; it is wrapped once and redacted before anyone sees it
     */
    void execute(StepContext context) throws Exception;

    /** Whether the step destroys or replaces data; destructive steps ask for approval. */
    default boolean destructive() {
        return false;
    }

    /**
     * What an operator types to approve this step at a console prompt, as the seeds do
     * ("type the database name to go on"). Defaults to the step name.
     */
    default String confirmationTarget() {
        return name();
    }

    /**
     * Names the copy this step prepares for a later step to {@link #swapsIn() swap in}, when it is
     * the non-destructive half of a prepare/swap pair: a restore into a new database or new
     * collections while the application still serves. {@link PlanBuilder#build()} pairs it with the
     * step that swaps the same id in, and refuses a plan where that swap has no prepare before it
     * or where two steps swap this copy in. The default is none.
     *
     * @return the prepared copy's id (for example the output key the swap reads it from), or null
     */
    default String prepares() {
        return null;
    }

    /**
     * Names the prepared copy this step swaps in, when it is the destructive half of a
     * prepare/swap pair; the same id as its prepare step's {@link #prepares()}. The default is none.
     *
     * @return the id of the copy it swaps in, or null
     */
    default String swapsIn() {
        return null;
    }

    /**
     * Names work this step leaves to a later step of the plan, when part of its job does not need
     * the application down: a swap that leaves the count of its data-loss window to a step after
     * the application is verified healthy (the replaced data it counts is kept and no longer
     * written, so the figure is the same). {@link PlanBuilder#build()} refuses a plan where no
     * later step {@link #completes() completes} it. The default is none.
     *
     * @return the id of the work left for later, or null
     */
    default String leavesForLater() {
        return null;
    }

    /**
     * Names the work an earlier step {@link #leavesForLater() left for later} that this step does.
     * The default is none.
     *
     * @return the id of the work it completes, or null
     */
    default String completes() {
        return null;
    }

    /**
     * Removes the temporaries an interrupted run of this step left behind, when an operator
     * abandons that run instead of resuming it: a half-restored copy, temporary collections. Kept
     * data (the original a swap set aside, forensic captures) is never removed. Called only for
     * steps that started in the abandoned run; the context carries that run's id, outputs and this
     * step's {@link StepContext#memory() memory}. The default removes nothing.
     *
     * @param context the abandoned run's context for this step
     * @return what was removed, one line per object, for the journal ("database shop_rollback_x")
     * @throws Exception when cleaning up failed; the abandon reports it and goes on with other steps
     */
    default List<String> cleanUp(StepContext context) throws Exception {
        return List.of();
    }

    /** Describes the step for dry runs, fingerprints and reports. Never include secret values. */
    default StepDescription describe() {
        return StepDescription.of(name());
    }

    /**
     * Makes a step from a name and an action.
     *
     * @param name   the step name
     * @param action what it does
     * @return a non-destructive step
     */
    static Step of(String name, StepAction action) {
        return DescribedStep.of(name, StepDescription.of(Objects.requireNonNull(name, "name")), action);
    }
}
