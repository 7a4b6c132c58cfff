package dev.rollback.mongo.internal;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.mongo.BackupNotFoundException;
import dev.rollback.mongo.CollectionMetadata;
import dev.rollback.mongo.DumpResult;
import dev.rollback.mongo.DumpResult.CollectionDump;
import dev.rollback.mongo.MongoServerException;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes a database, or chosen collections, in mongodump's directory layout: for each collection
 * {@code <out>/<db>/<escaped name>.bson[.gz]} streamed from a cursor, and
 * {@code <escaped name>.metadata.json[.gz]} with options, indexes, UUID, name and type.
 */
public final class DumpEngine {
    private static final Logger LOG = LoggerFactory.getLogger(DumpEngine.class);

    private final MongoConnection connection;
    private final String database;
    private final Set<String> collections;
    private final boolean gzip;
    private final Consumer<String> progress;

    /**
     * @param connection  the server
     * @param database    the database
     * @param collections the collections to dump, empty for all
     * @param gzip        whether to compress the files
     * @param progress    receives progress lines
     */
    public DumpEngine(MongoConnection connection, String database, Set<String> collections, boolean gzip, Consumer<String> progress) {
        this.connection = connection;
        this.database = database;
        this.collections = Set.copyOf(collections);
        this.gzip = gzip;
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
        try {
            OwnerOnlyFiles.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create dump folder " + dir + ": " + e.getMessage(), e);
        }
        try (MongoClient client = connection.open()) {
            MongoDatabase db = client.getDatabase(database);
            List<BsonDocument> infos = db.listCollections(BsonDocument.class).into(new ArrayList<>());
            List<String> skipped = new ArrayList<>();
            List<CollectionDump> dumped = new ArrayList<>();
            List<String> found = new ArrayList<>();
            for (BsonDocument info : infos) {
                String name = info.getString("name").getValue();
                found.add(name);
                if (!collections.isEmpty() && !collections.contains(name)) {
                    continue;
                }
                String type = info.containsKey("type") ? info.getString("type").getValue() : "collection";
                if (name.startsWith("system.") && !name.equals("system.js")) {
                    skipped.add(name + ": system collection");
                } else if (!"collection".equals(type)) {
                    skipped.add(name + ": a " + type + ", not dumped");
                } else {
                    dumped.add(dumpOne(db, dir, name, info));
                }
            }
            List<String> missing = collections.stream().filter(c -> !found.contains(c)).sorted().toList();
            if (!missing.isEmpty()) {
                throw new BackupNotFoundException("Database " + database + " has no collection " + missing + " to dump; it has " + found
                        + ". Files written so far stay in " + dir + ". Fix: correct collections(...).");
            }
            skipped.forEach(s -> LOG.info("Dump of {}: skipped {}", database, s));
            return new DumpResult(dir, dumped, skipped);
        } catch (MongoException e) {
            throw connection.wrap("dumping database " + database + " into " + dir, "Files written so far stay in " + dir
                    + "; the database was only read", e);
        } catch (IOException e) {
            throw new MongoServerException("Writing the dump of " + database + " into " + dir + " failed: " + e.getMessage()
                    + ". The database was only read. Fix: check free space and permissions of " + out + ".", e);
        }
    }

    private CollectionDump dumpOne(MongoDatabase db, Path dir, String name, BsonDocument info) throws IOException {
        String base = CollectionNames.fileBaseName(name);
        String ext = gzip ? ".gz" : "";
        Path data = dir.resolve(base + ".bson" + ext);
        MongoCollection<RawBsonDocument> coll = db.getCollection(name, RawBsonDocument.class);
        long docs;
        long bytes;
        try (BsonFileWriter w = BsonFileWriter.create(data);
             MongoCursor<RawBsonDocument> cursor = coll.find().batchSize(1000).iterator()) {
            long nextReport = 100_000;
            while (cursor.hasNext()) {
                w.write(cursor.next());
                if (w.documents() >= nextReport) {
                    progress.accept("collection " + name + ": " + w.documents() + " documents dumped");
                    nextReport += 100_000;
                }
            }
            docs = w.documents();
            bytes = w.bytes();
        }
        List<BsonDocument> indexes = db.getCollection(name).listIndexes(BsonDocument.class).into(new ArrayList<>());
        BsonDocument options = info.getDocument("options", new BsonDocument());
        String uuid = "";
        BsonValue infoDoc = info.get("info");
        if (infoDoc != null && infoDoc.isDocument() && infoDoc.asDocument().get("uuid") instanceof BsonBinary b
                && (b.getType() == BsonBinarySubType.UUID_STANDARD.getValue() || b.getType() == BsonBinarySubType.UUID_LEGACY.getValue())) {
            uuid = HexFormat.of().formatHex(b.getData());
        }
        new CollectionMetadata(options, indexes, uuid, name, "collection").write(dir.resolve(base + ".metadata.json" + ext));
        LOG.info("Dumped {}.{} into {}: {} documents, {} bytes", database, name, data, docs, bytes);
        return new CollectionDump(name, docs, bytes, data);
    }
}
