package dev.rollback.mongo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a restore did.
 *
 * @param database         the database restored into, or empty when a dump root or archive was restored into several
 * @param backup           the backup restored from (folder or archive)
 * @param strategy         the strategy used
 * @param collections      one entry per collection, time series and view
 * @param duration         wall time
 * @param leftAside        everything in the backup that was not restored, with the reason
 * @param oplog            the backup's oplog, counted, not replayed
 * @param removedLeftovers temporary collections an earlier crashed run left, which this restore dropped ({@code db.name})
 * @param usersAndRoles    what was done with the backup's users and roles, for people; empty when it holds none
 */
public record RestoreResult(String database, Path backup, RestoreStrategy strategy, List<CollectionRestore> collections, Duration duration,
                            List<LeftAside> leftAside, Optional<OplogSummary> oplog, List<String> removedLeftovers, String usersAndRoles) {

    /** Copies the lists. */
    public RestoreResult {
        collections = List.copyOf(collections);
        leftAside = List.copyOf(leftAside);
        removedLeftovers = List.copyOf(removedLeftovers);
    }

    /**
     * One restored collection, time series or view.
     *
     * @param name               the collection name (in its target database)
     * @param documentsRead      documents read from the backup (buckets, for a time series)
     * @param documentsInserted  documents inserted (fewer under {@link RestoreStrategy#MERGE} when some existed)
     * @param indexesCreated     names of the indexes created besides {@code _id_}
     * @param previousData       under {@link RestoreStrategy#SAFE_SWAP}, the collection the replaced live data was kept in;
     *                           empty when nothing was live before the run
     * @param database           the target database
     * @param kind               collection, time series or view
     * @param skippedIndexes     indexes of the metadata not created, with the reason
     * @param meanwhileData      collections holding documents written to this collection between a crash and the resume, set aside
     *                           and kept (with their document counts)
     * @param writtenSinceBackup documents written to the live collection after the backup, measured at the swap (-1: not measured)
     */
    public record CollectionRestore(String name, long documentsRead, long documentsInserted, List<String> indexesCreated, String previousData,
                                    String database, BackupCollection.Kind kind, List<String> skippedIndexes, List<String> meanwhileData,
                                    long writtenSinceBackup) {
        /** Copies the lists. */
        public CollectionRestore {
            indexesCreated = List.copyOf(indexesCreated);
            skippedIndexes = List.copyOf(skippedIndexes);
            meanwhileData = List.copyOf(meanwhileData);
        }

        /** @return {@code database.name} */
        public String namespace() {
            return database + "." + name;
        }
    }

    /** @return documents inserted, all collections together */
    public long documentsInserted() {
        return collections.stream().mapToLong(CollectionRestore::documentsInserted).sum();
    }
}
