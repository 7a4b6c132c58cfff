package dev.rollback.mongo;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One collection of a mongodump database folder.
 *
 * @param name         the collection name (unescaped; from the metadata for shortened long names)
 * @param dataFile     the {@code .bson} or {@code .bson.gz} file
 * @param metadataFile the {@code .metadata.json(.gz)} file, if there is one
 * @param metadata     the parsed metadata, if the file exists and is not empty
 */
public record BackupCollection(String name, Path dataFile, Optional<Path> metadataFile, Optional<CollectionMetadata> metadata) {

    /** @return whether the data file is gzip-compressed */
    public boolean gzip() {
        return dataFile.getFileName().toString().endsWith(".gz");
    }
}
