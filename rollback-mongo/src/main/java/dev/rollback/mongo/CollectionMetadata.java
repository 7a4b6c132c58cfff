package dev.rollback.mongo;

import dev.rollback.core.OwnerOnlyFiles;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInvalidOperationException;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.json.JsonMode;
import org.bson.json.JsonParseException;
import org.bson.json.JsonWriterSettings;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The {@code <collection>.metadata.json} of a mongodump backup: collection options, index
 * specifications, UUID, full collection name and type, in canonical extended JSON. The keys are
 * those of mongo-tools' {@code mongodump.Metadata}: {@code options} (left out when empty),
 * {@code indexes}, {@code uuid} (left out when unknown), {@code collectionName}, {@code type}.
 *
 * <pre>{@code
 * CollectionMetadata m = CollectionMetadata.read(Path.of("dump/test/foo.metadata.json")).orElseThrow();
 * m.indexes().size();   // 2: _id_ and f_1
 * }</pre>
 *
 * @param options        collection options ({@code capped}, {@code validator}, ...); never null
 * @param indexes        index specifications as listed by the server; never null
 * @param uuid           the collection UUID as 32 hex digits, or empty
 * @param collectionName the full collection name, or empty (older mongodump versions)
 * @param type           {@code collection} or {@code view}, or empty (older versions)
 */
public record CollectionMetadata(BsonDocument options, List<BsonDocument> indexes, String uuid, String collectionName, String type) {

    private static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();

    /** Copies and normalises the fields. */
    public CollectionMetadata {
        options = options == null ? new BsonDocument() : options.clone();
        indexes = indexes == null ? List.of() : List.copyOf(indexes);
        uuid = uuid == null ? "" : uuid;
        collectionName = collectionName == null ? "" : collectionName;
        type = type == null ? "" : type;
    }

    /**
     * Reads a metadata file ({@code .metadata.json} or {@code .metadata.json.gz}).
     *
     * @param file the file
     * @return the metadata, or empty when the file is empty (mongorestore then uses defaults)
     * @throws CorruptBackupException naming the file when it is not valid extended JSON of the expected shape
     */
    public static Optional<CollectionMetadata> read(Path file) {
        String json;
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            json = buf.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CorruptBackupException(file, 0, "cannot read the metadata: " + e.getMessage(), e);
        }
        if (json.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(json));
        } catch (JsonParseException | BsonInvalidOperationException | IllegalArgumentException e) {
            throw new CorruptBackupException(file, 0, "the metadata is not valid extended JSON of mongodump's shape: " + e.getMessage(), e);
        }
    }

    /**
     * Parses metadata JSON in any extended JSON mode (canonical, relaxed or legacy).
     *
     * @param json the text
     * @return the metadata
     * @throws IllegalArgumentException when a field has the wrong type
     */
    public static CollectionMetadata parse(String json) {
        BsonDocument doc = BsonDocument.parse(json);
        BsonDocument options = new BsonDocument();
        if (doc.containsKey("options") && !doc.get("options").isNull()) {
            options = field(doc, "options").asDocument();
        }
        List<BsonDocument> indexes = new ArrayList<>();
        if (doc.containsKey("indexes") && !doc.get("indexes").isNull()) {
            for (BsonValue v : field(doc, "indexes").asArray()) {
                if (!v.isDocument()) {
                    throw new IllegalArgumentException("'indexes' holds a " + v.getBsonType() + " where an index document was expected");
                }
                indexes.add(v.asDocument());
            }
        }
        return new CollectionMetadata(options, indexes, string(doc, "uuid"), string(doc, "collectionName"), string(doc, "type"));
    }

    private static BsonValue field(BsonDocument doc, String key) {
        BsonValue v = doc.get(key);
        if ("options".equals(key) && !v.isDocument() || "indexes".equals(key) && !v.isArray()) {
            throw new IllegalArgumentException("'" + key + "' is a " + v.getBsonType() + ", not the expected " + ("options".equals(key) ? "document" : "array"));
        }
        return v;
    }

    private static String string(BsonDocument doc, String key) {
        BsonValue v = doc.get(key);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isString()) {
            throw new IllegalArgumentException("'" + key + "' is a " + v.getBsonType() + ", not a string");
        }
        return v.asString().getValue();
    }

    /** @return the metadata as mongodump writes it: canonical extended JSON */
    public String toJson() {
        BsonDocument doc = new BsonDocument();
        if (!options.isEmpty()) {
            doc.put("options", options);
        }
        doc.put("indexes", new BsonArray(new ArrayList<>(indexes)));
        if (!uuid.isEmpty()) {
            doc.put("uuid", new BsonString(uuid));
        }
        doc.put("collectionName", new BsonString(collectionName));
        if (!type.isEmpty()) {
            doc.put("type", new BsonString(type));
        }
        return doc.toJson(CANONICAL);
    }

    /**
     * Writes the metadata to a file; a name ending in {@code .gz} is compressed.
     *
     * @param file the file
     * @throws IOException when writing fails
     */
    public void write(Path file) throws IOException {
        try (OutputStream raw = OwnerOnlyFiles.newOutputStream(file);
             OutputStream out = file.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw) {
            out.write(toJson().getBytes(StandardCharsets.UTF_8));
        }
    }
}
