package dev.rollback.mongo.internal;

import dev.rollback.mongo.BackupCollection;
import dev.rollback.mongo.BackupCollection.Kind;
import dev.rollback.mongo.BackupFormat;
import dev.rollback.mongo.BackupNotFoundException;
import dev.rollback.mongo.BackupOptions;
import dev.rollback.mongo.CollectionMetadata;
import dev.rollback.mongo.CorruptBackupException;
import dev.rollback.mongo.LeftAside;
import dev.rollback.mongo.MongoBackupContents;
import dev.rollback.mongo.OplogSummary;
import org.bson.BsonTimestamp;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads any of mongodump's layouts into {@link MongoBackupContents}, classifying every file (or
 * archive namespace) as mongorestore does ({@code mongorestore/filepath.go},
 * {@code common/intents}): collections, time series ({@code system.buckets.<name>} plus the
 * metadata of {@code <name>}), views (metadata only), users and roles ({@code admin.system.users},
 * {@code $admin.system.users}), the oplog, and what is left aside with the reason.
 */
public final class BackupReader {
    private static final String BUCKETS = "system.buckets.";
    private static final String NO_METADATA = "the indexes and options of ";

    private final BackupOptions options;
    private final NamespaceRules rules;
    private final List<BackupCollection> collections = new ArrayList<>();
    private final List<BackupCollection> users = new ArrayList<>();
    private final List<LeftAside> leftAside = new ArrayList<>();
    private OplogSummary oplog;
    private String oplogLocation;

    private BackupReader(BackupOptions options) {
        this.options = options;
        this.rules = options.rules();
    }

    /**
     * @param path        a database folder, dump root or archive
     * @param options     how to read it
     * @param databaseFor for a database folder, the database its namespaces belong to (a restore's target); null: the folder's name
     * @return the contents
     */
    public static MongoBackupContents read(Path path, BackupOptions options, String databaseFor) {
        if (!Files.exists(path)) {
            throw new BackupNotFoundException("Backup " + path + " does not exist. Nothing was changed. "
                    + "Fix: check the backup path (a database folder <dump>/<database>, a dump root <dump>, or an archive file).");
        }
        BackupReader r = new BackupReader(options);
        BackupFormat format;
        if (Files.isRegularFile(path)) {
            if (!ArchiveReader.looksLikeArchive(path)) {
                throw new BackupNotFoundException("Backup path " + path + " is a file, but not a mongodump archive (no magic number 0x8199e26d, "
                        + "not gzip). Nothing was changed. Fix: give the archive mongodump --archive wrote, or the folder holding the "
                        + "<collection>.bson files.");
            }
            format = r.readArchive(path);
        } else if (isDumpRoot(path)) {
            format = BackupFormat.DUMP_ROOT;
            r.readRoot(path);
        } else {
            format = BackupFormat.DATABASE_FOLDER;
            r.readDatabaseFolder(path, databaseFor != null ? databaseFor : path.getFileName().toString());
        }
        return new MongoBackupContents(path, format, r.collections, r.users, r.leftAside, Optional.ofNullable(r.oplog),
                Optional.ofNullable(r.oplogLocation));
    }

