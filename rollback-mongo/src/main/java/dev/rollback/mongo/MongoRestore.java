package dev.rollback.mongo;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.mongo.internal.BsonFileReader;
import dev.rollback.mongo.internal.MongoConnection;
import dev.rollback.mongo.internal.RestoreEngine;
import dev.rollback.mongo.internal.ToolRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Restores a database from a mongodump database folder, through the driver (no MongoDB tools
 * needed) or, when asked, through {@code mongorestore}. Data first with unordered
 * {@code insertMany} in batches, indexes after, collections in parallel up to a limit.
 *
 * <p>The default {@link RestoreStrategy#SAFE_SWAP} restores into temporary collections, checks
 * their counts and indexes, then renames them over the live ones and keeps each replaced
 * collection as {@code <name>_before_<run>} for forensics. A truncated file or a server error
 * leaves the live collections untouched.
 *
 * <pre>{@code
 * Step restore = Mongo.at(uri).database("nextcrm")
 *     .restoreFrom(MongoBackup.in(backups).matching("production-*").databaseFolder("mongodb-backup/nextcrm").latest())
 *     .parallelCollections(4)
 *     .batchSize(1000);
 * }</pre>
 *
 * <p>Outputs: {@code mongo.restore.documents} (documents inserted) and, after a safe swap,
 * {@code mongo.restore.previous} (the collections that keep the replaced data, comma-separated).
 */
public final class MongoRestore implements Step {
    private final MongoConnection connection;
    private final String database;
    private final BackupSource source;
    private final RestoreStrategy strategy;
    private final Set<String> collections;
    private final int batchSize;
    private final int batchBytes;
    private final int parallelism;
    private final boolean indexes;
    private final boolean validate;
    private final String tool;

    MongoRestore(MongoConnection connection, String database, BackupSource source) {
        this(connection, database, source, RestoreStrategy.SAFE_SWAP, Set.of(), 1000, 16 * 1024 * 1024, 2, true, true, null);
    }

    private MongoRestore(MongoConnection connection, String database, BackupSource source, RestoreStrategy strategy, Set<String> collections,
                         int batchSize, int batchBytes, int parallelism, boolean indexes, boolean validate, String tool) {
        this.connection = connection;
        this.database = database;
        this.source = source;
        this.strategy = strategy;
        this.collections = Set.copyOf(collections);
        this.batchSize = batchSize;
        this.batchBytes = batchBytes;
        this.parallelism = parallelism;
        this.indexes = indexes;
        this.validate = validate;
        this.tool = tool;
    }

    /**
     * @param s the strategy
     * @return a copy with the strategy
     */
    public MongoRestore strategy(RestoreStrategy s) {
        return new MongoRestore(connection, database, source, Objects.requireNonNull(s, "strategy"), collections, batchSize, batchBytes,
                parallelism, indexes, validate, tool);
    }

    /** @return a copy that drops each live collection before restoring it (the seed's drop-then-restore) */
    public MongoRestore replaceExisting() {
        return strategy(RestoreStrategy.DROP_EXISTING);
    }

    /**
     * @param names the collections to restore (default: every collection of the backup)
     * @return a copy restoring only those
     */
    public MongoRestore collections(String... names) {
        Set<String> set = new LinkedHashSet<>(Arrays.asList(names));
        if (set.isEmpty() || set.stream().anyMatch(n -> n == null || n.isEmpty())) {
            throw new IllegalArgumentException("collections(...) needs at least one non-empty name, was " + Arrays.toString(names));
        }
        return new MongoRestore(connection, database, source, strategy, set, batchSize, batchBytes, parallelism, indexes, validate, tool);
    }

    /**
     * @param n documents per {@code insertMany}, 1 to 100 000 (default 1000)
     * @return a copy with the batch size
     */
    public MongoRestore batchSize(int n) {
        if (n < 1 || n > 100_000) {
            throw new IllegalArgumentException("batchSize must be 1 to 100000, was " + n);
        }
        return new MongoRestore(connection, database, source, strategy, collections, n, batchBytes, parallelism, indexes, validate, tool);
    }

    /**
     * @param n collections restored at once, 1 to 64 (default 2)
     * @return a copy with the limit
     */
    public MongoRestore parallelCollections(int n) {
        if (n < 1 || n > 64) {
            throw new IllegalArgumentException("parallelCollections must be 1 to 64, was " + n);
        }
        return new MongoRestore(connection, database, source, strategy, collections, batchSize, batchBytes, n, indexes, validate, tool);
    }

    /** @return a copy that does not create the indexes of the metadata (mongorestore --noIndexRestore) */
    public MongoRestore withoutIndexes() {
        return new MongoRestore(connection, database, source, strategy, collections, batchSize, batchBytes, parallelism, false, validate, tool);
    }

    /** @return a copy that sends documents without walking them first (faster; the server still rejects bad BSON) */
    public MongoRestore withoutValidation() {
        return new MongoRestore(connection, database, source, strategy, collections, batchSize, batchBytes, parallelism, indexes, false, tool);
    }

    /**
     * Restores with the {@code mongorestore} tool instead of the driver; the connection string goes
     * to a 0600 config file, never to the command line. The safe swap needs the driver: use
     * {@link #replaceExisting()} or {@link RestoreStrategy#MERGE} with the tool.
     *
     * @param executable {@code mongorestore}, looked up on PATH, or its path
     * @return a copy using the tool
     */
    public MongoRestore usingMongorestore(String executable) {
        return new MongoRestore(connection, database, source, strategy, collections, batchSize, batchBytes, parallelism, indexes, validate,
                Objects.requireNonNull(executable, "executable"));
    }

    @Override
    public String name() {
        return "restore MongoDB database " + database;
    }

    @Override
    public boolean destructive() {
        return true;
    }

    @Override
    public String confirmationTarget() {
        return database;
    }

    private void validateConfiguration() {
        if (tool != null && strategy == RestoreStrategy.SAFE_SWAP) {
            throw new IllegalStateException("The safe swap restore runs through the driver; with usingMongorestore(...) choose "
                    + "replaceExisting() (mongorestore --drop) or strategy(RestoreStrategy.MERGE), or drop usingMongorestore(...)");
        }
    }

    @Override
    public StepDescription describe() {
        validateConfiguration();
        StepDescription d = StepDescription.of("restore MongoDB database " + database + " from backup (" + strategy + ")")
                .param("server", connection.redactedUri())
                .param("database", database)
                .param("backup", source.description())
                .param("strategy", strategy)
                .param("collections", collections.isEmpty() ? "all in backup" : String.join(",", collections))
                .param("parallelCollections", parallelism)
                .param("indexes", indexes);
        if (tool != null) {
            return d.command(ToolRunner.rendered(tool, toolArgs("<backup folder>", false)));
        }
        return d.param("batchSize", batchSize)
                .command(strategy == RestoreStrategy.SAFE_SWAP
                        ? "per collection: insertMany(ordered=false) into rbtmp_<run>_<name>, createIndexes, check count and indexes; "
                        + "then renameCollection <name> -> <name>_before_<run>, rbtmp_<run>_<name> -> <name>"
                        : "per collection: " + (strategy == RestoreStrategy.DROP_EXISTING ? "drop, " : "") + "insertMany(ordered=false), createIndexes");
    }

    @Override
    public void execute(StepContext context) {
        RestoreResult r = run(context);
        context.output("mongo.restore.documents", String.valueOf(r.documentsInserted()));
        String previous = r.collections().stream().map(RestoreResult.CollectionRestore::previousData).filter(p -> !p.isEmpty())
                .collect(Collectors.joining(","));
        if (!previous.isEmpty()) {
            context.output("mongo.restore.previous", previous);
        }
    }

    /**
     * Runs the restore and returns what it did (what {@link #execute(StepContext)} does, for
     * programs that want the details).
     *
     * @param context the running step's context
     * @return the result
     */
    public RestoreResult run(StepContext context) {
        validateConfiguration();
        Path folder = source.resolve(context);
        context.progress("restoring " + database + " from " + folder + " (" + strategy + ")");
        if (tool != null) {
            return runTool(context, folder);
        }
        RestoreEngine.Options options = new RestoreEngine.Options(strategy, collections, batchSize, batchBytes, parallelism, indexes, validate);
        return new RestoreEngine(connection, database, options, context::progress).restore(folder, context.runId());
    }

    private List<String> toolArgs(String folder, boolean gzip) {
        List<String> args = new ArrayList<>();
        args.add("--db=" + database);
        if (gzip) {
            args.add("--gzip");
        }
        if (strategy == RestoreStrategy.DROP_EXISTING) {
            args.add("--drop");
        }
        if (!indexes) {
            args.add("--noIndexRestore");
        }
        args.add("--numParallelCollections=" + parallelism);
        for (String c : collections) {
            args.add("--nsInclude=" + database + "." + c);
        }
        args.add("--dir=" + folder);
        return args;
    }

    private RestoreResult runTool(StepContext context, Path folder) {
        Instant start = Instant.now();
        MongoDumpFolder contents = MongoDumpFolder.open(folder);
        boolean gzip = contents.collections().stream().anyMatch(BackupCollection::gzip);
        String state = strategy == RestoreStrategy.DROP_EXISTING
                ? "Collections of the backup may be dropped and partially restored; re-running the step drops and restores them again"
                : "Collections may be partially merged; re-running the step skips documents that already exist";
        ToolRunner.run(tool, toolArgs(folder.toString(), gzip), connection.uri(), context, state);
        List<RestoreResult.CollectionRestore> restored = new ArrayList<>();
        for (BackupCollection c : contents.collections()) {
            if (collections.isEmpty() || collections.contains(c.name())) {
                long n = BsonFileReader.count(c.dataFile());
                restored.add(new RestoreResult.CollectionRestore(c.name(), n, n, List.of(), ""));
            }
        }
        return new RestoreResult(database, folder, strategy, restored, Duration.between(start, Instant.now()));
    }
}
