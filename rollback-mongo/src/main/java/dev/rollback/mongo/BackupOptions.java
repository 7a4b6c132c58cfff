package dev.rollback.mongo;

import dev.rollback.mongo.internal.NamespaceRules;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a backup is read: which namespaces it contributes (mongorestore's {@code --nsInclude} /
 * {@code --nsExclude}), under which names ({@code --nsFrom} / {@code --nsTo}), and what the plan
 * accepts to leave aside. Built through the methods of {@link BackupSource}; checks, restores and
 * prepares of one source all read it the same way.
 *
 * <pre>{@code
 * BackupSource backup = MongoBackup.at(Path.of("/backups/full-2025-11-05"))   // a dump root with several databases
 *     .nsInclude("nextcrm.*", "billing.*")
 *     .nsExclude("nextcrm.sessions")
 *     .nsRename("billing.*", "billing_restored.*")
 *     .withUsersAndRoles();
 * }</pre>
 *
 * @param includes         include patterns ({@code <db>.<collection>}, {@code *} for any text); empty: everything
 * @param excludes         exclude patterns
 * @param renames          {@code nsFrom -> nsTo} pairs, in the order given (the last matching pair wins)
 * @param withoutMetadata  whether collections without a {@code .metadata.json} may be restored (with default options and only {@code _id})
 * @param usersAndRoles    {@link UsersAndRoles#RESTORE}, {@link UsersAndRoles#LEAVE_ASIDE} (acknowledged) or
 *                         {@link UsersAndRoles#NOT_CHOSEN} (listed as left aside, and {@code nothingLeftAside()} fails)
 * @param withoutOplog     whether the plan accepts that {@code oplog.bson} is not replayed
 */
public record BackupOptions(List<String> includes, List<String> excludes, List<Rename> renames, boolean withoutMetadata,
                            UsersAndRoles usersAndRoles, boolean withoutOplog) {

    /** Nothing filtered, renamed or acknowledged. */
    public static final BackupOptions DEFAULT = new BackupOptions(List.of(), List.of(), List.of(), false, UsersAndRoles.NOT_CHOSEN, false);

    /** What happens to the users and roles a backup holds. */
    public enum UsersAndRoles {
        /** Not decided by the plan: left aside, and named as not restored. */
        NOT_CHOSEN,
        /** Restored (merged into {@code admin.system.users} / {@code roles}, as mongorestore does). */
        RESTORE,
        /** Left aside on purpose. */
        LEAVE_ASIDE
    }

    /**
     * One {@code --nsFrom} / {@code --nsTo} pair.
     *
     * @param from the source pattern, such as {@code crm.*} or {@code $db$.users}
     * @param to   the target pattern, such as {@code crm_restored.*} or {@code $db$.people}
     */
    public record Rename(String from, String to) {
        /** Checks the pair as mongorestore does. */
        public Rename {
            NamespaceRules.checkRename(from, to);
        }
    }

    /** Copies the lists and checks every pattern. */
    public BackupOptions {
        includes = List.copyOf(includes);
        excludes = List.copyOf(excludes);
        renames = List.copyOf(renames);
        includes.forEach(NamespaceRules::checkPattern);
        excludes.forEach(NamespaceRules::checkPattern);
        Objects.requireNonNull(usersAndRoles, "usersAndRoles");
    }

    /** @return the compiled patterns */
    public NamespaceRules rules() {
        List<String[]> pairs = new ArrayList<>();
        renames.forEach(r -> pairs.add(new String[]{r.from(), r.to()}));
        return NamespaceRules.of(includes, excludes, pairs);
    }

    BackupOptions withIncludes(List<String> more) {
        List<String> all = new ArrayList<>(includes);
        all.addAll(more);
        return new BackupOptions(all, excludes, renames, withoutMetadata, usersAndRoles, withoutOplog);
    }

    BackupOptions withExcludes(List<String> more) {
        List<String> all = new ArrayList<>(excludes);
        all.addAll(more);
        return new BackupOptions(includes, all, renames, withoutMetadata, usersAndRoles, withoutOplog);
    }

    BackupOptions withRename(Rename r) {
        List<Rename> all = new ArrayList<>(renames);
        all.add(r);
        return new BackupOptions(includes, excludes, all, withoutMetadata, usersAndRoles, withoutOplog);
    }

    BackupOptions withoutMetadataAllowed() {
        return new BackupOptions(includes, excludes, renames, true, usersAndRoles, withoutOplog);
    }

    BackupOptions users(UsersAndRoles u) {
        return new BackupOptions(includes, excludes, renames, withoutMetadata, u, withoutOplog);
    }

    BackupOptions withoutOplogAccepted() {
        return new BackupOptions(includes, excludes, renames, withoutMetadata, usersAndRoles, true);
    }

    /** @return a short description for dry runs and fingerprints; empty for the defaults */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (!includes.isEmpty()) {
            parts.add("nsInclude " + includes);
        }
        if (!excludes.isEmpty()) {
            parts.add("nsExclude " + excludes);
        }
        renames.forEach(r -> parts.add("nsFrom " + r.from() + " nsTo " + r.to()));
        if (withoutMetadata) {
            parts.add("without metadata allowed");
        }
        if (usersAndRoles != UsersAndRoles.NOT_CHOSEN) {
            parts.add(usersAndRoles == UsersAndRoles.RESTORE ? "with users and roles" : "without users and roles");
        }
        if (withoutOplog) {
            parts.add("oplog not replayed (accepted)");
        }
        return String.join(", ", parts);
    }
}
