package dev.rollback.mongo.internal;

import dev.rollback.mongo.BackupCollection;
import dev.rollback.mongo.BackupOptions;
import dev.rollback.mongo.CorruptBackupException;
import dev.rollback.mongo.MongoBackupContents;
import dev.rollback.mongo.OplogSummary;
import org.bson.RawBsonDocument;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where each entry of a backup goes (mongorestore's renames, a target database), and what the
 * backup holds when read through (document counts per namespace, the oplog). Shared by restores
 * and checks, so that both see the same namespaces.
 */
public final class BackupTargets {
    private BackupTargets() {
    }

    /**
     * One entry and where it goes.
     *
     * @param source the entry
     * @param db     the target database
     * @param name   the target collection
     */
    public record Mapped(BackupCollection source, String db, String name) {
        /** @return {@code db.name} */
        public String namespace() {
            return db + "." + name;
        }
    }

    /**
     * @param mapped         the entries that go into the target database(s), in backup order
     * @param otherDatabases databases the backup restores into that are not the target
     */
    public record Mapping(List<Mapped> mapped, Set<String> otherDatabases) {
    }

    /**
     * @param contents the backup
     * @param options  how it is read
     * @param database the target database, or null for every database
     * @return where each entry goes
     * @throws IllegalArgumentException when two entries go to one namespace, or a rename yields no {@code db.collection}
     */
    public static Mapping map(MongoBackupContents contents, BackupOptions options, String database) {
        NamespaceRules rules = options.rules();
        Map<String, Mapped> byTarget = new LinkedHashMap<>();
        Set<String> others = new TreeSet<>();
        for (BackupCollection c : contents.collections()) {
            String targetNs = rules.rename(c.namespace());
            int dot = targetNs.indexOf('.');
            if (dot <= 0 || dot == targetNs.length() - 1) {
                throw new IllegalArgumentException("nsRename maps " + c.namespace() + " to '" + targetNs + "', which is not <db>.<collection>. "
                        + "Nothing was changed. Fix: correct the nsRename patterns.");
            }
            Mapped m = new Mapped(c, targetNs.substring(0, dot), targetNs.substring(dot + 1));
            if (database != null && !database.equals(m.db())) {
                others.add(m.db());
                continue;
            }
            Mapped clash = byTarget.put(m.namespace(), m);
            if (clash != null) {
                throw new IllegalArgumentException("Both " + clash.source().location() + " and " + c.location() + " would be restored into "
                        + m.namespace() + " (a destination conflict, as mongorestore calls it). Nothing was changed. Fix: adjust nsRename/nsExclude.");
            }
        }
        return new Mapping(new ArrayList<>(byTarget.values()), others);
    }

    /**
     * What a backup holds, read through.
     *
     * @param documents documents per source data namespace ({@code db.collection}, {@code db.system.buckets.<ts>})
     * @param total     documents of every restorable entry
     * @param oplog     the oplog counted, if any
     */
    public record Scan(Map<String, Long> documents, long total, Optional<OplogSummary> oplog) {
        /**
         * @param c an entry
         * @return its document count (0 for views and metadata-only entries)
         */
        public long of(BackupCollection c) {
            return documents.getOrDefault(c.database() + "." + c.dataCollection(), 0L);
        }
    }

    /**
     * Reads every document of every restorable entry (and the oplog), checking framing, checksums
     * and, when asked, every document's BSON.
     *
     * @param contents the backup
     * @param validate whether to decode every document
     * @return the counts
     * @throws CorruptBackupException naming the file and offset of the first damaged document
     */
    public static Scan scan(MongoBackupContents contents, boolean validate) {
        Map<String, Long> counts = new HashMap<>();
        long total = 0;
        if (contents.format().isArchive()) {
            BackupReader.OplogCounter oplog = contents.oplogLocation().map(BackupReader.OplogCounter::new).orElse(null);
            Set<String> wanted = new HashSet<>();
            contents.collections().forEach(c -> wanted.add(c.database() + "." + c.dataCollection()));
            try (ArchiveReader a = ArchiveReader.open(contents.location(), validate)) {
                a.readBody(new ArchiveReader.BodyConsumer() {
                    @Override
                    public void document(String namespace, RawBsonDocument document) {
                        if (oplog != null && namespace.equals(".oplog")) {
                            oplog.add(document);
                        } else {
                            counts.merge(namespace, 1L, Long::sum);
                        }
                    }
                });
            }
            for (String ns : wanted) {
                total += counts.getOrDefault(ns, 0L);
            }
            return new Scan(counts, total, Optional.ofNullable(oplog).map(BackupReader.OplogCounter::summary));
        }
        for (BackupCollection c : contents.collections()) {
            if (c.dataFile().isEmpty()) {
                continue;
            }
            long n = 0;
            try (BsonFileReader r = BsonFileReader.open(c.dataFile().get(), validate)) {
                while (r.skip()) {
                    n++;
                }
            }
            counts.put(c.database() + "." + c.dataCollection(), n);
            total += n;
        }
        return new Scan(counts, total, contents.oplog());
    }
}
