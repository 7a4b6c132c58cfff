package dev.rollback.postgres.internal;

import dev.rollback.core.StepContext;
import dev.rollback.postgres.PostgresOperationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rename swap of a replacement database in under the live name, kept in the step's durable
 * memory so that a kill at any instant resumes to the right end.
 *
 * <p>Before each action the swap remembers what it is about to do ({@value #STATE}: blocking,
 * renaming-live, renaming-replacement, allowing, done), together with the three names and the
 * live database's original {@code ALLOW_CONNECTIONS}. A later attempt (a retry, a resume in a new
 * JVM, on any machine) reads that and which of the three databases exist on the server, and
 * completes the swap forward from where it stopped: it never swaps twice (a finished swap is
 * only reported again), never connects to the live name (everything runs over the maintenance
 * connection), and allows connections again on the live database and on the kept original.
 *
 * <p>Server states, with L the live name, R the replacement and K the kept name:
 * <ul>
 *   <li>L, R, no K: not renamed yet (blocked or not): block, terminate, rename L to K;</li>
 *   <li>K, R, no L: the first rename happened: rename R to L;</li>
 *   <li>L, K, no R: both renames happened: allow connections again on L and K.</li>
 * </ul>
 * Any other state means someone changed the databases by hand; the swap then stops, naming what it
 * found, and changes nothing.
 */
public final class ResumableSwap {
    /** Memory key: where the swap is, written before each action. */
    public static final String STATE = "postgres.swap.state";
    /** Memory key: the name the live database gets (the kept original). */
    public static final String KEPT = "postgres.swap.kept";
    /** Memory key: the database swapped in. */
    public static final String REPLACEMENT = "postgres.swap.replacement";
    /** Memory key: the live database's ALLOW_CONNECTIONS before the swap blocked it. */
    public static final String LIVE_ALLOW = "postgres.swap.liveAllowConnections";
    /** Memory key: the replacement's ALLOW_CONNECTIONS before the swap blocked it. */
    public static final String REPLACEMENT_ALLOW = "postgres.swap.replacementAllowConnections";

    static final String BLOCKING = "blocking";
    static final String RENAMING_LIVE = "renaming-live";
    static final String RENAMING_REPLACEMENT = "renaming-replacement";
    static final String ALLOWING = "allowing";
    static final String DONE = "done";
    static final String UNDONE = "undone";

    private static final Logger LOG = LoggerFactory.getLogger(ResumableSwap.class);

    /** Work done while the live database has no session but the swap's own one (data-loss count). */
    @FunctionalInterface
    public interface WhileQuiet {
        /**
         * @param live a connection to the live database; every other session is gone and no new one can start
         * @throws SQLException on failure; the swap is undone
         */
        void run(Connection live) throws SQLException;
    }

    /** Work before the swap starts, such as copying the live database's settings to the replacement. */
    @FunctionalInterface
    public interface BeforeSwap {
        /**
         * @param maintenance the maintenance connection
         * @throws SQLException on failure; nothing was swapped
         */
        void run(Connection maintenance) throws SQLException;
    }

    private final StepContext ctx;
    private final PgEndpoint ep;
    private final String live;

    /**
     * @param ctx the step's context (its memory holds the swap's state)
     * @param ep  the endpoint; its database is the live name
     */
    public ResumableSwap(StepContext ctx, PgEndpoint ep) {
        this.ctx = ctx;
        this.ep = ep;
        this.live = ep.database();
    }

    /**
     * @param ctx a step's context
     * @return whether an earlier attempt of the step started a swap that was neither finished nor undone
     */
    public static boolean interrupted(StepContext ctx) {
        Optional<String> s = ctx.recall(STATE);
        return s.isPresent() && !s.get().equals(DONE) && !s.get().equals(UNDONE);
    }

    /**
     * @param ctx a step's context
     * @return whether the step's swap finished in an earlier attempt
     */
    public static boolean finished(StepContext ctx) {
        return ctx.recall(STATE).filter(DONE::equals).isPresent();
    }

    /**
     * @param ctx a step's context
     * @return whether the step started a swap that was not undone (finished or not)
     */
    public static boolean started(StepContext ctx) {
        return ctx.recall(STATE).filter(s -> !s.equals(UNDONE)).isPresent();
    }

    /**
     * @param ctx a step's context
     * @return the kept name the swap chose, if it started
     */
    public static Optional<String> kept(StepContext ctx) {
        return ctx.recall(KEPT);
    }

