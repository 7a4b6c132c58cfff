package dev.rollback.mongo.internal;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import dev.rollback.mongo.BackupNotFoundException;
import dev.rollback.mongo.CollectionMetadata;
import dev.rollback.mongo.DumpResult;
import dev.rollback.mongo.DumpResult.CollectionDump;
import dev.rollback.mongo.MongoServerException;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import dev.rollback.core.OwnerOnlyFiles;
import org.bson.BsonInt32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a database, or chosen collections, as mongodump does: in its directory layout
 * ({@code <out>/<db>/<escaped name>.bson[.gz]} streamed from a cursor, and
 * {@code <escaped name>.metadata.json[.gz]} with options, indexes, UUID, name and type) or as one
 * archive ({@code --archive}, plain or gzip). Time series are written as mongodump writes them (the
 * buckets as {@code system.buckets.<name>}, the metadata under the name), views as metadata only,
 * and the database's users and roles as {@code $admin.system.users} / {@code roles} when asked.
 * The rollback library's own collections (temporary restores, kept originals) are never dumped:
 * forensics hold the application's data only. Files are readable by the owner only.
 */
public final class DumpEngine {
    private static final Logger LOG = LoggerFactory.getLogger(DumpEngine.class);
    /** The tool version written in archive headers. */
    public static final String TOOL_VERSION = "rollback-mongo";

    private final MongoConnection connection;
    private final String database;
    private final Set<String> collections;
    private final boolean gzip;
    private final boolean usersAndRoles;
    private final Consumer<String> progress;

    /** One thing to dump. */
    private record Item(String name, String type, String dataCollection, CollectionMetadata metadata) {
    }

    /**
     * @param connection    the server
     * @param database      the database
     * @param collections   the collections to dump, empty for all
     * @param gzip          whether to compress
     * @param usersAndRoles whether to dump the database's users and roles ({@code mongodump --dumpDbUsersAndRoles})
     * @param progress      receives progress lines
     */
    public DumpEngine(MongoConnection connection, String database, Set<String> collections, boolean gzip, boolean usersAndRoles,
                      Consumer<String> progress) {
        this.connection = connection;
        this.database = database;
        this.collections = Set.copyOf(collections);
        this.gzip = gzip;
        this.usersAndRoles = usersAndRoles;
        this.progress = progress;
    }

    /**
     * Dumps into {@code out/<database>}; existing files of the same collections are replaced.
     *
     * @param out the dump root
     * @return what was written
     */
    public DumpResult dump(Path out) {
        Path dir = out.resolve(database);
        return run(dir, "into " + dir, (client, db, items, skipped) -> {
            OwnerOnlyFiles.createDirectories(dir);
            List<CollectionDump> dumped = new ArrayList<>();
            String ext = gzip ? ".gz" : "";
            for (Item item : items) {
                String base = CollectionNames.fileBaseName(item.name());
                writeMetadata(dir.resolve(base + ".metadata.json" + ext), item.metadata());
                if (item.dataCollection() != null) {
                    Path data = dir.resolve(CollectionNames.fileBaseName(item.dataCollection()) + ".bson" + ext);
                    try (BsonFileWriter w = BsonFileWriter.create(data)) {
                        long n = copy(db.getCollection(item.dataCollection(), RawBsonDocument.class), item.name(), w::write);
                        dumped.add(new CollectionDump(item.name(), n, w.bytes(), data));
                    }
                }
            }
            if (usersAndRoles) {
                for (String kind : List.of("users", "roles")) {
                    Path data = dir.resolve("$admin.system." + kind + ".bson" + ext);
                    try (BsonFileWriter w = BsonFileWriter.create(data)) {
                        long n = copyAuth(client, db.getName(), kind, w::write);
                        dumped.add(new CollectionDump("$admin.system." + kind, n, w.bytes(), data));
                    }
                }
            }
            return new DumpResult(dir, dumped, skipped);
        });
    }

    /**
     * Dumps into one archive file ({@code mongodump --archive=<file> [--gzip]}).
     *
     * @param file the archive
     * @return what was written
     */
    public DumpResult dumpArchive(Path file) {
        return run(file, "into archive " + file, (client, db, items, skipped) -> {
            if (file.getParent() != null) {
                OwnerOnlyFiles.createDirectories(file.getParent());
            }
            String serverVersion = serverVersion(db);
            List<CollectionDump> dumped = new ArrayList<>();
            try (ArchiveWriter w = ArchiveWriter.create(file, gzip, new ArchiveReader.Header(1, "0.1", serverVersion, TOOL_VERSION))) {
                for (Item item : items) {
                    w.announce(new ArchiveReader.PreludeEntry(database, item.name(), item.metadata().toJson(), 0, item.type()));
                }
                if (usersAndRoles) {
                    w.announce(new ArchiveReader.PreludeEntry(database, "$admin.system.users", "", 0, "collection"));
                    w.announce(new ArchiveReader.PreludeEntry(database, "$admin.system.roles", "", 0, "collection"));
                }
                for (Item item : items) {
                    if (item.dataCollection() != null) {
                        long before = w.bytes();
                        long n = copy(db.getCollection(item.dataCollection(), RawBsonDocument.class), item.name(),
                                d -> w.write(database, item.dataCollection(), d));
                        w.end(database, item.dataCollection());
                        dumped.add(new CollectionDump(item.name(), n, w.bytes() - before, file));
                    } else {
                        w.end(database, item.name());
                    }
                }
                if (usersAndRoles) {
                    for (String kind : List.of("users", "roles")) {
                        String c = "$admin.system." + kind;
                        long n = copyAuth(client, db.getName(), kind, d -> w.write(database, c, d));
                        w.end(database, c);
                        dumped.add(new CollectionDump(c, n, 0, file));
                    }
                }
            }
            return new DumpResult(file, dumped, skipped);
        });
    }

