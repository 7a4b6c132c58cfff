package dev.rollback.mongo;

import dev.rollback.mongo.internal.BackupReader;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What a backup holds as this module reads it, in any of mongodump's layouts (a database folder, a
 * dump root with several databases, an archive, plain or gzip): the entries a restore restores
 * (collections, time series, views, and users and roles), the oplog, and everything it leaves aside,
 * each with the reason. Nothing is guessed silently.
 *
 * <pre>{@code
 * MongoBackupContents backup = MongoBackupContents.read(Path.of("/backups/production-2025-11-05/mongodb-backup"));
 * backup.format();                    // DUMP_ROOT
 * backup.databases();                 // [admin, nextcrm]
 * backup.collection("nextcrm", "cafés");  // names are unescaped (file caf%C3%A9s.bson)
 * backup.leftAside();                 // [admin/system.users.bson: users ... are not restored; ...]
 * }</pre>
 *
 * @param location      the folder or archive file
 * @param format        its layout
 * @param collections   collections, time series and views, ordered by database and file name (archive: prelude order)
 * @param usersAndRoles users and roles entries (restored only with {@link BackupSource#withUsersAndRoles()})
 * @param leftAside     everything not restored, and why
 * @param oplog         the oplog, counted; for an archive, counted only when the archive is read through
 *                      ({@link #read(Path, BackupOptions)} does not; checks and restores do)
 * @param oplogLocation where the oplog is, if the backup has one
 */
public record MongoBackupContents(Path location, BackupFormat format, List<BackupCollection> collections, List<BackupCollection> usersAndRoles,
                                  List<LeftAside> leftAside, Optional<OplogSummary> oplog, Optional<String> oplogLocation) {

    /** Copies the lists. */
    public MongoBackupContents {
        collections = List.copyOf(collections);
        usersAndRoles = List.copyOf(usersAndRoles);
        leftAside = List.copyOf(leftAside);
    }

    /**
     * Reads a backup with the default options: its layout, collections, metadata and oplog; document
     * data is not read (an archive's prelude is).
     *
     * @param path a database folder, a dump root or an archive file
     * @return what it holds
     * @throws BackupNotFoundException when the path does not exist
     * @throws CorruptBackupException  when a metadata file or the archive's prelude is not valid, or a name cannot be decoded
     */
    public static MongoBackupContents read(Path path) {
        return read(path, BackupOptions.DEFAULT);
    }

    /**
     * Reads a backup with options (namespace filters, what the plan accepts to leave aside).
     *
     * @param path    a database folder, a dump root or an archive file
     * @param options how to read it
     * @return what it holds
     */
    public static MongoBackupContents read(Path path, BackupOptions options) {
        return BackupReader.read(path, options, null);
    }

    /**
     * @param name a collection name
     * @return the collection, time series or view of that name, in any database
     */
    public Optional<BackupCollection> collection(String name) {
        return collections.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /**
     * @param database a database
     * @param name     a collection name
     * @return the collection, time series or view of that namespace
     */
    public Optional<BackupCollection> collection(String database, String name) {
        return collections.stream().filter(c -> c.database().equals(database) && c.name().equals(name)).findFirst();
    }

    /** @return the collection names, in order */
    public List<String> collectionNames() {
        return collections.stream().map(BackupCollection::name).toList();
    }

    /** @return the databases the restorable entries come from, sorted */
    public List<String> databases() {
        TreeSet<String> dbs = new TreeSet<>();
        collections.forEach(c -> dbs.add(c.database()));
        usersAndRoles.forEach(c -> dbs.add(c.database()));
        return List.copyOf(dbs);
    }

    /** @return the left-aside entries that make {@link BackupSource#nothingLeftAside()} fail */
    public List<LeftAside> blocking() {
        return leftAside.stream().filter(LeftAside::blocking).toList();
    }
}
