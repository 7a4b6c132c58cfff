package dev.rollback.mongo;

import dev.rollback.mongo.internal.ArchiveReader;
import dev.rollback.mongo.internal.ArchiveWriter;
import dev.rollback.mongo.internal.BsonFileWriter;
import dev.rollback.mongo.internal.CollectionNames;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.BsonTimestamp;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.types.ObjectId;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Backups built with the library's own writers, in the shapes mongo-tools writes them (see
 * {@code mongodump/prepare.go}, {@code common/archive}): database folders, dump roots, archives;
 * time series (buckets in {@code system.buckets.<name>.bson}, options in {@code <name>.metadata.json}),
 * views (metadata only), users and roles ({@code admin/system.users.bson}, {@code $admin.system.users.bson}),
 * oplogs ({@code oplog.bson}).
 */
final class DumpFixtures {
    private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();

    private DumpFixtures() {
    }

    static RawBsonDocument raw(BsonDocument d) {
        return new RawBsonDocument(d, CODEC);
    }

    static CollectionMetadata collectionMetadata(String name, String... extraIndexJson) {
        List<BsonDocument> indexes = new ArrayList<>();
        indexes.add(BsonDocument.parse("{\"v\": 2, \"key\": {\"_id\": 1}, \"name\": \"_id_\"}"));
        for (String j : extraIndexJson) {
            indexes.add(BsonDocument.parse(j));
        }
        return new CollectionMetadata(new BsonDocument(), indexes, "", name, "collection");
    }

    static CollectionMetadata timeseriesMetadata(String name) {
        BsonDocument options = BsonDocument.parse("{\"timeseries\": {\"timeField\": \"t\", \"metaField\": \"m\", \"granularity\": \"seconds\","
                + " \"bucketMaxSpanSeconds\": 3600}}");
        return new CollectionMetadata(options, List.of(BsonDocument.parse("{\"v\": 2, \"key\": {\"m\": 1, \"t\": 1}, \"name\": \"m_1_t_1\"}")),
                "", name, "timeseries");
    }

    static CollectionMetadata viewMetadata(String name, String on) {
        return new CollectionMetadata(BsonDocument.parse("{\"viewOn\": \"" + on + "\", \"pipeline\": [{\"$match\": {\"i\": {\"$gte\": 0}}}]}"),
                List.of(), "", name, "view");
    }

