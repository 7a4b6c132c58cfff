package dev.rollback.mongo.internal;

import dev.rollback.mongo.BackupCollection;
import dev.rollback.mongo.OplogSummary;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A restore loaded into temporary collections and verified: what is in which temporary collection.
 * Remembered in step memory (so a resume does not load twice) and published by a prepare step
 * (so its swap step finds it), as canonical extended JSON.
 *
 * @param backup  the backup loaded from
 * @param tag     the run tag in the temporary names
 * @param entries one per collection, time series and view
 * @param oplog   the backup's oplog, if it has one
 */
public record Loaded(String backup, String tag, List<Entry> entries, Optional<OplogSummary> oplog) {
    private static final JsonWriterSettings JSON = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    /** Copies the list. */
    public Loaded {
        entries = List.copyOf(entries);
    }

    /**
     * One loaded entry.
     *
     * @param kind           collection, time series or view
     * @param db             target database
     * @param name           target collection
     * @param temp           the temporary collection holding it (the target itself for strategies without a swap)
     * @param location       where it came from in the backup
     * @param read           documents read
     * @param inserted       documents inserted
     * @param indexes        indexes created
     * @param skippedIndexes indexes skipped, with the reason
     * @param maxId          the greatest {@code _id} restored, to count what the live side received after the backup; null when unknown
     */
    public record Entry(BackupCollection.Kind kind, String db, String name, String temp, String location, long read, long inserted,
                        List<String> indexes, List<String> skippedIndexes, BsonValue maxId) {
        /** Copies the lists. */
        public Entry {
            indexes = List.copyOf(indexes);
            skippedIndexes = List.copyOf(skippedIndexes);
        }

        /** @return {@code db.name} */
        public String namespace() {
            return db + "." + name;
        }
    }

    /** @return the JSON form */
    public String toJson() {
        BsonArray list = new BsonArray();
        for (Entry e : entries) {
            list.add(new BsonDocument("kind", new BsonString(e.kind().name())).append("db", new BsonString(e.db()))
                    .append("name", new BsonString(e.name())).append("temp", new BsonString(e.temp()))
                    .append("location", new BsonString(e.location())).append("read", new BsonInt64(e.read()))
                    .append("inserted", new BsonInt64(e.inserted())).append("indexes", strings(e.indexes()))
                    .append("skippedIndexes", strings(e.skippedIndexes()))
                    .append("maxId", e.maxId() == null ? BsonNull.VALUE : new BsonDocument("v", e.maxId())));
        }
        BsonDocument d = new BsonDocument("backup", new BsonString(backup)).append("tag", new BsonString(tag)).append("entries", list);
        oplog.ifPresent(o -> d.append("oplog", new BsonDocument("location", new BsonString(o.location()))
                .append("entries", new BsonInt64(o.entries()))
                .append("first", o.first().<BsonValue>map(t -> new BsonString(t.toString())).orElse(BsonNull.VALUE))
                .append("last", o.last().<BsonValue>map(t -> new BsonString(t.toString())).orElse(BsonNull.VALUE))));
        return d.toJson(JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build());
    }

    /**
     * @param json the JSON form
     * @return the loaded set
     * @throws IllegalArgumentException when it is not one
     */
    public static Loaded fromJson(String json) {
        try {
            BsonDocument d = BsonDocument.parse(json);
            List<Entry> entries = new ArrayList<>();
            for (BsonValue v : d.getArray("entries")) {
                BsonDocument e = v.asDocument();
                BsonValue max = e.get("maxId");
                entries.add(new Entry(BackupCollection.Kind.valueOf(e.getString("kind").getValue()), e.getString("db").getValue(),
                        e.getString("name").getValue(), e.getString("temp").getValue(), e.getString("location").getValue(),
                        e.getNumber("read").longValue(), e.getNumber("inserted").longValue(), list(e.getArray("indexes")),
                        list(e.getArray("skippedIndexes")), max == null || max.isNull() ? null : max.asDocument().get("v")));
            }
            Optional<OplogSummary> oplog = Optional.empty();
            if (d.containsKey("oplog")) {
                BsonDocument o = d.getDocument("oplog");
                oplog = Optional.of(new OplogSummary(o.getString("location").getValue(), o.getNumber("entries").longValue(),
                        instant(o.get("first")), instant(o.get("last"))));
            }
            return new Loaded(d.getString("backup").getValue(), d.getString("tag").getValue(), entries, oplog);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a prepared restore (" + e.getMessage() + "): " + (json.length() > 200 ? json.substring(0, 200) + "..." : json), e);
        }
    }

    private static Optional<Instant> instant(BsonValue v) {
        return v == null || v.isNull() ? Optional.empty() : Optional.of(Instant.parse(v.asString().getValue()));
    }

    private static BsonArray strings(List<String> list) {
        BsonArray a = new BsonArray();
        list.forEach(s -> a.add(new BsonString(s)));
        return a;
    }

    private static List<String> list(BsonArray a) {
        List<String> out = new ArrayList<>();
        a.forEach(v -> out.add(v.asString().getValue()));
        return out;
    }

    /** @return documents read, all entries together */
    public long documents() {
        return entries.stream().mapToLong(Entry::read).sum();
    }

    /** @return the relaxed JSON form, for people */
    public String describe() {
        return entries.size() + " collections, " + documents() + " documents";
    }

    static JsonWriterSettings relaxed() {
        return JSON;
    }
}
