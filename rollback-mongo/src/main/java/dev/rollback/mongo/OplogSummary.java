package dev.rollback.mongo;

import java.time.Instant;
import java.util.Optional;

/**
 * The oplog a backup holds ({@code mongodump --oplog}): counted and reported, never replayed. Its
 * entries are changes made while the dump ran; a restore without them ends at the dump's start,
 * so they are part of the data-loss window.
 *
 * @param location the file or archive namespace
 * @param entries  number of oplog entries
 * @param first    time of the first entry ({@code ts}), if any
 * @param last     time of the last entry, if any
 */
public record OplogSummary(String location, long entries, Optional<Instant> first, Optional<Instant> last) {

    /** @return one line for people: "12 oplog entries from ... to ... in ..." */
    public String describe() {
        return entries + " oplog entries" + (first.isPresent() ? " from " + first.get() + " to " + last.orElse(first.get()) : "")
                + " in " + location + " (not replayed)";
    }
}