    /** A folder is a dump root when it holds no collection files of its own but holds folders. */
    private static boolean isDumpRoot(Path dir) {
        List<Path> entries = list(dir);
        boolean collectionFiles = entries.stream().map(p -> p.getFileName().toString()).anyMatch(f -> !f.startsWith("oplog.bson")
                && (f.endsWith(".bson") || f.endsWith(".bson.gz") || f.endsWith(".metadata.json") || f.endsWith(".metadata.json.gz")));
        return !collectionFiles && entries.stream().anyMatch(Files::isDirectory);
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new BackupNotFoundException("Backup folder " + dir + " cannot be listed: " + e.getMessage()
                    + ". Nothing was changed. Fix: check its permissions.");
        }
    }

    private void readRoot(Path root) {
        for (Path p : list(root)) {
            String name = p.getFileName().toString();
            if (Files.isDirectory(p)) {
                if (name.equals("local")) {
                    leftAside.add(new LeftAside(p.toString(), "the local database holds the server's own replication state; "
                            + "mongorestore refuses to restore it into a replica set, and so does this library", true, false));
                } else {
                    readDatabaseFolder(p, name);
                }
            } else if (name.equals("oplog.bson") || name.equals("oplog.bson.gz")) {
                oplogFile(p);
            } else if (name.startsWith("prelude.json")) {
                leftAside.add(new LeftAside(p.toString(), "the dump's prelude (server and tool versions); it holds no data", false, false));
            } else {
                leftAside.add(new LeftAside(p.toString(), "not part of mongodump's layout (a dump root holds database folders, "
                        + "oplog.bson and prelude.json)", false, false));
            }
        }
    }

    private void readDatabaseFolder(Path dir, String db) {
        Map<String, Path> data = new TreeMap<>();
        Map<String, Path> metadata = new TreeMap<>();
        for (Path p : list(dir)) {
            String file = p.getFileName().toString();
            if (Files.isDirectory(p)) {
                leftAside.add(new LeftAside(p.toString(), "a folder inside a database folder; mongodump writes none", false, false));
            } else if (file.endsWith(".metadata.json") || file.endsWith(".metadata.json.gz")) {
                putOnce(metadata, file.substring(0, file.lastIndexOf(".metadata.json")), p);
            } else if (file.equals("oplog.bson") || file.equals("oplog.bson.gz")) {
                oplogFile(p);
            } else if (file.endsWith(".bson") || file.endsWith(".bson.gz")) {
                putOnce(data, file.substring(0, file.lastIndexOf(".bson")), p);
            } else if (file.startsWith("prelude.json")) {
                leftAside.add(new LeftAside(p.toString(), "the dump's prelude (server and tool versions); it holds no data", false, false));
            } else {
                leftAside.add(new LeftAside(p.toString(), "not a .bson or .metadata.json file; not part of mongodump's layout", false, false));
            }
        }
        for (Map.Entry<String, Path> e : data.entrySet()) {
            String base = e.getKey();
            boolean buckets = base.startsWith(BUCKETS);
            String metaBase = buckets ? base.substring(BUCKETS.length()) : base;
            Optional<Path> metaFile = Optional.ofNullable(metadata.remove(metaBase));
            Optional<CollectionMetadata> meta = metaFile.flatMap(CollectionMetadata::read);
            String name = collectionName(e.getValue(), metaBase, meta);
            if (buckets) {
                if (meta.isEmpty()) {
                    leftAside.add(new LeftAside(e.getValue().toString(), "time series buckets of " + db + "." + name
                            + " without that collection's metadata (its timeseries options); they cannot be restored as a time series. "
                            + "Fix: take the backup again (mongodump writes " + name + ".metadata.json next to it)", true, false));
                    continue;
                }
                add(db, name, Kind.TIMESERIES, Optional.of(e.getValue()), metaFile, meta, e.getValue().toString());
            } else {
                classify(db, name, Optional.of(e.getValue()), metaFile, meta, e.getValue().toString());
            }
        }
        for (Map.Entry<String, Path> orphan : metadata.entrySet()) {
            Path p = orphan.getValue();
            Optional<CollectionMetadata> meta = CollectionMetadata.read(p);
            String name = collectionName(p, orphan.getKey(), meta);
            classify(db, name, Optional.empty(), Optional.of(p), meta, p.toString());
        }
    }

    /** One entry of a database: what mongorestore makes of it. */
    private void classify(String db, String name, Optional<Path> dataFile, Optional<Path> metaFile, Optional<CollectionMetadata> meta,
                          String location) {
        String special = name.startsWith("$admin.") ? name.substring("$admin.".length()) : db.equals("admin") ? name : null;
        if ("system.users".equals(special) || "system.roles".equals(special)) {
            Kind kind = special.equals("system.users") ? Kind.USERS : Kind.ROLES;
            String whose = name.startsWith("$admin.") ? "database " + db : "every database (admin." + special + ")";
            BackupCollection c = new BackupCollection(db, special, kind, dataFile, metaFile, meta, location);
            switch (options.usersAndRoles()) {
                case RESTORE -> users.add(c);
                case LEAVE_ASIDE -> leftAside.add(new LeftAside(location, (kind == Kind.USERS ? "users" : "roles") + " of " + whose
                        + " are not restored (withoutUsersAndRoles())", true, true));
                default -> leftAside.add(new LeftAside(location, (kind == Kind.USERS ? "users" : "roles") + " of " + whose
                        + " are not restored. Fix: restore them with withUsersAndRoles(), or leave them out on purpose with withoutUsersAndRoles()",
                        true, false));
            }
            return;
        }
        if ("system.version".equals(special)) {
            leftAside.add(new LeftAside(location, "the auth schema version; mongorestore reads it only to check the users' format, it holds no data",
                    false, false));
            return;
        }
        if (name.startsWith("system.")) {
            switch (name) {
                case "system.js" -> {
                    // stored JavaScript: an ordinary collection for mongorestore
                }
                case "system.profile" -> {
                    leftAside.add(new LeftAside(location, "the profiler's output; mongorestore does not restore system.profile either "
                            + "(the server writes it)", false, false));
                    return;
                }
                case "system.indexes" -> {
                    leftAside.add(new LeftAside(location, "index definitions of servers older than 3.0, superseded by the .metadata.json files; "
                            + "mongorestore does not restore it either", false, false));
                    return;
                }
                case "system.views" -> {
                    leftAside.add(new LeftAside(location, "view definitions; views are restored from their own .metadata.json files", false, false));
                    return;
                }
                default -> {
                    leftAside.add(new LeftAside(location, "a system collection the server manages (" + name + "); the server refuses "
                            + "documents written into it", dataFile.isPresent(), false));
                    return;
                }
            }
        }
        String type = meta.map(CollectionMetadata::type).orElse("");
        boolean view = "view".equals(type) || meta.map(m -> m.options().containsKey("viewOn")).orElse(false);
        boolean timeseries = "timeseries".equals(type) || meta.map(m -> m.options().containsKey("timeseries")).orElse(false);
        Kind kind = view ? Kind.VIEW : timeseries ? Kind.TIMESERIES : Kind.COLLECTION;
        if (view && dataFile.isPresent()) {
            leftAside.add(new LeftAside(location, "documents of view " + db + "." + name + "; a view holds none, they cannot be restored", true, false));
            dataFile = Optional.empty();
        }
        add(db, name, kind, dataFile, metaFile, meta, location);
    }

    private void add(String db, String name, Kind kind, Optional<Path> dataFile, Optional<Path> metaFile, Optional<CollectionMetadata> meta,
                     String location) {
        String ns = db + "." + name;
        if (!rules.included(ns)) {
            leftAside.add(new LeftAside(location, ns + " is not matched by nsInclude " + options.includes(), dataFile.isPresent(), true));
            return;
        }
        if (rules.excluded(ns)) {
            leftAside.add(new LeftAside(location, ns + " is excluded by nsExclude " + options.excludes(), dataFile.isPresent(), true));
            return;
        }
        if (meta.isEmpty() && kind == Kind.COLLECTION) {
            String where = metaFile.map(p -> "its metadata file " + p.getFileName() + " is empty").orElse("it has no .metadata.json file");
            leftAside.add(new LeftAside(location.replaceAll("\\.bson(\\.gz)?$", ".metadata.json"), NO_METADATA + ns
                    + " are not in the backup (" + where + "): a restore would rebuild only its _id index. "
                    + (options.withoutMetadata() ? "Accepted with withoutMetadata()"
                    : "Fix: take the backup again with its metadata, or restore it anyway with withoutMetadata()"), true, options.withoutMetadata()));
        }
        collections.add(new BackupCollection(db, name, kind, dataFile, metaFile, meta, location));
    }

    /**
     * @param l a left-aside entry
     * @return whether it is a collection's missing metadata
     */
    public static boolean isMissingMetadata(LeftAside l) {
        return l.reason().startsWith(NO_METADATA);
    }

    private static void putOnce(Map<String, Path> map, String base, Path p) {
        Path previous = map.putIfAbsent(base, p);
        if (previous != null) {
            throw new CorruptBackupException(p, 0, "both " + previous.getFileName() + " and " + p.getFileName()
                    + " exist for the same collection; a dump is either gzip or plain", null);
        }
    }

    private static String collectionName(Path file, String base, Optional<CollectionMetadata> meta) {
        if (CollectionNames.isTruncated(base)) {
            return meta.map(CollectionMetadata::collectionName).filter(n -> !n.isEmpty())
                    .orElseThrow(() -> new CorruptBackupException(file, 0, "the file name is a shortened long collection name, "
                            + "and there is no metadata file with the full name (collectionName)", null));
        }
        try {
            return CollectionNames.pathUnescape(base);
        } catch (IllegalArgumentException ex) {
            throw new CorruptBackupException(file, 0, "the file name cannot be decoded as an escaped collection name: " + ex.getMessage(), ex);
        }
    }

    private void oplogFile(Path p) {
        OplogCounter counter = new OplogCounter(p.toString());
        try (BsonFileReader r = BsonFileReader.open(p, false)) {
            RawBsonDocument d;
            while ((d = r.next()) != null) {
                counter.add(d);
            }
        }
        oplog = counter.summary();
        oplogLocation = p.toString();
        leftAside.add(oplogLeftAside(oplog, options.withoutOplog()));
    }

    /**
     * @param summary  the oplog
     * @param accepted whether the plan accepted it with withoutOplog()
     * @return its left-aside entry
     */
    public static LeftAside oplogLeftAside(OplogSummary summary, boolean accepted) {
        return new LeftAside(summary.location(), summary.describe() + ": oplog replay is not supported, the restore ends at the dump's start "
                + "and these changes are part of the data-loss window. " + (accepted ? "Accepted with withoutOplog()"
                : "Fix: accept it with withoutOplog(), or restore with mongorestore --oplogReplay"), summary.entries() > 0, accepted);
    }

    private BackupFormat readArchive(Path file) {
        try (ArchiveReader a = ArchiveReader.open(file, false)) {
            Map<String, ArchiveReader.PreludeEntry> byNs = new HashMap<>();
            for (ArchiveReader.PreludeEntry e : a.prelude()) {
                byNs.put(e.namespace(), e);
            }
            for (ArchiveReader.PreludeEntry e : a.prelude()) {
                String location = file + " namespace " + e.namespace();
                if (e.db().isEmpty() && e.collection().equals("oplog")) {
                    oplogLocation = location;
                    if (!options.withoutOplog()) {
                        leftAside.add(new LeftAside(location, "the dump's oplog (entries counted when the archive is read through): oplog replay is "
                                + "not supported, the restore ends at the dump's start. Fix: accept it with withoutOplog()", true, false));
                    } else {
                        leftAside.add(new LeftAside(location, "the dump's oplog, not replayed (accepted with withoutOplog())", true, true));
                    }
                    continue;
                }
                if (e.collection().startsWith(BUCKETS) && byNs.containsKey(e.db() + "." + e.collection().substring(BUCKETS.length()))) {
                    continue;   // announced with its time series
                }
                Optional<CollectionMetadata> meta;
                try {
                    meta = e.metadata().isBlank() ? Optional.empty() : Optional.of(CollectionMetadata.parse(e.metadata()));
                } catch (RuntimeException ex) {
                    throw new CorruptBackupException(file, 0, "the metadata of " + e.namespace() + " in the archive's prelude is not valid "
                            + "extended JSON of mongodump's shape: " + ex.getMessage(), ex);
                }
                if ("timeseries".equals(e.type())) {
                    add(e.db(), e.collection(), Kind.TIMESERIES, Optional.empty(), Optional.empty(), meta, location);
                } else {
                    classify(e.db(), e.collection(), Optional.empty(), Optional.empty(), meta, location);
                }
            }
            return a.gzip() ? BackupFormat.ARCHIVE_GZIP : BackupFormat.ARCHIVE;
        }
    }

    /** Counts oplog entries and their time range. */
    public static final class OplogCounter {
        private final String location;
        private long entries;
        private BsonTimestamp first;
        private BsonTimestamp last;

        /** @param location where the oplog is */
        public OplogCounter(String location) {
            this.location = location;
        }

        /** @param entry one oplog entry */
        public void add(RawBsonDocument entry) {
            entries++;
            BsonValue ts = entry.get("ts");
            if (ts != null && ts.isTimestamp()) {
                BsonTimestamp t = ts.asTimestamp();
                if (first == null || t.compareTo(first) < 0) {
                    first = t;
                }
                if (last == null || t.compareTo(last) > 0) {
                    last = t;
                }
            }
        }

        /** @return what was counted */
        public OplogSummary summary() {
            return new OplogSummary(location, entries, Optional.ofNullable(first).map(t -> Instant.ofEpochSecond(t.getTime())),
                    Optional.ofNullable(last).map(t -> Instant.ofEpochSecond(t.getTime())));
        }
    }
}
