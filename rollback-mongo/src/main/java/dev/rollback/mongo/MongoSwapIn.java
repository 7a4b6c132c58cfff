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
 * <p>Counting takes time that grows with the data on some servers (a whole-collection scan where
 * there is no {@code _id} range scan), while the application is down. {@link #countDataLossLater()}
 * leaves the count to {@link #dataLossWindow()}, a step after the application is verified healthy:
 * it counts the same documents on the kept {@code _before_} collections, which are the live ones as
 * they were at the swap and which nothing writes to since, so the figure is the one at the swap.
 * {@link dev.rollback.core.PlanBuilder#build()} refuses such a swap without that step after it.
 *
 * <pre>{@code
 * MongoSwapIn swap = crm.swapIn(prepared).countDataLossLater();
 * plan.step(prepared).stopApp(app).restore(swap).startApp(app).verify(healthy)
 *     .step(swap.dataLossWindow());      // off the downtime
 * }</pre>
 *
 * <p>Outputs: as {@link MongoRestore}'s ({@code kept.mongo.before.*}, {@code mongo.dataLoss.*},
 * {@code mongo.restore.leftAside*}, ...); with {@link #countDataLossLater()}, {@code mongo.dataLoss.*}
 * says where the count will be taken until {@link #dataLossWindow()} replaces it with the figure,
 * and {@code <prepare's output key>.swapped} lists the kept collections it counts in.
 */
public final class MongoSwapIn implements Step {
    private final MongoPrepare prepared;
    private final boolean countLater;

    MongoSwapIn(MongoPrepare prepared) {
        this(prepared, false);
    }

    private MongoSwapIn(MongoPrepare prepared, boolean countLater) {
        this.prepared = Objects.requireNonNull(prepared, "prepared");
        this.countLater = countLater;
    }

    /**
     * A copy of this swap that does not count the data-loss window while the application is down:
     * the plan must run {@link #dataLossWindow()} after it (once the application is verified
     * healthy), which counts the same documents on the kept collections.
     *
     * @return the copy
     */
    public MongoSwapIn countDataLossLater() {
        return new MongoSwapIn(prepared, true);
    }

    /** @return whether this swap leaves its data-loss count to {@link #dataLossWindow()} */
    public boolean countsDataLossLater() {
        return countLater;
    }

    /**
     * The step that counts this swap's data-loss window on the kept collections, after the swap:
     * the documents the live side received after the backup and up to the swap. Put it after the
     * application is verified healthy, so the count is not part of the downtime.
     *
     * @return the step
     */
    public MongoDataLossWindow dataLossWindow() {
        return new MongoDataLossWindow(prepared, swappedKey(), dataLossId(), name());
    }

    /** @return with {@link #countDataLossLater()}, the id of the count it leaves for {@link #dataLossWindow()} to complete */
    @Override
    public String leavesForLater() {
        return countLater ? dataLossId() : null;
    }

    private String dataLossId() {
        return prepared.outputKey() + ".dataLoss";
    }

    private String swappedKey() {
        return prepared.outputKey() + ".swapped";
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
                .param("data-loss window", countLater ? "counted later, on the kept collections, by '" + dataLossWindow().name() + "'"
                        : "counted at the swap, on the live collections before they are set aside")
                .command("recorded in step memory before each move: renameCollection <name> -> <name>_before_<run>, rbtmp_<run>_<name> -> <name>");
    }

    @Override
    public void execute(StepContext context) {
        RestoreResult[] done = new RestoreResult[1];
        RestoreOutputs.execute(prepared.connection(), context, prepared.database(), () -> done[0] = run(context),
                () -> RestoreOutputs.temps(Loaded.fromJson(context.requireOutput(prepared.outputKey()))));
        publishKept(context, done[0]);
    }

    /** Names the kept collections a later count reads; when the count is left for later, says so in place of the figure until then. */
    private void publishKept(StepContext context, RestoreResult r) {
        StringBuilder swapped = new StringBuilder();
        String counter = dataLossWindow().name();
        for (RestoreResult.CollectionRestore c : r.collections()) {
            if (c.kind() != BackupCollection.Kind.COLLECTION || c.previousData().isEmpty() || c.previousData().startsWith("view definition ")) {
                continue;
            }
            swapped.append(swapped.length() == 0 ? "" : "\n").append(c.namespace()).append('=').append(c.previousData());
            if (!countLater) {
                continue;
            }
            context.output(RestoreOutputs.DATA_LOSS + c.namespace(), "not counted yet: the documents written after the backup are counted in "
                    + c.database() + "." + c.previousData() + " (the live collection as it was at the swap, kept) by step '" + counter
                    + "' once the app is healthy");
        }
        context.output(swappedKey(), swapped.toString());
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
                .swapIn(context, loaded, backup, prepared.source().options(), !countLater);
    }
}
