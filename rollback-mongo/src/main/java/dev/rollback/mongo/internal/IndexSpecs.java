package dev.rollback.mongo.internal;

import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonNumber;
import org.bson.BsonValue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Index specifications from a dump's metadata, made ready for {@code createIndexes} and compared
 * with what a server lists. Like mongorestore, legacy key values are converted (0, {@code true},
 * {@code ""} or other non-numbers become 1; numbers keep their sign), and {@code ns}, the
 * obsolete {@code safe} option and the index version {@code v} are removed (mongo-tools
 * {@code mongorestore/metadata.go CreateIndexes}).
 */
public final class IndexSpecs {
    private IndexSpecs() {
    }

    /**
     * @param spec an index document from metadata
     * @return whether it is the automatic {@code _id} index, which is never created explicitly
     */
    public static boolean isIdIndex(BsonDocument spec) {
        return "_id_".equals(name(spec));
    }

    /**
     * @param spec an index document
     * @return its name, or empty
     */
    public static String name(BsonDocument spec) {
        BsonValue n = spec.get("name");
        return n != null && n.isString() ? n.asString().getValue() : "";
    }

    /**
     * @param spec an index document from metadata
     * @return the spec to send in {@code createIndexes}
     */
    public static BsonDocument forCreate(BsonDocument spec) {
        BsonDocument out = new BsonDocument();
        for (Map.Entry<String, BsonValue> e : spec.entrySet()) {
            switch (e.getKey()) {
                case "ns", "safe", "v" -> {
                    // removed: servers since 4.4 reject ns, safe is obsolete, and mongorestore drops v
                    // (unless --keepIndexVersion) so that the server builds its current index version
                }
                case "key" -> out.put("key", normalizeKey(e.getValue().asDocument()));
                default -> out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /**
     * @param key an index key document
     * @return the key with legacy values converted
     */
    public static BsonDocument normalizeKey(BsonDocument key) {
        BsonDocument out = new BsonDocument();
        for (Map.Entry<String, BsonValue> e : key.entrySet()) {
            BsonValue v = e.getValue();
            BsonValue norm;
            if (v.isNumber() || v.isDecimal128()) {
                BigDecimal d = v.isDecimal128() ? v.asDecimal128().getValue().bigDecimalValue() : toBig(v.asNumber());
                norm = new BsonInt32(d.signum() < 0 ? -1 : 1);
            } else if (v.isString() && !v.asString().getValue().isEmpty()) {
                norm = v;
            } else {
                norm = new BsonInt32(1);
            }
            out.put(e.getKey(), norm);
        }
        return out;
    }

    private static BigDecimal toBig(BsonNumber n) {
        return n.isDouble() ? BigDecimal.valueOf(n.doubleValue()) : BigDecimal.valueOf(n.longValue());
    }

    /**
     * A comparable summary of indexes: name to normalised key plus uniqueness.
     *
     * @param specs index documents
     * @return name to summary, sorted
     */
    public static Map<String, String> summary(List<BsonDocument> specs) {
        Map<String, String> out = new TreeMap<>();
        for (BsonDocument s : specs) {
            BsonValue unique = s.get("unique");
            boolean isUnique = unique != null && (unique.isBoolean() ? unique.asBoolean().getValue()
                    : unique.isNumber() && unique.asNumber().intValue() != 0);
            out.put(name(s), normalizeKey(s.getDocument("key", new BsonDocument())).toJson() + (isUnique ? " unique" : ""));
        }
        return out;
    }

    /**
     * @param expected what the backup's metadata lists
     * @param actual   what the server lists
     * @return the differences, for people; empty when equal
     */
    public static List<String> differences(List<BsonDocument> expected, List<BsonDocument> actual) {
        Map<String, String> e = summary(expected);
        Map<String, String> a = summary(actual);
        List<String> diffs = new ArrayList<>();
        e.forEach((name, spec) -> {
            if (!a.containsKey(name)) {
                diffs.add("missing index " + name + " " + spec);
            } else if (!a.get(name).equals(spec)) {
                diffs.add("index " + name + " is " + a.get(name) + ", backup has " + spec);
            }
        });
        a.keySet().stream().filter(n -> !e.containsKey(n)).forEach(n -> diffs.add("extra index " + n + " " + a.get(n)));
        return diffs;
    }
}
