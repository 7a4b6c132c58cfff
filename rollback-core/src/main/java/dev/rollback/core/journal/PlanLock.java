package dev.rollback.core.journal;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A plan's lock as a journal sees it: who holds it, since when and, for a journal with leases, the
 * last heartbeat, when the lease expires and its fencing token.
 *
 * @param holder        who holds it
 * @param since         when it was taken
 * @param lastHeartbeat the holder's last renewal, or null for a lock without a lease (an OS lock)
 * @param expiresAt     when the lease expires unless renewed, or null for a lock without a lease
 * @param fencingToken  the lease's fencing token (grows with every new holder), or 0 without a lease
 * @param expired       whether the lease has expired: its holder stopped renewing it (a crash, a
 *                      pause, a network partition), and another runner may take over
 */
public record PlanLock(Holder holder, Instant since, Instant lastHeartbeat, Instant expiresAt, long fencingToken, boolean expired) {

    /** Validates the fields. */
    public PlanLock {
        Objects.requireNonNull(holder, "holder");
    }

    /**
     * @param holder who holds it
     * @param since  when it was taken, or null when unknown
     * @return a live lock without a lease (an OS or in-memory lock)
     */
    public static PlanLock held(Holder holder, Instant since) {
        return new PlanLock(holder, since, null, null, 0, false);
    }

    /** @return the expiry, for a lease */
    public Optional<Instant> expiry() {
        return Optional.ofNullable(expiresAt);
    }

    /** @return a line for people: the holder, since when, the heartbeat and the expiry */
    public String describe() {
        StringBuilder b = new StringBuilder(holder.describe());
        if (since != null) {
            b.append(", since ").append(since);
        }
        if (lastHeartbeat != null) {
            b.append(", last heartbeat ").append(lastHeartbeat);
        }
        if (expiresAt != null) {
            b.append(expired ? ", lease EXPIRED at " : ", lease expires ").append(expiresAt);
        }
        return b.toString();
    }
}
