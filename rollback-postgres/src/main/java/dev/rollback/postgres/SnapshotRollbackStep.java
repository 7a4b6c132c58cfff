package dev.rollback.postgres;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.postgres.internal.DatabaseAdmin;
import dev.rollback.postgres.internal.DumpFiles;
import dev.rollback.postgres.internal.ResumableSwap;
import dev.rollback.postgres.internal.Sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Rolls a database back to a snapshot taken with {@link Postgres#snapshot(String)}: checks the
 * snapshot (optionally), then swaps it in by renames — block connections, terminate sessions,
 * rename the live database to {@code <db>_before_rollback_<utc time>} (kept, never dropped), rename
 * the snapshot to the live name. It takes seconds whatever the data size; the snapshot is used up.
 * Publishes {@code postgres.forensicDatabase}.
 *
 * <pre>{@code
 * plan.restore(pg.rollbackToSnapshot("nextcrm_before_v2").verifyWith(db -> db.foreignKeysValid()));
 * }</pre>
 */
public final class SnapshotRollbackStep implements Step {
    private final Postgres pg;
    private final String snapshot;
    private final List<Function<Postgres, Check>> checks;

    SnapshotRollbackStep(Postgres pg, String snapshot, List<Function<Postgres, Check>> checks) {
        this.pg = pg;
        this.snapshot = Sql.checkLength(Objects.requireNonNull(snapshot, "snapshot"));
        this.checks = List.copyOf(checks);
    }

    /**
     * @param check makes a check for the snapshot database, run before it is swapped in
     * @return a copy with the check
     */
    public SnapshotRollbackStep verifyWith(Function<Postgres, Check> check) {
        List<Function<Postgres, Check>> c = new ArrayList<>(checks);
        c.add(Objects.requireNonNull(check, "check"));
        return new SnapshotRollbackStep(pg, snapshot, c);
    }

    @Override
    public String name() {
        return "roll " + pg.databaseName() + " back to snapshot " + snapshot;
    }

    @Override
    public boolean destructive() {
        return true;
    }

    @Override
    public String confirmationTarget() {
        return pg.databaseName();
    }

    @Override
    public StepDescription describe() {
        String live = Sql.ident(pg.databaseName());
        StepDescription d = StepDescription.of(name()).param("server", pg.endpoint().where());
        int n = 0;
        for (Function<Postgres, Check> f : checks) {
            n++;
            d = d.param("check " + n + " on snapshot", f.apply(pg.database(snapshot)).describe().summary());
        }
        return d.command("ALTER DATABASE " + live + " ALLOW_CONNECTIONS false; terminate sessions")
                .command("ALTER DATABASE " + live + " RENAME TO " + Sql.ident(pg.databaseName() + "_before_rollback_<utc time>"))
                .command("ALTER DATABASE " + Sql.ident(snapshot) + " RENAME TO " + live);
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        String live = pg.databaseName();
        if (!ResumableSwap.started(ctx)) {
            try (Connection m = pg.endpoint().maintenance()) {
                if (!DatabaseAdmin.exists(m, snapshot)) {
                    throw new PostgresOperationException("Snapshot database '" + snapshot + "' does not exist on " + pg.endpoint().where()
                            + "; nothing was changed. Check the name (take snapshots with Postgres.snapshot(name)), or restore from a dump.");
                }
                if (!DatabaseAdmin.exists(m, live)) {
                    throw new PostgresOperationException("Live database '" + live + "' does not exist; nothing was changed. Rename '" + snapshot + "' by hand if intended.");
                }
            }
            List<String> failures = new ArrayList<>();
            for (Function<Postgres, Check> f : checks) {
                CheckResult r = f.apply(pg.database(snapshot)).check(ctx);
                ctx.progress("check on " + snapshot + ": " + r.summary());
                ctx.checkResult(r);   // journaled with the restore, for the report's verification results
                if (!r.isPassed()) {
                    failures.add(r.summary());
                }
            }
            if (!failures.isEmpty()) {
                throw new PostgresOperationException("Snapshot '" + snapshot + "' failed its checks: " + String.join("; ", failures)
                        + ". Nothing was changed; '" + live + "' is still live.");
            }
        }
        String forensic;
        try {
            // Kept in the step's memory before each rename: a resume after a kill completes the swap.
            forensic = new ResumableSwap(ctx, pg.endpoint()).run(snapshot, "_before_rollback_" + DumpFiles.stamp(ctx.clock()),
                    m -> DatabaseAdmin.setComment(m, snapshot, DatabaseAdmin.comment(m, live)), null);
        } catch (SQLException e) {
            throw new PostgresOperationException("Swapping snapshot '" + snapshot + "' in as '" + live + "' failed: " + e.getMessage()
                    + ". The live database keeps its name and connection settings; the snapshot is unchanged. Fix the cause and run the step again.", e);
        }
        ctx.output("postgres.forensicDatabase", forensic);
        ctx.output("kept.postgres." + live + ".original", "database " + forensic + " (the data of " + live + " before the rollback to "
                + snapshot + "; DROP DATABASE \"" + forensic + "\" once the team is satisfied)");
    }

    /** Puts the live database back under its name if the abandoned run was stopped between the swap's renames. */
    @Override
    public List<String> cleanUp(StepContext ctx) throws Exception {
        return new ResumableSwap(ctx, pg.endpoint()).putBackForAbandon();
    }
}
