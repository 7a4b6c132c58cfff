package dev.rollback.mongo.internal;

import com.mongodb.client.MongoDatabase;
import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepDescription;
import dev.rollback.mongo.BackupCollection;
import dev.rollback.mongo.BackupSource;
import dev.rollback.mongo.CollectionMetadata;
import dev.rollback.mongo.MongoDumpFolder;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.json.JsonParseException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks on a live database. */
public final class DatabaseChecks {
    private DatabaseChecks() {
    }

    /**
     * @param c the server
     * @return a check that it answers ping
     */
    public static Check ping(MongoConnection c) {
        String name = "MongoDB answers ping";
        return BackupChecks.check(name, StepDescription.of(name).param("server", c.redactedUri()).command("db.adminCommand({ping: 1})"),
                ctx -> c.call("pinging the server", "Nothing was changed", client -> {
                    client.getDatabase("admin").runCommand(new BsonDocument("ping", new BsonInt32(1)));
                    return CheckResult.passed(name, "ok", "ok");
                }));
    }

    /**
     * @param c          the server
     * @param db         the database
     * @param collection the collection
     * @param n          the minimum count
     * @return the check
     */
    public static Check countAtLeast(MongoConnection c, String db, String collection, long n) {
        String name = db + "." + collection + " has at least " + n + " documents";
        return BackupChecks.check(name, StepDescription.of(name).param("server", c.redactedUri()), ctx ->
                c.call("counting " + db + "." + collection, "Nothing was changed", client -> {
                    long count = client.getDatabase(db).getCollection(collection).countDocuments();
                    return count >= n ? CheckResult.passed(name, count + " documents", "at least " + n)
                            : CheckResult.failed(name, count + " documents", "at least " + n, db + "." + collection + " holds only " + count + " documents");
                }));
    }

    /**
     * @param c      the server
     * @param db     the database
     * @param source the backup
     * @return a check that every collection of the backup has exactly the backup's count
     */
    public static Check countsMatch(MongoConnection c, String db, BackupSource source) {
        String name = "document counts of " + db + " match the backup";
        return BackupChecks.check(name, StepDescription.of(name).param("server", c.redactedUri()).param("backup", source.description()), ctx -> {
            MongoDumpFolder folder = MongoDumpFolder.open(source.resolve(ctx));
            return c.call("counting documents of " + db, "Nothing was changed", client -> {
                MongoDatabase database = client.getDatabase(db);
                Set<String> live = database.listCollectionNames().into(new HashSet<>());
                List<String> diffs = new ArrayList<>();
                long total = 0;
                for (BackupCollection bc : folder.collections()) {
                    long expected = BsonFileReader.count(bc.dataFile());
                    total += expected;
                    if (!live.contains(bc.name())) {
                        diffs.add(bc.name() + ": missing (backup has " + expected + ")");
                        continue;
                    }
                    long actual = database.getCollection(bc.name()).countDocuments();
                    if (actual != expected) {
                        diffs.add(bc.name() + ": " + actual + " (backup has " + expected + ")");
                    }
                }
                String measured = folder.collections().size() + " collections, " + (diffs.isEmpty() ? "all equal" : diffs.size() + " differ");
                String expected = "counts equal to the backup's (" + total + " documents)";
                return diffs.isEmpty() ? CheckResult.passed(name, measured, expected)
                        : CheckResult.failed(name, measured, expected, "counts differ: " + String.join("; ", diffs));
            });
        });
    }

    /**
     * @param c      the server
     * @param db     the database
     * @param source the backup
     * @return a check that every collection's indexes equal those of the backup's metadata
     */
    public static Check indexesMatch(MongoConnection c, String db, BackupSource source) {
        String name = "indexes of " + db + " match the backup";
        return BackupChecks.check(name, StepDescription.of(name).param("server", c.redactedUri()).param("backup", source.description()), ctx -> {
            MongoDumpFolder folder = MongoDumpFolder.open(source.resolve(ctx));
            return c.call("listing indexes of " + db, "Nothing was changed", client -> {
                MongoDatabase database = client.getDatabase(db);
                List<String> diffs = new ArrayList<>();
                int compared = 0;
                for (BackupCollection bc : folder.collections()) {
                    if (bc.metadata().isEmpty()) {
                        continue;
                    }
                    CollectionMetadata meta = bc.metadata().get();
                    List<BsonDocument> actual = database.getCollection(bc.name()).listIndexes(BsonDocument.class).into(new ArrayList<>());
                    IndexSpecs.differences(meta.indexes(), actual).forEach(d -> diffs.add(bc.name() + ": " + d));
                    compared++;
                }
                String measured = compared + " collections compared";
                return diffs.isEmpty() ? CheckResult.passed(name, measured, "indexes equal to the backup's metadata")
                        : CheckResult.failed(name, measured, "indexes equal to the backup's metadata", String.join("; ", diffs));
            });
        });
    }

    /**
     * @param c          the server
     * @param db         the database
     * @param collection the collection
     * @param filterJson a query filter in extended JSON
     * @return a check that one document matches
     */
    public static Check findOne(MongoConnection c, String db, String collection, String filterJson) {
        BsonDocument filter;
        try {
            filter = BsonDocument.parse(filterJson);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("findOne filter is not valid extended JSON: " + filterJson + " (" + e.getMessage() + ")", e);
        }
        String name = db + "." + collection + " has a document matching " + filter.toJson();
        return BackupChecks.check(name, StepDescription.of(name).param("server", c.redactedUri())
                .command("db." + collection + ".findOne(" + filter.toJson() + ")"), ctx ->
                c.call("querying " + db + "." + collection, "Nothing was changed", client -> {
                    BsonDocument found = client.getDatabase(db).getCollection(collection, BsonDocument.class).find(filter).first();
                    return found != null ? CheckResult.passed(name, "found _id " + (found.containsKey("_id") ? found.get("_id") : "-"), "a match")
                            : CheckResult.failed(name, "no match", "a match", "no document of " + db + "." + collection + " matches " + filter.toJson());
                }));
    }
}
