package dev.rollback.postgres;

import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.postgres.internal.Inspect;
import dev.rollback.postgres.internal.PgCommands;
import dev.rollback.postgres.internal.PgEndpoint;
import dev.rollback.postgres.internal.PgTools;
import dev.rollback.process.StepProcesses;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Dumps a database with the machine's {@code pg_dump}: custom, directory (in parallel) or plain
 * format, schema only, chosen tables, compression level. Alongside the dump it records a
 * {@link RowCountManifest} taken in the same snapshot as the dump, so that a restore can be
 * verified against it. A relative target is resolved in the run's folder (forensics).
 * Publishes {@code postgres.dump.path}. An existing target is never overwritten unless
 * {@link #replaceExisting()}, or unless this same run wrote it (a resumed run repeating the step);
 * a {@code <dump>.run-id} file next to the dump records which run that was.
 *
 * <pre>{@code
 * plan.capture(Postgres.at(url).password(pw).dump(Path.of("/backups/pre-rollback.dump")));
 * plan.capture(Postgres.at(url).password(pw).dump(Path.of("crm-dir")).format(DumpFormat.DIRECTORY).jobs(2));
 * plan.capture(Postgres.at(url).password(pw).schemaDump(Path.of("schema.sql")));     // into the run folder
 * }</pre>
 */
public final class DumpStep implements Step {
    private final PgEndpoint ep;
    private final Path target;
    private final DumpFormat format;
    private final int jobs;
    private final boolean schemaOnly;
    private final boolean dataOnly;
    private final List<String> tables;
    private final Integer compression;
    private final boolean replaceExisting;
    private final boolean rowCounts;

    DumpStep(PgEndpoint ep, Path target, DumpFormat format, int jobs, boolean schemaOnly, List<String> tables, Integer compression,
             boolean replaceExisting, boolean rowCounts) {
        this(ep, target, format, jobs, schemaOnly, false, tables, compression, replaceExisting, rowCounts);
    }

    private DumpStep(PgEndpoint ep, Path target, DumpFormat format, int jobs, boolean schemaOnly, boolean dataOnly, List<String> tables,
                     Integer compression, boolean replaceExisting, boolean rowCounts) {
        this.dataOnly = dataOnly;
        this.replaceExisting = replaceExisting;
        this.rowCounts = rowCounts;
        this.ep = ep;
        this.target = Objects.requireNonNull(target, "target");
        this.format = format;
        this.jobs = jobs;
        this.schemaOnly = schemaOnly;
        this.tables = List.copyOf(tables);
        this.compression = compression;
    }

    /**
     * @param f the format; custom by default
     * @return a copy with that format
     */
    public DumpStep format(DumpFormat f) {
        return new DumpStep(ep, target, Objects.requireNonNull(f, "format"), jobs, schemaOnly, dataOnly, tables, compression, replaceExisting, rowCounts);
    }

    /**
     * @param n parallel jobs; only for {@link DumpFormat#DIRECTORY}
     * @return a copy with that many jobs
     */
    public DumpStep jobs(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("jobs must be at least 1, got " + n);
        }
        return new DumpStep(ep, target, format, n, schemaOnly, dataOnly, tables, compression, replaceExisting, rowCounts);
    }

    /** @return a copy that dumps the schema only, no data */
    public DumpStep schemaOnly() {
        return new DumpStep(ep, target, format, jobs, true, false, tables, compression, replaceExisting, rowCounts);
    }

    /**
     * The rows only, no schema ({@code pg_dump --data-only}): seed 000's "extract recent data" for a
     * manual migration, with {@link #tables(String...)}.
     *
     * @return a copy that dumps the data only
     */
    public DumpStep dataOnly() {
        return new DumpStep(ep, target, format, jobs, false, true, tables, compression, replaceExisting, rowCounts);
    }

    /**
     * @param names tables to dump ({@code table} or {@code schema.table}); all by default
     * @return a copy dumping only those
     */
    public DumpStep tables(String... names) {
        return new DumpStep(ep, target, format, jobs, schemaOnly, dataOnly, List.of(names), compression, replaceExisting, rowCounts);
    }

    /**
     * @param level 0 (none) to 9 (best)
     * @return a copy with that compression level
     */
    public DumpStep compression(int level) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("compression level must be 0 to 9, got " + level);
        }
        return new DumpStep(ep, target, format, jobs, schemaOnly, dataOnly, tables, level, replaceExisting, rowCounts);
    }

    /** @return a copy that replaces an existing dump at the target (also when a resumed run repeats the step) */
    public DumpStep replaceExisting() {
        return new DumpStep(ep, target, format, jobs, schemaOnly, dataOnly, tables, compression, true, rowCounts);
    }

    /**
     * Skips the row-count manifest, which costs one {@code count(*)} per table in the dump's
     * snapshot; without it {@link Postgres#rowCountsMatch(Path)} has nothing to compare with.
     *
     * @return a copy that records no manifest
     */
    public DumpStep withoutRowCounts() {
        return new DumpStep(ep, target, format, jobs, schemaOnly, dataOnly, tables, compression, replaceExisting, false);
    }

    @Override
    public String name() {
        return (schemaOnly ? "dump schema of " : dataOnly ? "dump data of " : "dump ") + ep.database();
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of(name() + " to " + target).param("server", ep.where()).param("format", format.flag())
                .param("jobs", jobs).param("row-count manifest", !schemaOnly && rowCounts).param("tables", tables.isEmpty() ? "all" : String.join(",", tables))
                .command(argv("pg_dump", target, null));
    }

    private List<String> argv(String tool, Path out, String snapshot) {
        if (jobs > 1 && format != DumpFormat.DIRECTORY) {
            throw new IllegalArgumentException("pg_dump runs parallel jobs only with DumpFormat.DIRECTORY; use format(DIRECTORY) or jobs(1)");
        }
        List<String> a = new ArrayList<>(List.of(tool, "--format=" + format.flag(), "--file=" + out));
        if (jobs > 1) {
            a.add("--jobs=" + jobs);
        }
        if (dataOnly) {
            a.add("--data-only");
        }
        if (schemaOnly) {
            a.add("--schema-only");
        }
        if (compression != null && format != DumpFormat.PLAIN) {
            a.add("--compress=" + compression);
        }
        if (snapshot != null) {
            a.add("--snapshot=" + snapshot);
        }
        for (String t : tables) {
            a.add("--table=" + t);
        }
        a.addAll(PgCommands.connectionArgs(ep, ep.database()));
        return a;
    }

    /** Step-memory key: the dump this run finished, so that no later attempt or resume takes it again. */
    static final String DONE = "postgres.dump.done";
    private static final String STARTED = "postgres.dump.started";

    @Override
    public void execute(StepContext ctx) throws Exception {
        if (Captures.alreadyTaken(ctx, DONE, "dump", true)) {
            ctx.output("postgres.dump.path", ctx.recall(DONE).orElseThrow());
            return;
        }
        Path out = target.isAbsolute() ? target : ctx.runDirectory().resolve(target);
        Path runMarker = out.resolveSibling(out.getFileName() + ".run-id");
        boolean ownDump = Files.isRegularFile(runMarker) && Files.readString(runMarker).strip().equals(ctx.runId());
        if (Files.exists(out) && !replaceExisting && !ownDump) {
            throw new PostgresOperationException("Dump target " + out + " already exists; nothing was dumped and it was not touched. "
                    + "Choose another path, or allow replacing it with .replaceExisting().");
        }
        OwnerOnlyFiles.createParentDirectories(out);
        // pg_dump writes to a partial path that is moved into place only when it succeeded, so a
        // failed dump never leaves something that looks like a good one.
        Path partial = out.resolveSibling("." + out.getFileName() + ".partial");
        deleteRecursively(partial);
        // Created owner-only before pg_dump opens it (it keeps the mode of an existing file, and a
        // directory dump goes into an empty folder): the data is never readable by others.
        if (format == DumpFormat.DIRECTORY) {
            OwnerOnlyFiles.createDirectories(partial);
        } else {
            OwnerOnlyFiles.createFile(partial);
        }
        if (ctx.recall(STARTED).isPresent()) {
            // An earlier attempt was stopped mid-dump: its pg_dump must not keep writing the partial file.
            List<String> killed = StepProcesses.killLeftovers(ctx);
            if (!killed.isEmpty()) {
                ctx.progress("killed " + String.join(", ", killed) + ", left running by an earlier attempt of this step");
            }
        }
        ctx.remember(STARTED, out.toString());
        PgTools.Tool tool = PgCommands.tool(ep, "pg_dump");
        // Count rows in the same snapshot pg_dump will read, so the manifest matches the dump exactly.
        try (Connection c = ep.connect()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            String snapshot;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_export_snapshot()")) {
                rs.next();
                snapshot = rs.getString(1);
            }
            if (!schemaOnly && rowCounts) {
                RowCountManifest manifest = new RowCountManifest(Inspect.rowCounts(c));
                if (!tables.isEmpty()) {
                    manifest = new RowCountManifest(manifest.counts().entrySet().stream()
                            .filter(e -> tables.contains(e.getKey()) || tables.contains(e.getKey().substring(e.getKey().indexOf('.') + 1)))
                            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue,
                                    (x, y) -> x, LinkedHashMap::new)));
                }
                manifest.write(RowCountManifest.forDump(out));
            }
            ctx.progress("dumping " + ep.database() + " to " + out + " with " + tool.path() + " " + tool.version());
            PgCommands.runOrFail(ep, argv(tool.path().toString(), partial, snapshot), ctx, "Dump of " + ep.where() + " to " + out,
                    "The database was not changed; the partial dump " + partial + " is unusable. Check the error, disk space and permissions, then run the step again.");
            c.rollback();
            deleteRecursively(out);
            OwnerOnlyFiles.narrowTree(partial);   // the files pg_dump created inside a directory dump
            Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
            // Lets the same run replace its own dump when a resume repeats this step.
            OwnerOnlyFiles.writeString(runMarker, ctx.runId() + "\n");
        } catch (SQLException e) {
            throw new PostgresOperationException("Dump of " + ep.where() + " to " + out + " failed: " + e.getMessage()
                    + ". The database was not changed. Check the error and run the step again.", e);
        }
        ctx.remember(DONE, out.toString());
        ctx.output("postgres.dump.path", out.toString());
    }

    static void deleteRecursively(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.list(p)) {
                for (Path child : (Iterable<Path>) s::iterator) {
                    deleteRecursively(child);
                }
            }
        }
        Files.deleteIfExists(p);
    }
}
