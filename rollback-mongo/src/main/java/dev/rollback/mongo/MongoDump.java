package dev.rollback.mongo;

import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.mongo.internal.BsonFileReader;
import dev.rollback.mongo.internal.DumpEngine;
import dev.rollback.mongo.internal.MongoConnection;
import dev.rollback.mongo.internal.ToolRunner;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Dumps a database, or chosen collections, in mongodump's directory layout
 * ({@code <out>/<database>/<collection>.bson[.gz]} and {@code .metadata.json[.gz]}) or as an
 * archive ({@code mongodump --archive}, plain or gzip), through the driver or, when asked, through
 * {@code mongodump}. Used as forensics before a restore; the files restore with {@code mongorestore}
 * as well as with {@link MongoRestore}. Files are readable by the owner only.
 *
 * <p>A capture is taken once per run: the step remembers in step memory that it finished, and a
 * resume (even one that runs it again) keeps the files as they were written, so the forensics hold
 * the pre-rollback data and never the restored one. The rollback library's own collections
 * ({@code rbtmp_*}, {@code *_before_<run>}, {@code *_meanwhile_<run>}) are never dumped.
 *
 * <pre>{@code
 * plan.capture(Mongo.at(uri).database("nextcrm").dump().gzip());   // into <run folder>/mongodump/nextcrm
 * plan.capture(Mongo.at(uri).database("nextcrm").dump().toArchive(Path.of("/forensics/nextcrm.archive.gz")).gzip());
 * }</pre>
 *
 * <p>Output: {@code mongo.dump.path}, the database folder or archive written.
 */
public final class MongoDump implements Step {
    private final MongoConnection connection;
    private final String database;
    private static final String MEMORY_FINISHED = "mongo.dump.finished";
    private final Path out;
    private final boolean gzip;
    private final Set<String> collections;
    private final String tool;
    private final Path archive;
    private final boolean usersAndRoles;

    MongoDump(MongoConnection connection, String database) {
        this(connection, database, null, false, Set.of(), null, null, false);
    }

    private MongoDump(MongoConnection connection, String database, Path out, boolean gzip, Set<String> collections, String tool, Path archive,
                      boolean usersAndRoles) {
        this.connection = connection;
        this.database = database;
        this.out = out;
        this.gzip = gzip;
        this.collections = Set.copyOf(collections);
        this.tool = tool;
        this.archive = archive;
        this.usersAndRoles = usersAndRoles;
    }

    /**
     * Writes one archive file instead of a folder ({@code mongodump --archive=<file>}); with {@link #gzip()},
     * the whole archive is compressed ({@code --archive --gzip}).
     *
     * @param file the archive; a relative path is taken inside the run folder
     * @return a copy writing the archive
     */
    public MongoDump toArchive(Path file) {
        if (tool != null) {
            throw new IllegalArgumentException("toArchive(...) writes through the driver; drop usingMongodump(...)");
        }
        return new MongoDump(connection, database, out, gzip, collections, tool, Objects.requireNonNull(file, "file"), usersAndRoles);
    }

    /** @return a copy that also dumps the database's users and roles ({@code mongodump --dumpDbUsersAndRoles}) */
    public MongoDump withUsersAndRoles() {
        return new MongoDump(connection, database, out, gzip, collections, tool, archive, true);
    }

    /**
     * @param dumpRoot the folder to write {@code <database>/...} into (default: the run folder's {@code mongodump})
     * @return a copy writing there
     */
    public MongoDump to(Path dumpRoot) {
        return new MongoDump(connection, database, Objects.requireNonNull(dumpRoot, "dumpRoot"), gzip, collections, tool, archive, usersAndRoles);
    }

    /** @return a copy writing {@code .bson.gz} and {@code .metadata.json.gz} (mongodump --gzip) */
    public MongoDump gzip() {
        return new MongoDump(connection, database, out, true, collections, tool, archive, usersAndRoles);
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
        return new MongoDump(connection, database, out, gzip, set, tool, archive, usersAndRoles);
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
        if (archive != null) {
            throw new IllegalArgumentException("usingMongodump(...) writes a folder here; drop toArchive(...)");
        }
        return new MongoDump(connection, database, out, gzip, collections, Objects.requireNonNull(executable, "executable"), archive, usersAndRoles);
    }

    @Override
    public String name() {
        return "dump MongoDB database " + database;
    }