    private interface Writer {
        DumpResult write(MongoClient client, MongoDatabase db, List<Item> items, List<String> skipped) throws IOException;
    }

    private interface Sink {
        void accept(RawBsonDocument d) throws IOException;
    }

    private DumpResult run(Path target, String where, Writer writer) {
        try (MongoClient client = connection.open()) {
            MongoDatabase db = client.getDatabase(database);
            List<BsonDocument> infos = db.listCollections(BsonDocument.class).into(new ArrayList<>());
            List<String> skipped = new ArrayList<>();
            List<Item> items = new ArrayList<>();
            List<String> found = new ArrayList<>();
            for (BsonDocument info : infos) {
                String name = info.getString("name").getValue();
                found.add(name);
                if (!collections.isEmpty() && !collections.contains(name)) {
                    continue;
                }
                String type = info.getString("type", new BsonString("collection")).getValue();
                if (TempNames.isLibraryObject(name)) {
                    skipped.add(name + ": a collection of the rollback library (temporary restore, kept original or set-aside), not the application's");
                } else if (name.startsWith("system.buckets.")) {
                    continue;   // dumped with its time series
                } else if (name.startsWith("system.") && !name.equals("system.js")) {
                    skipped.add(name + ": system collection");
                } else {
                    items.add(item(db, name, type, info));
                }
            }
            List<String> missing = collections.stream().filter(c -> !found.contains(c)).sorted().toList();
            if (!missing.isEmpty()) {
                throw new BackupNotFoundException("Database " + database + " has no collection " + missing + " to dump; it has " + found
                        + ". Nothing was written. Fix: correct collections(...).");
            }
            skipped.forEach(s -> LOG.info("Dump of {}: skipped {}", database, s));
            return writer.write(client, db, items, skipped);
        } catch (MongoException e) {
            throw connection.wrap("dumping database " + database + " " + where, "Files written so far stay in " + target
                    + "; the database was only read", e);
        } catch (IOException e) {
            throw new MongoServerException("Writing the dump of " + database + " " + where + " failed: " + e.getMessage()
                    + ". The database was only read. Fix: check free space and permissions of " + target + ".", e);
        }
    }

    private Item item(MongoDatabase db, String name, String type, BsonDocument info) {
        BsonDocument options = info.getDocument("options", new BsonDocument());
        List<BsonDocument> indexes = "view".equals(type) ? List.of() : db.getCollection(name).listIndexes(BsonDocument.class).into(new ArrayList<>());
        String uuid = "";
        BsonValue infoDoc = info.get("info");
        if (infoDoc != null && infoDoc.isDocument() && infoDoc.asDocument().get("uuid") instanceof BsonBinary b
                && (b.getType() == BsonBinarySubType.UUID_STANDARD.getValue() || b.getType() == BsonBinarySubType.UUID_LEGACY.getValue())) {
            uuid = HexFormat.of().formatHex(b.getData());
        }
        String data = switch (type) {
            case "view" -> null;
            case "timeseries" -> "system.buckets." + name;
            default -> name;
        };
        return new Item(name, type, data, new CollectionMetadata(options, indexes, uuid, name, type));
    }

    private void writeMetadata(Path file, CollectionMetadata meta) throws IOException {
        try (OutputStream raw = OwnerOnlyFiles.newOutputStream(file);
             OutputStream out = file.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw) {
            out.write(meta.toJson().getBytes(StandardCharsets.UTF_8));
        }
    }

    private long copy(MongoCollection<RawBsonDocument> coll, String name, Sink sink) throws IOException {
        long n = 0;
        long nextReport = 100_000;
        try (MongoCursor<RawBsonDocument> cursor = coll.find().batchSize(1000).iterator()) {
            while (cursor.hasNext()) {
                sink.accept(cursor.next());
                n++;
                if (n >= nextReport) {
                    progress.accept("collection " + name + ": " + n + " documents dumped");
                    nextReport += 100_000;
                }
            }
        }
        LOG.info("Dumped {}.{}: {} documents", database, name, n);
        return n;
    }

    private long copyAuth(MongoClient client, String db, String kind, Sink sink) throws IOException {
        MongoCollection<RawBsonDocument> c = client.getDatabase("admin").getCollection("system." + kind, RawBsonDocument.class);
        long n = 0;
        try (MongoCursor<RawBsonDocument> cursor = c.find(new BsonDocument("db", new BsonString(db))).iterator()) {
            while (cursor.hasNext()) {
                sink.accept(cursor.next());
                n++;
            }
        }
        return n;
    }

    private static String serverVersion(MongoDatabase db) {
        try {
            BsonDocument info = db.runCommand(new BsonDocument("buildInfo", new BsonInt32(1)), BsonDocument.class);
            return info.getString("version", new BsonString("")).getValue();
        } catch (MongoException e) {
            return "";
        }
    }
}
