package dev.rollback.postgres;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.postgres.internal.DatabaseAdmin;
import dev.rollback.postgres.internal.Inspect;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Optional;

/**
 * The non-destructive half of a safe restore: restores the dump into a new database
 * {@code <db>_rollback_<utc time>} and runs its checks <em>while the live database keeps
 * serving</em>, so that the application is stopped only for {@link SwapInStep the swap}, which takes
 * milliseconds whatever the data size. Needs no approval (it changes nothing the application uses).
 *
 * <p>Done once per run: the copy's name and how far it got are in the step's durable memory, so a
 * retry or a resume reuses a copy that was restored and verified ("not restoring again"), and drops
 * and redoes one whose restore was interrupted. It records the copy's row counts (for the data-loss
 * window the swap measures) and publishes the copy under {@code postgres.prepared.<id>}, where the
 * swap finds it, and as {@code leftover.postgres.<copy>} until the swap takes it in (abandoning the
 * run drops it, see {@link #cleanUp(StepContext)}).
 *
 * <pre>{@code
 * PreparedRestore prepared = pg.restore(backup).verifyWith(db -> db.foreignKeysValid()).prepare();
 * plan.step(prepared)                 // the app still serves
 *     .stopApp(app)
 *     .restore(pg.swapIn(prepared))   // destructive: terminate sessions, rename in, keep the old database
 *     .startApp(app);
 * }</pre>
 */
public final class PreparedRestore implements Step {
    private static final String COPY_OID = "postgres.prepared.oid";
    private final Postgres pg;
    private final RestoreStep restore;

    PreparedRestore(Postgres pg, RestoreStep restore) {
        this.pg = pg;
        this.restore = restore;
    }

    /**
     * What a {@link SwapInStep} refers to, the same on both steps, so that a plan validator can pair
     * them: {@code <database>@<dump file name>}.
     *
     * @return the prepared copy's id
     */
    public String preparedId() {
        return pg.databaseName() + "@" + restore.dump().getFileName();
    }

    /** @return the output key under which the prepared database's name is published */
    public String outputKey() {
        return "postgres.prepared." + preparedId();
    }

    String rowCountsKey() {
        return outputKey() + ".rowCounts";
    }

    Postgres postgres() {
        return pg;
    }

    RestoreStep restore() {
        return restore;
    }

    /** @return {@link #outputKey()}: the swap step of this copy names the same, so that the plan pairs them */
    @Override
    public String prepares() {
        return outputKey();
    }

    @Override
    public String name() {
        return "prepare " + pg.databaseName() + " from " + restore.dump().getFileName();
    }

    @Override
    public StepDescription describe() {
        return restore.describe(name(), "prepare: restore into a new database and verify it while the live database serves; "
                + "swapped in later by swap in " + preparedId());
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Optional<String> swappedIn = swappedInAlready(ctx);
        String target = swappedIn.isPresent() ? swappedIn.get() : restore.prepare(ctx);
        Path counts = ctx.runDirectory().resolve("prepared-" + target + ".rowcounts.tsv");
        if (!Files.isRegularFile(counts)) {
            try (Connection c = pg.endpoint().connect(target)) {
                new RowCountManifest(Inspect.rowCounts(c)).write(counts);
            }
        }
        ctx.output(outputKey(), target);
        ctx.output(rowCountsKey(), counts.toString());
        if (swappedIn.isPresent()) {
            ctx.output("leftover.postgres." + target, "");
            ctx.progress("the copy this step prepared, " + target + ", was swapped in by this run already (it is " + pg.databaseName()
                    + " now); not preparing it again");
            return;
        }
        if (ctx.recall(COPY_OID).isEmpty()) {
            try (Connection m = pg.endpoint().maintenance()) {
                ctx.remember(COPY_OID, Long.toString(DatabaseAdmin.oid(m, target)));
            }
        }
        ctx.output("leftover.postgres." + target, "database " + target + " (restored from " + restore.dump().getFileName()
                + " and verified while " + pg.databaseName() + " served; not swapped in yet: this run's swap takes it in, "
                + "abandoning the run drops it)");
        ctx.progress("prepared " + target + " from " + restore.dump().getFileName() + "; " + pg.databaseName()
                + " served throughout; swap it in with 'swap in " + preparedId() + "'");
    }

    /**
     * A resume repeats the steps after its last checkpoint, this one too when no checkpoint lies
     * between it and its swap. The copy's oid, which a rename keeps, says whether the swap already
     * took it in under the live name: then it is not restored a second time.
     *
     * @return the copy's name as prepared, when it is the live database now
     */
    private Optional<String> swappedInAlready(StepContext ctx) throws Exception {
        Optional<String> oid = ctx.recall(COPY_OID);
        Optional<String> target = ctx.recall(RestoreStep.TARGET);
        if (oid.isEmpty() || target.isEmpty()) {
            return Optional.empty();
        }
        try (Connection m = pg.endpoint().maintenance()) {
            return pg.databaseName().equals(DatabaseAdmin.nameOf(m, Long.parseLong(oid.get()))) ? target : Optional.empty();
        }
    }

    /** Drops the prepared copy (and failed attempts' copies) if the run is abandoned before the swap took it in. */
    @Override
    public List<String> cleanUp(StepContext ctx) throws Exception {
        return restore.cleanUpRestore(ctx, false);
    }
}
