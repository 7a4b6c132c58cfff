package dev.rollback.mongo.internal;

import com.mongodb.client.MongoDatabase;
import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepDescription;
import dev.rollback.core.spi.DescribedCheck;
import dev.rollback.mongo.BackupCollection;
import dev.rollback.mongo.BackupSource;
import dev.rollback.mongo.CollectionMetadata;
import dev.rollback.mongo.MongoBackupContents;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.json.JsonParseException;

import java.util.ArrayList;
import java.util.List;

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
        return DescribedCheck.of(name, StepDescription.of(name).param("server", c.redactedUri()).command("db.adminCommand({ping: 1})"),
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
        return DescribedCheck.of(name, StepDescription.of(name).param("server", c.redactedUri()), ctx ->
                c.call("counting " + db + "." + collection, "Nothing was changed", client -> {
                    long count = client.getDatabase(db).getCollection(collection).countDocuments();
                    return count >= n ? CheckResult.passed(name, count + " documents", "at least " + n)
                            : CheckResult.failed(name, count + " documents", "at least " + n, db + "." + collection + " holds only " + count + " documents");
                }));
    }

    /**
     * @param c      the server
     * @param db     the database, or null for every database the backup restores into
     * @param source the backup
     * @return a check that every collection, time series (its buckets) and view the backup restores exists with the backup's count
     */
    public static Check countsMatch(MongoConnection c, String db, BackupSource source) {
        String where = db == null ? "the restored databases" : db;
        String name = "document counts of " + where + " match the backup";
        return DescribedCheck.of(name, StepDescription.of(name).param("server", c.redactedUri()).param("backup", source.description()), ctx -> {
            MongoBackupContents contents = BackupReader.read(source.resolve(ctx), source.options(), db);
            List<BackupTargets.Mapped> mapped = BackupTargets.map(contents, source.options(), db).mapped();
            BackupTargets.Scan scan = BackupTargets.scan(contents, false);
            return c.call("counting documents of " + where, "Nothing was changed", client -> {
                List<String> diffs = new ArrayList<>();
                long total = 0;
                int buckets = 0;
                for (BackupTargets.Mapped m : mapped) {
                    MongoDatabase database = client.getDatabase(m.db());
                    BsonDocument info = RestoreEngine.collectionInfo(database, m.name());
                    String type = info == null ? null : info.getString("type", new BsonString("collection")).getValue();
                    if (m.source().kind() == BackupCollection.Kind.VIEW) {
                        if (!"view".equals(type)) {
                            diffs.add(m.namespace() + ": " + (type == null ? "missing" : "a " + type) + " (backup has a view)");
                        }
                        continue;
                    }
                    long expected = scan.of(m.source());
                    total += expected;
                    if (type == null) {
                        diffs.add(m.namespace() + ": missing (backup has " + expected + ")");
                        continue;
                    }
                    String data = m.name();
                    if (m.source().kind() == BackupCollection.Kind.TIMESERIES) {
                        buckets++;
                        data = "system.buckets." + m.name();
                        if (!"timeseries".equals(type)) {
                            diffs.add(m.namespace() + ": a " + type + " (backup has a time series)");
                            continue;
                        }
                    }
                    long actual = database.getCollection(data).countDocuments();
                    if (actual != expected) {
                        diffs.add(m.db() + "." + data + ": " + actual + " (backup has " + expected + ")");
                    }
                }
                String measured = mapped.size() + " collections" + (buckets > 0 ? " (" + buckets + " time series, counted in buckets)" : "") + ", "
                        + (diffs.isEmpty() ? "all equal" : diffs.size() + " differ");
                String expected = "counts equal to the backup's (" + total + " documents)";
                if (mapped.isEmpty()) {
                    return CheckResult.failed(name, "0 collections", expected, "the backup " + contents.location() + " restores nothing into " + where);
                }
                return diffs.isEmpty() ? CheckResult.passed(name, measured, expected)
                        : CheckResult.failed(name, measured, expected, "counts differ: " + String.join("; ", diffs));
            });
        });
    }

    /**
     * @param c      the server
     * @param db     the database, or null for every database the backup restores into
     * @param source the backup
     * @return a check that every collection's indexes are those the restore creates from the backup's metadata
     */
    public static Check indexesMatch(MongoConnection c, String db, BackupSource source) {
        String where = db == null ? "the restored databases" : db;
        String name = "indexes of " + where + " match the backup";
        return DescribedCheck.of(name, StepDescription.of(name).param("server", c.redactedUri()).param("backup", source.description()), ctx -> {
            MongoBackupContents contents = BackupReader.read(source.resolve(ctx), source.options(), db);
            List<BackupTargets.Mapped> mapped = BackupTargets.map(contents, source.options(), db).mapped();
            return c.call("listing indexes of " + where, "Nothing was changed", client -> {
                List<String> diffs = new ArrayList<>();
                int compared = 0;
                for (BackupTargets.Mapped m : mapped) {
                    if (m.source().kind() == BackupCollection.Kind.VIEW) {
                        continue;
                    }
                    boolean timeseries = m.source().kind() == BackupCollection.Kind.TIMESERIES;
                    List<BsonDocument> specs;
                    boolean clustered = timeseries;
                    if (m.source().metadata().isPresent()) {
                        CollectionMetadata meta = m.source().metadata().get();
                        specs = meta.indexes();
                        clustered |= meta.options().containsKey("clusteredIndex");
                    } else if (source.options().withoutMetadata()) {
                        specs = List.of();
                    } else {
                        diffs.add(m.namespace() + ": the backup has no metadata, so no index definitions to compare (accept with withoutMetadata())");
                        continue;
                    }
                    List<BsonDocument> expected = IndexSpecs.plan(specs, clustered).expected();
                    List<BsonDocument> actual = client.getDatabase(m.db()).getCollection(m.name()).listIndexes(BsonDocument.class).into(new ArrayList<>());
                    IndexSpecs.differences(expected, actual).forEach(d -> diffs.add(m.namespace() + ": " + d));
                    compared++;
                }
                String measured = compared + " collections compared";
                String expectation = "indexes as restored from the backup's metadata";
                return diffs.isEmpty() ? CheckResult.passed(name, measured, expectation)
                        : CheckResult.failed(name, measured, expectation, String.join("; ", diffs));
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
        return DescribedCheck.of(name, StepDescription.of(name).param("server", c.redactedUri())
                .command("db." + collection + ".findOne(" + filter.toJson() + ")"), ctx ->
                c.call("querying " + db + "." + collection, "Nothing was changed", client -> {
                    BsonDocument found = client.getDatabase(db).getCollection(collection, BsonDocument.class).find(filter).first();
                    return found != null ? CheckResult.passed(name, "found _id " + (found.containsKey("_id") ? found.get("_id") : "-"), "a match")
                            : CheckResult.failed(name, "no match", "a match", "no document of " + db + "." + collection + " matches " + filter.toJson());
                }));
    }
}
