package dev.rollback.journal.postgres.internal;

import dev.rollback.core.Secret;
import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.JournalCodec;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.JournalException;
import dev.rollback.core.journal.PlanLock;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The SQL of the PostgreSQL journal: connections, the tables and their version, the lease row and
 * the event rows, and errors that name the cause and the fix. Not public API.
 *
 * <pre>
 * &lt;schema&gt;.journal_schema (version, installed_at, installed_by)
 * &lt;schema&gt;.events (id bigserial, plan, stream, seq, type, event_time, token, line, written_at)
 *                      stream = run id, or '' for the plan's log; UNIQUE (plan, stream, seq)
 * &lt;schema&gt;.leases (plan PRIMARY KEY, token, run_id, host, pid, operator, acquired_at, heartbeat_at, expires_at)
 * </pre>
 */
public final class JournalSql {
    /** The version of the tables this code writes. */
    public static final int VERSION = 1;
    private static final long SCHEMA_LOCK = 0x726f6c6c6261636bL; // "rollback": serialises concurrent first uses

    private final JournalUrl url;
    private final String user;
    private final Secret password;
    private final String schema;
    private final AtomicBoolean schemaChecked = new AtomicBoolean();

    /**
     * @param url      the location
     * @param user     the user
     * @param password the password, or null
     * @param schema   the schema
     */
    public JournalSql(JournalUrl url, String user, Secret password, String schema) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.schema = schema;
    }

    /**
     * @param newSchema another schema
     * @return a copy using it
     */
    public JournalSql withSchema(String newSchema) {
        return new JournalSql(url, user, password, newSchema);
    }

    /**
     * @param newUser another user
     * @return a copy using it
     */
    public JournalSql withUser(String newUser) {
        return new JournalSql(url, newUser, password, schema);
    }

    /** @return the schema */
    public String schema() {
        return schema;
    }

    /** @return where the journal is, for messages: {@code postgresql://user@host:port/database} (never a password) */
    public String where() {
        return "postgresql://" + user + "@" + url.host() + ":" + url.port() + "/" + url.database();
    }

    /**
     * @param name a table
     * @return its qualified, quoted name
     */
    public String table(String name) {
        return quote(schema) + "." + name;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /**
     * @param what what the connection is for, for the error
     * @return a new connection
     * @throws JournalException naming the cause and the fix
     */
    public Connection connect(String what) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password.reveal());
        }
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "30");
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "rollback-journal");
        try {
            return DriverManager.getConnection(url.jdbcUrl(), p);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /**
     * Creates the schema and tables on first use, and refuses a schema newer than this code.
     *
     * @param c a connection
     * @throws SQLException when SQL fails
     */
    public void ensureSchema(Connection c) throws SQLException {
        if (schemaChecked.get()) {
            return;
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
            int version = 0;
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('" + quote(schema).replace("'", "''") + ".journal_schema') IS NOT NULL")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    try (ResultSet v = s.executeQuery("SELECT coalesce(max(version), 0) FROM " + table("journal_schema"))) {
                        v.next();
                        version = v.getInt(1);
                    }
                }
            }
            if (version > VERSION) {
                c.rollback();
                throw new JournalException("The journal's tables in schema '" + schema + "' at " + where() + " are version " + version
                        + ", newer than this rollback library knows (version " + VERSION + "): a newer version of rollback-journal-postgres "
                        + "wrote them. Nothing was read or written. Fix: upgrade dev.rollback:rollback-journal-postgres on this machine to "
                        + "the version the other machines run, or give this program a schema of its own (?schema=...).");
            }
            if (version < VERSION) {
                boolean schemaExists;
                try (ResultSet rs = s.executeQuery("SELECT to_regnamespace('" + quote(schema).replace("'", "''") + "') IS NOT NULL")) {
                    rs.next();
                    schemaExists = rs.getBoolean(1);
                }
                if (!schemaExists) {
                    s.execute("CREATE SCHEMA " + quote(schema));
                }
                s.execute("CREATE TABLE IF NOT EXISTS " + table("journal_schema") + " (version integer NOT NULL, "
                        + "installed_at timestamptz NOT NULL DEFAULT now(), installed_by text NOT NULL DEFAULT current_user)");
                s.execute("CREATE TABLE IF NOT EXISTS " + table("events") + " ("
                        + "id bigserial PRIMARY KEY, plan text NOT NULL, stream text NOT NULL, seq integer NOT NULL CHECK (seq > 0), "
                        + "type text NOT NULL, event_time timestamptz NOT NULL, token bigint NOT NULL, line text NOT NULL, "
                        + "written_at timestamptz NOT NULL DEFAULT now(), UNIQUE (plan, stream, seq))");
                s.execute("CREATE TABLE IF NOT EXISTS " + table("leases") + " ("
                        + "plan text PRIMARY KEY, token bigint NOT NULL, run_id text, host text, pid bigint, operator text, "
                        + "acquired_at timestamptz, heartbeat_at timestamptz, expires_at timestamptz)");
                s.execute("INSERT INTO " + table("journal_schema") + " (version) VALUES (" + VERSION + ")");
            }
            c.commit();
            schemaChecked.set(true);
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the first failure is what is reported
            }
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /**
     * A lease row as read.
     *
     * @param plan        the plan
     * @param token       its fencing token
     * @param runId       the holder's run, or null when free
     * @param host        the holder's host
     * @param pid         its process id
     * @param operator    its operator
     * @param acquiredAt  when it was taken
     * @param heartbeatAt its last renewal
     * @param expiresAt   when it expires
     * @param expired     whether it has expired, by the server's clock
     */
    public record LeaseRow(String plan, long token, String runId, String host, long pid, String operator, Instant acquiredAt,
                           Instant heartbeatAt, Instant expiresAt, boolean expired) {
        /** @return whether a runner holds it (live or expired) */
        public boolean held() {
            return runId != null;
        }

        /** @return the lock it describes */
        public PlanLock toLock() {
            return new PlanLock(new Holder(host == null ? "?" : host, pid, runId, operator == null ? "?" : operator), acquiredAt, heartbeatAt,
                    expiresAt, token, expired);
        }
    }

    private static final String LEASE_COLUMNS = "plan, token, run_id, host, pid, operator, acquired_at, heartbeat_at, expires_at, "
            + "coalesce(expires_at < now(), true)";

    /**
     * @param c    a connection in a transaction
     * @param plan the plan
     * @return its lease row, locked until the transaction ends
     * @throws SQLException when SQL fails
     */
    public Optional<LeaseRow> leaseForUpdate(Connection c, String plan) throws SQLException {
        return leaseRow(c, "SELECT " + LEASE_COLUMNS + " FROM " + table("leases") + " WHERE plan = ? FOR UPDATE", plan);
    }

    /**
     * @param c    a connection
     * @param plan the plan
     * @return its lease row
     * @throws SQLException when SQL fails
     */
    public Optional<LeaseRow> lease(Connection c, String plan) throws SQLException {
        return leaseRow(c, "SELECT " + LEASE_COLUMNS + " FROM " + table("leases") + " WHERE plan = ?", plan);
    }

    private Optional<LeaseRow> leaseRow(Connection c, String query, String plan) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(query)) {
            ps.setString(1, plan);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new LeaseRow(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getString(6),
                        instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)), instant(rs.getTimestamp(9)), rs.getBoolean(10)));
            }
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /**
     * Creates the plan's lease row, held by the holder, with token 1.
     *
     * @param c      a connection in a transaction
     * @param plan   the plan
     * @param holder the holder
     * @param lease  the lease time
     * @return the token, or empty when another runner created the row first
     * @throws SQLException when SQL fails
     */
    public Optional<Long> insertLease(Connection c, String plan, Holder holder, Duration lease) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table("leases") + " (plan, token, run_id, host, pid, operator, "
                + "acquired_at, heartbeat_at, expires_at) VALUES (?, 1, ?, ?, ?, ?, now(), now(), now() + make_interval(secs => ?)) "
                + "ON CONFLICT (plan) DO NOTHING RETURNING token")) {
            ps.setString(1, plan);
            bindHolder(ps, 2, holder);
            ps.setDouble(6, lease.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    /**
     * Gives the locked lease row to a new holder with a new token.
     *
     * @param c      a connection in a transaction, holding the row
     * @param plan   the plan
     * @param holder the new holder
     * @param token  the new token
     * @param lease  the lease time
     * @throws SQLException when SQL fails
     */
    public void takeLease(Connection c, String plan, Holder holder, long token, Duration lease) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table("leases") + " SET token = ?, run_id = ?, host = ?, pid = ?, "
                + "operator = ?, acquired_at = now(), heartbeat_at = now(), expires_at = now() + make_interval(secs => ?) WHERE plan = ?")) {
            ps.setLong(1, token);
            bindHolder(ps, 2, holder);
            ps.setDouble(6, lease.toMillis() / 1000.0);
            ps.setString(7, plan);
            ps.executeUpdate();
        }
    }

    private static void bindHolder(PreparedStatement ps, int at, Holder holder) throws SQLException {
        ps.setString(at, holder.runId());
        ps.setString(at + 1, holder.host());
        ps.setLong(at + 2, holder.pid());
        ps.setString(at + 3, holder.operator());
    }

    /**
     * Frees a locked lease row under a new token: its former holder can never append again.
     *
     * @param c     a connection in a transaction, holding the row
     * @param plan  the plan
     * @param token the new token
     * @throws SQLException when SQL fails
     */
    public void releaseLease(Connection c, String plan, long token) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table("leases") + " SET token = ?, run_id = NULL, host = NULL, pid = NULL, "
                + "operator = NULL, heartbeat_at = NULL, expires_at = now() WHERE plan = ?")) {
            ps.setLong(1, token);
            ps.setString(2, plan);
            ps.executeUpdate();
        }
    }

    /**
     * Frees the lease its holder holds, at the end of an invocation.
     *
     * @param c     a connection
     * @param plan  the plan
     * @param token the holder's token
     * @return whether the holder still held it
     * @throws SQLException when SQL fails
     */
    public boolean release(Connection c, String plan, long token) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table("leases") + " SET run_id = NULL, host = NULL, pid = NULL, "
                + "operator = NULL, heartbeat_at = NULL, expires_at = now() WHERE plan = ? AND token = ? AND run_id IS NOT NULL")) {
            ps.setString(1, plan);
            ps.setLong(2, token);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Renews a lease its holder still holds.
     *
     * @param c     a connection
     * @param plan  the plan
     * @param token the holder's token
     * @param lease the lease time
     * @return whether it was renewed (false: the lease was taken over or broken)
     * @throws SQLException when SQL fails
     */
    public boolean renew(Connection c, String plan, long token, Duration lease) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table("leases") + " SET heartbeat_at = now(), "
                + "expires_at = now() + make_interval(secs => ?) WHERE plan = ? AND token = ? AND run_id IS NOT NULL")) {
            ps.setDouble(1, lease.toMillis() / 1000.0);
            ps.setString(2, plan);
            ps.setLong(3, token);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * @param c      a connection
     * @param plan   the plan
     * @param stream a run id, or '' for the plan's log
     * @return the last sequence number written, 0 for none
     * @throws SQLException when SQL fails
     */
    public int lastSeq(Connection c, String plan, String stream) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM " + table("events") + " WHERE plan = ? AND stream = ?")) {
            ps.setString(1, plan);
            ps.setString(2, stream);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * @param event an event
     * @return the stream it belongs to: its run, or '' for a plan decision
     */
    public static String stream(JournalEvent event) {
        return event instanceof JournalEvent.PlanDecision ? "" : event.runId();
    }

    /**
     * Appends an event if, and only if, the token still holds the plan's lease: one statement, one
     * transaction; the lease row is share-locked while it runs, so a takeover commits either before
     * (and the append writes nothing) or after it.
     *
     * @param c     a connection in autocommit mode
     * @param plan  the plan
     * @param seq   the event's sequence number in its stream
     * @param event the event
     * @param token the writer's token
     * @return whether it was written (false: the token no longer holds the lease)
     * @throws SQLException when SQL fails
     */
    public boolean appendFenced(Connection c, String plan, int seq, JournalEvent event, long token) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table("events") + " (plan, stream, seq, type, event_time, token, line) "
                + "SELECT ?, ?, ?, ?, ?, ?, ? FROM " + table("leases") + " WHERE plan = ? AND token = ? AND run_id IS NOT NULL FOR SHARE")) {
            bindEvent(ps, plan, seq, event, token);
            ps.setString(8, plan);
            ps.setLong(9, token);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Appends an event in a transaction that holds the lease row (a takeover or a broken lock).
     *
     * @param c     a connection in a transaction holding the lease row
     * @param plan  the plan
     * @param event the event
     * @param token the token it is written under
     * @throws SQLException when SQL fails
     */
    public void appendInTransaction(Connection c, String plan, JournalEvent event, long token) throws SQLException {
        int seq = lastSeq(c, plan, stream(event)) + 1;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table("events")
                + " (plan, stream, seq, type, event_time, token, line) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            bindEvent(ps, plan, seq, event, token);
            ps.executeUpdate();
        }
    }

    private static void bindEvent(PreparedStatement ps, String plan, int seq, JournalEvent event, long token) throws SQLException {
        ps.setString(1, plan);
        ps.setString(2, stream(event));
        ps.setInt(3, seq);
        ps.setString(4, event.getClass().getSimpleName());
        ps.setTimestamp(5, Timestamp.from(event.time()));
        ps.setLong(6, token);
        ps.setString(7, JournalCodec.encode(event));
    }

    /**
     * Turns a SQL failure into an error that names the cause and the fix.
     *
     * @param what what was being done
     * @param e    the failure
     * @return the error
     */
    public JournalException failure(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String cause;
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (state.equals("28P01") || state.equals("28000")) {
            cause = "the server refused the password for user '" + user + "'. Fix: set the right password in PGPASSWORD, in a "
                    + "PGPASSFILE entry (host:port:database:user:password), or in the variable named by --journal-password-env NAME";
        } else if (message.contains("no password was provided")) {
            cause = "the server asks user '" + user + "' for a password, and none was given. Fix: set it in PGPASSWORD, in a "
                    + "PGPASSFILE entry (host:port:database:user:password), or in the variable named by --journal-password-env NAME "
                    + "(never on the command line)";
        } else if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
            cause = "the journal server cannot be reached (" + e.getMessage() + "). Fix: check that the server at " + url.host() + ":"
                    + url.port() + " runs and that this machine can reach it (host, port, firewall); nothing is done that the journal "
                    + "cannot record";
        } else if (state.equals("3D000")) {
            cause = "database '" + url.database() + "' does not exist. Fix: create it (CREATE DATABASE " + url.database()
                    + ") or correct the database in the journal URL";
        } else if (state.equals("42501")) {
            cause = "user '" + user + "' may not do that (" + e.getMessage() + "). Fix: let an administrator create the schema for it "
                    + "(CREATE SCHEMA " + schema + " AUTHORIZATION " + user + "), or grant it the rights on the schema's tables";
        } else {
            cause = e.getMessage() + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
        }
        return new JournalException("Could not " + what + " in the journal at " + where() + ": " + cause + ".", e);
    }

    /**
     * @param e a failure
     * @return whether the connection is gone (the server stopped or cannot be reached)
     */
    public static boolean connectionLost(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("08") || state.startsWith("57P");
    }

    /**
     * @param c a connection, or null
     */
    public static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing after a failure
            }
        }
    }
}
