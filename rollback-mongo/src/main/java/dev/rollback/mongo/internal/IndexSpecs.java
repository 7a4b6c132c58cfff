package dev.rollback.mongo.internal;

import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonNumber;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.types.Decimal128;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Index specifications from a dump's metadata, handled as mongo-tools handles them:
 * <ul>
 *   <li>key values are converted as {@code bsonutil.ConvertLegacyIndexKeyValue} does: integer 0, a
 *   double within 1e-9 of 0, a Decimal128 zero and the empty string become {@code 1} (a double
 *   -1e-10 becomes {@code -1}); values that are neither numbers nor strings ({@code true},
 *   {@code null}) become {@code 1}; every other value is kept as it is ({@code 2}, {@code 1.0},
 *   Decimal128 {@code -1}, {@code "hashed"}). Those are exactly the values every server since 3.4
 *   refuses, so the conversion never changes an index a server accepts;</li>
 *   <li>an index whose converted key equals the key of an index before it is skipped, as
 *   {@code mongorestore --convertLegacyIndexes} skips it (a server refuses two indexes on one key);
 *   only when one of the two keys was converted: a valid modern dump may hold one key under two
 *   collations;</li>
 *   <li>the {@code _id} index (key exactly {@code {_id: ...}}) is never created with
 *   {@code createIndexes}; the one named {@code _id_} goes into {@code create}'s {@code idIndex}
 *   ({@code mongorestore/restore.go}), without {@code v};</li>
 *   <li>{@code v} is removed (the server builds its current version, as without
 *   {@code --keepIndexVersion}); {@code ns} is removed too: the indexes are built on temporary
 *   collections whose namespace differs (servers since 4.4 ignore {@code ns}).</li>
 * </ul>
 */
public final class IndexSpecs {
    private static final double EPSILON = 1e-9;

    private IndexSpecs() {
    }

    /**
     * The indexes a restore creates, and those it skips, from a metadata's list.
     *
     * @param create  specs for {@code createIndexes}, in order, without the {@code _id} index
     * @param idIndex the {@code _id_} spec for {@code create}'s {@code idIndex}, or null
     * @param skipped names of indexes skipped as duplicates, with the reason
     * @param expected every index the server lists afterwards, by name, as restored ({@code _id_} included)
     */
    public record Plan(List<BsonDocument> create, BsonDocument idIndex, List<String> skipped, List<BsonDocument> expected) {
    }

    /**
     * @param metadataIndexes the metadata's indexes
     * @param clustered       whether the collection is clustered (its {@code _id} index comes with it)
     * @return what to create and what to expect
     */
    public static Plan plan(List<BsonDocument> metadataIndexes, boolean clustered) {
        List<BsonDocument> create = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<BsonDocument> expected = new ArrayList<>();
        List<BsonDocument> keptKeys = new ArrayList<>();
        List<Boolean> keptConverted = new ArrayList<>();
        BsonDocument idIndex = null;
        boolean idSeen = false;
        for (BsonDocument spec : metadataIndexes) {
            BsonDocument original = spec.getDocument("key", new BsonDocument());
            BsonDocument key = convertKey(original);
            boolean converted = !key.equals(original);
            if (!idSeen && key.size() == 1 && key.containsKey("_id")) {
                idSeen = true;
                if ("_id_".equals(name(spec)) && !clustered) {
                    idIndex = forCreate(spec);
                }
                expected.add(withKey(spec, key));
                continue;
            }
            int dup = -1;
            for (int i = 0; i < keptKeys.size(); i++) {
                if (keysEqual(keptKeys.get(i), key) && (converted || keptConverted.get(i))) {
                    dup = i;
                    break;
                }
            }
            if (dup >= 0) {
                skipped.add(name(spec) + " (key " + original.toJson() + " equals the key of another index after mongo-tools' legacy key "
                        + "conversion; skipped as mongorestore --convertLegacyIndexes skips it)");
                continue;
            }
            keptKeys.add(key);
            keptConverted.add(converted);
            create.add(forCreate(spec));
            expected.add(withKey(spec, key));
        }
        if (!idSeen && !clustered) {
            // the server builds _id_ with every collection; a metadata that does not list it is still a valid dump
            expected.add(0, new BsonDocument("key", new BsonDocument("_id", new BsonInt32(1))).append("name", new BsonString("_id_")));
        }
        return new Plan(create, idIndex, skipped, expected);
    }

