package dev.rollback.mongo;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One restorable entry of a backup: a collection, a time series collection (its buckets), a view,
 * or a database's users or roles.
 *
 * @param database     the database it was dumped from (for a database folder, the folder's name unless a target database is given)
 * @param name         the collection name (unescaped; from the metadata for shortened long names; for a time series, its
 *                     name, not {@code system.buckets.<name>})
 * @param kind         what it is
 * @param dataFile     the {@code .bson} or {@code .bson.gz} file; empty for views, metadata-only entries and archive entries
 * @param metadataFile the {@code .metadata.json(.gz)} file, if there is one (empty in archives, where the metadata is in the prelude)
 * @param metadata     the parsed metadata, if there is one and it is not empty
 * @param location     where it is, for people: the data file, or {@code <archive> namespace db.c}
 */
public record BackupCollection(String database, String name, Kind kind, Optional<Path> dataFile, Optional<Path> metadataFile,
                               Optional<CollectionMetadata> metadata, String location) {

    /** What an entry of a backup is. */
    public enum Kind {
        /** An ordinary collection. */
        COLLECTION,
        /** A time series collection: its options in the metadata, its buckets as the documents. */
        TIMESERIES,
        /** A view: its definition in the metadata, no documents. */
        VIEW,
        /** Users ({@code admin.system.users}, or a database's {@code $admin.system.users}). */
        USERS,
        /** Roles ({@code admin.system.roles}, or a database's {@code $admin.system.roles}). */
        ROLES
    }

    /** @return whether the data file is gzip-compressed */
    public boolean gzip() {
        return dataFile.map(f -> f.getFileName().toString().endsWith(".gz")).orElse(false);
    }

    /** @return {@code <database>.<name>} */
    public String namespace() {
        return database + "." + name;
    }

    /** @return the collection the documents go into: {@code system.buckets.<name>} for a time series, else the name */
    public String dataCollection() {
        return kind == Kind.TIMESERIES ? "system.buckets." + name : name;
    }

    /** @return whether the entry has documents to load (views have none) */
    public boolean hasData() {
        return kind != Kind.VIEW;
    }
}