    @Override
    public StepDescription describe() {
        StepDescription d = StepDescription.of("dump MongoDB database " + database + " (mongodump " + (archive != null ? "archive" : "layout")
                        + (gzip ? ", gzip" : "") + ")")
                .param("server", connection.redactedUri())
                .param("database", database)
                .param("out", archive != null ? archive.toString() : out == null ? "<run folder>/mongodump" : out.toString())
                .param("collections", collections.isEmpty() ? "all" : String.join(",", collections));
        if (usersAndRoles) {
            d = d.param("usersAndRoles", true);
        }
        return tool == null ? d.command("listCollections, find() streamed to " + (archive != null ? "the archive" : "<collection>.bson")
                        + ", listIndexes to the metadata; the rollback library's own collections left out; once per run")
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
        Optional<String> finished = context.recall(MEMORY_FINISHED);
        if (finished.isPresent()) {
            DumpResult earlier = fromMemory(finished.get());
            context.progress("the dump of " + database + " was already taken in this run (" + earlier.documents() + " documents in "
                    + earlier.directory() + "); a capture is taken once per run, the files stand as written");
            return earlier;
        }
        DumpResult r = dumpNow(context);
        context.remember(MEMORY_FINISHED, toMemory(r));
        return r;
    }

    private DumpResult dumpNow(StepContext context) {
        if (archive != null) {
            Path file = archive.isAbsolute() ? archive : context.runDirectory().resolve(archive);
            DumpResult r = new DumpEngine(connection, database, collections, gzip, usersAndRoles, context::progress).dumpArchive(file);
            context.progress("dumped " + r.documents() + " documents of " + database + " into archive " + file);
            return r;
        }
        Path root = out != null ? out : context.runDirectory().resolve("mongodump");
        if (tool != null) {
            // mongodump creates its files with the process umask: inside a 0700 folder made first, narrowed after
            try {
                OwnerOnlyFiles.createDirectories(root);
                ToolRunner.run(tool, toolArgs(root.toString()), connection.uri(), context,
                        "The database was only read; the dump in " + root + " may be incomplete");
                OwnerOnlyFiles.narrowTree(root.resolve(database));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot make the dump folder " + root + " owner-only: " + e.getMessage(), e);
            }
            MongoBackupContents written = MongoBackupContents.read(root.resolve(database));
            List<DumpResult.CollectionDump> dumped = new ArrayList<>();
            for (BackupCollection c : written.collections()) {
                if (c.dataFile().isPresent()) {
                    dumped.add(new DumpResult.CollectionDump(c.name(), BsonFileReader.count(c.dataFile().get()), -1,
                            c.dataFile().get()));
                }
            }
            return new DumpResult(written.location(), dumped, List.of());
        }
        DumpResult r = new DumpEngine(connection, database, collections, gzip, usersAndRoles, context::progress).dump(root);
        context.progress("dumped " + r.documents() + " documents of " + database + " into " + r.directory());
        return r;
    }

    private static String toMemory(DumpResult r) {
        BsonArray cs = new BsonArray();
        for (DumpResult.CollectionDump c : r.collections()) {
            cs.add(new BsonDocument("name", new BsonString(c.name())).append("documents", new BsonInt64(c.documents()))
                    .append("bytes", new BsonInt64(c.bytes())).append("file", new BsonString(c.dataFile().toString())));
        }
        BsonArray sk = new BsonArray();
        r.skipped().forEach(x -> sk.add(new BsonString(x)));
        return new BsonDocument("path", new BsonString(r.directory().toString())).append("collections", cs)
                .append("skipped", sk).toJson();
    }

    private static DumpResult fromMemory(String json) {
        BsonDocument d = BsonDocument.parse(json);
        List<DumpResult.CollectionDump> cs = new ArrayList<>();
        for (BsonValue v : d.getArray("collections")) {
            BsonDocument c = v.asDocument();
            cs.add(new DumpResult.CollectionDump(c.getString("name").getValue(), c.getNumber("documents").longValue(),
                    c.getNumber("bytes").longValue(), Path.of(c.getString("file").getValue())));
        }
        List<String> skipped = new ArrayList<>();
        d.getArray("skipped").forEach(v -> skipped.add(v.asString().getValue()));
        return new DumpResult(Path.of(d.getString("path").getValue()), cs, skipped);
    }
}
