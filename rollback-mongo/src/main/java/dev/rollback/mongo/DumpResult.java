package dev.rollback.mongo;

import java.nio.file.Path;
import java.util.List;

/**
 * What a dump wrote.
 *
 * @param directory   the database folder written ({@code <out>/<database>}), or the archive file
 * @param collections one entry per collection
 * @param skipped     collections not dumped (system collections, the rollback library's own), with the reason
 */
public record DumpResult(Path directory, List<CollectionDump> collections, List<String> skipped) {

    /** Copies the lists. */
    public DumpResult {
        collections = List.copyOf(collections);
        skipped = List.copyOf(skipped);
    }

    /**
     * One dumped collection.
     *
     * @param name      the collection name
     * @param documents documents written
     * @param bytes     uncompressed BSON bytes written
     * @param dataFile  the {@code .bson(.gz)} file, or the archive
     */
    public record CollectionDump(String name, long documents, long bytes, Path dataFile) {
    }

    /** @return documents written, all collections together */
    public long documents() {
        return collections.stream().mapToLong(CollectionDump::documents).sum();
    }
}
