package dev.rollback.postgres.internal;

import dev.rollback.postgres.ActiveSessionsException;
import dev.rollback.postgres.PostgresOperationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Database-level work over a maintenance connection: sessions, create, template copy, settings
 * and grants, and the rename swap. Every name is quoted; the old database is never dropped.
 */
public final class DatabaseAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseAdmin.class);

    private DatabaseAdmin() {
    }

    /**
     * A session on a database.
     *
     * @param pid             backend pid
     * @param applicationName its application_name
     * @param user            its user
     */
    public record Session(int pid, String applicationName, String user) {
    }

    /**
     * @param c  a connection
     * @param db a database name
     * @return whether it exists
     */
    public static boolean exists(Connection c, String db) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * @param c  a connection
     * @param db a database name
     * @return its oid, which a rename keeps, or -1 when it does not exist
     */
    public static long oid(Connection c, String db) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT oid FROM pg_database WHERE datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    /**
     * @param c   a connection
     * @param oid a database's oid
     * @return its name now, or null when no database has that oid
     */
    public static String nameOf(Connection c, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT datname FROM pg_database WHERE oid = ?")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * A database name {@code base + suffix} (cut to 63 bytes) not used on the server yet; when two
     * rollbacks run in the same second, {@code _2}, {@code _3}... is appended.
     *
     * @param c      a connection
     * @param base   the live database's name
     * @param suffix such as {@code _before_rollback_20250101_120000}
     * @return the free name
     */
    public static String unusedName(Connection c, String base, String suffix) throws SQLException {
        String name = Sql.derivedName(base, suffix);
        for (int i = 2; exists(c, name); i++) {
            name = Sql.derivedName(base, suffix + "_" + i);
        }
        return name;
    }

    /**
     * @param c   a connection
     * @param db  the database
     * @param app only sessions of this application_name, or null for all
     * @return sessions on it other than the connection's own
     */
    public static List<Session> sessions(Connection c, String db, String app) throws SQLException {
        return sessions(c, db, app, false);
    }

    /**
     * @param c    a connection
     * @param db   the database
     * @param app  only sessions whose application_name is this (or matches this LIKE pattern), or null for all
     * @param like whether {@code app} is a LIKE pattern ({@code %nextcrm%})
     * @return sessions on it other than the connection's own
     */
    public static List<Session> sessions(Connection c, String db, String app, boolean like) throws SQLException {
        String sql = "SELECT pid, coalesce(application_name, ''), coalesce(usename, '') FROM pg_stat_activity "
                + "WHERE datname = ? AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                + appClause(app, like);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, db);
            if (app != null) {
                ps.setString(2, app);
            }
            List<Session> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Session(rs.getInt(1), rs.getString(2), rs.getString(3)));
                }
            }
            return out;
        }
    }

    /**
     * @param sessions sessions
     * @return "3 sessions (nextcrm x2, psql x1)"
     */
    public static String summarize(List<Session> sessions) {
        Map<String, Integer> byApp = new TreeMap<>();
        for (Session s : sessions) {
            byApp.merge(s.applicationName().isEmpty() ? "<no application_name>" : s.applicationName(), 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder().append(sessions.size()).append(sessions.size() == 1 ? " session (" : " sessions (");
        int i = 0;
        for (Map.Entry<String, Integer> e : byApp.entrySet()) {
            b.append(i++ == 0 ? "" : ", ").append(e.getKey()).append(" x").append(e.getValue());
        }
        return b.append(')').toString();
    }

    /**
     * Terminates sessions and waits until they are gone (termination is asynchronous).
     *
     * @param c   a connection
     * @param db  the database
     * @param app only this application_name, or null for all but ours
     * @return how many sessions were terminated
     */
    public static int terminate(Connection c, String db, String app) throws SQLException, InterruptedException {
        return terminate(c, db, app, false, -1);
    }

    /**
     * Terminates sessions and waits until they are gone (termination is asynchronous).
     *
     * @param c    a connection
     * @param db   the database
     * @param app  only this application_name (or those matching this LIKE pattern), or null for all but ours
     * @param like whether {@code app} is a LIKE pattern
     * @return how many sessions were terminated
     */
    public static int terminate(Connection c, String db, String app, boolean like) throws SQLException, InterruptedException {
        return terminate(c, db, app, like, -1);
    }

    private static String appClause(String app, boolean like) {
        return app == null ? "" : like ? " AND application_name LIKE ?" : " AND application_name = ?";
    }

    /**
     * Terminates every session on a database but one, and waits until they are gone.
     *
     * @param c    a connection
     * @param db   the database
     * @param keep the backend pid to spare, or -1
     * @return how many sessions were terminated
     */
    public static int terminateExcept(Connection c, String db, long keep) throws SQLException, InterruptedException {
        return terminate(c, db, null, false, keep);
    }

    private static int terminate(Connection c, String db, String app, boolean like, long keep) throws SQLException, InterruptedException {
        String sql = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()"
                + " AND pid <> " + keep + " AND backend_type = 'client backend'" + appClause(app, like);
        int total = 0;
        for (int attempt = 0; attempt < 100; attempt++) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, db);
                if (app != null) {
                    ps.setString(2, app);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total += rs.getInt(1);
                }
            }
            if (sessions(c, db, app, like).stream().allMatch(x -> x.pid() == keep)) {
                return total;
            }
            Thread.sleep(100);
        }
        List<Session> left = sessions(c, db, app, like).stream().filter(x -> x.pid() != keep).toList();
        throw new ActiveSessionsException("Sessions on database '" + db + "' survive termination: " + summarize(left)
                + ". The user needs pg_signal_backend or superuser to end other users' sessions; grant it, or stop the application first.");
    }

    /**
     * Properties of a database that a dump or a template copy does not carry.
     *
     * @param owner       owner role
     * @param encoding    encoding name
     * @param collate     LC_COLLATE
     * @param ctype       LC_CTYPE
     * @param localeProvider 'c' libc or 'i' icu
     * @param iculocale   ICU locale or null
     * @param allowConn   datallowconn
     * @param connLimit   datconnlimit
     */
    public record DatabaseProps(String owner, String encoding, String collate, String ctype, String localeProvider,
                                String iculocale, boolean allowConn, int connLimit) {
    }

    /**
     * @param c  a connection
     * @param db the database
     * @return its properties
     */
    public static DatabaseProps props(Connection c, String db) throws SQLException {
        boolean v15 = c.getMetaData().getDatabaseMajorVersion() >= 15;
        String sql = "SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding), datcollate, datctype, "
                + (v15 ? "datlocprovider::text, daticulocale" : "'c', NULL") + ", datallowconn, datconnlimit FROM pg_database WHERE datname = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new PostgresOperationException("Database '" + db + "' does not exist on this server; check the name.");
                }
                return new DatabaseProps(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getBoolean(7), rs.getInt(8));
            }
        }
    }

    /**
     * Creates an empty database with the encoding, locale and owner of another.
     *
     * @param c     a maintenance connection
     * @param like  the database to copy properties from
     * @param newDb the new database
     */
    public static void createEmptyLike(Connection c, String like, String newDb) throws SQLException {
        DatabaseProps p = props(c, like);
        StringBuilder sql = new StringBuilder("CREATE DATABASE ").append(Sql.ident(newDb)).append(" TEMPLATE template0 OWNER ")
                .append(Sql.ident(p.owner())).append(" ENCODING ").append(Sql.literal(p.encoding()))
                .append(" LC_COLLATE ").append(Sql.literal(p.collate())).append(" LC_CTYPE ").append(Sql.literal(p.ctype()));
        if ("i".equals(p.localeProvider()) && p.iculocale() != null) {
            sql.append(" LOCALE_PROVIDER icu ICU_LOCALE ").append(Sql.literal(p.iculocale()));
        }
        execute(c, sql.toString());
    }

    /**
     * Copies what neither a dump nor a template copy carries: owner, connection limit,
     * {@code ALTER DATABASE ... SET} settings and database grants.
     *
     * @param c    a maintenance connection
     * @param from the source database
     * @param to   the target database
     */
    public static void copySettings(Connection c, String from, String to) throws SQLException {
        DatabaseProps p = props(c, from);
        String target = Sql.ident(to);
        execute(c, "ALTER DATABASE " + target + " OWNER TO " + Sql.ident(p.owner()));
        execute(c, "ALTER DATABASE " + target + " CONNECTION LIMIT " + p.connLimit());
        execute(c, "ALTER DATABASE " + target + " RESET ALL");
        setComment(c, to, comment(c, from));
        try (PreparedStatement ps = c.prepareStatement("SELECT unnest(s.setconfig) FROM pg_db_role_setting s "
                + "JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = ? AND s.setrole = 0")) {
            ps.setString(1, from);
            List<String> settings = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    settings.add(rs.getString(1));
                }
            }
            for (String s : settings) {
                int eq = s.indexOf('=');
                execute(c, "ALTER DATABASE " + target + " SET " + Sql.ident(s.substring(0, eq)) + " TO " + settingValue(s.substring(eq + 1)));
            }
        }
        String acl;
        try (PreparedStatement ps = c.prepareStatement("SELECT datacl::text FROM pg_database WHERE datname = ?")) {
            ps.setString(1, from);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                acl = rs.getString(1);
            }
        }
        if (acl == null) {
            return; // default privileges: nothing to copy
        }
        execute(c, "REVOKE ALL ON DATABASE " + target + " FROM PUBLIC");
        try (PreparedStatement ps = c.prepareStatement("SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END, "
                + "a.privilege_type, a.is_grantable FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = ?")) {
            ps.setString(1, from);
            List<String> grants = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String grantee = rs.getString(1) == null ? "PUBLIC" : Sql.ident(rs.getString(1));
                    grants.add("GRANT " + rs.getString(2) + " ON DATABASE " + target + " TO " + grantee
                            + (rs.getBoolean(3) ? " WITH GRANT OPTION" : ""));
                }
            }
            for (String g : grants) {
                execute(c, g);
            }
        }
    }

    /**
     * @param c  a connection
     * @param db a database
     * @return its comment, or null
     */
    public static String comment(Connection c, String db) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * @param c       a connection
     * @param db      a database
     * @param comment the comment, or null to remove it
     */
    public static void setComment(Connection c, String db, String comment) throws SQLException {
        execute(c, "COMMENT ON DATABASE " + Sql.ident(db) + " IS " + (comment == null ? "NULL" : Sql.literal(comment)));
    }

    // A list setting such as search_path is stored as "a, b": quote each element.
    private static String settingValue(String raw) {
        String[] parts = raw.split(", ");
        StringBuilder b = new StringBuilder();
        for (String part : parts) {
            b.append(b.length() == 0 ? "" : ", ").append(Sql.literal(part));
        }
        return b.toString();
    }

    // A session may slip in between termination and rename when ALLOW_CONNECTIONS was already
    // being checked; terminate again and retry a few times.
    /**
     * Renames a database, terminating sessions that slipped in and retrying a few times.
     *
     * @param c    a maintenance connection
     * @param from the current name
     * @param to   the new name
     */
    public static void renameWithRetry(Connection c, String from, String to) throws SQLException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                execute(c, "ALTER DATABASE " + Sql.ident(from) + " RENAME TO " + Sql.ident(to));
                return;
            } catch (SQLException e) {
                if (!"55006".equals(e.getSQLState()) || attempt >= 20) {
                    throw e;
                }
                terminate(c, from, null);
                Thread.sleep(100);
            }
        }
    }

    /**
     * @param c     a maintenance connection
     * @param db    the database
     * @param allow whether it accepts connections
     */
    public static void setAllowConnections(Connection c, String db, boolean allow) throws SQLException {
        execute(c, "ALTER DATABASE " + Sql.ident(db) + " ALLOW_CONNECTIONS " + allow);
    }

    /**
     * @param c a connection
     * @return its backend's pid
     */
    public static long backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Drops a database, ending its sessions first ({@code WITH (FORCE)} from PostgreSQL 13 on).
     * Only for databases this library created for a run and never swapped in.
     *
     * @param c  a maintenance connection
     * @param db the database
     */
    public static void dropCreatedByRun(Connection c, String db) throws SQLException, InterruptedException {
        if (c.getMetaData().getDatabaseMajorVersion() >= 13) {
            execute(c, "DROP DATABASE IF EXISTS " + Sql.ident(db) + " WITH (FORCE)");
            return;
        }
        if (exists(c, db)) {
            setAllowConnections(c, db, false);
            terminate(c, db, null);
            execute(c, "DROP DATABASE IF EXISTS " + Sql.ident(db));
        }
    }

    /**
     * @param c   a connection
     * @param sql a statement
     */
    public static void execute(Connection c, String sql) throws SQLException {
        LOG.debug("SQL: {}", sql);
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
