package dev.rollback.mongo;

/**
 * Something in a backup that a restore does not restore, and why. Nothing is left aside silently:
 * every entry is in the restore result, the step outputs, the journal and the incident report.
 *
 * @param location     the file (or the namespace inside an archive)
 * @param reason       why it is not restored, and how to change that where one can
 * @param holdsData    whether it holds data (documents, users, oplog entries) that would be missing after the restore
 * @param acknowledged whether the plan chose to leave it aside ({@code nsExclude}, {@code withoutUsersAndRoles()}, {@code withoutOplog()})
 */
public record LeftAside(String location, String reason, boolean holdsData, boolean acknowledged) {

    /** @return whether it makes {@link BackupSource#nothingLeftAside()} fail: data the plan did not choose to leave out */
    public boolean blocking() {
        return holdsData && !acknowledged;
    }

    @Override
    public String toString() {
        return location + ": " + reason;
    }
}
