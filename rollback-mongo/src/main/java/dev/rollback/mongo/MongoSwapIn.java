package dev.rollback.mongo;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.mongo.internal.Loaded;
import dev.rollback.mongo.internal.RestoreEngine;
import dev.rollback.mongo.internal.RestoreOutputs;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The destructive half of a safe restore: swaps the collections a {@link MongoPrepare} loaded in
 * for the live ones, by rename, keeping each replaced collection as {@code <name>_before_<run>}.
 * The data-loss window is measured here, at the swap: the documents the live side received after
 * the backup are counted and reported. Like the one-step restore, it records each move in step
 * memory before making it, so a resume after a kill completes the swap and never swaps twice.
 *
 * <p>Outputs: as {@link MongoRestore}'s ({@code kept.mongo.before.*}, {@code mongo.dataLoss.*},
 * {@code mongo.restore.leftAside*}, ...).
 */
public final class MongoSwapIn implements Step {
    private final MongoPrepare prepared;

    MongoSwapIn(MongoPrepare prepared) {
        this.prepared = Objects.requireNonNull(prepared, "prepared");
    }

    /** @return the prepare step whose collections this swaps in (a plan must run it earlier) */
    public MongoPrepare prepared() {
        return prepared;
    }

    /** @return the prepare's {@link MongoPrepare#outputKey()}, which a plan must prepare before this swap */
    @Override
    public String swapsIn() {
        return prepared.outputKey();
    }

    @Override
    public String name() {
        return "swap in restored MongoDB database " + prepared.database();
    }

    @Override
    public boolean destructive() {
        return true;
    }

    @Override
    public String confirmationTarget() {
        return prepared.database();
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of("swap the prepared restore of MongoDB database " + prepared.database() + " in")
                .param("server", prepared.connection().redactedUri())
                .param("database", prepared.database())
                .param("prepared", prepared.outputKey())
                .command("recorded in step memory before each move: renameCollection <name> -> <name>_before_<run>, rbtmp_<run>_<name> -> <name>");
    }

    @Override
    public void execute(StepContext context) {
        RestoreOutputs.execute(prepared.connection(), context, prepared.database(), () -> run(context),
                () -> RestoreOutputs.temps(Loaded.fromJson(context.requireOutput(prepared.outputKey()))));
    }

    /**
     * Swaps in and returns what it did.
     *
     * @param context the running step's context
     * @return the result
     */
    public RestoreResult run(StepContext context) {
        Loaded loaded = Loaded.fromJson(context.requireOutput(prepared.outputKey()));
        Path backup = Path.of(loaded.backup());
        context.progress("swapping the prepared restore of " + prepared.database() + " in (" + loaded.describe() + ")");
        return new RestoreEngine(prepared.connection(), prepared.database(), prepared.options(), context::progress)
                .swapIn(context, loaded, backup, prepared.source().options());
    }
}
