package dev.rollback.mongo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a restore did.
 *
 * @param database    the database restored into
 * @param backup      the database folder restored from
 * @param strategy    the strategy used
 * @param collections one entry per collection
 * @param duration    wall time
 */
public record RestoreResult(String database, Path backup, RestoreStrategy strategy, List<CollectionRestore> collections, Duration duration) {

    /** Copies the list. */
    public RestoreResult {
        collections = List.copyOf(collections);
    }

    /**
     * One restored collection.
     *
     * @param name              the collection name
     * @param documentsRead     documents read from the backup
     * @param documentsInserted documents inserted (fewer under {@link RestoreStrategy#MERGE} when some existed)
     * @param indexesCreated    names of the indexes created besides {@code _id_}
     * @param previousData      under {@link RestoreStrategy#SAFE_SWAP}, the name the replaced live collection
     *                          was renamed to; empty when there was none
     */
    public record CollectionRestore(String name, long documentsRead, long documentsInserted, List<String> indexesCreated, String previousData) {
        /** Copies the list. */
        public CollectionRestore {
            indexesCreated = List.copyOf(indexesCreated);
        }
    }

    /** @return documents inserted, all collections together */
    public long documentsInserted() {
        return collections.stream().mapToLong(CollectionRestore::documentsInserted).sum();
    }
}