    static List<BsonDocument> documents(int n, String tag) {
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new BsonDocument("_id", new BsonObjectId(new ObjectId())).append("i", new BsonInt32(i)).append("tag", new BsonString(tag)));
        }
        return docs;
    }

    /** Time series buckets as MongoDB 5.0+ stores them (control block, meta, column-wise data). */
    static List<BsonDocument> buckets(int n) {
        List<BsonDocument> docs = new ArrayList<>();
        long t0 = 1_700_000_000_000L;
        for (int i = 0; i < n; i++) {
            long t = t0 + i * 60_000L;
            docs.add(new BsonDocument("_id", new BsonObjectId(new ObjectId()))
                    .append("control", new BsonDocument("version", new BsonInt32(1))
                            .append("min", new BsonDocument("t", new BsonDateTime(t)).append("v", new BsonDouble(i)))
                            .append("max", new BsonDocument("t", new BsonDateTime(t + 1000)).append("v", new BsonDouble(i + 1))))
                    .append("meta", new BsonString("sensor-" + (i % 3)))
                    .append("data", new BsonDocument("t", new BsonDocument("0", new BsonDateTime(t)).append("1", new BsonDateTime(t + 1000)))
                            .append("v", new BsonDocument("0", new BsonDouble(i)).append("1", new BsonDouble(i + 1)))));
        }
        return docs;
    }

    static List<BsonDocument> users(String db) {
        BsonDocument scram = new BsonDocument("iterationCount", new BsonInt32(15000)).append("salt", new BsonString("c2FsdA=="))
                .append("storedKey", new BsonString("c3RvcmVk")).append("serverKey", new BsonString("c2VydmVy"));
        return List.of(new BsonDocument("_id", new BsonString(db + ".app")).append("userId", new BsonBinary(UUID.nameUUIDFromBytes(db.getBytes()),
                        org.bson.UuidRepresentation.STANDARD)).append("user", new BsonString("app")).append("db", new BsonString(db))
                .append("credentials", new BsonDocument("SCRAM-SHA-256", scram))
                .append("roles", new BsonArray(List.of(new BsonDocument("role", new BsonString("readWrite")).append("db", new BsonString(db))))));
    }

    static List<BsonDocument> roles(String db) {
        return List.of(new BsonDocument("_id", new BsonString(db + ".reporting")).append("role", new BsonString("reporting"))
                .append("db", new BsonString(db)).append("privileges", new BsonArray()).append("roles", new BsonArray()));
    }

    static List<BsonDocument> oplog(int n, int firstSecond) {
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new BsonDocument("ts", new BsonTimestamp(firstSecond + i, 1)).append("t", new BsonInt64(1)).append("v", new BsonInt32(2))
                    .append("op", new BsonString("i")).append("ns", new BsonString("nextcrm.accounts"))
                    .append("o", new BsonDocument("_id", new BsonObjectId(new ObjectId()))));
        }
        return docs;
    }

    /** Writes {@code <dir>/<escaped name>.bson} (or {@code .bson.gz}). */
    static Path bson(Path dir, String collection, List<BsonDocument> docs, boolean gzip) {
        try {
            Files.createDirectories(dir);
            Path f = dir.resolve(CollectionNames.fileBaseName(collection) + ".bson" + (gzip ? ".gz" : ""));
            try (BsonFileWriter w = BsonFileWriter.create(f)) {
                for (BsonDocument d : docs) {
                    w.write(raw(d));
                }
            }
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void metadata(Path dir, String collection, CollectionMetadata meta) {
        try {
            Files.createDirectories(dir);
            meta.write(dir.resolve(CollectionNames.fileBaseName(collection) + ".metadata.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void collection(Path dir, String name, List<BsonDocument> docs, String... indexes) {
        bson(dir, name, docs, false);
        metadata(dir, name, collectionMetadata(name, indexes));
    }

    static void timeseries(Path dir, String name, List<BsonDocument> buckets) {
        bson(dir, "system.buckets." + name, buckets, false);
        metadata(dir, name, timeseriesMetadata(name));
    }

    /** One entry of an archive to write. */
    record Entry(String db, String collection, String type, CollectionMetadata meta, List<BsonDocument> docs) {
        String dataCollection() {
            return "timeseries".equals(type) ? "system.buckets." + collection : collection;
        }
    }

    /** Writes an archive; with {@code interleave}, the documents of all namespaces alternate, as mongodump's parallel dump writes them. */
    static Path archive(Path file, boolean gzip, boolean interleave, List<Entry> entries) {
        try (ArchiveWriter w = ArchiveWriter.create(file, gzip, new ArchiveReader.Header(4, "0.1", "7.0.0", "100.9.4"))) {
            for (Entry e : entries) {
                w.announce(new ArchiveReader.PreludeEntry(e.db(), e.collection(), e.meta() == null ? "" : e.meta().toJson(), 0, e.type()));
            }
            if (interleave) {
                int max = entries.stream().mapToInt(e -> e.docs().size()).max().orElse(0);
                for (int i = 0; i < max; i++) {
                    for (Entry e : entries) {
                        if (i < e.docs().size()) {
                            w.write(e.db(), e.dataCollection(), raw(e.docs().get(i)));
                        }
                    }
                }
            } else {
                for (Entry e : entries) {
                    for (BsonDocument d : e.docs()) {
                        w.write(e.db(), e.dataCollection(), raw(d));
                    }
                    w.end(e.db(), e.dataCollection());
                }
            }
            if (interleave) {
                for (Entry e : entries) {
                    w.end(e.db(), e.dataCollection());
                }
            }
            return file;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
