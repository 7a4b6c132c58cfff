package dev.rollback.mongo;

import dev.rollback.core.Check;
import dev.rollback.core.Step;
import dev.rollback.core.StepDescription;
import dev.rollback.core.spi.DescribedStep;
import dev.rollback.mongo.internal.DatabaseChecks;
import dev.rollback.mongo.internal.MongoConnection;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One database of a {@link Mongo} server: the steps and checks that act on it.
 *
 * <pre>{@code
 * MongoDb crm = Mongo.at(uri).database("nextcrm");
 * plan.capture(crm.dump())                                   // into the run folder
 *     .restore(crm.restoreFrom(backup))                      // safe swap by default
 *     .verify(crm.countsMatch(backup))
 *     .verify(crm.findOne("users", "{\"email\": \"admin@example.com\"}"));
 * }</pre>
 */
public final class MongoDb {
    private final MongoConnection connection;
    private final String name;

    MongoDb(MongoConnection connection, String name) {
        this.connection = connection;
        this.name = name;
    }

    static String checkDatabaseName(String name) {
        Objects.requireNonNull(name, "database name");
        if (name.isEmpty() || name.length() > 63 || name.chars().anyMatch(ch -> "/\\. \"$*<>:|?".indexOf(ch) >= 0 || ch == 0)) {
            throw new IllegalArgumentException("Not a valid MongoDB database name: '" + name
                    + "' (1 to 63 characters, none of /\\. \"$*<>:|? or NUL)");
        }
        return name;
    }

    /** @return the database name */
    public String name() {
        return name;
    }

    /**
     * A restore of this database from a backup; safe swap unless told otherwise.
     *
     * @param backup the backup (a fixed folder, or the newest one found in this run)
     * @return the restore step, to configure further
     */
    public MongoRestore restoreFrom(BackupSource backup) {
        return new MongoRestore(connection, name, Objects.requireNonNull(backup, "backup"));
    }

    /**
     * The non-destructive half of a safe restore: load and verify the backup into temporary
     * collections while the application still serves. Swap it in later with {@link #swapIn(MongoPrepare)}.
     *
     * @param backup the backup
     * @return the prepare step
     */
    public MongoPrepare prepare(BackupSource backup) {
        return new MongoPrepare(connection, name, Objects.requireNonNull(backup, "backup"));
    }

    /**
     * The destructive half of a safe restore: swap what {@code prepared} loaded in, by rename.
     *
     * @param prepared the prepare step, which must run earlier in the same plan
     * @return the swap step
     * @throws IllegalArgumentException when {@code prepared} prepares another database
     */
    public MongoSwapIn swapIn(MongoPrepare prepared) {
        Objects.requireNonNull(prepared, "prepared");
        if (!prepared.database().equals(name)) {
            throw new IllegalArgumentException("swapIn on database " + name + " was given the prepare of database " + prepared.database()
                    + "; use mongo.database(\"" + prepared.database() + "\").swapIn(prepared)");
        }
        return new MongoSwapIn(prepared);
    }

    /**
     * A restore of this database from a fixed database folder of a backup.
     *
     * @param databaseFolder the folder holding the {@code .bson} files (or a dump root or archive)
     * @return the restore step
     */
    public MongoRestore restoreFrom(Path databaseFolder) {
        return restoreFrom(MongoBackup.at(databaseFolder));
    }

    /** @return a dump of the whole database into the run folder, to configure further */
    public MongoDump dump() {
        return new MongoDump(connection, name);
    }

    /**
     * Drops the whole database (the seed's {@code db.dropDatabase()}). Destructive: approval is
     * asked with the database name. Prefer {@link #restoreFrom(BackupSource)} with the safe swap,
     * which keeps the previous data.
     *
     * @return the step
     */
    public Step dropDatabase() {
        MongoConnection c = connection;
        String db = name;
        StepDescription description = StepDescription.of("drop MongoDB database " + db).param("server", c.redactedUri())
                .command("db.getSiblingDB(\"" + db + "\").dropDatabase()");
        return DescribedStep.of(description, context -> {
            c.call("dropping database " + db, "The database may be partly dropped", client -> {
                client.getDatabase(db).drop();
                return null;
            });
            context.progress("dropped database " + db);
        }).destructive(true).confirmationTarget(db);
    }

    /**
     * @param collection a collection
     * @param n          the minimum
     * @return a check that the collection holds at least {@code n} documents
     */
    public Check countAtLeast(String collection, long n) {
        Objects.requireNonNull(collection, "collection");
        if (n < 0) {
            throw new IllegalArgumentException("countAtLeast needs a number >= 0, was " + n);
        }
        return DatabaseChecks.countAtLeast(connection, name, collection, n);
    }

    /**
     * @param backup the backup
     * @return a check that every collection, time series (its buckets) and view the backup restores into this
     *         database exists, with exactly the backup's document count
     */
    public Check countsMatch(BackupSource backup) {
        return DatabaseChecks.countsMatch(connection, name, Objects.requireNonNull(backup, "backup"));
    }

    /**
     * @param backup the backup
     * @return a check that every collection's indexes are those the restore creates from the backup's metadata: names,
     *         keys exactly as mongo-tools converts them, uniqueness, sparse, TTL and partial filter; {@code _id_} expected even
     *         when the metadata does not list it
     */
    public Check indexesMatch(BackupSource backup) {
        return DatabaseChecks.indexesMatch(connection, name, Objects.requireNonNull(backup, "backup"));
    }

    /**
     * A spot check: a document matching a filter exists.
     *
     * @param collection the collection
     * @param filterJson the filter, in (extended) JSON, such as {@code {"email": "admin@example.com"}}
     * @return the check
     * @throws IllegalArgumentException when the filter is not valid JSON
     */
    public Check findOne(String collection, String filterJson) {
        return DatabaseChecks.findOne(connection, name, Objects.requireNonNull(collection, "collection"), Objects.requireNonNull(filterJson, "filterJson"));
    }
}
