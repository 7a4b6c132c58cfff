package dev.rollback.mongo.internal;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoException;
import com.mongodb.MongoNamespace;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.InsertManyOptions;
import dev.rollback.mongo.BackupCollection;
import dev.rollback.mongo.BackupNotFoundException;
import dev.rollback.mongo.CollectionMetadata;
import dev.rollback.mongo.MongoDumpFolder;
import dev.rollback.mongo.MongoRollbackException;
import dev.rollback.mongo.MongoServerException;
import dev.rollback.mongo.RestoreFailedException;
import dev.rollback.mongo.RestoreResult;
import dev.rollback.mongo.RestoreResult.CollectionRestore;
import dev.rollback.mongo.RestoreStrategy;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Restores a mongodump database folder through the driver: per collection, data first with
 * unordered {@code insertMany} in bounded batches, indexes after; collections in parallel up to
 * a limit; under {@link RestoreStrategy#SAFE_SWAP}, into temporary collections that are checked
 * and then renamed over the live ones.
 */
public final class RestoreEngine {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreEngine.class);
    private static final int DUPLICATE_KEY = 11000;
    // Collection names are limited to 255 bytes with the database name; derived names stay well below.
    private static final int MAX_DERIVED_NAME = 120;

    /**
     * Settings of one restore.
     *
     * @param strategy    how live collections are treated
     * @param collections the collections to restore, empty for all
     * @param batchSize   documents per insertMany
     * @param batchBytes  bytes per insertMany (bounds memory with large documents)
     * @param parallelism collections restored at once
     * @param indexes     whether to create the indexes of the metadata
     * @param validate    whether to validate every document's BSON before sending it
     */
    public record Options(RestoreStrategy strategy, Set<String> collections, int batchSize, int batchBytes, int parallelism,
                          boolean indexes, boolean validate) {
        /** Copies the set. */
        public Options {
            collections = Set.copyOf(collections);
        }
    }

    private final MongoConnection connection;
    private final String database;
    private final Options options;
    private final Consumer<String> progress;

    /**
     * @param connection the server
     * @param database   the target database
     * @param options    the settings
     * @param progress   receives progress lines
     */
    public RestoreEngine(MongoConnection connection, String database, Options options, Consumer<String> progress) {
        this.connection = connection;
        this.database = database;
        this.options = options;
        this.progress = progress;
    }

    /**
     * Runs the restore.
     *
     * @param backupFolder the database folder of the backup
     * @param runId        the run's id; names temporary and forensic collections so that a re-run finds them
     * @return what was restored
     */
    public RestoreResult restore(Path backupFolder, String runId) {
        Instant start = Instant.now();
        MongoDumpFolder folder = MongoDumpFolder.open(backupFolder);
        List<BackupCollection> selected = select(folder);
        folder.ignored().forEach(i -> LOG.info("Not restoring {}: {}", i.path(), i.reason()));
        String tag = shortTag(runId);
        try (MongoClient client = connection.open()) {
            MongoDatabase db = client.getDatabase(database);
            try {
                db.runCommand(new BsonDocument("ping", new BsonInt32(1)));
            } catch (MongoException e) {
                throw connection.wrap("restoring database " + database + " from " + backupFolder, "Nothing was changed", e);
            }
            Map<String, String> targets = new LinkedHashMap<>();
            for (BackupCollection c : selected) {
                targets.put(c.name(), options.strategy() == RestoreStrategy.SAFE_SWAP ? derivedName("rbtmp_" + tag + "_", c.name()) : c.name());
            }
            List<CollectionRestore> loaded = loadAll(db, selected, targets, backupFolder);
            List<CollectionRestore> done = options.strategy() == RestoreStrategy.SAFE_SWAP ? swap(db, loaded, targets, tag) : loaded;
            return new RestoreResult(database, backupFolder, options.strategy(), done, Duration.between(start, Instant.now()));
        }
    }

    private List<BackupCollection> select(MongoDumpFolder folder) {
        List<BackupCollection> selected = new ArrayList<>();
        Set<String> missing = new HashSet<>(options.collections());
        for (BackupCollection c : folder.collections()) {
            if (options.collections().isEmpty() || options.collections().contains(c.name())) {
                selected.add(c);
                missing.remove(c.name());
            }
        }
        if (!missing.isEmpty()) {
            throw new BackupNotFoundException("The backup " + folder.directory() + " has no collection " + missing
                    + "; it has " + folder.collectionNames() + ". Nothing was changed. Fix: correct collections(...).");
        }
        if (selected.isEmpty()) {
            throw new BackupNotFoundException("The backup " + folder.directory() + " holds no collections (no .bson or .bson.gz files"
                    + (folder.ignored().isEmpty() ? "" : "; left aside: " + folder.ignored().size() + " other files")
                    + "). Nothing was changed. Fix: point the restore at the database folder inside the backup (<dump>/<database>).");
        }
        return selected;
    }

    private List<CollectionRestore> loadAll(MongoDatabase db, List<BackupCollection> selected, Map<String, String> targets, Path backupFolder) {
        int threads = Math.max(1, Math.min(options.parallelism(), selected.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "mongo-restore-" + database);
            t.setDaemon(true);
            return t;
        });
        Map<String, Future<CollectionRestore>> futures = new LinkedHashMap<>();
        for (BackupCollection c : selected) {
            futures.put(c.name(), pool.submit(() -> loadOne(db, c, targets.get(c.name()))));
        }
        pool.shutdown();
        List<CollectionRestore> results = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        Throwable first = null;
        for (Map.Entry<String, Future<CollectionRestore>> e : futures.entrySet()) {
            try {
                results.add(e.getValue().get());
            } catch (ExecutionException ex) {
                failed.add(e.getKey());
                if (first == null) {
                    first = ex.getCause();
                    // One failure is enough to abandon the restore; stop the others early.
                    futures.values().forEach(f -> f.cancel(true));
                }
            } catch (java.util.concurrent.CancellationException ex) {
                failed.add(e.getKey() + " (cancelled)");
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                futures.values().forEach(f -> f.cancel(true));
                first = first == null ? ex : first;
                failed.add(e.getKey() + " (interrupted)");
            }
        }
        if (first == null) {
            return results;
        }
        awaitQuietly(pool);
        String cause = first instanceof MongoRollbackException ? first.getMessage()
                : first instanceof MongoException me ? connection.wrap("restoring " + database, "The restore stopped", me).getMessage() : String.valueOf(first);
        String state;
        if (options.strategy() == RestoreStrategy.SAFE_SWAP) {
            dropQuietly(db, targets.values());
            state = "The live collections are untouched; the temporary collections of this attempt were dropped.";
        } else if (options.strategy() == RestoreStrategy.DROP_EXISTING) {
            state = "Collections " + failed + " may be dropped and partially restored; " + results.size()
                    + " others were restored completely. Re-running the step drops and restores them again.";
        } else {
            state = "Collections " + failed + " may be partially merged; re-running the step skips documents that already exist.";
        }
        throw new RestoreFailedException("Restore of database " + database + " from " + backupFolder + " failed for " + failed + ": "
                + cause + " " + state + " Fix: repair or replace the backup (or choose an older one) and re-run.", failed, first);
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CollectionRestore loadOne(MongoDatabase db, BackupCollection c, String target) {
        CollectionMetadata meta = c.metadata().orElse(null);
        Set<String> existing = new HashSet<>();
        db.listCollectionNames().into(existing);
        if (options.strategy() != RestoreStrategy.MERGE && existing.contains(target)) {
            db.getCollection(target).drop();
            existing.remove(target);
        }
        if (!existing.contains(target)) {
            BsonDocument create = new BsonDocument("create", new BsonString(target));
            if (meta != null) {
                // autoIndexId is refused by servers since 4.0 (false) and 8.2 (any value); the _id index is always built
                meta.options().forEach((k, v) -> {
                    if (!"autoIndexId".equals(k)) {
                        create.put(k, v);
                    }
                });
            }
            db.runCommand(create);
        }
        MongoCollection<RawBsonDocument> coll = db.getCollection(target, RawBsonDocument.class);
        InsertManyOptions unordered = new InsertManyOptions().ordered(false);
        long read = 0;
        long inserted = 0;
        long nextReport = 100_000;
        try (BsonFileReader reader = BsonFileReader.open(c.dataFile(), options.validate())) {
            List<RawBsonDocument> batch = new ArrayList<>(Math.min(options.batchSize(), 10_000));
            long batchBytes = 0;
            RawBsonDocument doc;
            while ((doc = reader.next()) != null) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("restore of " + c.name() + " interrupted after " + read + " documents");
                }
                batch.add(doc);
                batchBytes += doc.getByteBuffer().remaining();
                read++;
                if (batch.size() >= options.batchSize() || batchBytes >= options.batchBytes()) {
                    inserted += insert(coll, batch, unordered);
                    batch.clear();
                    batchBytes = 0;
                }
                if (read >= nextReport) {
                    progress.accept("collection " + c.name() + ": " + read + " documents restored");
                    nextReport += 100_000;
                }
            }
            if (!batch.isEmpty()) {
                inserted += insert(coll, batch, unordered);
            }
        }
        List<String> indexes = new ArrayList<>();
        if (options.indexes() && meta != null) {
            BsonArray specs = new BsonArray();
            for (BsonDocument spec : meta.indexes()) {
                if (!IndexSpecs.isIdIndex(spec)) {
                    specs.add(IndexSpecs.forCreate(spec));
                    indexes.add(IndexSpecs.name(spec));
                }
            }
            if (!specs.isEmpty()) {
                // As mongorestore does on servers since 4.1.9: options a newer server no longer knows do not fail the restore.
                db.runCommand(new BsonDocument("createIndexes", new BsonString(target)).append("indexes", specs)
                        .append("ignoreUnknownIndexOptions", org.bson.BsonBoolean.TRUE));
            }
        }
        if (options.strategy() != RestoreStrategy.MERGE) {
            long count = coll.countDocuments();
            if (count != read) {
                throw new RestoreFailedException("Collection " + target + " holds " + count + " documents after the restore, but "
                        + read + " were read from " + c.dataFile() + ".", List.of(c.name()), null);
            }
            if (options.indexes() && meta != null) {
                List<String> diffs = IndexSpecs.differences(meta.indexes(), coll.listIndexes(BsonDocument.class).into(new ArrayList<>()));
                if (!diffs.isEmpty()) {
                    throw new RestoreFailedException("Indexes of " + target + " differ from the backup's metadata "
                            + c.metadataFile().map(Path::toString).orElse("") + ": " + diffs, List.of(c.name()), null);
                }
            }
        }
        LOG.info("Restored {}.{} from {}: {} documents read, {} inserted, indexes {}", database, c.name(), c.dataFile(), read, inserted, indexes);
        return new CollectionRestore(c.name(), read, inserted, indexes, "");
    }

    private static long insert(MongoCollection<RawBsonDocument> coll, List<RawBsonDocument> batch, InsertManyOptions options) {
        try {
            coll.insertMany(batch, options);
            return batch.size();
        } catch (MongoBulkWriteException e) {
            List<BulkWriteError> errors = e.getWriteErrors();
            long duplicates = errors.stream().filter(w -> w.getCode() == DUPLICATE_KEY).count();
            if (duplicates == errors.size() && e.getWriteConcernError() == null) {
                // As mongorestore does: documents whose _id already exists are kept as they are.
                return batch.size() - duplicates;
            }
            throw e;
        }
    }

    private List<CollectionRestore> swap(MongoDatabase db, List<CollectionRestore> loaded, Map<String, String> targets, String tag) {
        List<CollectionRestore> swapped = new ArrayList<>();
        for (CollectionRestore c : loaded) {
            String temp = targets.get(c.name());
            String previous = previousName(c.name(), tag);
            String kept = "";
            try {
                Set<String> existing = new HashSet<>();
                db.listCollectionNames().into(existing);
                if (existing.contains(c.name())) {
                    if (existing.contains(previous)) {
                        // A re-run of this step: the original data was already set aside under this run's name,
                        // so what is live now is an earlier attempt's restore.
                        db.getCollection(c.name()).drop();
                    } else {
                        rename(db, c.name(), previous);
                    }
                    kept = previous;
                } else if (existing.contains(previous)) {
                    kept = previous;
                }
                rename(db, temp, c.name());
                swapped.add(new CollectionRestore(c.name(), c.documentsRead(), c.documentsInserted(), c.indexesCreated(), kept));
            } catch (MongoException e) {
                String undo = undoSwap(db, swapped, c.name(), kept, targets);
                throw new MongoServerException("Swapping restored collection " + temp + " into " + database + "." + c.name()
                        + " failed: " + e.getMessage() + ". " + undo
                        + " Fix: resolve the server error and re-run the step; it restores again and swaps again.", e);
            }
        }
        progress.accept("swapped " + swapped.size() + " restored collections into " + database);
        return swapped;
    }

    /** Puts the live collections back as they were before the swap began; says what it could not. */
    private String undoSwap(MongoDatabase db, List<CollectionRestore> swapped, String failing, String failingKept, Map<String, String> targets) {
        List<String> problems = new ArrayList<>();
        try {
            Set<String> existing = db.listCollectionNames().into(new HashSet<>());
            if (!failingKept.isEmpty() && !existing.contains(failing) && existing.contains(failingKept)) {
                rename(db, failingKept, failing);
            }
        } catch (MongoException ex) {
            problems.add(failing + " (its previous data is in " + failingKept + ": " + ex.getMessage() + ")");
        }
        for (int i = swapped.size() - 1; i >= 0; i--) {
            CollectionRestore c = swapped.get(i);
            try {
                db.getCollection(c.name()).drop();
                if (!c.previousData().isEmpty()) {
                    rename(db, c.previousData(), c.name());
                }
            } catch (MongoException ex) {
                problems.add(c.name() + " (its previous data is in " + c.previousData() + ": " + ex.getMessage() + ")");
            }
        }
        dropQuietly(db, targets.values());
        if (problems.isEmpty()) {
            return "The swap was undone: the live collections are as they were before the restore, and the temporary collections were dropped.";
        }
        return "The swap could not be fully undone for " + problems + "; rename those collections back by hand. "
                + "The other live collections are as they were before the restore.";
    }

    private void rename(MongoDatabase db, String from, String to) {
        db.getCollection(from).renameCollection(new MongoNamespace(database, to));
    }

    private static void dropQuietly(MongoDatabase db, Iterable<String> names) {
        for (String n : names) {
            try {
                db.getCollection(n).drop();
            } catch (MongoException e) {
                LOG.warn("Could not drop temporary collection {}: {}", n, e.getMessage());
            }
        }
    }

    /**
     * A collection name made from a prefix and a collection name, shortened with a hash when long.
     *
     * @param prefix the prefix
     * @param name   the collection name
     * @return the derived name
     */
    static String derivedName(String prefix, String name) {
        String candidate = prefix + name;
        if (candidate.getBytes(StandardCharsets.UTF_8).length <= MAX_DERIVED_NAME) {
            return candidate;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
            return prefix + HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The name under which a replaced live collection is kept for forensics.
     *
     * @param name the collection name
     * @param tag  the run's short tag
     * @return the name
     */
    public static String previousName(String name, String tag) {
        String candidate = name + "_before_" + tag;
        return candidate.getBytes(StandardCharsets.UTF_8).length <= MAX_DERIVED_NAME ? candidate : derivedName("rbold_" + tag + "_", name);
    }

    /**
     * @param runId a run id
     * @return a short tag of letters and digits from it
     */
    public static String shortTag(String runId) {
        String clean = runId.replaceAll("[^A-Za-z0-9]", "");
        return clean.length() <= 8 ? clean : clean.substring(clean.length() - 8);
    }
}
