package dev.rollback.journal.postgres;

import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Secret;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalCodec;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.JournalException;
import dev.rollback.core.journal.JournalLockedException;
import dev.rollback.core.journal.LeaseLostException;
import dev.rollback.core.journal.PlanLock;
import dev.rollback.journal.postgres.internal.JournalUrl;
import dev.rollback.journal.postgres.internal.JournalSql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A journal in PostgreSQL, shared by every machine that runs a plan: events of every run and the
 * decisions of every plan in one table, and one lease per plan, so that exactly one runner holds
 * a plan at a time and any machine can resume a run another machine started.
 *
 * <ul>
 *   <li>Its tables are created on first use in a schema of its own (default {@code rollback}), with
 *       a schema version; a schema newer than this library knows is refused.</li>
 *   <li>Each event is appended in a transaction of its own, in order, as the same JSON line a
 *       {@link FileJournal} writes, and read back exactly as a {@code FileJournal} reads it; a gap in
 *       a run's sequence (rows deleted or edited by hand) is an error.</li>
 *   <li>The lease row of a plan names its holder (host, process, run, operator) and expires unless
 *       renewed: a heartbeat renews it (by default every 10 s for 30 s). Each new holder gets a
 *       larger fencing token, and every append checks the token in the same statement, so a runner
 *       whose lease was taken over (it was paused or cut off past its expiry, or an operator broke
 *       it) fails its next append and runs no further step.</li>
 *   <li>An expired lease is taken over by the next runner; {@link #breakLock(String, Holder, String)}
 *       ({@code --break-lock --reason TEXT}) takes it early. Both are journaled in the plan's log.</li>
 *   <li>Forensic files stay in a run folder you choose ({@link #runFolder(Path)}, a local or shared
 *       path); the runner records each file with its size and SHA-256, so a resume on a machine that
 *       cannot see them names them.</li>
 * </ul>
 *
 * <pre>{@code
 * Journal journal = PostgresJournal.at("postgresql://rollback@db-ops:5432/ops", Secret.fromEnv("PGPASSWORD"))
 *     .schema("rollback")
 *     .runFolder(Path.of("/srv/rollback-runs"));   // a shared mount, or local
 * Rollback.runner().journal(journal).run(plan);
 * }</pre>
 *
 * On the command line: {@code --journal postgresql://rollback@db-ops:5432/ops?schema=rollback&runFolder=/srv/rollback-runs},
 * with the password in {@code PGPASSWORD}, a {@code PGPASSFILE} entry, or the environment variable
 * named by {@code --journal-password-env NAME}.
 *
 * <p>Instances are immutable: each setter returns a new journal.
 */
public final class PostgresJournal implements Journal {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresJournal.class);
    /** The version of the tables this library writes. */
    public static final int SCHEMA_VERSION = 1;
    /** The default schema. */
    public static final String DEFAULT_SCHEMA = "rollback";
    /** The default lease: a holder that stops renewing for this long can be taken over. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    /** The default renewal interval of the heartbeat. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);

    private final JournalSql sql;
    private final Path runFolder;
    private final Duration lease;
    private final Duration heartbeat;

    private PostgresJournal(JournalSql sql, Path runFolder, Duration lease, Duration heartbeat) {
        this.sql = sql;
        this.runFolder = runFolder;
        this.lease = lease;
        this.heartbeat = heartbeat;
    }

    /**
     * A journal on a PostgreSQL server.
     *
     * @param url      {@code postgresql://[user@]host[:port]/database} (also {@code jdbc:postgresql://...});
     *                 parameters {@code schema}, {@code runFolder}, {@code lease}, {@code heartbeat} are read,
     *                 others go to the JDBC driver; a password in it is refused
     * @param password the password, or null when the server asks for none
     * @return the journal; nothing is connected until it is first used
     * @throws IllegalArgumentException when the URL is malformed or holds a password
     */
    public static PostgresJournal at(String url, Secret password) {
        JournalUrl u = JournalUrl.parse(Objects.requireNonNull(url, "url"));
        String user = u.user() != null ? u.user() : System.getProperty("user.name", "postgres");
        Duration lease = u.lease() != null ? u.lease() : DEFAULT_LEASE;
        Duration heartbeat = u.heartbeat() != null ? u.heartbeat() : u.lease() != null ? shorter(lease) : DEFAULT_HEARTBEAT;
        checkLease(lease, heartbeat);
        return new PostgresJournal(new JournalSql(u, user, password, u.schema() != null ? u.schema() : DEFAULT_SCHEMA),
                Path.of(u.runFolder() != null ? u.runFolder() : "rollback-runs").toAbsolutePath().normalize(), lease, heartbeat);
    }

    private static Duration shorter(Duration lease) {
        return lease.dividedBy(3);
    }

    private static void checkLease(Duration lease, Duration heartbeat) {
        if (lease.isNegative() || lease.isZero() || heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("lease and heartbeat must be positive, got lease " + lease + ", heartbeat " + heartbeat);
        }
        if (heartbeat.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("the heartbeat (" + heartbeat + ") must renew the lease (" + lease
                    + ") before it expires; make it a third of the lease or less");
        }
    }

    /**
     * @param schema the schema its tables live in (default {@value #DEFAULT_SCHEMA}); created on first use
     * @return a journal using it
     */
    public PostgresJournal schema(String schema) {
        if (schema == null || schema.isBlank()) {
            throw new IllegalArgumentException("the journal's schema needs a name");
        }
        return new PostgresJournal(sql.withSchema(schema), runFolder, lease, heartbeat);
    }

    /**
     * @param user the user to connect as (default: the URL's, else the OS user)
     * @return a journal using it
     */
    public PostgresJournal user(String user) {
        return new PostgresJournal(sql.withUser(Objects.requireNonNull(user, "user")), runFolder, lease, heartbeat);
    }

    /**
     * @param folder where run folders are made: {@code <folder>/<plan>/<runId>}, owner-only (default
     *               {@code ./rollback-runs}); a shared mount lets every machine see the forensics
     * @return a journal using it
     */
    public PostgresJournal runFolder(Path folder) {
        return new PostgresJournal(sql, folder.toAbsolutePath().normalize(), lease, heartbeat);
    }

    /**
     * @param lease      how long a holder keeps the plan without renewing (default 30 s)
     * @param renewEvery how often the heartbeat renews it (default 10 s); well under the lease
     * @return a journal using them
     */
    public PostgresJournal lease(Duration lease, Duration renewEvery) {
        checkLease(lease, renewEvery);
        return new PostgresJournal(sql, runFolder, lease, renewEvery);
    }

    /** @return the lease time */
    public Duration leaseTime() {
        return lease;
    }

    /** @return the heartbeat interval */
    public Duration heartbeatInterval() {
        return heartbeat;
    }

    /** @return the schema its tables live in */
    public String schemaName() {
        return sql.schema();
    }

    @Override
    public JournalWriter open(String planName, Holder holder) {
        Connection c = sql.connect("open the journal");
        try {
            sql.ensureSchema(c);
            long token = acquire(c, planName, holder);
            return new LeaseWriter(sql, planName, holder, token, c, lease, heartbeat);
        } catch (SQLException e) {
            JournalSql.closeQuietly(c);
            throw sql.failure("take the lease of plan '" + planName + "'", e);
        } catch (RuntimeException e) {
            JournalSql.closeQuietly(c);
            throw e;
        }
    }

    /** Takes the plan's lease in one transaction: free, or expired (a takeover, journaled). */
    private long acquire(Connection c, String planName, Holder holder) throws SQLException {
        for (int attempt = 0; attempt < 3; attempt++) {
            c.setAutoCommit(false);
            try {
                Optional<JournalSql.LeaseRow> row = sql.leaseForUpdate(c, planName);
                long token;
                if (row.isEmpty()) {
                    Optional<Long> inserted = sql.insertLease(c, planName, holder, lease);
                    if (inserted.isEmpty()) {
                        c.rollback();
                        continue; // another runner created the row meanwhile: look again
                    }
                    token = inserted.get();
                } else {
                    JournalSql.LeaseRow r = row.get();
                    if (r.held() && !r.expired()) {
                        c.rollback();
                        PlanLock lock = r.toLock();
                        throw new JournalLockedException(planName, lock, sql.where() + " table leases", "Its lease "
                                + (lock.expiresAt() == null ? "" : "expires at " + lock.expiresAt() + " ") + "unless its heartbeat renews it. If "
                                + "that runner is gone (its machine died), resume its run once the lease expired (--resume "
                                + lock.holder().runId() + "), or break the lease now: --break-lock --reason TEXT.");
                    }
                    token = r.token() + 1;
                    sql.takeLease(c, planName, holder, token, lease);
                    if (r.held()) {
                        PlanLock former = r.toLock();
                        LOG.warn("Taking over the expired lease of plan '{}' from {}", planName, former.describe());
                        sql.appendInTransaction(c, planName, new JournalEvent.PlanDecision(former.holder().runId(), Instant.now(),
                                planName, JournalEvent.PlanDecision.Decision.LEASE_TAKEN_OVER, holder.operator(), "", holder.host(), holder.pid(),
                                "the lease of " + former.describe() + " expired; taken over by " + holder.describe() + " with fencing token " + token),
                                token);
                    }
                }
                c.commit();
                c.setAutoCommit(true);
                return token;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the first failure is what is reported
                }
                throw e;
            }
        }
        throw new JournalException("Could not take the lease of plan '" + planName + "' at " + sql.where()
                + ": other runners kept creating it; try again");
    }

    @Override
    public Optional<PlanLock> breakLock(String planName, Holder by, String reason) {
        try (Connection c = sql.connect("break the lease")) {
            sql.ensureSchema(c);
            c.setAutoCommit(false);
            Optional<JournalSql.LeaseRow> row = sql.leaseForUpdate(c, planName);
            if (row.isEmpty() || !row.get().held()) {
                c.rollback();
                return Optional.empty();
            }
            PlanLock former = row.get().toLock();
            long token = row.get().token() + 1;
            sql.releaseLease(c, planName, token);
            sql.appendInTransaction(c, planName, new JournalEvent.PlanDecision(former.holder().runId(), Instant.now(), planName,
                    JournalEvent.PlanDecision.Decision.LOCK_BROKEN, by.operator(), reason, by.host(), by.pid(),
                    "lease of " + former.describe() + " broken" + (former.expired() ? " (it had expired)" : " before it expired")
                            + "; its runner can no longer append (fencing token now " + token + ")"), token);
            c.commit();
            LOG.warn("Broke the lease of plan '{}' held by {}: {}", planName, former.describe(), reason);
            return Optional.of(former);
        } catch (SQLException e) {
            throw sql.failure("break the lease of plan '" + planName + "'", e);
        }
    }

    @Override
    public List<JournalEvent> read(String planName, String runId) {
        return readStream(planName, runId, "run " + runId);
    }

    @Override
    public List<JournalEvent> planLog(String planName) {
        return readStream(planName, "", "the plan's log");
    }

    private List<JournalEvent> readStream(String planName, String stream, String what) {
        try (Connection c = sql.connect("read the journal")) {
            sql.ensureSchema(c);
            List<JournalEvent> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, line FROM " + sql.table("events")
                    + " WHERE plan = ? AND stream = ? ORDER BY seq")) {
                ps.setString(1, planName);
                ps.setString(2, stream);
                try (ResultSet rs = ps.executeQuery()) {
                    int expected = 1;
                    while (rs.next()) {
                        int seq = rs.getInt(1);
                        if (seq != expected) {
                            throw new JournalException("The journal's events of " + what + " of plan '" + planName + "' in "
                                    + sql.table("events") + " at " + sql.where() + " have a gap: event " + seq + " follows event "
                                    + (expected - 1) + ", so event" + (seq - expected > 1 ? "s " + expected + " to " + (seq - 1) : " " + expected)
                                    + " is missing. Rows were deleted or renumbered by hand, and the run cannot be read safely. Fix: restore "
                                    + "the rows from a backup of the journal database; do not resume or abandon the run until then.");
                        }
                        expected++;
                        try {
                            out.add(JournalCodec.decode(rs.getString(2)));
                        } catch (JournalException e) {
                            throw new JournalException("The journal's event " + seq + " of " + what + " of plan '" + planName + "' in "
                                    + sql.table("events") + " is corrupt: " + e.getMessage() + ". Fix: restore the row from a backup.", e);
                        }
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw sql.failure("read " + what + " of plan '" + planName + "'", e);
        }
    }

    @Override
    public List<String> runIds(String planName) {
        return strings("SELECT stream FROM " + sql.table("events") + " WHERE plan = ? AND stream <> '' GROUP BY stream ORDER BY min(id)",
                planName, "list the runs of plan '" + planName + "'");
    }

    @Override
    public List<String> planNames() {
        return strings("SELECT DISTINCT plan FROM " + sql.table("events") + " ORDER BY plan", null, "list the plans");
    }

    private List<String> strings(String query, String param, String what) {
        try (Connection c = sql.connect(what)) {
            sql.ensureSchema(c);
            try (PreparedStatement ps = c.prepareStatement(query)) {
                if (param != null) {
                    ps.setString(1, param);
                }
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        } catch (SQLException e) {
            throw sql.failure(what, e);
        }
    }

    @Override
    public Optional<PlanLock> lock(String planName) {
        try (Connection c = sql.connect("read the lease")) {
            sql.ensureSchema(c);
            return sql.lease(c, planName).filter(JournalSql.LeaseRow::held).map(JournalSql.LeaseRow::toLock);
        } catch (SQLException e) {
            throw sql.failure("read the lease of plan '" + planName + "'", e);
        }
    }

    @Override
    public Path runDirectory(String planName, String runId) {
        Path dir = runFolder.resolve(FileJournal.folderName(planName)).resolve(runId);
        try {
            return OwnerOnlyFiles.createDirectories(dir);
        } catch (IOException e) {
            throw new JournalException("Could not create run folder " + dir + ": " + e.getMessage()
                    + ". Choose a run folder this user can write (runFolder=... in the journal URL, or PostgresJournal.runFolder).", e);
        }
    }

    @Override
    public String describeLocation(String planName, String runId) {
        return sql.where() + " schema " + sql.schema() + ", plan '" + planName + "' run " + runId;
    }

    @Override
    public String toString() {
        return "PostgresJournal[" + sql.where() + ", schema " + sql.schema() + "]";
    }
}
