package dev.rollback.mongo;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.mongo.internal.BsonFileReader;
import dev.rollback.mongo.internal.MongoConnection;
import dev.rollback.mongo.internal.RestoreEngine;
import dev.rollback.mongo.internal.RestoreOutputs;
import dev.rollback.mongo.internal.ToolRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Restores a backup (a database folder, a dump root or an archive, see {@link BackupSource}) through
 * the driver (no MongoDB tools needed) or, when asked, through {@code mongorestore}. Data first
 * with unordered {@code insertMany} in batches, indexes after, collections in parallel up to a
 * limit; time series restored as time series, views as views, users and roles on request.
 *
 * <p>The default {@link RestoreStrategy#SAFE_SWAP} restores into temporary collections, checks
 * their counts and indexes, then swaps them in for the live ones and keeps each replaced collection
 * as {@code <name>_before_<run>} for forensics. A truncated file or a server error leaves the live
 * collections untouched. The swap records in step memory, before each move, what it is about to do:
 * a resume after a kill completes it forward, never swaps twice, never invents a {@code _before_}
 * copy of a collection that was not live, and sets aside (never drops) documents the application
 * wrote between the crash and the resume.
 *
 * <pre>{@code
 * Step restore = Mongo.at(uri).database("nextcrm")
 *     .restoreFrom(MongoBackup.in(backups).matching("production-*").databaseFolder("mongodb-backup/nextcrm").latest())
 *     .parallelCollections(4)
 *     .batchSize(1000);
 * }</pre>
 *
 * <p>Outputs: {@code mongo.restore.documents}; {@code mongo.restore.previous} (the collections keeping the
 * replaced data, comma-separated); {@code kept.mongo.before.<db>.<collection>} for each kept original,
 * {@code kept.mongo.meanwhile.<db>.<collection>} for documents set aside after a crash;
 * {@code mongo.dataLoss.<db>.<collection>} (documents the live side received after the backup, measured at
 * the swap) and {@code mongo.dataLoss.oplog}; {@code mongo.restore.leftAside} and
 * {@code mongo.restore.leftAside.<n>} (every file not restored, with the reason); on failure,
 * {@code leftover.mongo.<db>.<collection>} for temporary collections left for the resume.
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
    private final boolean oplogReplay;

    MongoRestore(MongoConnection connection, String database, BackupSource source) {
        this(connection, database, source, RestoreStrategy.SAFE_SWAP, Set.of(), 1000, 16 * 1024 * 1024, 2, true, true, null, false);
    }

    private MongoRestore(MongoConnection connection, String database, BackupSource source, RestoreStrategy strategy, Set<String> collections,
                         int batchSize, int batchBytes, int parallelism, boolean indexes, boolean validate, String tool, boolean oplogReplay) {
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
        this.oplogReplay = oplogReplay;
    }

    private MongoRestore with(RestoreStrategy s, Set<String> c, int bs, int par, boolean idx, boolean val, String t, boolean replay) {
        return new MongoRestore(connection, database, source, s, c, bs, batchBytes, par, idx, val, t, replay);
    }

    /**
     * @param s the strategy
     * @return a copy with the strategy
     */
    public MongoRestore strategy(RestoreStrategy s) {
        return with(Objects.requireNonNull(s, "strategy"), collections, batchSize, parallelism, indexes, validate, tool, oplogReplay);
    }

    /** @return a copy that drops each live collection before restoring it (the seed's drop-then-restore) */
    public MongoRestore replaceExisting() {
        return strategy(RestoreStrategy.DROP_EXISTING);
    }

    /**
     * @param names the collections to restore (default: every collection of the backup); source names
     * @return a copy restoring only those
     */
    public MongoRestore collections(String... names) {
        Set<String> set = new LinkedHashSet<>(Arrays.asList(names));
        if (set.isEmpty() || set.stream().anyMatch(n -> n == null || n.isEmpty())) {
            throw new IllegalArgumentException("collections(...) needs at least one non-empty name, was " + Arrays.toString(names));
        }
        return with(strategy, set, batchSize, parallelism, indexes, validate, tool, oplogReplay);
    }

    /**
     * @param n documents per {@code insertMany}, 1 to 100 000 (default 1000)
     * @return a copy with the batch size
     */
    public MongoRestore batchSize(int n) {
        if (n < 1 || n > 100_000) {
            throw new IllegalArgumentException("batchSize must be 1 to 100000, was " + n);
        }
        return with(strategy, collections, n, parallelism, indexes, validate, tool, oplogReplay);
    }

    /**
     * @param n collections restored at once (insert threads, for an archive), 1 to 64 (default 2)
     * @return a copy with the limit
     */
    public MongoRestore parallelCollections(int n) {
        if (n < 1 || n > 64) {
            throw new IllegalArgumentException("parallelCollections must be 1 to 64, was " + n);
        }
        return with(strategy, collections, batchSize, n, indexes, validate, tool, oplogReplay);
    }

    /** @return a copy that does not create the indexes of the metadata (mongorestore --noIndexRestore) */
    public MongoRestore withoutIndexes() {
        return with(strategy, collections, batchSize, parallelism, false, validate, tool, oplogReplay);
    }

    /** @return a copy that sends documents without walking them first (faster; the server still rejects bad BSON) */
    public MongoRestore withoutValidation() {
        return with(strategy, collections, batchSize, parallelism, indexes, false, tool, oplogReplay);
    }

    /**
     * Asks for the oplog to be replayed ({@code mongorestore --oplogReplay}). Refused: replaying an
     * oplog correctly means applying each entry to the namespaces it names, while the safe restore
     * loads into temporary collections under other names and UUIDs; a replay that skips or misapplies
     * entries would corrupt the restore silently. The plan fails when it is built, with this reason.
     * Restore without it (the oplog is counted and reported in the data-loss window), or use
     * {@code mongorestore --oplogReplay} by hand.
     *
     * @return a copy that the plan refuses
     */
    public MongoRestore withOplogReplay() {
        return with(strategy, collections, batchSize, parallelism, indexes, validate, tool, true);
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
        return with(strategy, collections, batchSize, parallelism, indexes, validate, Objects.requireNonNull(executable, "executable"), oplogReplay);
    }

    @Override
    public String name() {
        return database == null ? "restore MongoDB databases of a backup" : "restore MongoDB database " + database;
    }

    @Override
    public boolean destructive() {
        return true;
    }

    @Override
    public String confirmationTarget() {
        return database == null ? "all-databases" : database;
    }

    private void validateConfiguration() {
        if (oplogReplay) {
            throw new IllegalStateException("Oplog replay is not supported: the safe restore loads into temporary collections whose names and "
                    + "UUIDs differ from those the oplog entries name, and a replay that skips or misapplies entries would corrupt the restore "
                    + "silently. Fix: drop withOplogReplay(); the oplog is counted and reported in the data-loss window (accept it with "
                    + "withoutOplog() on the backup source), or replay it by hand with mongorestore --oplogReplay.");
        }
        if (tool != null && strategy == RestoreStrategy.SAFE_SWAP) {
            throw new IllegalStateException("The safe swap restore runs through the driver; with usingMongorestore(...) choose "
                    + "replaceExisting() (mongorestore --drop) or strategy(RestoreStrategy.MERGE), or drop usingMongorestore(...)");
        }
        if (tool != null && database == null) {
            throw new IllegalStateException("usingMongorestore(...) restores one database; use mongo.database(name).restoreFrom(...)");
        }
    }

    @Override
    public StepDescription describe() {
        validateConfiguration();
        StepDescription d = StepDescription.of(name() + " from backup (" + strategy + ")")
                .param("server", connection.redactedUri())
                .param("database", database == null ? "every database of the backup" : database)
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
                        ? "per collection: create rbtmp_<run>_<name> with the metadata's options, insertMany(ordered=false), createIndexes, "
                        + "check count and indexes; then, recorded in step memory before each move: renameCollection <name> -> "
                        + "<name>_before_<run>, rbtmp_<run>_<name> -> <name> (time series: copied; views: re-created)"
                        : "per collection: " + (strategy == RestoreStrategy.DROP_EXISTING ? "drop, " : "") + "create, insertMany(ordered=false), createIndexes");
    }

    @Override
    public void execute(StepContext context) {
        RestoreOutputs.execute(connection, context, database, () -> run(context), () -> RestoreOutputs.temps(context));
    }

    /**
     * Drops the temporary collections this run left (an abandoned run); the kept originals and the
     * collections set aside are never touched.
     *
     * @param context the abandoned run's context for this step
     * @return the collections dropped
     */
    @Override
    public List<String> cleanUp(StepContext context) {
        return RestoreEngine.dropTemporaries(connection, context, database == null ? List.of() : List.of(database));
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
        Path backup = source.resolve(context);
        context.progress("restoring " + (database == null ? "the databases" : database) + " from " + backup + " (" + strategy + ")");
        if (tool != null) {
            return runTool(context, backup);
        }
        RestoreEngine.Options options = new RestoreEngine.Options(strategy, collections, batchSize, batchBytes, parallelism, indexes, validate);
        return new RestoreEngine(connection, database, options, context::progress).restore(context, backup, source.options());
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
        MongoBackupContents contents = MongoBackupContents.read(folder, source.options());
        if (contents.format() != BackupFormat.DATABASE_FOLDER) {
            throw new IllegalStateException("usingMongorestore(...) restores a database folder; " + folder + " is a " + contents.format()
                    + ". Fix: restore it through the driver (the default).");
        }
        boolean gzip = contents.collections().stream().anyMatch(BackupCollection::gzip);
        String state = strategy == RestoreStrategy.DROP_EXISTING
                ? "Collections of the backup may be dropped and partially restored; re-running the step drops and restores them again"
                : "Collections may be partially merged; re-running the step skips documents that already exist";
        ToolRunner.run(tool, toolArgs(folder.toString(), gzip), connection.uri(), context, state);
        List<RestoreResult.CollectionRestore> restored = new ArrayList<>();
        for (BackupCollection c : contents.collections()) {
            if ((collections.isEmpty() || collections.contains(c.name())) && c.dataFile().isPresent()) {
                long n = BsonFileReader.count(c.dataFile().get());
                restored.add(new RestoreResult.CollectionRestore(c.name(), n, n, List.of(), "", database, c.kind(), List.of(), List.of(), -1));
            }
        }
        return new RestoreResult(database, folder, strategy, restored, Duration.between(start, Instant.now()), contents.leftAside(),
                contents.oplog(), List.of(), "");
    }

    /** @return the backup this step restores */
    public BackupSource source() {
        return source;
    }

    /** @return the target database, if this restores one database */
    public Optional<String> database() {
        return Optional.ofNullable(database);
    }
}
