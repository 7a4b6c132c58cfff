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
 */
public final class SwapInStep implements Step {
    private static final String DATA_LOSS = "postgres.swap.dataLoss";
    private final PreparedRestore prepared;

    SwapInStep(PreparedRestore prepared) {
        this.prepared = prepared;
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
                .param("data-loss window", "rows of every table of the live database beyond the prepared copy's, counted with every session ended")
                .command("ALTER DATABASE " + live + " ALLOW_CONNECTIONS false; terminate sessions; count rows of every table")
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
        prepared.restore().swap(ctx, target, liveConnection -> {
            if (backup == null) {
                return;
            }
            Map<String, Long> now = Inspect.rowCounts(liveConnection);
            Map<String, Long> beyond = new LinkedHashMap<>();
            now.forEach((table, n) -> {
                long extra = n - backup.counts().getOrDefault(table, 0L);
                if (extra > 0) {
                    beyond.put(table, extra);
                }
            });
            StringBuilder b = new StringBuilder();
            beyond.forEach((t, n) -> b.append(b.length() == 0 ? "" : "\n").append(t).append('=').append(n));
            ctx.remember(DATA_LOSS, b.toString());
        });
        publishDataLoss(ctx, live);
        ctx.output("leftover.postgres." + target, "");
    }

    private static void publishDataLoss(StepContext ctx, String live) {
        String recorded = ctx.recall(DATA_LOSS).orElse(null);
        if (recorded == null) {
            return;
        }
        long total = 0;
        for (String line : recorded.isEmpty() ? new String[0] : recorded.split("\n")) {
            int eq = line.lastIndexOf('=');
            long n = Long.parseLong(line.substring(eq + 1));
            ctx.output("postgres.dataLoss." + line.substring(0, eq), Long.toString(n));
            total += n;
        }
        ctx.output("postgres.dataLoss.total", Long.toString(total));
        ctx.output("postgres.dataLoss.since", "the backup (measured at the swap: rows of " + live + " beyond the prepared copy's, kept in the original)");
        ctx.progress(total + " rows written to " + live + " since the backup are not in the restored database; they stay in the kept original");
    }

    /** Puts the live database back under its name if the abandoned run was stopped between the swap's renames. */
    @Override
    public List<String> cleanUp(StepContext ctx) throws Exception {
        return new ResumableSwap(ctx, prepared.postgres().endpoint()).putBackForAbandon();
    }
}