    /**
     * Swaps {@code replacement} in, or completes the swap an earlier attempt started.
     *
     * @param replacement the database to swap in (ignored when resuming: the remembered one is used)
     * @param keptSuffix  the suffix of the kept original's name, such as {@code _before_rollback_20250101_120000}
     * @param before      work before a fresh swap starts, or null
     * @param whileQuiet  work while the live database is quiet, or null
     * @return the kept original's name
     * @throws SQLException on a failure; a swap that fails (not killed) is undone first
     */
    public String run(String replacement, String keptSuffix, BeforeSwap before, WhileQuiet whileQuiet)
            throws SQLException, InterruptedException {
        try (Connection m = ep.maintenance()) {
            if (interrupted(ctx)) {
                return complete(m, whileQuiet);
            }
            if (finished(ctx)) {
                return ctx.recall(KEPT).orElseThrow();
            }
            return fresh(m, replacement, keptSuffix, before, whileQuiet);
        }
    }

    private String fresh(Connection m, String replacement, String keptSuffix, BeforeSwap before, WhileQuiet whileQuiet)
            throws SQLException, InterruptedException {
        if (!DatabaseAdmin.exists(m, live)) {
            throw new PostgresOperationException("Cannot swap '" + replacement + "' in: the live database '" + live + "' does not exist on "
                    + ep.where() + "; nothing was changed. If an earlier rollback left it renamed, rename it back or resume that rollback.");
        }
        if (!DatabaseAdmin.exists(m, replacement)) {
            throw new PostgresOperationException("Cannot swap '" + replacement + "' in as '" + live + "': it does not exist on " + ep.where()
                    + "; nothing was changed.");
        }
        String kept = ctx.recall(KEPT).filter(k -> !exists(m, k)).orElse(null);
        if (kept == null) {
            kept = DatabaseAdmin.unusedName(m, live, keptSuffix);
        }
        if (before != null) {
            before.run(m);
        }
        // Remembered before anything is blocked: a resume must put back what was there, not "false".
        DatabaseAdmin.DatabaseProps liveProps = DatabaseAdmin.props(m, live);
        DatabaseAdmin.DatabaseProps replProps = DatabaseAdmin.props(m, replacement);
        ctx.remember(REPLACEMENT, replacement);
        ctx.remember(KEPT, kept);
        ctx.remember(LIVE_ALLOW, Boolean.toString(liveProps.allowConn()));
        ctx.remember(REPLACEMENT_ALLOW, Boolean.toString(replProps.allowConn()));
        ctx.progress("swapping " + replacement + " in as " + live + "; the current " + live + " is kept as " + kept
                + ". If this process dies during the swap, the application has no usable database until run " + ctx.runId()
                + " is resumed (--resume " + ctx.runId() + "), which completes the swap");
        renameBoth(m, replacement, kept, whileQuiet);
        allow(m, kept);
        return kept;
    }

    /** The two renames of a swap (live to kept, replacement to live), undone as far as they went when either fails. */
    private void renameBoth(Connection m, String replacement, String kept, WhileQuiet whileQuiet) throws SQLException, InterruptedException {
        try {
            blockAndRenameLive(m, replacement, kept, whileQuiet);
            renameReplacement(m, replacement);
        } catch (SQLException | RuntimeException | InterruptedException e) {
            undo(m, replacement, kept, e);
            throw e;
        }
    }

    private String complete(Connection m, WhileQuiet whileQuiet) throws SQLException, InterruptedException {
        String state = ctx.recall(STATE).orElseThrow();
        String replacement = ctx.recall(REPLACEMENT).orElseThrow();
        String kept = ctx.recall(KEPT).orElseThrow();
        boolean l = DatabaseAdmin.exists(m, live);
        boolean r = DatabaseAdmin.exists(m, replacement);
        boolean k = DatabaseAdmin.exists(m, kept);
        String found = "'" + live + "' " + (l ? "exists" : "is missing") + ", '" + replacement + "' " + (r ? "exists" : "is missing")
                + ", '" + kept + "' " + (k ? "exists" : "is missing");
        if (l && r && !k) {
            ctx.progress("an earlier attempt was stopped inside the swap (" + state + "; " + found + "): the renames had not "
                    + "happened; blocking connections and swapping " + replacement + " in now");
            renameBoth(m, replacement, kept, whileQuiet);
        } else if (!l && r && k) {
            ctx.progress("an earlier attempt was stopped inside the swap (" + state + "; " + found + "): '" + live
                    + "' had been renamed to '" + kept + "'; completing the swap by renaming " + replacement + " to " + live);
            renameReplacement(m, replacement);
        } else if (l && !r && k) {
            ctx.progress("an earlier attempt was stopped inside the swap (" + state + "; " + found + "): both renames had "
                    + "happened; allowing connections again on " + live + " and " + kept);
        } else {
            throw new PostgresOperationException("Cannot complete the swap an earlier attempt of run " + ctx.runId() + " started (" + state
                    + "): on " + ep.where() + " " + found + ", which no step of the swap leaves behind, so the databases were changed "
                    + "by hand. Nothing was changed now. Put them back as the swap left them (" + live + " and " + replacement
                    + " before the renames, or " + replacement + " and " + kept + " after the first), then resume the run.");
        }
        allow(m, kept);
        return kept;
    }

