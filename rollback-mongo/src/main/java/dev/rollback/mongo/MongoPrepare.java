package dev.rollback.mongo;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.mongo.internal.Loaded;
import dev.rollback.mongo.internal.MongoConnection;
import dev.rollback.mongo.internal.RestoreEngine;
import dev.rollback.mongo.internal.TempNames;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The non-destructive half of a safe restore: loads the backup into temporary collections
 * ({@code rbtmp_<run>_<name>}) next to the live ones and verifies them (counts, indexes, types)
 * while the application still serves; {@link MongoDb#swapIn(MongoPrepare)} later swaps them in by
 * rename, so the application is down only for the swap. It needs no approval. What it loaded is
 * remembered in step memory and published, so a resume never prepares twice and the swap step
 * finds it on any machine.
 *
 * <pre>{@code
 * MongoPrepare prepared = crm.prepare(backup);
 * plan.step(prepared)                     // while the app serves
 *     .stopApp(app)
 *     .restore(crm.swapIn(prepared))      // milliseconds of renames
 *     .startApp(app);
 * }</pre>
 *
 * <p>Outputs: {@code mongo.prepared.<db>} (what is in which temporary collection, as JSON; the swap
 * step reads it) and {@code mongo.prepared.<db>.summary}.
 */
public final class MongoPrepare implements Step {
    private final MongoConnection connection;
    private final String database;
    private final BackupSource source;
    private final int batchSize;
    private final int parallelism;
    private final boolean validate;

    MongoPrepare(MongoConnection connection, String database, BackupSource source) {
        this(connection, database, source, 1000, 2, true);
    }

    private MongoPrepare(MongoConnection connection, String database, BackupSource source, int batchSize, int parallelism, boolean validate) {
        this.connection = connection;
        this.database = database;
        this.source = Objects.requireNonNull(source, "backup");
        this.batchSize = batchSize;
        this.parallelism = parallelism;
        this.validate = validate;
    }

    /**
     * @param n documents per {@code insertMany}, 1 to 100 000 (default 1000)
     * @return a copy with the batch size
     */
    public MongoPrepare batchSize(int n) {
        if (n < 1 || n > 100_000) {
            throw new IllegalArgumentException("batchSize must be 1 to 100000, was " + n);
        }
        return new MongoPrepare(connection, database, source, n, parallelism, validate);
    }

    /**
     * @param n collections loaded at once, 1 to 64 (default 2)
     * @return a copy with the limit
     */
    public MongoPrepare parallelCollections(int n) {
        if (n < 1 || n > 64) {
            throw new IllegalArgumentException("parallelCollections must be 1 to 64, was " + n);
        }
        return new MongoPrepare(connection, database, source, batchSize, n, validate);
    }

    /** @return a copy that sends documents without walking them first */
    public MongoPrepare withoutValidation() {
        return new MongoPrepare(connection, database, source, batchSize, parallelism, false);
    }

    /** @return the output key under which the prepared set is published */
    public String outputKey() {
        return "mongo.prepared." + database;
    }

    /** @return the database it prepares a restore of */
    public String database() {
        return database;
    }

    /** @return the backup it loads */
    public BackupSource source() {
        return source;
    }

    /** @return {@link #outputKey()}: the swap step of this prepare names the same, so that the plan pairs them */
    @Override
    public String prepares() {
        return outputKey();
    }

    @Override
    public String name() {
        return "prepare restore of MongoDB database " + database;
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of("prepare a restore of MongoDB database " + database + " (load and verify, no change to live collections)")
                .param("server", connection.redactedUri())
                .param("database", database)
                .param("backup", source.description())
                .param("batchSize", batchSize)
                .param("parallelCollections", parallelism)
                .param("output", outputKey())
                .command("per collection: create rbtmp_<run>_<name> with the metadata's options, insertMany(ordered=false), createIndexes, "
                        + "check count and indexes; remembered in step memory");
    }

    @Override
    public void execute(StepContext context) {
        Path backup = source.resolve(context);
        context.progress("preparing a restore of " + database + " from " + backup + " next to the live collections");
        Loaded loaded = new RestoreEngine(connection, database, options(), context::progress).prepare(context, backup, source.options());
        context.output(outputKey(), loaded.toJson());
        context.output(outputKey() + ".summary", loaded.describe() + " loaded and verified in " + database + "."
                + TempNames.tempPrefix(loaded.tag()) + "*, from " + backup);
    }

    RestoreEngine.Options options() {
        return new RestoreEngine.Options(RestoreStrategy.SAFE_SWAP, Set.of(), batchSize, 16 * 1024 * 1024, parallelism, true, validate);
    }

    MongoConnection connection() {
        return connection;
    }

    /**
     * Drops the prepared temporary collections of an abandoned run (never the live or kept ones).
     *
     * @param context the abandoned run's context for this step
     * @return the collections dropped
     */
    @Override
    public List<String> cleanUp(StepContext context) {
        return RestoreEngine.dropTemporaries(connection, context, List.of(database));
    }
}
