package dev.rollback.mongo;

/** How a restore treats the collections that are live in the database. */
public enum RestoreStrategy {
    /**
     * The default: restore into temporary collections, check counts and indexes, then rename them
     * over the live ones. The replaced collections are kept, renamed, for forensics. A failed
     * restore leaves the live collections untouched.
     */
    SAFE_SWAP,
    /** Drop each live collection of the backup, then restore it ({@code mongorestore --drop}). */
    DROP_EXISTING,
    /** Insert into the live collections, keeping documents whose {@code _id} already exists (plain {@code mongorestore}). */
    MERGE
}
