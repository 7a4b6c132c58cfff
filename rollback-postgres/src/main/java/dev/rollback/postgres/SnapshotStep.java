package dev.rollback.postgres;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.postgres.internal.DatabaseAdmin;
import dev.rollback.postgres.internal.Inspect;
import dev.rollback.postgres.internal.PgEndpoint;
import dev.rollback.postgres.internal.Sql;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

/**
 * Takes a snapshot of a database before a risky deploy: {@code CREATE DATABASE snapshot TEMPLATE
 * live}, a file-level copy on the server, then copies what a template copy does not carry (owner,
 * connection limit, {@code ALTER DATABASE ... SET} settings, grants). Roll back to it with
 * {@link Postgres#rollbackToSnapshot(String)}, a rename swap that takes seconds whatever the size.
 *
 * <p>PostgreSQL copies a template only while nobody is connected to it: by default the step
 * refuses when sessions exist; {@link #terminatingSessions()} blocks new connections, terminates
 * them, copies, and allows connections again. Publishes {@code postgres.snapshot}. An existing
 * snapshot of the same name is replaced only with {@link #replacingExisting()}, or when this same
 * run took it (a resumed run repeating the step; the run is recorded in the snapshot's comment).
 *
 * <pre>{@code
 * Postgres pg = Postgres.at("jdbc:postgresql://db:5432/nextcrm").user("postgres").password(pw);
 * deployPlan.step(pg.snapshot("nextcrm_before_v2").terminatingSessions().manifestTo(Path.of("/backups/v2.rowcounts.tsv")));
 * rollbackPlan.restore(pg.rollbackToSnapshot("nextcrm_before_v2"));
 * }</pre>
 */
public final class SnapshotStep implements Step {
    private final PgEndpoint ep;
    private final String snapshot;
    private final boolean terminate;
    private final boolean replace;
    private final Path manifest;

    SnapshotStep(PgEndpoint ep, String snapshot, boolean terminate, boolean replace, Path manifest) {
        this.ep = ep;
        this.snapshot = Sql.checkLength(Objects.requireNonNull(snapshot, "snapshot"));
        if (snapshot.equals(ep.database())) {
            throw new IllegalArgumentException("A snapshot needs its own name; '" + snapshot + "' is the database itself");
        }
        this.terminate = terminate;
        this.replace = replace;
        this.manifest = manifest;
    }

    /** @return a copy that terminates sessions on the database for the copy instead of refusing */
    public SnapshotStep terminatingSessions() {
        return new SnapshotStep(ep, snapshot, true, replace, manifest);
    }

    /** @return a copy that drops an existing snapshot of the same name first (so a repeated step works) */
    public SnapshotStep replacingExisting() {
        return new SnapshotStep(ep, snapshot, terminate, true, manifest);
    }

    /**
     * @param file where to record the snapshot's row counts, for {@link Postgres#rowCountsMatch(Path)}
     * @return a copy that records them
     */
    public SnapshotStep manifestTo(Path file) {
        return new SnapshotStep(ep, snapshot, terminate, replace, Objects.requireNonNull(file, "file"));
    }

    private static final String DONE = "postgres.snapshot.done";

    private String marker(StepContext ctx) {
        return "rollback snapshot of " + ep.database() + " taken by run " + ctx.runId();
    }

    @Override
    public String name() {
        return "snapshot " + ep.database() + " as " + snapshot;
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of(name()).param("server", ep.where())
                .param("sessions", terminate ? "terminated for the copy" : "refuse if any")
                .param("replace existing snapshot", replace)
                .command("CREATE DATABASE " + Sql.ident(snapshot) + " TEMPLATE " + Sql.ident(ep.database()));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        if (Captures.alreadyTaken(ctx, DONE, "snapshot", false)) {
            ctx.output("postgres.snapshot", snapshot);
            return;
        }
        String live = ep.database();
        try (Connection m = ep.maintenance()) {
            if (!DatabaseAdmin.exists(m, live)) {
                throw new PostgresOperationException("Cannot snapshot '" + live + "': it does not exist on " + ep.where() + ". Check the database name.");
            }
            if (DatabaseAdmin.exists(m, snapshot)) {
                if (!replace && !marker(ctx).equals(DatabaseAdmin.comment(m, snapshot))) {
                    throw new PostgresOperationException("Snapshot database '" + snapshot + "' already exists; nothing was changed. Choose another name, "
                            + "drop it, or use snapshot(...).replacingExisting().");
                }
                DatabaseAdmin.execute(m, "DROP DATABASE " + Sql.ident(snapshot));
            }
            DatabaseAdmin.DatabaseProps props = DatabaseAdmin.props(m, live);
            List<DatabaseAdmin.Session> sessions = DatabaseAdmin.sessions(m, live, null);
            if (!sessions.isEmpty() && !terminate) {
                throw new ActiveSessionsException("Cannot snapshot '" + live + "': PostgreSQL copies a database only while nobody is connected, and it has "
                        + DatabaseAdmin.summarize(sessions) + ". Nothing was changed. Stop the application, or use snapshot(...).terminatingSessions().");
            }
            boolean blocked = false;
            try {
                if (!sessions.isEmpty()) {
                    DatabaseAdmin.execute(m, "ALTER DATABASE " + Sql.ident(live) + " ALLOW_CONNECTIONS false");
                    blocked = true;
                    int n = DatabaseAdmin.terminate(m, live, null);
                    ctx.progress("terminated " + n + " sessions on " + live + " for the snapshot");
                }
                ctx.progress("copying " + live + " to " + snapshot);
                DatabaseAdmin.execute(m, "CREATE DATABASE " + Sql.ident(snapshot) + " TEMPLATE " + Sql.ident(live));
            } finally {
                if (blocked) {
                    DatabaseAdmin.execute(m, "ALTER DATABASE " + Sql.ident(live) + " ALLOW_CONNECTIONS " + props.allowConn());
                }
            }
            DatabaseAdmin.copySettings(m, live, snapshot);
            // Marks the snapshot as this run's, so that a resumed run repeating the step may replace it;
            // the rollback puts the live database's own comment back before the swap.
            DatabaseAdmin.setComment(m, snapshot, marker(ctx));
        } catch (SQLException e) {
            throw new PostgresOperationException("Snapshot of '" + live + "' as '" + snapshot + "' failed: " + e.getMessage()
                    + ". The database '" + live + "' was not changed and accepts connections as before. Fix the cause and run the step again"
                    + " (with replacingExisting() if a partial snapshot was left).", e);
        }
        if (manifest != null) {
            try (Connection c = ep.connect(snapshot)) {
                new RowCountManifest(Inspect.rowCounts(c)).write(manifest);
            }
        }
        ctx.remember(DONE, snapshot);
        ctx.output("postgres.snapshot", snapshot);
    }
}
