package dev.rollback.mongo;

import dev.rollback.mongo.internal.CollectionNames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A database folder of a mongodump backup ({@code <dump>/<database>/}) as read by this module:
 * its collections and the files it leaves aside, each with the reason. Nothing is guessed
 * silently: every file that is not restored is listed in {@link #ignored()}.
 *
 * <pre>{@code
 * MongoDumpFolder folder = MongoDumpFolder.open(Path.of("/backups/production-2025-11-05/mongodb-backup/nextcrm"));
 * folder.collections().size();          // 26
 * folder.collection("cafés");           // names are unescaped (file caf%C3%A9s.bson)
 * }</pre>
 *
 * @param directory   the database folder
 * @param collections the collections, ordered by file name
 * @param ignored     files not restored, and why
 */
public record MongoDumpFolder(Path directory, List<BackupCollection> collections, List<IgnoredFile> ignored) {

    /**
     * A file of the folder that is not restored.
     *
     * @param path   the file
     * @param reason why it is left aside
     */
    public record IgnoredFile(Path path, String reason) {
    }

    /** Copies the lists. */
    public MongoDumpFolder {
        collections = List.copyOf(collections);
        ignored = List.copyOf(ignored);
    }

    /**
     * Reads a database folder: lists its {@code .bson} / {@code .bson.gz} files, pairs them with
     * their metadata and parses the metadata. Document data is not read here.
     *
     * @param databaseDirectory the folder, such as {@code dump/nextcrm}
     * @return the folder's contents
     * @throws BackupNotFoundException when the folder does not exist or is not a folder
     * @throws CorruptBackupException  when a metadata file is not valid or a name cannot be decoded
     */
    public static MongoDumpFolder open(Path databaseDirectory) {
        if (!Files.exists(databaseDirectory)) {
            throw new BackupNotFoundException("Backup folder " + databaseDirectory + " does not exist. Nothing was changed. "
                    + "Fix: check the backup path (and the sub-path of the database inside the backup).");
        }
        if (!Files.isDirectory(databaseDirectory)) {
            throw new BackupNotFoundException("Backup path " + databaseDirectory + " is a file, not a database folder of a mongodump backup. "
                    + "Nothing was changed. Fix: give the folder that holds the <collection>.bson files.");
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(databaseDirectory)) {
            entries = s.sorted().toList();
        } catch (IOException e) {
            throw new BackupNotFoundException("Backup folder " + databaseDirectory + " cannot be listed: " + e.getMessage()
                    + ". Nothing was changed. Fix: check its permissions.");
        }
        Map<String, Path> data = new TreeMap<>();
        Map<String, Path> metadata = new TreeMap<>();
        List<IgnoredFile> ignored = new ArrayList<>();
        for (Path p : entries) {
            String file = p.getFileName().toString();
            if (Files.isDirectory(p)) {
                ignored.add(new IgnoredFile(p, "a folder inside a database folder; mongodump writes none"));
            } else if (file.endsWith(".metadata.json") || file.endsWith(".metadata.json.gz")) {
                putOnce(metadata, file.substring(0, file.lastIndexOf(".metadata.json")), p);
            } else if (file.equals("oplog.bson") || file.equals("oplog.bson.gz")) {
                ignored.add(new IgnoredFile(p, "an oplog dump (mongodump --oplog), not a collection; oplog replay is not supported"));
            } else if (file.startsWith("$admin.system.")) {
                ignored.add(new IgnoredFile(p, "users, roles and auth version are not restored"));
            } else if (file.endsWith(".bson") || file.endsWith(".bson.gz")) {
                putOnce(data, file.substring(0, file.lastIndexOf(".bson")), p);
            } else if (file.startsWith("prelude.json")) {
                ignored.add(new IgnoredFile(p, "the dump's prelude (server and tool versions)"));
            } else {
                ignored.add(new IgnoredFile(p, "not a .bson or .metadata.json file"));
            }
        }
        List<BackupCollection> collections = new ArrayList<>();
        for (Map.Entry<String, Path> e : data.entrySet()) {
            String base = e.getKey();
            Optional<Path> metaFile = Optional.ofNullable(metadata.remove(base));
            Optional<CollectionMetadata> meta = metaFile.flatMap(CollectionMetadata::read);
            if (metaFile.isPresent() && meta.isEmpty()) {
                ignored.add(new IgnoredFile(metaFile.get(), "empty metadata file; the collection is restored with default options and only the _id index"));
            }
            String name = collectionName(e.getValue(), base, meta);
            if (name.startsWith("system.") && !name.equals("system.js")) {
                ignored.add(new IgnoredFile(e.getValue(), "a system collection; mongorestore does not restore it either"));
                continue;
            }
            collections.add(new BackupCollection(name, e.getValue(), metaFile, meta));
        }
        for (Path orphan : metadata.values()) {
            ignored.add(new IgnoredFile(orphan, "metadata without a .bson file (a view, or a partial dump); views are not restored"));
        }
        return new MongoDumpFolder(databaseDirectory, collections, ignored);
    }

    private static void putOnce(Map<String, Path> map, String base, Path p) {
        Path previous = map.putIfAbsent(base, p);
        if (previous != null) {
            throw new CorruptBackupException(p, 0, "both " + previous.getFileName() + " and " + p.getFileName()
                    + " exist for the same collection; a dump is either gzip or plain", null);
        }
    }

    private static String collectionName(Path dataFile, String base, Optional<CollectionMetadata> meta) {
        if (CollectionNames.isTruncated(base)) {
            return meta.map(CollectionMetadata::collectionName).filter(n -> !n.isEmpty())
                    .orElseThrow(() -> new CorruptBackupException(dataFile, 0, "the file name is a shortened long collection name, "
                            + "and there is no metadata file with the full name (collectionName)", null));
        }
        try {
            return CollectionNames.pathUnescape(base);
        } catch (IllegalArgumentException ex) {
            throw new CorruptBackupException(dataFile, 0, "the file name cannot be decoded as an escaped collection name: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param name a collection name
     * @return the collection of that name, if the backup has it
     */
    public Optional<BackupCollection> collection(String name) {
        return collections.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** @return the collection names, in order */
    public List<String> collectionNames() {
        return collections.stream().map(BackupCollection::name).toList();
    }

    /**
     * The database folders of a whole dump root ({@code mongodump --out}); an {@code oplog.bson}
     * and stray files at the root are not databases.
     *
     * @param dumpRoot the root
     * @return database name to folder, ordered by name
     * @throws BackupNotFoundException when the root does not exist
     */
    public static Map<String, Path> databases(Path dumpRoot) {
        if (!Files.isDirectory(dumpRoot)) {
            throw new BackupNotFoundException("Dump root " + dumpRoot + " does not exist or is not a folder. Nothing was changed. "
                    + "Fix: give the folder mongodump wrote (its --out).");
        }
        Map<String, Path> dbs = new TreeMap<>();
        try (Stream<Path> s = Files.list(dumpRoot)) {
            s.filter(Files::isDirectory).forEach(p -> dbs.put(p.getFileName().toString(), p));
        } catch (IOException e) {
            throw new BackupNotFoundException("Dump root " + dumpRoot + " cannot be listed: " + e.getMessage() + ". Fix: check its permissions.");
        }
        return dbs;
    }
}
