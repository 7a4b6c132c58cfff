package dev.rollback.mongo;

import dev.rollback.core.Check;
import dev.rollback.core.StepContext;
import dev.rollback.mongo.internal.BackupChecks;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a restore or a check finds its backup: a database folder of a mongodump backup, known
 * when the plan is built ({@link MongoBackup#at(Path)}) or chosen while the plan runs and kept as
 * a step output ({@link MongoBackup#in(Path)}{@code .latest()}), so that a resumed run uses the
 * same backup.
 *
 * <pre>{@code
 * BackupSource backup = MongoBackup.at(Path.of("/backups/production-2025-11-05/mongodb-backup/nextcrm"));
 * plan.precheck(backup.collectionsAtLeast(26)).precheck(backup.readable());
 * }</pre>
 */
public interface BackupSource {

    /**
     * Finds the database folder for this run.
     *
     * @param context the running step's context
     * @return the database folder
     * @throws BackupNotFoundException when there is none
     */
    Path resolve(StepContext context);

    /** @return a deterministic description for dry runs and fingerprints */
    String description();

    /**
     * A check that the backup holds at least {@code n} collections (the seed's "26 .bson.gz files").
     *
     * @param n the minimum
     * @return the check
     */
    default Check collectionsAtLeast(int n) {
        return BackupChecks.collectionsAtLeast(this, n);
    }

    /**
     * A check that reads every data file of the backup and validates every document, so a
     * truncated file is found before anything is dropped.
     *
     * @return the check
     */
    default Check readable() {
        return BackupChecks.readable(this);
    }

    /**
     * A check that the backup folder was written less than {@code maxAge} ago (by the run's clock).
     *
     * @param maxAge the maximum age
     * @return the check
     */
    default Check youngerThan(Duration maxAge) {
        return BackupChecks.youngerThan(this, maxAge);
    }
}
