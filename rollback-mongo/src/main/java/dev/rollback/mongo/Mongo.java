package dev.rollback.mongo;

import com.mongodb.ConnectionString;
import dev.rollback.core.Check;
import dev.rollback.core.Redactor;
import dev.rollback.core.Secret;
import dev.rollback.mongo.internal.DatabaseChecks;
import dev.rollback.mongo.internal.MongoConnection;

import java.time.Duration;
import java.util.Objects;

/**
 * Entry point of the MongoDB adapter: a server, reached through the MongoDB Java driver. Required
 * arguments go to the factory, optional ones are chained immutable setters.
 *
 * <pre>{@code
 * Mongo mongo = Mongo.at(Secret.fromEnv("PRODUCTION_MONGODB_URL"))
 *                    .serverSelectionTimeout(Duration.ofSeconds(5));
 * MongoBackup.Latest backup = MongoBackup.in(Path.of("/backups")).matching("production-*")
 *                    .databaseFolder("mongodb-backup/nextcrm").latest();
 * RollbackPlan plan = Rollback.plan("back-to-mongo")
 *     .precheck(mongo.ping())
 *     .precheck(backup.collectionsAtLeast(26))
 *     .capture(mongo.database("nextcrm").dump())                       // forensics into the run folder
 *     .restore(mongo.database("nextcrm").restoreFrom(backup))          // safe: temp collections, verify, rename
 *     .verify(mongo.database("nextcrm").countsMatch(backup))
 *     .verify(mongo.database("nextcrm").indexesMatch(backup))
 *     .build();
 * }</pre>
 */
public final class Mongo {
    /** The default server selection timeout: short, so that an unreachable server fails fast. */
    public static final Duration DEFAULT_SERVER_SELECTION_TIMEOUT = Duration.ofSeconds(5);

    private final MongoConnection connection;

    private Mongo(MongoConnection connection) {
        this.connection = connection;
    }

    /**
     * A server given by a connection string. A password in it is registered with the
     * {@link Redactor} and never shown.
     *
     * @param uri a {@code mongodb://} or {@code mongodb+srv://} connection string
     * @return the server
     * @throws IllegalArgumentException when the string is not a valid connection string
     */
    public static Mongo at(String uri) {
        Objects.requireNonNull(uri, "uri");
        ConnectionString cs;
        try {
            cs = new ConnectionString(uri);
        } catch (IllegalArgumentException e) {
            // the driver's message may quote a part of the string that holds the password: never chain it as it is
            IllegalArgumentException cause = new IllegalArgumentException(Redactor.redact(e.getMessage(), uri));
            cause.setStackTrace(e.getStackTrace());
            throw new IllegalArgumentException("Not a valid MongoDB connection string: " + Redactor.redact(uri, uri)
                    + " (" + Redactor.redact(e.getMessage(), uri) + "); expected mongodb://[user:password@]host[:port][/db][?options]", cause);
        }
        if (cs.getPassword() != null) {
            Redactor.register(new String(cs.getPassword()));
        }
        return new Mongo(new MongoConnection(uri, DEFAULT_SERVER_SELECTION_TIMEOUT));
    }

    /**
     * A server given by a secret connection string (one that holds a password).
     *
     * @param uri the connection string
     * @return the server
     */
    public static Mongo at(Secret uri) {
        Objects.requireNonNull(uri, "uri");
        return at(uri.reveal());
    }

    /**
     * How long to wait for a usable server before failing (the driver's default is 30 s).
     *
     * @param timeout a positive duration
     * @return a copy with the timeout
     */
    public Mongo serverSelectionTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("serverSelectionTimeout must be positive, was " + timeout);
        }
        return new Mongo(new MongoConnection(connection.uri(), timeout));
    }

    /**
     * A database of this server.
     *
     * @param name the database name
     * @return the database
     */
    public MongoDb database(String name) {
        return new MongoDb(connection, MongoDb.checkDatabaseName(name));
    }

    /**
     * A restore of every database of a dump root or an archive into the database of the same name
     * (or the one {@link BackupSource#nsRename(String, String)} gives); safe swap unless told otherwise.
     *
     * @param backup a dump root or an archive
     * @return the restore step, to configure further
     */
    public MongoRestore restoreFrom(BackupSource backup) {
        return new MongoRestore(connection, null, Objects.requireNonNull(backup, "backup"));
    }

    /**
     * @param backup a dump root or an archive
     * @return a check that every collection of the backup exists with the backup's document count
     *         (time series: bucket count), in every database it restores into
     */
    public Check countsMatch(BackupSource backup) {
        return DatabaseChecks.countsMatch(connection, null, Objects.requireNonNull(backup, "backup"));
    }

    /**
     * @param backup a dump root or an archive
     * @return a check that every collection's indexes are those the restore creates from the backup's metadata
     */
    public Check indexesMatch(BackupSource backup) {
        return DatabaseChecks.indexesMatch(connection, null, Objects.requireNonNull(backup, "backup"));
    }

    /** @return a check that the server answers {@code ping} */
    public Check ping() {
        return DatabaseChecks.ping(connection);
    }

    /** @return the connection string with the password masked */
    public String redactedUri() {
        return connection.redactedUri();
    }

    @Override
    public String toString() {
        return "Mongo[" + redactedUri() + "]";
    }
}
