package dev.rollback.mongo;

import dev.rollback.core.Check;
import dev.rollback.core.StepContext;
import dev.rollback.mongo.internal.BackupChecks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Where a restore or a check finds its backup, and how it reads it. The backup is a path known
 * when the plan is built ({@link MongoBackup#at(Path)}) or chosen while the plan runs and kept as
 * a step output ({@link MongoBackup#in(Path)}{@code .latest()}), so that a resumed run uses the
 * same backup. The path may be any of mongodump's outputs:
 * <ul>
 *   <li>a database folder ({@code <dump>/<database>/} holding {@code <collection>.bson[.gz]} and {@code .metadata.json[.gz]});</li>
 *   <li>a dump root ({@code <dump>/}, as {@code mongodump --out} writes it), holding several database folders and maybe {@code oplog.bson};</li>
 *   <li>an archive file ({@code mongodump --archive}), plain or gzip ({@code --archive --gzip}).</li>
 * </ul>
 * The chained methods return a source that reads the same path differently (mongorestore's
 * namespace options, and what the plan accepts to leave aside); checks, restores and prepares of
 * that source all see the same namespaces.
 *
 * <pre>{@code
 * BackupSource backup = MongoBackup.at(Path.of("/backups/production-2025-11-05/mongodb-backup"))
 *     .nsInclude("nextcrm.*");
 * plan.precheck(backup.collectionsAtLeast(26))
 *     .precheck(backup.readable())
 *     .precheck(backup.nothingLeftAside());
 * }</pre>
 */
public interface BackupSource {

    /**
     * Finds the backup for this run.
     *
     * @param context the running step's context
     * @return the database folder, dump root or archive file
     * @throws BackupNotFoundException when there is none
     */
    Path resolve(StepContext context);

    /** @return a deterministic description for dry runs and fingerprints */
    String description();

    /** @return how this source is read (namespaces, renames, what is accepted to be left aside) */
    default BackupOptions options() {
        return BackupOptions.DEFAULT;
    }

    /**
     * Restores only the namespaces matching one of the patterns ({@code mongorestore --nsInclude}).
     *
     * @param patterns {@code <db>.<collection>} with {@code *} for any text, such as {@code nextcrm.*}
     * @return a source reading the same backup with the filter
     * @throws IllegalArgumentException when a pattern is not valid
     */
    default BackupSource nsInclude(String... patterns) {
        return new ConfiguredBackupSource(this, options().withIncludes(List.of(patterns)));
    }

    /**
     * Leaves out the namespaces matching one of the patterns ({@code mongorestore --nsExclude});
     * they are listed as left aside, on purpose.
     *
     * @param patterns {@code <db>.<collection>} with {@code *} for any text
     * @return a source reading the same backup with the filter
     */
    default BackupSource nsExclude(String... patterns) {
        return new ConfiguredBackupSource(this, options().withExcludes(Arrays.asList(patterns)));
    }

    /**
     * Restores namespaces under other names ({@code mongorestore --nsFrom ... --nsTo ...}); with
     * several pairs, the one given last wins.
     *
     * @param nsFrom the source pattern, with {@code *} wildcards or {@code $name$} variables
     * @param nsTo   the target pattern, with as many wildcards, or the same variables
     * @return a source reading the same backup with the rename
     * @throws IllegalArgumentException when the patterns do not fit together
     */
    default BackupSource nsRename(String nsFrom, String nsTo) {
        return new ConfiguredBackupSource(this, options().withRename(new BackupOptions.Rename(nsFrom, nsTo)));
    }

    /**
     * Accepts collections that have no {@code .metadata.json}: they are restored with default
     * options and only the {@code _id} index. Without this, such a backup fails the prechecks and
     * the restore refuses it before changing anything.
     *
     * @return a source reading the same backup, accepting missing metadata
     */
    default BackupSource withoutMetadata() {
        return new ConfiguredBackupSource(this, options().withoutMetadataAllowed());
    }

    /**
     * Restores the users and roles the backup holds ({@code admin/system.users.bson},
     * {@code system.roles.bson}, or a database's {@code $admin.system.users.bson}), merged into
     * the server's as mongorestore does; the server must offer {@code _mergeAuthzCollections}.
     *
     * @return a source reading the same backup, restoring its users and roles
     */
    default BackupSource withUsersAndRoles() {
        return new ConfiguredBackupSource(this, options().users(BackupOptions.UsersAndRoles.RESTORE));
    }

    /**
     * Leaves the users and roles of the backup aside on purpose (they are still named as not restored).
     *
     * @return a source reading the same backup without its users and roles
     */
    default BackupSource withoutUsersAndRoles() {
        return new ConfiguredBackupSource(this, options().users(BackupOptions.UsersAndRoles.LEAVE_ASIDE));
    }

    /**
     * Accepts that the backup's {@code oplog.bson} is not replayed: the data ends at the start of
     * the dump, and the oplog's entries (counted, with their time range) are reported in the
     * data-loss window. Oplog replay itself is refused: {@link MongoRestore#withOplogReplay()}.
     *
     * @return a source reading the same backup, accepting the unreplayed oplog
     */
    default BackupSource withoutOplog() {
        return new ConfiguredBackupSource(this, options().withoutOplogAccepted());
    }

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
     * truncated file is found before anything is dropped. It fails on a backup with no
     * collections, and on collections without metadata unless {@link #withoutMetadata()}.
     *
     * @return the check
     */
    default Check readable() {
        return BackupChecks.readable(this);
    }

    /**
     * A check that the restore would restore every file of the backup that holds data: it fails,
     * listing each file with its reason and the fix, on users and roles not asked for, an oplog not
     * accepted, system collections, unsupported entries and collections without metadata. Files left
     * out on purpose ({@link #nsExclude(String...)}, {@link #withoutUsersAndRoles()},
     * {@link #withoutOplog()}) are listed but do not fail it.
     *
     * @return the check
     */
    default Check nothingLeftAside() {
        return BackupChecks.nothingLeftAside(this);
    }

    /**
     * A check that the backup was written less than {@code maxAge} ago (by the run's clock).
     *
     * @param maxAge the maximum age
     * @return the check
     */
    default Check youngerThan(Duration maxAge) {
        return BackupChecks.youngerThan(this, maxAge);
    }
}
