package dev.rollback.postgres;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.postgres.internal.Inspect;
import dev.rollback.postgres.internal.PgEndpoint;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Counts the data-loss window of a {@link SwapInStep#countDataLossLater() swap that left it for
 * later}: the rows of every table of the kept original ({@code <db>_before_rollback_<time>}) beyond
 * the prepared copy's (the backup's). The kept original is the live database as it was at the swap,
 * and nothing writes to it since (the application connects to the live name, which is the restored
 * copy now), so the figure is the one at the swap, taken once the application is healthy again
 * instead of while it is down. Non-destructive (it only reads); a rerun counts again, with the
 * same result.
 *
 * <p>Outputs: {@code postgres.dataLoss.<schema.table>}, {@code postgres.dataLoss.total} (replacing
 * the swap's "not counted yet") and {@code postgres.dataLoss.since}, for the incident report.
 */
public final class SwapDataLossWindow implements Step {
    private final PreparedRestore prepared;
    private final String keptKey;
    private final String id;
    private final String swapName;

    SwapDataLossWindow(PreparedRestore prepared, String keptKey, String id, String swapName) {
        this.prepared = prepared;
        this.keptKey = keptKey;
        this.id = id;
        this.swapName = swapName;
    }

    @Override
    public String name() {
        return "data-loss window of " + prepared.postgres().databaseName() + " at the swap";
    }

    /** @return the id of the count the swap left for later, which this step takes */
    @Override
    public String completes() {
        return id;
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of("count the rows of the kept original of " + prepared.postgres().databaseName()
                        + " beyond the prepared copy's (written after the backup and up to the swap)")
                .param("server", prepared.postgres().endpoint().where())
                .param("swap", swapName)
                .command("SELECT count(*) of every table of <db>_before_rollback_<time>");
    }

    @Override
    public void execute(StepContext ctx) throws SQLException {
        String live = prepared.postgres().databaseName();
        String kept = ctx.output(keptKey).orElseThrow(() -> new PostgresOperationException("There is no data-loss window to count: step '"
                + swapName + "' has not swapped " + live + " in (its output " + keptKey + " is missing). Nothing was changed. Run this "
                + "step after the swap that left the count for later (swapIn(prepared).countDataLossLater())."));
        RowCountManifest backup = ctx.output(prepared.rowCountsKey()).map(p -> RowCountManifest.read(Path.of(p))).orElseThrow(() ->
                new PostgresOperationException("Cannot count the data-loss window of " + live + ": the prepare '" + prepared.name()
                        + "' published no row counts (" + prepared.rowCountsKey() + "). Nothing was changed."));
        PgEndpoint ep = prepared.postgres().endpoint();
        String recorded;
        try (Connection c = ep.connect(kept)) {
            recorded = SwapInStep.beyond(Inspect.rowCounts(c), backup);
        }
        long total = SwapInStep.publishDataLoss(ctx, recorded, "the backup (as at the swap: rows of the kept original " + kept
                + " beyond the prepared copy's, counted after the swap; nothing writes to it since)");
        ctx.progress(total + " rows written to " + live + " since the backup (up to the swap) are not in the restored database; "
                + "they stay in the kept original " + kept);
    }
}
