package dev.rollback.mongo;

import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.mongo.internal.DumpEngine;
import dev.rollback.mongo.internal.MongoConnection;
import dev.rollback.mongo.internal.ToolRunner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Dumps a database, or chosen collections, in mongodump's directory layout
 * ({@code <out>/<database>/<collection>.bson[.gz]} and {@code .metadata.json[.gz]}), through the
 * driver or, when asked, through {@code mongodump}. Used as forensics before a restore; the files
 * restore with {@code mongorestore} as well as with {@link MongoRestore}.
 *
 * <pre>{@code
 * plan.capture(Mongo.at(uri).database("nextcrm").dump().gzip());   // into <run folder>/mongodump/nextcrm
 * }</pre>
 *
 * <p>Output: {@code mongo.dump.path}, the database folder written.
 */
public final class MongoDump implements Step {
    private final MongoConnection connection;
    private final String database;
    private final Path out;
    private final boolean gzip;
    private final Set<String> collections;
    private final String tool;

    MongoDump(MongoConnection connection, String database) {
        this(connection, database, null, false, Set.of(), null);
    }

    private MongoDump(MongoConnection connection, String database, Path out, boolean gzip, Set<String> collections, String tool) {
        this.connection = connection;
        this.database = database;
        this.out = out;
        this.gzip = gzip;
        this.collections = Set.copyOf(collections);
        this.tool = tool;
    }

    /**
     * @param dumpRoot the folder to write {@code <database>/...} into (default: the run folder's {@code mongodump})
     * @return a copy writing there
     */
    public MongoDump to(Path dumpRoot) {
        return new MongoDump(connection, database, Objects.requireNonNull(dumpRoot, "dumpRoot"), gzip, collections, tool);
    }

    /** @return a copy writing {@code .bson.gz} and {@code .metadata.json.gz} (mongodump --gzip) */
    public MongoDump gzip() {
        return new MongoDump(connection, database, out, true, collections, tool);
    }

    /**
     * @param names the collections to dump (default: all)
     * @return a copy dumping only those
     */
    public MongoDump collections(String... names) {
        Set<String> set = new LinkedHashSet<>(Arrays.asList(names));
        if (set.isEmpty() || set.stream().anyMatch(n -> n == null || n.isEmpty())) {
            throw new IllegalArgumentException("collections(...) needs at least one non-empty name, was " + Arrays.toString(names));
        }
        return new MongoDump(connection, database, out, gzip, set, tool);
    }

    /**
     * Dumps with the {@code mongodump} tool; the connection string goes to a 0600 config file.
     * mongodump takes one collection at a time, so at most one may be chosen.
     *
     * @param executable {@code mongodump}, looked up on PATH, or its path
     * @return a copy using the tool
     */
    public MongoDump usingMongodump(String executable) {
        if (collections.size() > 1) {
            throw new IllegalArgumentException("mongodump dumps one collection or the whole database; chosen: " + collections);
        }
        return new MongoDump(connection, database, out, gzip, collections, Objects.requireNonNull(executable, "executable"));
    }

    @Override
    public String name() {
        return "dump MongoDB database " + database;
    }

    @Override
    public StepDescription describe() {
        StepDescription d = StepDescription.of("dump MongoDB database " + database + " (mongodump layout" + (gzip ? ", gzip" : "") + ")")
                .param("server", connection.redactedUri())
                .param("database", database)
                .param("out", out == null ? "<run folder>/mongodump" : out.toString())
                .param("collections", collections.isEmpty() ? "all" : String.join(",", collections));
        return tool == null ? d.command("listCollections, find() streamed to <collection>.bson, listIndexes to <collection>.metadata.json")
                : d.command(ToolRunner.rendered(tool, toolArgs(out == null ? "<run folder>/mongodump" : out.toString())));
    }

    private List<String> toolArgs(String root) {
        List<String> args = new ArrayList<>();
        args.add("--db=" + database);
        collections.forEach(c -> args.add("--collection=" + c));
        if (gzip) {
            args.add("--gzip");
        }
        args.add("--out=" + root);
        return args;
    }

    @Override
    public void execute(StepContext context) {
        DumpResult r = run(context);
        context.output("mongo.dump.path", r.directory().toString());
    }

    /**
     * Runs the dump and returns what it wrote.
     *
     * @param context the running step's context
     * @return the result
     */
    public DumpResult run(StepContext context) {
        Path root = out != null ? out : context.runDirectory().resolve("mongodump");
        if (tool != null) {
            // mongodump creates its files with the process umask: inside a 0700 folder made first, narrowed after
            try {
                OwnerOnlyFiles.createDirectories(root);
                ToolRunner.run(tool, toolArgs(root.toString()), connection.uri(), context,
                        "The database was only read; the dump in " + root + " may be incomplete");
                OwnerOnlyFiles.narrowTree(root.resolve(database));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("Cannot make the dump folder " + root + " owner-only: " + e.getMessage(), e);
            }
            MongoDumpFolder written = MongoDumpFolder.open(root.resolve(database));
            List<DumpResult.CollectionDump> dumped = new ArrayList<>();
            for (BackupCollection c : written.collections()) {
                dumped.add(new DumpResult.CollectionDump(c.name(), dev.rollback.mongo.internal.BsonFileReader.count(c.dataFile()), -1, c.dataFile()));
            }
            return new DumpResult(written.directory(), dumped, List.of());
        }
        DumpResult r = new DumpEngine(connection, database, collections, gzip, context::progress).dump(root);
        context.progress("dumped " + r.documents() + " documents of " + database + " into " + r.directory());
        return r;
    }
}
