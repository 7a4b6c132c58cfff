package dev.rollback.postgres;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.postgres.internal.DatabaseAdmin;
import dev.rollback.postgres.internal.DumpArchive;
import dev.rollback.postgres.internal.DumpFiles;
import dev.rollback.postgres.internal.PgCommands;
import dev.rollback.postgres.internal.PgEndpoint;
import dev.rollback.postgres.internal.PgTools;
import dev.rollback.postgres.internal.ResumableSwap;
import dev.rollback.postgres.internal.Sql;
import dev.rollback.postgres.internal.TableRestore;
import dev.rollback.process.CommandResult;
import dev.rollback.process.StepProcesses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Restores a database from a dump made by {@code pg_dump} (custom, directory or plain format).
 *
 * <p><b>Safe strategy</b> (the default for a full restore): create a new database
 * {@code <db>_rollback_<utc time>}, restore into it, run the given checks on it, copy the live
 * database's settings and grants to it, then swap: block new connections, terminate sessions,
 * rename the live database to {@code <db>_before_rollback_<utc time>} (kept for forensics, never
 * dropped) and the new one to the live name. A failed restore or check leaves the live database
 * untouched and the new one in place for forensics, named in the {@link PostgresRestoreFailedException}.
 * Publishes {@code postgres.restore.database} and {@code postgres.forensicDatabase}.
 *
 * <p><b>In place</b> ({@link #inPlace()}, and always for {@link #tables(String...)}): {@code pg_restore
 * --clean --if-exists --exit-on-error} into the live database, as the seeds do. Refuses when other
 * sessions hold the database, unless {@link #terminatingSessions()}.
 *
 * <pre>{@code
 * Postgres pg = Postgres.at("jdbc:postgresql://db:5432/nextcrm").user("postgres").password(pw);
 * plan.restore(pg.restore(Path.of("/backups/nextcrm.dump"))
 *         .jobs(2)
 *         .verifyWith(db -> db.rowCountsMatch(RowCountManifest.forDump(Path.of("/backups/nextcrm.dump"))))
 *         .verifyWith(db -> db.foreignKeysValid()));
 * plan.restore(pg.restore(Path.of("/backups/nextcrm.dump")).tables("products", "categories"));   // partial, in place
 * }</pre>
 */
public final class RestoreStep implements Step {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreStep.class);

    private record Options(Path dump, int jobs, List<String> tables, boolean singleTransaction, boolean inPlace,
                           boolean terminateSessions, List<Function<Postgres, Check>> checks, boolean withConstraints) {
        Options withJobs(int n) {
            return new Options(dump, n, tables, singleTransaction, inPlace, terminateSessions, checks, withConstraints);
        }

        Options withTables(List<String> t) {
            return new Options(dump, jobs, t, singleTransaction, inPlace, terminateSessions, checks, withConstraints);
        }

        Options withSingleTransaction() {
            return new Options(dump, jobs, tables, true, inPlace, terminateSessions, checks, withConstraints);
        }

        Options withInPlace() {
            return new Options(dump, jobs, tables, singleTransaction, true, terminateSessions, checks, withConstraints);
        }

        Options withTerminateSessions() {
            return new Options(dump, jobs, tables, singleTransaction, inPlace, true, checks, withConstraints);
        }

        Options withChecks(List<Function<Postgres, Check>> c) {
            return new Options(dump, jobs, tables, singleTransaction, inPlace, terminateSessions, c, withConstraints);
        }

        Options withTableConstraints() {
            return new Options(dump, jobs, tables, singleTransaction, inPlace, terminateSessions, checks, true);
        }
    }

    private final Postgres pg;
    private final Options o;

    RestoreStep(Postgres pg, Path dump) {
        this(pg, new Options(Objects.requireNonNull(dump, "dump"), 1, List.of(), false, false, false, List.of(), false));
    }

    private RestoreStep(Postgres pg, Options o) {
        this.pg = pg;
        this.o = o;
    }

    /**
     * @param n parallel pg_restore jobs, for custom and directory dumps
     * @return a copy with that many jobs
     */
    public RestoreStep jobs(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("jobs must be at least 1, got " + n);
        }
        if (n > 1 && o.singleTransaction) {
            throw new IllegalArgumentException("pg_restore cannot run parallel jobs in a single transaction; choose jobs(" + n + ") or singleTransaction()");
        }
        return new RestoreStep(pg, o.withJobs(n));
    }

    /**
     * Restores only these tables, in place ({@code --clean --if-exists --table}), as in a partial
     * rollback. A {@code schema.table} name becomes {@code --schema schema --table table}.
     *
     * @param names the tables
     * @return a copy restoring only those
     */
    public RestoreStep tables(String... names) {
        if (names.length == 0) {
            throw new IllegalArgumentException("tables(...) needs at least one table name");
        }
        return new RestoreStep(pg, o.withTables(List.of(names)));
    }

    /** @return a copy that restores in one transaction ({@code --single-transaction}): all or nothing */
    public RestoreStep singleTransaction() {
        if (o.jobs > 1) {
            throw new IllegalArgumentException("pg_restore cannot run a single transaction with parallel jobs; remove jobs(" + o.jobs + ")");
        }
        return new RestoreStep(pg, o.withSingleTransaction());
    }

    /** @return a copy that restores into the live database with {@code --clean --if-exists} instead of new-then-swap */
    public RestoreStep inPlace() {
        return new RestoreStep(pg, o.withInPlace());
    }

    /**
     * Restores the chosen {@link #tables(String...) tables} with what belongs to them, which
     * pg_restore's {@code --table} leaves out: primary keys, unique and check constraints, indexes,
     * foreign keys, column defaults, owned sequences and their values, triggers, comments and grants,
     * picked from the archive's table of contents and restored with {@code pg_restore --use-list}
     * ({@code --clean --if-exists}, in one transaction unless {@link #jobs(int)} asks for parallel jobs).
     * Foreign keys of other tables that point at a restored table (such as {@code sale_items} →
     * {@code sales} when only {@code sales} is restored) are dropped before and added back after, as
     * {@code NOT VALID} when the restored rows no longer satisfy them (named in the output
     * {@code postgres.restore.notValidForeignKeys}). Views on the tables must be dropped first, as
     * pg_restore does not cascade.
     *
     * <pre>{@code
     * plan.restore(pg.restore(backup).tables("products", "sales", "tickets").withConstraints());
     * }</pre>
     *
     * @return a copy that restores the tables' constraints, indexes and foreign keys too
     * @throws IllegalStateException when no tables were chosen
     */
    public RestoreStep withConstraints() {
        if (o.tables.isEmpty()) {
            throw new IllegalStateException("withConstraints() restores the constraints of chosen tables: call tables(...) first "
                    + "(a whole-database restore brings every constraint already)");
        }
        return new RestoreStep(pg, o.withTableConstraints());
    }

    /** @return a copy that terminates other sessions on the live database before an in-place restore instead of refusing */
    public RestoreStep terminatingSessions() {
        return new RestoreStep(pg, o.withTerminateSessions());
    }

    /**
     * Adds a check to run on the newly restored database before it is swapped in (safe strategy).
     * The function gets a {@link Postgres} pointed at the new database.
     *
     * @param check makes the check for a database
     * @return a copy with the check
     */
    public RestoreStep verifyWith(Function<Postgres, Check> check) {
        List<Function<Postgres, Check>> c = new ArrayList<>(o.checks);
        c.add(Objects.requireNonNull(check, "check"));
        return new RestoreStep(pg, o.withChecks(List.copyOf(c)));
    }

    private boolean safe() {
        return !o.inPlace && o.tables.isEmpty();
    }

    @Override
    public String name() {
        return "restore " + pg.databaseName() + " from " + o.dump.getFileName();
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
        return describe(name(), safe() ? "safe: restore into a new database, verify, swap; old database kept"
                : "in place: --clean --if-exists" + (o.terminateSessions ? ", terminating sessions" : ", refusing if sessions"));
    }

    /**
     * The non-destructive first half of the safe restore, to run while the application still serves:
     * restore into a new database and verify it; {@link Postgres#swapIn(PreparedRestore)} swaps it in later.
     *
     * @return the prepare step
     * @throws IllegalStateException for an in-place or partial restore, which has no copy to prepare
     */
    public PreparedRestore prepare() {
        if (!safe()) {
            throw new IllegalStateException("prepare() needs the safe strategy (a new database swapped in); "
                    + (o.inPlace ? "remove inPlace()" : "a restore of chosen tables runs in place; remove tables(...)"));
        }
        return new PreparedRestore(pg, this);
    }

    Path dump() {
        return o.dump;
    }

    StepDescription describe(String stepName, String strategy) {
        StepDescription d = StepDescription.of(stepName).param("server", pg.endpoint().where()).param("dump", o.dump)
                .param("strategy", strategy)
                .param("jobs", o.jobs).param("tables", o.tables.isEmpty() ? "all" : String.join(",", o.tables))
                .param("singleTransaction", oneTransaction());
        if (o.withConstraints) {
            d = d.param("with constraints", "primary keys, unique and check constraints, indexes, foreign keys, defaults, owned sequences, "
                    + "triggers, comments and grants of the tables, chosen from the archive's table of contents (pg_restore --use-list); "
                    + "foreign keys of other tables pointing at them dropped before and added back after");
        }
        Postgres placeholder = pg.database(pg.databaseName() + "_rollback_<utc time>");
        int n = 0;
        for (Function<Postgres, Check> f : o.checks) {
            n++;
            d = d.param("check " + n + " on new database", f.apply(placeholder).describe().summary());
        }
        String target = safe() ? pg.databaseName() + "_rollback_<utc time>" : pg.databaseName();
        return d.command(restoreArgv("pg_restore", DumpFormat.CUSTOM, target));
    }

    List<String> restoreArgv(String tool, DumpFormat format, String db) {
        return restoreArgv(tool, format, db, o.withConstraints ? Path.of("<run folder>", listName()) : null);
    }

    // The --use-list file of a restore of chosen tables with their constraints.
    private String listName() {
        return "restore-" + pg.databaseName() + "-tables.list";
    }

    private boolean oneTransaction() {
        return o.singleTransaction || o.withConstraints && o.jobs == 1;
    }

    private List<String> restoreArgv(String tool, DumpFormat format, String db, Path useList) {
        PgEndpoint ep = pg.endpoint();
        List<String> a = new ArrayList<>();
        a.add(tool);
        if (format == DumpFormat.PLAIN) {
            a.addAll(List.of("--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"));
            if (o.singleTransaction) {
                a.add("--single-transaction");
            }
            a.addAll(PgCommands.connectionArgs(ep, db));
            a.add("--file=" + o.dump);
            return a;
        }
        a.add("--exit-on-error");
        if (!safe()) {
            a.add("--clean");
            a.add("--if-exists");
        }
        if (o.jobs > 1) {
            a.add("--jobs=" + o.jobs);
        }
        if (oneTransaction()) {
            a.add("--single-transaction");
        }
        if (useList != null) {
            a.add("--use-list=" + useList);
        }
        for (String t : useList != null ? List.<String>of() : o.tables) {
            int dot = t.indexOf('.');
            if (dot > 0) {
                a.add("--schema=" + t.substring(0, dot));
                a.add("--table=" + t.substring(dot + 1));
            } else {
                a.add("--table=" + t);
            }
        }
        a.addAll(PgCommands.connectionArgs(ep, db));
        a.add(o.dump.toString());
        return a;
    }

    /** Step-memory keys of the safe restore, also read by {@link PreparedRestore} and its swap. */
    static final String TARGET = "postgres.restore.target";
    static final String PHASE = "postgres.restore.phase";
    static final String LEFTOVERS = "postgres.restore.leftovers";
    static final String IN_PLACE_STARTED = "postgres.restore.inPlaceStarted";
    static final String INCOMING = "postgres.restore.incomingForeignKeys";
    private static final String CREATING = "creating";
    private static final String RESTORING = "restoring";
    private static final String RESTORED = "restored";
    private static final String VERIFIED = "verified";
    private static final String FAILED = "failed";
    private static final String RENAMED_IN = "renamed-in";

    @Override
    public void execute(StepContext ctx) throws Exception {
        if (safe() && ResumableSwap.started(ctx)) {
            // The swap began in an earlier attempt: complete it (or report it) from memory and the
            // server's state, without reading the dump, asking the live database for its version,
            // or restoring again.
            swap(ctx, ctx.recall(ResumableSwap.REPLACEMENT).orElseThrow(), null);
            return;
        }
        if (safe()) {
            String fresh = prepare(ctx);
            swap(ctx, fresh, null);
        } else {
            PgEndpoint ep = pg.endpoint();
            DumpFormat format = checkedFormat();
            PgTools.Tool tool = PgCommands.tool(ep, format == DumpFormat.PLAIN ? "psql" : "pg_restore");
            restoreInPlace(ctx, ep, format, tool);
        }
    }

    private DumpFormat checkedFormat() {
        DumpFormat format = DumpFiles.detect(o.dump);
        if (format == DumpFormat.PLAIN && (o.jobs > 1 || !o.tables.isEmpty())) {
            throw new IllegalArgumentException("Backup " + o.dump + " is a plain SQL dump: psql restores it with one job and all tables; "
                    + "remove jobs(...) and tables(...), or use a custom or directory dump");
        }
        return format;
    }

    private void restoreInPlace(StepContext ctx, PgEndpoint ep, DumpFormat format, PgTools.Tool tool) throws Exception {
        String live = ep.database();
        if (ctx.recall(IN_PLACE_STARTED).isPresent()) {
            killLeftoverTools(ctx);
        }
        if (format != DumpFormat.PLAIN) {
            DumpFiles.verifyReadable(ep, tool.path(), o.dump);
        }
        try (Connection c = ep.connect()) {
            List<DatabaseAdmin.Session> sessions = DatabaseAdmin.sessions(c, live, null);
            if (!sessions.isEmpty()) {
                if (!o.terminateSessions) {
                    throw new ActiveSessionsException("Database '" + live + "' still has " + DatabaseAdmin.summarize(sessions)
                            + "; an in-place restore under live sessions would block on their locks or mix old and new data. Nothing was changed. "
                            + "Stop the application first, add a terminateConnections step, or use restore(...).terminatingSessions().");
                }
                int n = DatabaseAdmin.terminate(c, live, null);
                ctx.progress("terminated " + n + " sessions on " + live);
            }
        }
        ctx.remember(IN_PLACE_STARTED, "true");
        Path useList = null;
        List<TableRestore.ForeignKey> incoming = List.of();
        if (o.withConstraints) {
            List<DumpArchive.TocEntry> entries = TableRestore.entries(o.dump, DumpArchive.tableOfContents(o.dump), o.tables);
            useList = ctx.runDirectory().resolve(listName());
            OwnerOnlyFiles.writeLines(useList, entries.stream().map(DumpArchive.TocEntry::listLine).toList());
            ctx.output("postgres.restore.entries", Integer.toString(entries.size()));
            ctx.progress("restoring " + entries.size() + " entries of " + String.join(", ", o.tables) + " (" + kinds(entries)
                    + ") with pg_restore --use-list=" + useList);
            incoming = incomingForeignKeys(ctx, ep);
        }
        ctx.progress("restoring " + o.dump + " into " + live + " in place with " + tool.path().getFileName() + " " + tool.version());
        CommandResult r;
        try {
            r = PgCommands.run(ep, restoreArgv(tool.path().toString(), format, live, useList), ctx);
        } finally {
            if (!incoming.isEmpty()) {
                addBack(ctx, ep, incoming);
            }
        }
        if (r.exitCode() != 0) {
            throw new PostgresRestoreFailedException("In-place restore of " + live + " from " + o.dump + " failed: " + tool.path().getFileName()
                    + " exited with " + r.exitCode() + ": " + PgCommands.tail(r.stderrText()) + ". The database '" + live + "' may be "
                    + (oneTransaction() ? "unchanged (single transaction rolled back)" : "partly restored")
                    + "; fix the cause and run the step again (it cleans before restoring).", null);
        }
        LOG.info("Restored {} in place from {}", live, o.dump);
    }

    private static String kinds(List<DumpArchive.TocEntry> entries) {
        Map<String, Integer> byKind = new TreeMap<>();
        entries.forEach(e -> byKind.merge(e.desc().toLowerCase(Locale.ROOT), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        byKind.forEach((k, n) -> parts.add(n + " " + k));
        return String.join(", ", parts);
    }

    // Foreign keys of other tables pointing at the restored ones block dropping them: remembered,
    // then dropped; added back after the restore (also by a resume, from memory).
    private List<TableRestore.ForeignKey> incomingForeignKeys(StepContext ctx, PgEndpoint ep) throws SQLException {
        List<TableRestore.ForeignKey> incoming = ctx.recall(INCOMING).map(TableRestore::parse).orElse(null);
        try (Connection c = ep.connect()) {
            if (incoming == null) {
                incoming = TableRestore.incoming(c, o.tables);
                ctx.remember(INCOMING, TableRestore.serialize(incoming));
            }
            if (!incoming.isEmpty()) {
                TableRestore.drop(c, incoming);
                ctx.progress("dropped " + incoming.size() + " foreign keys of other tables that point at the restored ones ("
                        + String.join(", ", incoming.stream().map(TableRestore.ForeignKey::describe).toList())
                        + "); they are added back after the restore");
            }
        }
        return incoming;
    }

    private void addBack(StepContext ctx, PgEndpoint ep, List<TableRestore.ForeignKey> incoming) {
        try (Connection c = ep.connect()) {
            List<TableRestore.ForeignKey> notValid = TableRestore.addBack(c, incoming);
            ctx.progress("added back " + incoming.size() + " foreign keys of other tables" + (notValid.isEmpty() ? ""
                    : "; " + notValid.size() + " as NOT VALID because the restored rows no longer satisfy them: "
                    + String.join(", ", notValid.stream().map(TableRestore.ForeignKey::describe).toList())
                    + " (new rows are checked; fix the orphans, then VALIDATE CONSTRAINT)"));
            if (!notValid.isEmpty()) {
                ctx.output("postgres.restore.notValidForeignKeys", String.join(", ", notValid.stream().map(TableRestore.ForeignKey::describe).toList()));
            }
        } catch (SQLException e) {
            throw new PostgresOperationException("The foreign keys of other tables that point at " + String.join(", ", o.tables)
                    + " could not be added back: " + e.getMessage() + ". Run the step again (it adds back what is missing), or add them "
                    + "by hand: " + String.join("; ", incoming.stream().map(k -> "ALTER TABLE " + k.table() + " ADD CONSTRAINT "
                    + Sql.ident(k.name()) + " " + k.definition()).toList()), e);
        }
    }

    private static void killLeftoverTools(StepContext ctx) {
        List<String> killed = StepProcesses.killLeftovers(ctx);
        if (!killed.isEmpty()) {
            ctx.progress("killed " + String.join(", ", killed) + ", left running by an earlier attempt of this step that was killed");
        }
    }

    /**
     * Restores the dump into a new database and runs the checks on it, once per run: the target's
     * name and how far it got are in the step's memory, so that a later attempt (a retry, a resume
     * after a kill) reuses a copy that was restored and verified, drops and redoes one whose
     * restore was interrupted (after killing the tools the killed attempt left running), and says
     * which.
     *
     * @return the verified database
     */
    String prepare(StepContext ctx) throws Exception {
        PgEndpoint ep = pg.endpoint();
        String live = ep.database();
        String target = ctx.recall(TARGET).orElse(null);
        String phase = ctx.recall(PHASE).orElse(null);
        if (target != null) {
            killLeftoverTools(ctx);
            try (Connection m = ep.maintenance()) {
                boolean exists = DatabaseAdmin.exists(m, target);
                if (VERIFIED.equals(phase) && exists) {
                    ctx.progress("reusing " + target + ": an earlier attempt of this run restored it from " + o.dump
                            + " and its checks passed; not restoring again");
                    ctx.output("postgres.restore.database", target);
                    return target;
                }
                if (FAILED.equals(phase)) {
                    // Kept for forensics as the failure said; the new attempt restores into a new name.
                    addLeftover(ctx, target);
                    target = null;
                } else if (RESTORED.equals(phase) && exists) {
                    ctx.progress("reusing " + target + ": an earlier attempt of this run restored it from " + o.dump
                            + "; running its checks again");
                    return verify(ctx, target);
                } else if (exists) {
                    guardDroppable(live, target);
                    DatabaseAdmin.dropCreatedByRun(m, target);
                    ctx.progress("dropped " + target + ", the partial restore an earlier attempt of this run left when it was stopped; "
                            + "restoring again into a new " + target);
                }
            }
        }
        DumpFormat format = checkedFormat();
        PgTools.Tool tool = PgCommands.tool(ep, format == DumpFormat.PLAIN ? "psql" : "pg_restore");
        if (format != DumpFormat.PLAIN) {
            DumpFiles.verifyReadable(ep, tool.path(), o.dump);
        }
        boolean liveExists;
        try (Connection m = ep.maintenance()) {
            liveExists = DatabaseAdmin.exists(m, live);
            if (target == null) {
                target = DatabaseAdmin.unusedName(m, live, "_rollback_" + DumpFiles.stamp(ctx.clock()));
                ctx.remember(TARGET, target);
            }
            ctx.remember(PHASE, CREATING);
            if (liveExists) {
                DatabaseAdmin.createEmptyLike(m, live, target);
            } else {
                DatabaseAdmin.execute(m, "CREATE DATABASE " + Sql.ident(target) + " TEMPLATE template0");
            }
        } catch (SQLException e) {
            throw new PostgresRestoreFailedException("Could not create a new database" + (target == null ? "" : " '" + target + "'") + " for the restore: "
                    + e.getMessage() + ". The live database '" + live + "' was not touched. Check that the user may CREATE DATABASE.", null);
        }
        ctx.output("postgres.restore.database", target);
        ctx.remember(PHASE, RESTORING);
        ctx.progress("restoring " + o.dump + " into new database " + target + " with " + tool.path().getFileName() + " " + tool.version());
        CommandResult r = PgCommands.run(ep, restoreArgv(tool.path().toString(), format, target), ctx);
        if (r.exitCode() != 0) {
            failed(ctx, target, "partial restore from " + o.dump.getFileName() + " that failed");
            throw new PostgresRestoreFailedException("Restore of " + o.dump + " into the new database '" + target + "' failed: "
                    + tool.path().getFileName() + " exited with " + r.exitCode() + ": " + PgCommands.tail(r.stderrText())
                    + ". The live database '" + live + "' was not touched. The partly restored database '" + target
                    + "' is kept for forensics; drop it when done (DROP DATABASE \"" + target + "\").", target);
        }
        ctx.remember(PHASE, RESTORED);
        return verify(ctx, target);
    }

    private String verify(StepContext ctx, String target) throws Exception {
        Postgres restored = pg.database(target);
        List<String> failures = new ArrayList<>();
        for (Function<Postgres, Check> f : o.checks) {
            Check check = f.apply(restored);
            CheckResult result = check.check(ctx);
            ctx.progress("check on " + target + ": " + result.summary());
            ctx.checkResult(result);   // journaled with the restore, for the report's verification results
            if (!result.isPassed()) {
                failures.add(result.summary());
            }
        }
        if (!failures.isEmpty()) {
            failed(ctx, target, "restored copy that failed its checks");
            throw new PostgresRestoreFailedException("The restored database '" + target + "' failed its checks: " + String.join("; ", failures)
                    + ". It was not swapped in; the live database '" + pg.databaseName() + "' was not touched. '" + target
                    + "' is kept for forensics; drop it when done.", target);
        }
        ctx.remember(PHASE, VERIFIED);
        ctx.output("postgres.restore.database", target);
        return target;
    }

    private void failed(StepContext ctx, String target, String what) {
        ctx.remember(PHASE, FAILED);
        ctx.output("leftover.postgres." + target, "database " + target + " (" + what + "; kept for forensics: drop it when done, "
                + "DROP DATABASE \"" + target + "\")");
    }

    private static void addLeftover(StepContext ctx, String db) {
        List<String> all = leftovers(ctx);
        if (!all.contains(db)) {
            List<String> more = new ArrayList<>(all);
            more.add(db);
            ctx.remember(LEFTOVERS, String.join("\n", more));
        }
    }

    private static List<String> leftovers(StepContext ctx) {
        return ctx.recall(LEFTOVERS).filter(s -> !s.isEmpty()).map(s -> List.of(s.split("\n"))).orElse(List.of());
    }

    // Only a database this run created for its restore is ever dropped: never the live one, never a kept original.
    private static void guardDroppable(String live, String db) {
        if (db.equals(live) || db.contains("_before_rollback_")) {
            throw new IllegalStateException("refusing to drop '" + db + "': it is the live database or a kept original");
        }
    }

    /**
     * Swaps the verified copy in (or completes a swap an earlier attempt started) and publishes
     * what is kept and what is left over.
     */
    void swap(StepContext ctx, String target, ResumableSwap.WhileQuiet whileQuiet) throws Exception {
        PgEndpoint ep = pg.endpoint();
        String live = ep.database();
        ctx.output("postgres.restore.database", target);
        if (RENAMED_IN.equals(ctx.recall(PHASE).orElse(null))) {
            ctx.progress(target + " was renamed to " + live + " by an earlier attempt of this run (there was no live database to keep)");
            return;
        }
        if (!ResumableSwap.started(ctx)) {
            try (Connection m = ep.maintenance()) {
                if (!DatabaseAdmin.exists(m, live)) {
                    DatabaseAdmin.execute(m, "ALTER DATABASE " + Sql.ident(target) + " RENAME TO " + Sql.ident(live));
                    ctx.remember(PHASE, RENAMED_IN);
                    ctx.progress("live database " + live + " did not exist; renamed " + target + " to it");
                    return;
                }
            }
        }
        String kept;
        try {
            kept = new ResumableSwap(ctx, ep).run(target, "_before_rollback_" + DumpFiles.stamp(ctx.clock()),
                    m -> DatabaseAdmin.copySettings(m, live, target), whileQuiet);
        } catch (SQLException e) {
            throw new PostgresRestoreFailedException("Restore into '" + target + "' succeeded, but swapping it in as '" + live + "' failed: "
                    + e.getMessage() + ". The live database '" + live + "' keeps its name and its connection settings were put back; '"
                    + target + "' holds the restored data. Fix the cause (sessions that cannot be terminated, permissions) and run the "
                    + "step again: it swaps the same copy in without restoring again.", target);
        }
        ctx.output("postgres.forensicDatabase", kept);
        ctx.output("kept.postgres." + live + ".original", "database " + kept + " (the data of " + live + " before the rollback; "
                + "DROP DATABASE \"" + kept + "\" once the team is satisfied)");
        for (String l : leftovers(ctx)) {
            ctx.output("leftover.postgres." + l, "database " + l + " (a restore of an earlier attempt that failed; kept for forensics: "
                    + "drop it when done, DROP DATABASE \"" + l + "\")");
        }
        LOG.info("Restored {} from {} by swap; previous database kept as {}", live, o.dump, kept);
    }

    /**
     * Drops what an abandoned run of this step left: the restored copy that was never swapped in
     * and the copies of failed attempts; puts the live database back under its name if the run
     * was stopped between the swap's renames. The kept original of a finished swap stays.
     */
    @Override
    public List<String> cleanUp(StepContext ctx) throws Exception {
        if (!safe()) {
            return List.of();
        }
        return cleanUpRestore(ctx, true);
    }

    List<String> cleanUpRestore(StepContext ctx, boolean ownsSwap) throws Exception {
        PgEndpoint ep = pg.endpoint();
        String live = ep.database();
        List<String> done = new ArrayList<>();
        if (ownsSwap) {
            done.addAll(new ResumableSwap(ctx, ep).putBackForAbandon());
        }
        List<String> candidates = new ArrayList<>(leftovers(ctx));
        String target = ctx.recall(TARGET).orElse(null);
        boolean swappedIn = ownsSwap && ResumableSwap.finished(ctx) || RENAMED_IN.equals(ctx.recall(PHASE).orElse(null));
        if (target != null && !swappedIn) {
            candidates.add(target);
        }
        String kept = ctx.recall(ResumableSwap.KEPT).orElse(null);
        try (Connection m = ep.maintenance()) {
            for (String db : candidates) {
                if (db.equals(live) || db.equals(kept) || db.contains("_before_rollback_") || !DatabaseAdmin.exists(m, db)) {
                    continue;
                }
                DatabaseAdmin.dropCreatedByRun(m, db);
                done.add("database " + db + " (the restore of " + o.dump.getFileName() + " into it was never swapped in)");
            }
        }
        return done;
    }
}