    private static BsonDocument withKey(BsonDocument spec, BsonDocument key) {
        BsonDocument d = spec.clone();
        d.put("key", key);
        return d;
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
     * @return the spec to send: key converted, {@code v} and {@code ns} removed
     */
    public static BsonDocument forCreate(BsonDocument spec) {
        BsonDocument out = new BsonDocument();
        for (Map.Entry<String, BsonValue> e : spec.entrySet()) {
            switch (e.getKey()) {
                case "ns", "v" -> {
                    // see the class comment
                }
                case "key" -> out.put("key", convertKey(e.getValue().asDocument()));
                default -> out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /**
     * @param key an index key document
     * @return the key with legacy values converted as mongo-tools converts them
     */
    public static BsonDocument convertKey(BsonDocument key) {
        BsonDocument out = new BsonDocument();
        for (Map.Entry<String, BsonValue> e : key.entrySet()) {
            out.put(e.getKey(), convertKeyValue(e.getValue()));
        }
        return out;
    }

    /**
     * mongo-tools' {@code ConvertLegacyIndexKeyValue}.
     *
     * @param v a key value
     * @return the value the server accepts
     */
    public static BsonValue convertKeyValue(BsonValue v) {
        switch (v.getBsonType()) {
            case INT32:
                return v.asInt32().getValue() == 0 ? new BsonInt32(1) : v;
            case INT64:
                return v.asInt64().getValue() == 0 ? new BsonInt32(1) : v;
            case DOUBLE:
                double d = v.asDouble().getValue();
                return Math.abs(d) < EPSILON ? new BsonInt32(d >= 0 ? 1 : -1) : v;
            case DECIMAL128:
                Decimal128 dec = v.asDecimal128().getValue();
                if (dec.isNaN() || dec.isInfinite()) {
                    return v;
                }
                try {
                    return dec.bigDecimalValue().signum() == 0 ? new BsonInt32(1) : v;
                } catch (ArithmeticException negativeZero) {
                    return new BsonInt32(1);
                }
            case STRING:
                return v.asString().getValue().isEmpty() ? new BsonInt32(1) : v;
            default:
                return new BsonInt32(1);
        }
    }

    /**
     * mongo-tools' {@code IsIndexKeysEqual}: same fields in the same order, equal strings, numbers within 1e-9.
     *
     * @param a a key
     * @param b another
     * @return whether they are the same key pattern
     */
    public static boolean keysEqual(BsonDocument a, BsonDocument b) {
        if (a.size() != b.size()) {
            return false;
        }
        List<String> ka = new ArrayList<>(a.keySet());
        List<String> kb = new ArrayList<>(b.keySet());
        for (int i = 0; i < ka.size(); i++) {
            if (!ka.get(i).equals(kb.get(i))) {
                return false;
            }
            BsonValue va = a.get(ka.get(i));
            BsonValue vb = b.get(kb.get(i));
            if (va.isString() || vb.isString()) {
                if (!(va.isString() && vb.isString() && va.asString().getValue().equals(vb.asString().getValue()))) {
                    return false;
                }
            } else {
                Double da = number(va);
                Double db = number(vb);
                if (da == null || db == null || Math.abs(da - db) >= EPSILON) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Double number(BsonValue v) {
        if (v instanceof BsonNumber n) {
            return n.doubleValue();
        }
        if (v.isDecimal128()) {
            try {
                return v.asDecimal128().getValue().bigDecimalValue().doubleValue();
            } catch (ArithmeticException e) {
                return v.asDecimal128().getValue().isNaN() ? null : 0.0;
            }
        }
        return null;
    }

    /**
     * A comparable view of an index: the key exactly as stored (field order, types and values), and
     * the options that change what it enforces or holds.
     *
     * @param spec an index document
     * @return a text to compare
     */
    public static String comparable(BsonDocument spec) {
        StringBuilder b = new StringBuilder(spec.getDocument("key", new BsonDocument()).toJson());
        if (flag(spec, "unique")) {
            b.append(" unique");
        }
        if (flag(spec, "sparse")) {
            b.append(" sparse");
        }
        BsonValue ttl = spec.get("expireAfterSeconds");
        if (ttl != null && ttl.isNumber()) {
            b.append(" expireAfterSeconds=").append(ttl.asNumber().longValue());
        }
        BsonValue partial = spec.get("partialFilterExpression");
        if (partial != null && partial.isDocument()) {
            b.append(" partial=").append(partial.asDocument().toJson());
        }
        return b.toString();
    }

    private static String idOrComparable(BsonDocument spec) {
        // the server builds _id_ itself, with its own key type; only its presence is compared
        return "_id_".equals(name(spec)) ? "{\"_id\": 1}" : comparable(spec);
    }

    private static boolean flag(BsonDocument spec, String key) {
        BsonValue v = spec.get(key);
        return v != null && (v.isBoolean() ? v.asBoolean().getValue() : v.isNumber() && v.asNumber().intValue() != 0);
    }

    /**
     * @param expected what the restore expects the server to list ({@link Plan#expected()})
     * @param actual   what the server lists
     * @return the differences, for people; empty when equal
     */
    public static List<String> differences(List<BsonDocument> expected, List<BsonDocument> actual) {
        Map<String, String> e = new TreeMap<>();
        expected.forEach(s -> e.put(name(s), idOrComparable(s)));
        Map<String, String> a = new TreeMap<>();
        actual.forEach(s -> a.put(name(s), idOrComparable(s)));
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
