package dev.rollback.mongo;

/** The layouts mongodump writes, all of which this module reads. */
public enum BackupFormat {
    /** {@code <dump>/<database>/}: one database's {@code .bson[.gz]} and {@code .metadata.json[.gz]} files. */
    DATABASE_FOLDER,
    /** {@code <dump>/}: a folder per database, maybe {@code oplog.bson} and {@code prelude.json}. */
    DUMP_ROOT,
    /** {@code mongodump --archive}: one file, namespaces interleaved. */
    ARCHIVE,
    /** {@code mongodump --archive --gzip}: the archive, gzip-compressed as a whole. */
    ARCHIVE_GZIP;

    /** @return whether this is one of the archive formats */
    public boolean isArchive() {
        return this == ARCHIVE || this == ARCHIVE_GZIP;
    }
}