    private void blockAndRenameLive(Connection m, String replacement, String kept, WhileQuiet whileQuiet)
            throws SQLException, InterruptedException {
        ctx.remember(STATE, BLOCKING);
        Connection counter = null;
        try {
            long keep = -1;
            if (whileQuiet != null) {
                counter = ep.connect(live);
                keep = DatabaseAdmin.backendPid(counter);
            }
            DatabaseAdmin.setAllowConnections(m, live, false);
            DatabaseAdmin.setAllowConnections(m, replacement, false);
            int n = DatabaseAdmin.terminateExcept(m, live, keep) + DatabaseAdmin.terminate(m, replacement, null);
            LOG.info("Swap: terminated {} sessions on '{}' and '{}'", n, live, replacement);
            if (n > 0) {
                ctx.progress("terminated " + n + " sessions on " + live + " and " + replacement + " for the swap");
            }
            if (counter != null) {
                whileQuiet.run(counter);
            }
        } finally {
            if (counter != null) {
                counter.close();
            }
        }
        ctx.remember(STATE, RENAMING_LIVE);
        DatabaseAdmin.renameWithRetry(m, live, kept);
    }

    private void renameReplacement(Connection m, String replacement) throws SQLException, InterruptedException {
        ctx.remember(STATE, RENAMING_REPLACEMENT);
        // A resume finds it blocked already; block again in case the first attempt died before that.
        DatabaseAdmin.setAllowConnections(m, replacement, false);
        DatabaseAdmin.terminate(m, replacement, null);
        DatabaseAdmin.renameWithRetry(m, replacement, live);
    }

    private void allow(Connection m, String kept) throws SQLException {
        ctx.remember(STATE, ALLOWING);
        boolean allow = Boolean.parseBoolean(ctx.recall(LIVE_ALLOW).orElse("true"));
        DatabaseAdmin.setAllowConnections(m, live, allow);
        DatabaseAdmin.setAllowConnections(m, kept, allow);
        ctx.remember(STATE, DONE);
    }

    // A swap that failed (not killed) is put back as it was: the live database under its name,
    // connections as before; the next attempt starts it afresh.
    private void undo(Connection m, String replacement, String kept, Exception cause) {
        try {
            if (!DatabaseAdmin.exists(m, live) && DatabaseAdmin.exists(m, kept)) {
                DatabaseAdmin.execute(m, "ALTER DATABASE " + Sql.ident(kept) + " RENAME TO " + Sql.ident(live));
            }
            DatabaseAdmin.setAllowConnections(m, live, Boolean.parseBoolean(ctx.recall(LIVE_ALLOW).orElse("true")));
            if (DatabaseAdmin.exists(m, replacement)) {
                DatabaseAdmin.setAllowConnections(m, replacement, Boolean.parseBoolean(ctx.recall(REPLACEMENT_ALLOW).orElse("true")));
            }
            ctx.remember(STATE, UNDONE);
        } catch (SQLException | RuntimeException undo) {
            cause.addSuppressed(undo);
        }
    }

    /**
     * Puts back what an interrupted swap left, for an abandoned run: the live database under its
     * name (when only the first rename happened) and connections allowed. A finished swap stays.
     *
     * @return what was done, one line each
     * @throws SQLException on failure
     */
    public List<String> putBackForAbandon() throws SQLException {
        List<String> done = new ArrayList<>();
        if (!interrupted(ctx)) {
            return done;
        }
        String replacement = ctx.recall(REPLACEMENT).orElseThrow();
        String kept = ctx.recall(KEPT).orElseThrow();
        boolean allow = Boolean.parseBoolean(ctx.recall(LIVE_ALLOW).orElse("true"));
        try (Connection m = ep.maintenance()) {
            boolean l = DatabaseAdmin.exists(m, live);
            boolean r = DatabaseAdmin.exists(m, replacement);
            boolean k = DatabaseAdmin.exists(m, kept);
            if (!l && r && k) {
                DatabaseAdmin.execute(m, "ALTER DATABASE " + Sql.ident(kept) + " RENAME TO " + Sql.ident(live));
                done.add("database " + kept + " renamed back to " + live + " (the abandoned swap had renamed it; " + replacement
                        + " was never swapped in)");
                l = true;
                k = false;
            }
            if (l) {
                DatabaseAdmin.setAllowConnections(m, live, allow);
                done.add("connections allowed again on database " + live);
            }
            if (k) {
                DatabaseAdmin.setAllowConnections(m, kept, allow);
            }
            if (DatabaseAdmin.exists(m, replacement)) {
                DatabaseAdmin.setAllowConnections(m, replacement, Boolean.parseBoolean(ctx.recall(REPLACEMENT_ALLOW).orElse("true")));
            }
        }
        return done;
    }

    private static boolean exists(Connection m, String db) {
        try {
            return DatabaseAdmin.exists(m, db);
        } catch (SQLException e) {
            throw new PostgresOperationException("Could not list databases: " + e.getMessage(), e);
        }
    }
}
