package dev.rollback.mongo.internal;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.InsertManyOptions;
import dev.rollback.core.StepContext;
import dev.rollback.mongo.BackupCollection.Kind;
import dev.rollback.mongo.BackupCollection;
import dev.rollback.mongo.BackupFormat;
import dev.rollback.mongo.BackupNotFoundException;
import dev.rollback.mongo.BackupOptions;
import dev.rollback.mongo.CollectionMetadata;
import dev.rollback.mongo.LeftAside;
import dev.rollback.mongo.MongoBackupContents;
import dev.rollback.mongo.MongoRestoreFailedException;
import dev.rollback.mongo.MongoRollbackException;
import dev.rollback.mongo.MongoServerException;
import dev.rollback.mongo.OplogSummary;
import dev.rollback.mongo.RestoreResult.CollectionRestore;
import dev.rollback.mongo.RestoreResult;
import dev.rollback.mongo.RestoreStrategy;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Restores a backup through the driver. Per entry: the collection is created with the metadata's
 * options (time series with their timeseries options, views with their definition), documents go
 * in with unordered {@code insertMany} in bounded batches (buckets, for a time series), indexes
 * after; collections in parallel up to a limit (an archive is read once, its namespaces fed as they
 * come). Under {@link RestoreStrategy#SAFE_SWAP} everything goes into temporary collections, which
 * are checked and then swapped in by {@link SafeSwap}; what was loaded is remembered in step memory
 * so that a resume does not load twice.
 */
public final class RestoreEngine {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreEngine.class);
    private static final int DUPLICATE_KEY = 11000;
    private static final int TIMESERIES_WIRE_VERSION = 13;
    /** Step memory: the verified load of this run. */
    public static final String MEMORY_LOADED = "mongo.loaded";
    /** Step memory: leftovers of earlier runs this step dropped. */
    public static final String MEMORY_LEFTOVERS = "mongo.leftovers";
    /** Step memory: users and roles merged. */
    public static final String MEMORY_USERS = "mongo.users.merged";

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

    /** One entry to restore: where it comes from and where it goes. */
    record Target(BackupCollection source, String db, String name, String temp) {
        String namespace() {
            return db + "." + name;
        }

        Kind kind() {
            return source.kind();
        }
    }

    private final MongoConnection connection;
    private final String database;
    private final Options options;
    private final Consumer<String> progress;

    /**
     * @param connection the server
     * @param database   the target database, or null to restore every database of a dump root or archive into its own
     * @param options    the settings
     * @param progress   receives progress lines
     */
    public RestoreEngine(MongoConnection connection, String database, Options options, Consumer<String> progress) {
        this.connection = connection;
        this.database = database;
        this.options = options;
        this.progress = progress;
    }

    // ------------------------------------------------------------------------------------------ entry points

    /**
     * Restores a backup: loads and verifies, then (safe swap) swaps in, then merges users and roles if asked.
     *
     * @param ctx          the running step's context (its memory makes a resume complete the work)
     * @param backupPath   the backup
     * @param backupOptions how to read it
     * @return what was restored
     */
    public RestoreResult restore(StepContext ctx, Path backupPath, BackupOptions backupOptions) {
        Instant start = Instant.now();
        MongoBackupContents contents = BackupReader.read(backupPath, backupOptions, database);
        List<Target> targets = targets(contents, backupOptions, TempNames.tag(ctx.runId()));
        try (MongoClient client = connection.open()) {
            ping(client, backupPath);
            if (options.strategy() == RestoreStrategy.SAFE_SWAP) {
                Optional<Loaded> known = ctx.recall(MEMORY_LOADED).map(Loaded::fromJson);
                if (known.isPresent() && new SafeSwap(client, ctx, progress).completeInterruptedUndo(known.get())) {
                    known = Optional.empty();
                }
                Loaded loaded = known.filter(l -> SafeSwap.started(ctx) || stillThere(client, l)).orElse(null);
                if (loaded == null) {
                    loaded = load(ctx, client, contents, targets, backupOptions);
                } else {
                    progress.accept("the backup was already loaded and verified in this run (" + loaded.describe() + "); not loading it again");
                }
                SafeSwap.Outcome swapped = new SafeSwap(client, ctx, progress).run(loaded);
                String users = mergeUsers(ctx, client, contents, backupOptions);
                return result(contents, loaded, swapped, start, users, removedLeftovers(ctx));
            }
            Loaded loaded = load(ctx, client, contents, targets, backupOptions);
            String users = mergeUsers(ctx, client, contents, backupOptions);
            return result(contents, loaded, null, start, users, removedLeftovers(ctx));
        }
    }

    /**
     * Loads and verifies a backup into temporary collections while the live ones keep serving;
     * remembered in step memory, so that a resume does not load twice.
     *
     * @param ctx           the running step's context
     * @param backupPath    the backup
     * @param backupOptions how to read it
     * @return what was loaded
     */
    public Loaded prepare(StepContext ctx, Path backupPath, BackupOptions backupOptions) {
        MongoBackupContents contents = BackupReader.read(backupPath, backupOptions, database);
        List<Target> targets = targets(contents, backupOptions, TempNames.tag(ctx.runId()));
        try (MongoClient client = connection.open()) {
            ping(client, backupPath);
            Optional<Loaded> known = ctx.recall(MEMORY_LOADED).map(Loaded::fromJson);
            if (known.isPresent()) {
                progress.accept("the backup was already prepared in this run (" + known.get().describe() + "); not preparing it twice");
                return known.get();
            }
            return load(ctx, client, contents, targets, backupOptions);
        }
    }

    /**
     * Swaps a prepared set in, then merges users and roles if asked.
     *
     * @param ctx           the swap step's context (its own memory holds the swap's state)
     * @param prepared      what the prepare step loaded
     * @param backupPath    the backup (for users and roles, and the result)
     * @param backupOptions how it is read
     * @param countAtSwap   whether the swap counts the data-loss window (false: a later step counts it on the kept collections)
     * @return what was restored
     */
    public RestoreResult swapIn(StepContext ctx, Loaded prepared, Path backupPath, BackupOptions backupOptions, boolean countAtSwap) {
        Instant start = Instant.now();
        MongoBackupContents contents = BackupReader.read(backupPath, backupOptions, database);
        try (MongoClient client = connection.open()) {
            ping(client, backupPath);
            SafeSwap.Outcome swapped = new SafeSwap(client, ctx, progress, countAtSwap).run(prepared);
            String users = mergeUsers(ctx, client, contents, backupOptions);
            return result(contents, prepared, swapped, start, users, List.of());
        }
    }

    /**
     * Drops this run's temporary collections (an abandoned run's cleanup); kept data is never touched.
     *
     * @param connection the server
     * @param ctx        the abandoned run's context
     * @param databases  the databases to look in
     * @return what was dropped, one line each
     */
    public static List<String> dropTemporaries(MongoConnection connection, StepContext ctx, Collection<String> databases) {
        String prefix = TempNames.tempPrefix(TempNames.tag(ctx.runId()));
        Set<String> dbs = new TreeSet<>(databases);
        ctx.recall(MEMORY_LOADED).map(Loaded::fromJson).ifPresent(l -> l.entries().forEach(e -> dbs.add(e.db())));
        List<String> dropped = new ArrayList<>();
        connection.call("dropping the temporary collections of run " + ctx.runId(), "Some temporary collections may remain", client -> {
            for (String db : dbs) {
                MongoDatabase d = client.getDatabase(db);
                for (String name : d.listCollectionNames().into(new ArrayList<>())) {
                    if (name.startsWith(prefix)) {
                        d.getCollection(name).drop();
                        dropped.add("collection " + db + "." + name);
                    }
                }
            }
            return null;
        });
        return dropped;
    }

    // ------------------------------------------------------------------------------------------ targets

    private List<Target> targets(MongoBackupContents contents, BackupOptions backupOptions, String tag) {
        if (database == null && contents.format() == BackupFormat.DATABASE_FOLDER) {
            throw new BackupNotFoundException("The backup " + contents.location() + " is a single database folder; a server-wide restore "
                    + "needs a dump root or an archive. Nothing was changed. Fix: restore it with mongo.database(\"<name>\").restoreFrom(...).");
        }
        BackupTargets.Mapping mapping = BackupTargets.map(contents, backupOptions, database);
        Set<String> otherDatabases = mapping.otherDatabases();
        Set<String> missing = new LinkedHashSet<>(options.collections());
        List<Target> targets = new ArrayList<>();
        for (BackupTargets.Mapped m : mapping.mapped()) {
            if (!options.collections().isEmpty() && !options.collections().contains(m.source().name())) {
                continue;
            }
            missing.remove(m.source().name());
            targets.add(new Target(m.source(), m.db(), m.name(), options.strategy() == RestoreStrategy.SAFE_SWAP ? TempNames.temp(tag, m.name()) : m.name()));
        }
        if (!missing.isEmpty()) {
            throw new BackupNotFoundException("The backup " + contents.location() + " has no collection " + missing + " for "
                    + (database == null ? "the restore" : "database " + database) + "; it has " + contents.collectionNames()
                    + ". Nothing was changed. Fix: correct collections(...).");
        }
        if (targets.isEmpty()) {
            StringBuilder why = new StringBuilder("The backup " + contents.location() + " (" + contents.format() + ") holds nothing to restore"
                    + (database == null ? "" : " into database " + database));
            if (!otherDatabases.isEmpty()) {
                why.append("; it holds databases ").append(otherDatabases);
            }
            if (!contents.leftAside().isEmpty()) {
                why.append("; left aside: ").append(contents.leftAside());
            }
            throw new BackupNotFoundException(why + ". Nothing was changed. Fix: point the restore at the backup of this database "
                    + "(a database folder <dump>/<database>, a dump root or an archive that holds it), or check nsInclude/nsRename.");
        }
        List<String> noMetadata = new ArrayList<>();
        for (Target t : targets) {
            if (t.kind() == Kind.COLLECTION && t.source().metadata().isEmpty() && !backupOptions.withoutMetadata()) {
                noMetadata.add(t.source().namespace() + " (" + t.source().location() + ")");
            }
        }
        if (!noMetadata.isEmpty() && options.indexes()) {
            throw new BackupNotFoundException("The backup " + contents.location() + " has no metadata (.metadata.json) for " + noMetadata
                    + ": restored, they would have only their _id index and default options. Nothing was changed. Fix: take the backup again "
                    + "with its metadata, or accept it with withoutMetadata() on the backup source.");
        }
        NamespaceRules rules = backupOptions.rules();
        if (backupOptions.usersAndRoles() == BackupOptions.UsersAndRoles.RESTORE && !backupOptions.renames().isEmpty()) {
            for (BackupCollection u : contents.usersAndRoles()) {
                String renamed = rules.rename(u.database() + ".x");
                if (!renamed.startsWith(u.database() + ".") && !u.database().equals("admin")) {
                    throw new IllegalArgumentException("withUsersAndRoles() cannot follow nsRename: the users of database " + u.database()
                            + " name that database in their roles. Nothing was changed. Fix: restore users and roles without renaming databases.");
                }
            }
        }
        return targets;
    }

    private void ping(MongoClient client, Path backupPath) {
        try {
            client.getDatabase("admin").runCommand(new BsonDocument("ping", new BsonInt32(1)));
        } catch (MongoException e) {
            throw connection.wrap("restoring " + (database == null ? "from " : "database " + database + " from ") + backupPath, "Nothing was changed", e);
        }
    }

    // ------------------------------------------------------------------------------------------ loading

    private Loaded load(StepContext ctx, MongoClient client, MongoBackupContents contents, List<Target> targets, BackupOptions backupOptions) {
        String tag = TempNames.tag(ctx.runId());
        boolean swap = options.strategy() == RestoreStrategy.SAFE_SWAP;
        checkServerSupports(client, targets, contents, backupOptions);
        removeLeftovers(ctx, client, targets, tag);
        contents.leftAside().forEach(l -> LOG.info("Not restoring {}: {}", l.location(), l.reason()));
        List<String> created = new ArrayList<>();
        try {
            for (Target t : targets) {
                MongoDatabase db = client.getDatabase(t.db());
                boolean exists = collectionInfo(db, t.temp()) != null;
                if (exists && (swap || options.strategy() == RestoreStrategy.DROP_EXISTING)) {
                    // SAFE_SWAP: a temporary collection of an attempt of this run that did not finish loading
                    db.getCollection(t.temp()).drop();
                    exists = false;
                }
                if (!exists) {
                    create(db, t);
                    created.add(t.db() + "." + t.temp());
                }
            }
            verifyTypes(client, targets);
        } catch (MongoException | MongoRollbackException e) {
            if (swap) {
                dropQuietly(client, targets);
            }
            if (e instanceof MongoRollbackException mre) {
                throw mre;
            }
            throw connection.wrap("creating the collections of the restore", swap ? "The live collections are untouched; the temporary "
                    + "collections of this attempt were dropped" : "Collections " + created + " may have been created", (MongoException) e);
        }
        BackupReader.OplogCounter oplog = contents.oplogLocation().map(BackupReader.OplogCounter::new).orElse(null);
        List<Loaded.Entry> entries = contents.format().isArchive()
                ? loadArchive(client, contents, targets, oplog)
                : loadFiles(client, contents.location(), targets);
        Optional<OplogSummary> oplogSummary = contents.oplog().isPresent() ? contents.oplog()
                : Optional.ofNullable(oplog).map(BackupReader.OplogCounter::summary);
        Loaded loaded = new Loaded(contents.location().toString(), tag, entries, oplogSummary);
        if (swap) {
            ctx.remember(MEMORY_LOADED, loaded.toJson());
        }
        progress.accept("loaded and verified " + loaded.describe() + (swap ? " into temporary collections" : ""));
        return loaded;
    }

    /** Refuses, before anything changes, what the server cannot take. */
    private void checkServerSupports(MongoClient client, List<Target> targets, MongoBackupContents contents, BackupOptions backupOptions) {
        List<String> timeseries = targets.stream().filter(t -> t.kind() == Kind.TIMESERIES).map(Target::namespace).toList();
        if (!timeseries.isEmpty()) {
            int wire = wireVersion(client);
            if (wire < TIMESERIES_WIRE_VERSION) {
                throw new MongoRestoreFailedException("MongoDB at " + connection.redactedUri() + " (wire version " + wire + ", older than MongoDB 5.0) "
                        + "has no time series collections, and the backup holds time series " + timeseries + ". Nothing was changed. "
                        + "Fix: restore onto MongoDB 5.0 or newer, or leave them out with nsExclude(...).", timeseries, null);
            }
        }
        if (backupOptions.usersAndRoles() == BackupOptions.UsersAndRoles.RESTORE && !contents.usersAndRoles().isEmpty()) {
            Set<String> commands;
            try {
                commands = client.getDatabase("admin").runCommand(new BsonDocument("listCommands", new BsonInt32(1)))
                        .get("commands", Document.class).keySet();
            } catch (MongoException | ClassCastException | NullPointerException e) {
                commands = Set.of();
            }
            if (!commands.contains("_mergeAuthzCollections")) {
                List<String> files = contents.usersAndRoles().stream().map(BackupCollection::location).toList();
                throw new MongoRestoreFailedException("MongoDB at " + connection.redactedUri() + " does not offer _mergeAuthzCollections, the command "
                        + "mongorestore restores users and roles with, and the restore was asked to restore " + files + ". Nothing was changed. "
                        + "Fix: restore onto a MongoDB server (as a user with the restore role), or leave users and roles aside with "
                        + "withoutUsersAndRoles().", files, null);
            }
        }
    }

    private static int wireVersion(MongoClient client) {
        BsonDocument hello;
        try {
            hello = client.getDatabase("admin").runCommand(new BsonDocument("hello", new BsonInt32(1)), BsonDocument.class);
        } catch (MongoException e) {
            hello = client.getDatabase("admin").runCommand(new BsonDocument("isMaster", new BsonInt32(1)), BsonDocument.class);
        }
        BsonValue v = hello.get("maxWireVersion");
        return v != null && v.isNumber() ? v.asNumber().intValue() : 0;
    }

    private void removeLeftovers(StepContext ctx, MongoClient client, List<Target> targets, String tag) {
        if (ctx.recall(MEMORY_LEFTOVERS).isPresent()) {
            return;
        }
        List<String> removed = new ArrayList<>();
        Set<String> dbs = new TreeSet<>();
        targets.forEach(t -> dbs.add(t.db()));
        String mine = TempNames.tempPrefix(tag);
        for (String dbName : dbs) {
            MongoDatabase db = client.getDatabase(dbName);
            for (BsonDocument info : db.listCollections(BsonDocument.class).into(new ArrayList<>())) {
                String name = info.getString("name").getValue();
                if (name.startsWith("rbtmp_") && !name.startsWith(mine)) {
                    db.getCollection(name).drop();
                    removed.add(dbName + "." + name);
                }
            }
        }
        if (!removed.isEmpty()) {
            progress.accept("dropped temporary collections an earlier, crashed run left: " + removed);
        }
        ctx.remember(MEMORY_LEFTOVERS, String.join(",", removed));
    }

    private static List<String> removedLeftovers(StepContext ctx) {
        return ctx.recall(MEMORY_LEFTOVERS).filter(s -> !s.isEmpty()).map(s -> List.of(s.split(","))).orElse(List.of());
    }

    private void create(MongoDatabase db, Target t) {
        CollectionMetadata meta = t.source().metadata().orElse(null);
        BsonDocument create = new BsonDocument("create", new BsonString(t.temp()));
        if (meta != null) {
            boolean clustered = meta.options().containsKey("clusteredIndex");
            IndexSpecs.Plan plan = IndexSpecs.plan(meta.indexes(), clustered);
            meta.options().forEach((k, v) -> {
                // autoIndexId is refused by servers since 4.0 (false) and 8.2 (any value); with an idIndex it is dropped, as mongorestore does
                if (!"autoIndexId".equals(k)) {
                    create.put(k, v);
                }
            });
            if (plan.idIndex() != null && t.kind() == Kind.COLLECTION) {
                create.put("idIndex", plan.idIndex());
            }
        }
        db.runCommand(create);
    }

    /** A server that does not know time series or views creates a plain collection: found here, before any data moves. */
    private void verifyTypes(MongoClient client, List<Target> targets) {
        List<String> wrong = new ArrayList<>();
        for (Target t : targets) {
            if (t.kind() == Kind.COLLECTION) {
                continue;
            }
            BsonDocument info = collectionInfo(client.getDatabase(t.db()), t.temp());
            String type = info == null ? "missing" : info.getString("type", new BsonString("collection")).getValue();
            String want = t.kind() == Kind.TIMESERIES ? "timeseries" : "view";
            if (!want.equals(type)) {
                wrong.add(t.source().namespace() + " (a " + want + "; the server created a " + type + ")");
            }
        }
        if (!wrong.isEmpty()) {
            throw new MongoRestoreFailedException("MongoDB at " + connection.redactedUri() + " does not support " + wrong + ": asked to create them, "
                    + "it made something else. Nothing was changed: the temporary collections were dropped, the live ones are untouched. "
                    + "Fix: restore onto a MongoDB server that supports them (time series: 5.0+), or leave them out with nsExclude(...).",
                    wrong, null);
        }
    }

    static BsonDocument collectionInfo(MongoDatabase db, String name) {
        // matched here rather than with a listCollections filter: mongo-java-server ignores the filter
        for (BsonDocument info : db.listCollections(BsonDocument.class)) {
            if (name.equals(info.getString("name", new BsonString("")).getValue())) {
                return info;
            }
        }
        return null;
    }

    private List<Loaded.Entry> loadFiles(MongoClient client, Path backup, List<Target> targets) {
        int threads = Math.max(1, Math.min(options.parallelism(), targets.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "mongo-restore-" + (database == null ? "all" : database));
            t.setDaemon(true);
            return t;
        });
        Map<String, Future<Loaded.Entry>> futures = new LinkedHashMap<>();
        for (Target t : targets) {
            futures.put(t.namespace(), pool.submit(() -> {
                MongoDatabase db = client.getDatabase(t.db());
                long read = 0;
                long inserted = 0;
                if (t.source().dataFile().isPresent()) {
                    Inserter ins = new Inserter(db.getCollection(dataCollection(t), RawBsonDocument.class), t, null);
                    try (BsonFileReader reader = BsonFileReader.open(t.source().dataFile().get(), options.validate())) {
                        RawBsonDocument doc;
                        while ((doc = reader.next()) != null) {
                            if (Thread.currentThread().isInterrupted()) {
                                throw new IllegalStateException("restore of " + t.namespace() + " interrupted after " + ins.read + " documents");
                            }
                            ins.add(doc);
                        }
                    }
                    ins.flush();
                    read = ins.read;
                    inserted = ins.inserted.get();
                }
                return finish(db, t, read, inserted);
            }));
        }
        pool.shutdown();
        return collect(client, futures, targets, backup, pool);
    }

    private List<Loaded.Entry> loadArchive(MongoClient client, MongoBackupContents contents, List<Target> targets, BackupReader.OplogCounter oplog) {
        Map<String, Inserter> byDataNs = new HashMap<>();
        int threads = Math.max(1, options.parallelism());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "mongo-restore-archive");
            t.setDaemon(true);
            return t;
        });
        // Bounded memory: at most 2 batches per insert thread in flight, and the pending batches of all namespaces capped.
        Semaphore inFlight = new Semaphore(threads * 2);
        AsyncFlush flusher = new AsyncFlush(pool, inFlight);
        for (Target t : targets) {
            String sourceDataNs = t.source().database() + "." + t.source().dataCollection();
            Inserter ins = new Inserter(client.getDatabase(t.db()).getCollection(dataCollection(t), RawBsonDocument.class), t, flusher);
            if (options.validate()) {
                ins.validateIn = contents.location();   // on the insert threads: the reader only frames and checksums
            }
            byDataNs.put(sourceDataNs, ins);
        }
        long cap = Math.max(64L * 1024 * 1024, 4L * options.batchBytes());
        try (ArchiveReader archive = ArchiveReader.open(contents.location(), false)) {
            long[] pending = {0};
            archive.readBody(new ArchiveReader.BodyConsumer() {
                @Override
                public void document(String namespace, RawBsonDocument document) {
                    if (oplog != null && namespace.equals(".oplog")) {
                        oplog.add(document);
                        return;
                    }
                    Inserter ins = byDataNs.get(namespace);
                    if (ins == null) {
                        return;   // left aside (listed in the result)
                    }
                    flusher.rethrow();
                    long before = ins.pendingBytes;
                    if (ins.validateIn != null) {
                        ins.offsets.add(archive.lastOffset());
                    }
                    ins.add(document);
                    pending[0] += ins.pendingBytes - before;
                    if (pending[0] > cap) {
                        Inserter largest = byDataNs.values().stream().max((a, b) -> Long.compare(a.pendingBytes, b.pendingBytes)).orElseThrow();
                        pending[0] -= largest.pendingBytes;
                        largest.flush();
                    }
                }

                @Override
                public void end(String namespace, long documents) {
                    Inserter ins = byDataNs.get(namespace);
                    if (ins != null) {
                        pending[0] -= ins.pendingBytes;
                        ins.flush();
                    }
                }
            });
            flusher.awaitAll();
        } catch (RuntimeException e) {
            pool.shutdownNow();
            awaitQuietly(pool);
            throw loadFailed(client, targets, List.of(), e, contents.location());
        }
        Map<String, Future<Loaded.Entry>> futures = new LinkedHashMap<>();
        for (Target t : targets) {
            Inserter ins = byDataNs.get(t.source().database() + "." + t.source().dataCollection());
            futures.put(t.namespace(), pool.submit(() -> finish(client.getDatabase(t.db()), t, ins.read, ins.inserted.get())));
        }
        pool.shutdown();
        return collect(client, futures, targets, contents.location(), pool);
    }

    private static String dataCollection(Target t) {
        return t.kind() == Kind.TIMESERIES ? "system.buckets." + t.temp() : t.temp();
    }

    private List<Loaded.Entry> collect(MongoClient client, Map<String, Future<Loaded.Entry>> futures, List<Target> targets, Path backup,
                                       ExecutorService pool) {
        List<Loaded.Entry> results = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        Throwable first = null;
        for (Map.Entry<String, Future<Loaded.Entry>> e : futures.entrySet()) {
            try {
                results.add(e.getValue().get());
            } catch (ExecutionException ex) {
                failed.add(e.getKey());
                if (first == null) {
                    first = ex.getCause();
                    futures.values().forEach(f -> f.cancel(true));
                }
            } catch (CancellationException ex) {
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
        throw loadFailed(client, targets, failed, first, backup);
    }

    private MongoRestoreFailedException loadFailed(MongoClient client, List<Target> targets, List<String> failed, Throwable first, Path backup) {
        String cause = first instanceof MongoRollbackException ? first.getMessage()
                : first instanceof MongoException me ? connection.wrap("restoring from " + backup, "The restore stopped", me).getMessage() : String.valueOf(first);
        String state;
        List<String> names = failed.isEmpty() ? targets.stream().map(Target::namespace).toList() : failed;
        if (options.strategy() == RestoreStrategy.SAFE_SWAP) {
            dropQuietly(client, targets);
            state = "The live collections are untouched; the temporary collections of this attempt were dropped.";
        } else if (options.strategy() == RestoreStrategy.DROP_EXISTING) {
            state = "Collections " + names + " may be dropped and partially restored. Re-running the step drops and restores them again.";
        } else {
            state = "Collections " + names + " may be partially merged; re-running the step skips documents that already exist.";
        }
        return new MongoRestoreFailedException("Restore " + (database == null ? "" : "of database " + database + " ") + "from " + backup + " failed for "
                + names + ": " + cause + " " + state + " Fix: repair or replace the backup (or choose an older one) and re-run.", names, first);
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Indexes, then the counts and indexes checked against what was read. */
    private Loaded.Entry finish(MongoDatabase db, Target t, long read, long inserted) {
        CollectionMetadata meta = t.source().metadata().orElse(null);
        List<String> created = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        IndexSpecs.Plan plan = meta == null ? null : IndexSpecs.plan(meta.indexes(), meta.options().containsKey("clusteredIndex"));
        if (t.kind() != Kind.VIEW && options.indexes() && plan != null) {
            skipped.addAll(plan.skipped());
            BsonArray specs = new BsonArray();
            plan.create().forEach(s -> {
                specs.add(s);
                created.add(IndexSpecs.name(s));
            });
            if (!specs.isEmpty()) {
                // As mongorestore does on servers since 4.1.9: options a newer server no longer knows do not fail the restore.
                db.runCommand(new BsonDocument("createIndexes", new BsonString(t.temp())).append("indexes", specs)
                        .append("ignoreUnknownIndexOptions", BsonBoolean.TRUE));
            }
        }
        BsonValue maxId = null;
        if (t.kind() != Kind.VIEW && options.strategy() != RestoreStrategy.MERGE) {
            MongoCollection<BsonDocument> data = db.getCollection(dataCollection(t), BsonDocument.class);
            long count = data.countDocuments();
            if (count != read) {
                throw new MongoRestoreFailedException("Collection " + t.db() + "." + dataCollection(t) + " holds " + count + " documents after the restore, but "
                        + read + " were read from " + t.source().location() + ".", List.of(t.namespace()), null);
            }
            if (options.indexes() && plan != null && t.kind() == Kind.COLLECTION) {
                List<String> diffs = IndexSpecs.differences(plan.expected(), db.getCollection(t.temp()).listIndexes(BsonDocument.class).into(new ArrayList<>()));
                if (!diffs.isEmpty()) {
                    throw new MongoRestoreFailedException("Indexes of " + t.db() + "." + t.temp() + " differ from the backup's metadata "
                            + t.source().metadataFile().map(Path::toString).orElse(t.source().location()) + ": " + diffs, List.of(t.namespace()), null);
                }
            }
            if (t.kind() == Kind.COLLECTION && count > 0) {
                BsonDocument last = data.find().projection(new BsonDocument("_id", new BsonInt32(1))).sort(new BsonDocument("_id", new BsonInt32(-1)))
                        .limit(1).first();
                maxId = last == null ? null : last.get("_id");
            }
        }
        LOG.info("Restored {} into {}.{} from {}: {} documents read, {} inserted, indexes {}", t.source().namespace(), t.db(), t.temp(),
                t.source().location(), read, inserted, created);
        return new Loaded.Entry(t.kind(), t.db(), t.name(), t.temp(), t.source().location(), read, inserted, created, skipped, maxId);
    }

    private void dropQuietly(MongoClient client, List<Target> targets) {
        for (Target t : targets) {
            try {
                client.getDatabase(t.db()).getCollection(t.temp()).drop();
            } catch (MongoException e) {
                LOG.warn("Could not drop temporary collection {}.{}: {}", t.db(), t.temp(), e.getMessage());
            }
        }
    }

    private static boolean stillThere(MongoClient client, Loaded loaded) {
        for (Loaded.Entry e : loaded.entries()) {
            MongoDatabase db = client.getDatabase(e.db());
            if (collectionInfo(db, e.temp()) == null) {
                return false;
            }
            if (e.kind() != Kind.VIEW) {
                String data = e.kind() == Kind.TIMESERIES ? "system.buckets." + e.temp() : e.temp();
                if (db.getCollection(data).countDocuments() != e.read()) {
                    return false;
                }
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ inserting

    /** Flushes batches on a pool, with a bound on batches in flight; the first failure is kept and rethrown. */
    private static final class AsyncFlush {
        private final ExecutorService pool;
        private final Semaphore inFlight;
        private final List<Future<?>> futures = new ArrayList<>();
        private volatile Throwable failure;

        AsyncFlush(ExecutorService pool, Semaphore inFlight) {
            this.pool = pool;
            this.inFlight = inFlight;
        }

        void submit(Runnable work) {
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while restoring", e);
            }
            futures.removeIf(Future::isDone);
            futures.add(pool.submit(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    }
                } finally {
                    inFlight.release();
                }
            }));
        }

        void rethrow() {
            Throwable f = failure;
            if (f instanceof RuntimeException re) {
                throw re;
            }
        }

        void awaitAll() {
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while restoring", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
            rethrow();
        }
    }

    /** Batches documents for one collection: by count and by bytes. */
    private final class Inserter {
        private final MongoCollection<RawBsonDocument> coll;
        private final Target target;
        private final AsyncFlush async;
        private List<RawBsonDocument> batch = new ArrayList<>();
        private List<Long> offsets = new ArrayList<>();
        private Path validateIn;
        private long pendingBytes;
        private long read;
        private final AtomicLong inserted = new AtomicLong();
        private long nextReport = 100_000;

        Inserter(MongoCollection<RawBsonDocument> coll, Target target, AsyncFlush async) {
            this.coll = coll;
            this.target = target;
            this.async = async;
        }

        void add(RawBsonDocument doc) {
            batch.add(doc);
            pendingBytes += doc.getByteBuffer().remaining();
            read++;
            if (batch.size() >= options.batchSize() || pendingBytes >= options.batchBytes()) {
                flush();
            }
            if (read >= nextReport) {
                progress.accept("collection " + target.namespace() + ": " + read + " documents restored");
                nextReport += 100_000;
            }
        }

        void flush() {
            if (batch.isEmpty()) {
                return;
            }
            List<RawBsonDocument> b = batch;
            List<Long> at = offsets;
            batch = new ArrayList<>();
            offsets = new ArrayList<>();
            pendingBytes = 0;
            if (async == null) {
                inserted.addAndGet(insert(coll, b));
            } else {
                Path archive = validateIn;
                String ns = target.source().namespace();
                async.submit(() -> {
                    if (archive != null) {
                        validate(archive, ns, b, at);
                    }
                    inserted.addAndGet(insert(coll, b));
                });
            }
        }
    }

    private static void validate(Path archive, String namespace, List<RawBsonDocument> batch, List<Long> offsets) {
        for (int i = 0; i < batch.size(); i++) {
            ByteBuffer buf = batch.get(i).getByteBuffer().asNIO();
            String problem = BsonFileReader.problem(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
            if (problem != null) {
                throw new dev.rollback.mongo.CorruptBackupException(archive, offsets.get(i), problem + " (a document of " + namespace + ")", null);
            }
        }
    }

    private static long insert(MongoCollection<RawBsonDocument> coll, List<RawBsonDocument> batch) {
        try {
            coll.insertMany(batch, new InsertManyOptions().ordered(false));
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

    // ------------------------------------------------------------------------------------------ users and roles

    private String mergeUsers(StepContext ctx, MongoClient client, MongoBackupContents contents, BackupOptions backupOptions) {
        if (contents.usersAndRoles().isEmpty() || backupOptions.usersAndRoles() != BackupOptions.UsersAndRoles.RESTORE) {
            return "";
        }
        Optional<String> done = ctx.recall(MEMORY_USERS);
        if (done.isPresent()) {
            return done.get();
        }
        return UsersAndRoles.merge(client, contents, database, TempNames.tag(ctx.runId()),
                options.strategy() == RestoreStrategy.DROP_EXISTING, ctx, progress);
    }

    // ------------------------------------------------------------------------------------------ result

    private RestoreResult result(MongoBackupContents contents, Loaded loaded, SafeSwap.Outcome swapped, Instant start, String users,
                                 List<String> removedLeftovers) {
        List<CollectionRestore> out = new ArrayList<>();
        for (Loaded.Entry e : loaded.entries()) {
            SafeSwap.EntryOutcome o = swapped == null ? null : swapped.of(e.namespace());
            out.add(new CollectionRestore(e.name(), e.read(), e.inserted(), e.indexes(), o == null ? "" : o.kept(), e.db(), e.kind(),
                    e.skippedIndexes(), o == null ? List.of() : o.meanwhile(), o == null ? -1 : o.written()));
        }
        List<LeftAside> leftAside = new ArrayList<>();
        for (LeftAside l : contents.leftAside()) {
            if (l.location().equals(contents.oplogLocation().orElse(null)) && loaded.oplog().isPresent()) {
                leftAside.add(BackupReader.oplogLeftAside(loaded.oplog().get(), l.acknowledged()));
            } else {
                leftAside.add(l);
            }
        }
        return new RestoreResult(database == null ? "" : database, contents.location(), options.strategy(), out,
                Duration.between(start, Instant.now()), leftAside, loaded.oplog(), removedLeftovers, users);
    }

    static Set<String> names(MongoDatabase db) {
        return db.listCollectionNames().into(new HashSet<>());
    }
}
