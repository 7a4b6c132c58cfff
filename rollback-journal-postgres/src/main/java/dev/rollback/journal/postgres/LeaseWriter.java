package dev.rollback.journal.postgres;

import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.JournalException;
import dev.rollback.core.journal.LeaseLostException;
import dev.rollback.journal.postgres.internal.JournalSql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Appends a plan's events while its lease is held: each append is fenced by the lease's token,
 * and a heartbeat renews the lease on a connection of its own.
 */
final class LeaseWriter implements Journal.JournalWriter {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresJournal.class);

    private final JournalSql sql;
    private final String plan;
    private final Holder holder;
    private final long token;
    private final Duration lease;
    private final Map<String, Integer> lastSeq = new HashMap<>();
    private final ScheduledExecutorService heartbeat;
    private Connection connection;
    private Connection heartbeatConnection;
    private volatile String lost;
    private boolean closed;
    private long renewals;
    private long renewalNanos;

    LeaseWriter(JournalSql sql, String plan, Holder holder, long token, Connection connection, Duration lease, Duration every) {
        this.sql = sql;
        this.plan = plan;
        this.holder = holder;
        this.token = token;
        this.connection = connection;
        this.lease = lease;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rollback-lease-" + plan);
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::renew, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** @return the lease's fencing token */
    long token() {
        return token;
    }

    @Override
    public synchronized void append(JournalEvent event) {
        if (closed) {
            throw new JournalException("The journal writer of plan '" + plan + "' (" + holder.describe() + ") is closed");
        }
        if (lost != null) {
            throw new LeaseLostException(lost + " The event " + event.getClass().getSimpleName() + " of run " + event.runId() + " was not written.");
        }
        String stream = JournalSql.stream(event);
        try {
            if (connection == null) {
                connection = sql.connect("append to the journal");
            }
            Integer last = lastSeq.get(stream);
            if (last == null) {
                last = sql.lastSeq(connection, plan, stream);
            }
            if (!sql.appendFenced(connection, plan, last + 1, event, token)) {
                lost = whoHoldsItNow();
                throw new LeaseLostException(lost + " The event " + event.getClass().getSimpleName() + " of run " + event.runId()
                        + " was not written.");
            }
            lastSeq.put(stream, last + 1);
        } catch (SQLException e) {
            if (JournalSql.connectionLost(e)) {
                JournalSql.closeQuietly(connection);
                connection = null;
            }
            throw sql.failure("append " + event.getClass().getSimpleName() + " of run " + event.runId() + " of plan '" + plan + "'", e);
        }
    }

    /** Says who took the lease over, for the refusal. */
    private String whoHoldsItNow() {
        String now;
        try {
            now = sql.lease(connection, plan).map(r -> r.held() ? "now held by " + r.toLock().describe() + " with fencing token " + r.token()
                    : "now free under fencing token " + r.token() + " (its new holder finished, or an operator broke it)").orElse("gone");
        } catch (SQLException e) {
            now = "taken over (its holder could not be read: " + e.getMessage() + ")";
        }
        return "The lease of plan '" + plan + "' held by " + holder.describe() + " with fencing token " + token + " was taken over: it is "
                + now + ".";
    }

    /** Renews the lease; a lease found taken over fails the next append. */
    void renew() {
        if (lost != null) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            if (heartbeatConnection == null) {
                heartbeatConnection = sql.connect("renew the lease");
            }
            if (!sql.renew(heartbeatConnection, plan, token, lease)) {
                synchronized (this) {
                    lost = whoHoldsItNowOn(heartbeatConnection);
                }
                LOG.error("{} This runner stops at its next journal event.", lost);
            }
            renewals++;
            renewalNanos += System.nanoTime() - t0;
        } catch (SQLException | JournalException e) {
            LOG.warn("Could not renew the lease of plan '{}' ({}); trying again in a moment. Unless renewed, it expires {} after the last renewal.",
                    plan, e.getMessage(), lease);
            JournalSql.closeQuietly(heartbeatConnection);
            heartbeatConnection = null;
        }
    }

    private String whoHoldsItNowOn(Connection c) {
        Connection saved = connection;
        try {
            connection = c;
            return whoHoldsItNow();
        } finally {
            connection = saved;
        }
    }

    /** @return how many renewals ran, and their total time in nanoseconds (for the benchmark) */
    synchronized long[] renewalStats() {
        return new long[]{renewals, renewalNanos};
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        heartbeat.shutdownNow();
        try {
            heartbeat.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (lost == null) {
            try {
                if (connection == null) {
                    connection = sql.connect("release the lease");
                }
                sql.release(connection, plan, token);
            } catch (SQLException | JournalException e) {
                LOG.warn("Could not release the lease of plan '{}' ({}); it expires by itself {} after its last renewal.", plan, e.getMessage(), lease);
            }
        }
        JournalSql.closeQuietly(connection);
        JournalSql.closeQuietly(heartbeatConnection);
        connection = null;
        heartbeatConnection = null;
    }
}
