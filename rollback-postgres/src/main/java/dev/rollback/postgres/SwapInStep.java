package dev.rollback.postgres;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.postgres.internal.Inspect;
import dev.rollback.postgres.internal.ResumableSwap;
import dev.rollback.postgres.internal.Sql;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The destructive half of a safe restore: swaps the copy a {@link PreparedRestore} restored and
 * verified in under the live name — blocks new connections, terminates sessions, renames the live
 * database to {@code <db>_before_rollback_<utc time>} (kept, never dropped) and the copy to the live
 * name — in milliseconds whatever the data size. The swap is kept in the step's memory and a resume
 * completes it forward, as the full restore's swap does.
 *
 * <p><b>The data-loss window is measured here</b>, not at the prepare: once every other session is
 * gone and no new one can start, the step counts the rows of every table of the live database and
 * compares them with the prepared copy's (the backup's) counts. The rows the live side has beyond the
 * backup — written between the backup and the swap, also while the copy was being prepared — are
 * published as {@code postgres.dataLoss.<schema.table>} and {@code postgres.dataLoss.total} for the
 * incident report; they stay in the kept original. (The counts are net: rows inserted minus rows
 * deleted; counting takes time proportional to the data, while the application is stopped.)
 *
 * <p>{@link #countDataLossLater()} takes that count out of the downtime: the swap only renames, and
 * {@link #dataLossWindow()}, a step after the application is verified healthy, counts the rows of
 * the kept original instead — the live database as it was at the swap, which nothing writes to
 * since (the application connects to the live name) — so the figure is the one at the swap.
 * {@link dev.rollback.core.PlanBuilder#build()} refuses such a swap without that step after it.
 *
 * <pre>{@code
 * SwapInStep swap = pg.swapIn(prepared).countDataLossLater();
 * plan.step(prepared).stopApp(app).restore(swap).startApp(app).verify(healthy)
 *     .step(swap.dataLossWindow());      // off the downtime
 * }</pre>
 */
public final class SwapInStep implements Step {
    private static final String DATA_LOSS = "postgres.swap.dataLoss";
    private final PreparedRestore prepared;
    private final boolean countLater;

    SwapInStep(PreparedRestore prepared) {
        this(prepared, false);
    }

    private SwapInStep(PreparedRestore prepared, boolean countLater) {
        this.prepared = prepared;
        this.countLater = countLater;
    }

    /**
     * A copy of this swap that does not count the data-loss window while the application is down:
     * the plan must run {@link #dataLossWindow()} after it (once the application is verified
     * healthy), which counts the rows of the kept original instead.
     *
     * @return the copy
     */
    public SwapInStep countDataLossLater() {
        return new SwapInStep(prepared, true);
    }

    /** @return whether this swap leaves its data-loss count to {@link #dataLossWindow()} */
    public boolean countsDataLossLater() {
        return countLater;
    }

    /**
     * The step that counts this swap's data-loss window on the kept original, after the swap: the
     * rows the live database had beyond the prepared copy's at the swap. Put it after the
     * application is verified healthy, so the count is not part of the downtime.
     *
     * @return the step
     */
    public SwapDataLossWindow dataLossWindow() {
        return new SwapDataLossWindow(prepared, keptKey(), dataLossId(), name());
    }

    /** @return with {@link #countDataLossLater()}, the id of the count it leaves for {@link #dataLossWindow()} to complete */
    @Override
    public String leavesForLater() {
        return countLater ? dataLossId() : null;
    }

    private String dataLossId() {
        return prepared.outputKey() + ".dataLoss";
    }

    private String keptKey() {
        return prepared.outputKey() + ".kept";
    }

    /** @return the id of the prepared copy this swaps in, the same as {@link PreparedRestore#preparedId()} */
    public String preparedId() {
        return prepared.preparedId();
    }

    /** @return the prepared copy's {@link PreparedRestore#outputKey()}, which a plan must prepare before this swap */
    @Override
    public String swapsIn() {
        return prepared.outputKey();
    }

    @Override
    public String name() {
        return "swap in " + prepared.preparedId();
    }

    @Override
    public boolean destructive() {
        return true;
    }

    @Override
    public String confirmationTarget() {
        return prepared.postgres().databaseName();
    }

    @Override
    public StepDescription describe() {
        String live = Sql.ident(prepared.postgres().databaseName());
        return StepDescription.of(name()).param("server", prepared.postgres().endpoint().where())
                .param("prepared by", prepared.name())
                .param("data-loss window", countLater ? "counted later, on the kept original, by '" + dataLossWindow().name() + "'"
                        : "rows of every table of the live database beyond the prepared copy's, counted with every session ended")
                .command("ALTER DATABASE " + live + " ALLOW_CONNECTIONS false; terminate sessions" + (countLater ? "" : "; count rows of every table"))
                .command("ALTER DATABASE " + live + " RENAME TO " + Sql.ident(prepared.postgres().databaseName() + "_before_rollback_<utc time>"))
                .command("ALTER DATABASE <prepared copy> RENAME TO " + live);
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        String live = prepared.postgres().databaseName();
        String target;
        if (ResumableSwap.started(ctx)) {
            target = ctx.recall(ResumableSwap.REPLACEMENT).orElseThrow();
        } else {
            target = ctx.output(prepared.outputKey()).orElseThrow(() -> new PostgresOperationException("Nothing to swap in as '" + live
                    + "': no step of this run prepared '" + prepared.preparedId() + "' (output " + prepared.outputKey()
                    + " is missing). Nothing was changed. Put '" + prepared.name() + "' (restore(dump).prepare()) before this swap in the plan."));
        }
        RowCountManifest backup = ctx.output(prepared.rowCountsKey()).map(p -> RowCountManifest.read(Path.of(p))).orElse(null);
        prepared.restore().swap(ctx, target, backup == null || countLater ? null
                : liveConnection -> ctx.remember(DATA_LOSS, beyond(Inspect.rowCounts(liveConnection), backup)));
        ctx.recall(DATA_LOSS).ifPresent(recorded -> {
            long total = publishDataLoss(ctx, recorded, "the backup (measured at the swap: rows of " + live
                    + " beyond the prepared copy's, kept in the original)");
            ctx.progress(total + " rows written to " + live + " since the backup are not in the restored database; they stay in the kept original");
        });
        ResumableSwap.kept(ctx).ifPresent(kept -> {
            ctx.output(keptKey(), kept);
            if (countLater && backup != null) {
                ctx.output("postgres.dataLoss.total", "not counted yet: the rows of " + live + " beyond the prepared copy's are counted in "
                        + kept + " (the live database as it was at the swap, kept) by step '" + dataLossWindow().name()
                        + "' once the app is healthy");
            }
        });
        ctx.output("leftover.postgres." + target, "");
    }

    /**
     * @param now    the row count of every table
     * @param backup the prepared copy's counts
     * @return the tables with rows beyond the backup's, {@code schema.table=rows} one a line
     */
    static String beyond(Map<String, Long> now, RowCountManifest backup) {
        Map<String, Long> beyond = new LinkedHashMap<>();
        now.forEach((table, n) -> {
            long extra = n - backup.counts().getOrDefault(table, 0L);
            if (extra > 0) {
                beyond.put(table, extra);
            }
        });
        StringBuilder b = new StringBuilder();
        beyond.forEach((t, n) -> b.append(b.length() == 0 ? "" : "\n").append(t).append('=').append(n));
        return b.toString();
    }

    /**
     * Publishes the data-loss window for the incident report.
     *
     * @param ctx      the step's context
     * @param recorded what {@link #beyond} returned
     * @param since    since when, and how it was measured
     * @return the rows in all
     */
    static long publishDataLoss(StepContext ctx, String recorded, String since) {
        long total = 0;
        for (String line : recorded.isEmpty() ? new String[0] : recorded.split("\n")) {
            int eq = line.lastIndexOf('=');
            long n = Long.parseLong(line.substring(eq + 1));
            ctx.output("postgres.dataLoss." + line.substring(0, eq), Long.toString(n));
            total += n;
        }
        ctx.output("postgres.dataLoss.total", Long.toString(total));
        ctx.output("postgres.dataLoss.since", since);
        return total;
    }

    /** Puts the live database back under its name if the abandoned run was stopped between the swap's renames. */
    @Override
    public List<String> cleanUp(StepContext ctx) throws Exception {
        return new ResumableSwap(ctx, prepared.postgres().endpoint()).putBackForAbandon();
    }
}
