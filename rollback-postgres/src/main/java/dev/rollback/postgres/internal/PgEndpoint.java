package dev.rollback.postgres.internal;

import dev.rollback.postgres.PostgresConnectionException;
import dev.rollback.postgres.PostgresOperationException;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * One PostgreSQL server and database as configured through {@code Postgres.at(url)}: opens JDBC
 * connections (target or maintenance database) and wraps connection failures once.
 *
 * @param info                the parsed URL
 * @param toolDirectory       a configured directory holding pg_dump / pg_restore / psql, or null
 * @param maintenanceDatabase the database used for database-level work (CREATE, RENAME)
 * @param passwordFile        whether tools get the password through a 0600 PGPASSFILE instead of PGPASSWORD
 */
public record PgEndpoint(ConnectionInfo info, Path toolDirectory, String maintenanceDatabase, boolean passwordFile) {

    /** Validates. */
    public PgEndpoint {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(maintenanceDatabase, "maintenanceDatabase");
    }

    /** @return the target database's name */
    public String database() {
        return info.database();
    }

    /**
     * @param db another database on the same server
     * @return an endpoint for it
     */
    public PgEndpoint withDatabase(String db) {
        return new PgEndpoint(info.withDatabase(db), toolDirectory, maintenanceDatabase, passwordFile);
    }

    /** @return a connection to the target database, autocommit on */
    public Connection connect() {
        return connect(info.database());
    }

    /** @return a connection to the maintenance database, autocommit on */
    public Connection maintenance() {
        if (maintenanceDatabase.equals(info.database())) {
            throw new PostgresOperationException("The maintenance database '" + maintenanceDatabase + "' is the database being worked on; "
                    + "database-level work (create, rename, swap) must run from another database. "
                    + "Set Postgres.maintenanceDatabase(...) to another database such as 'postgres' or 'template1'.");
        }
        return connect(maintenanceDatabase);
    }

    /**
     * @param db a database on this server
     * @return a connection to it, autocommit on
     * @throws PostgresConnectionException naming the server, the user and the fix, never the password
     */
    public Connection connect(String db) {
        ConnectionInfo target = info.withDatabase(db);
        try {
            return DriverManager.getConnection(target.jdbcUrl(), connectionProperties());
        } catch (SQLException e) {
            throw connectionFailure(target, e);
        }
    }

    /** The driver's properties: the user, the password (revealed only here), the application name, a 10 s connect timeout. */
    private Properties connectionProperties() {
        Properties props = new Properties();
        if (info.user() != null) {
            props.setProperty("user", info.user());
        }
        if (info.password() != null) {
            props.setProperty("password", info.password().reveal());
        }
        props.setProperty("ApplicationName", "rollback");
        props.setProperty("connectTimeout", "10");
        return props;
    }

    private PostgresConnectionException connectionFailure(ConnectionInfo target, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String fix;
        String swap = state.equals("3D000") || state.equals("55000") ? interruptedSwap(target.database(), state.equals("55000")) : null;
        if (swap != null) {
            fix = swap;
        } else if (state.equals("28P01") || state.equals("28000")) {
            fix = "The server refused the login. Check the user and the password given to Postgres.at(url).user(...).password(...) "
                    + "(or in the URL), and the server's pg_hba.conf.";
        } else if (state.equals("3D000")) {
            fix = "The database does not exist on this server. Check the database name in the URL.";
        } else if (state.startsWith("08")) {
            fix = "The server could not be reached. Check host and port, that the server is running, and firewalls.";
        } else {
            fix = "Check the URL, the user and the server's log.";
        }
        return new PostgresConnectionException("Cannot connect to PostgreSQL at " + target.where() + ": " + e.getMessage()
                + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")") + ". Nothing was changed. " + fix, e);
    }

    /**
     * Explains a missing or blocked database by a rollback's swap that was interrupted: the
     * databases it leaves ({@code <db>_before_rollback_*}, {@code <db>_rollback_*}) are looked up
     * over the maintenance database. Null when there is no sign of one.
     */
    private String interruptedSwap(String db, boolean blocked) {
        if (maintenanceDatabase.equals(db)) {
            return null;
        }
        ConnectionInfo m = info.withDatabase(maintenanceDatabase);
        List<String> kept = new ArrayList<>();
        List<String> restored = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(m.jdbcUrl(), connectionProperties());
             PreparedStatement ps = c.prepareStatement("SELECT datname FROM pg_database WHERE starts_with(datname, ?) "
                     + "OR starts_with(datname, ?) ORDER BY datname")) {
            ps.setString(1, db + "_before_rollback_");
            ps.setString(2, db + "_rollback_");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    (name.startsWith(db + "_before_rollback_") ? kept : restored).add(name);
                }
            }
        } catch (SQLException ignored) {
            return null; // no maintenance access: the plain explanation stands
        }
        if (kept.isEmpty() && restored.isEmpty() || !blocked && kept.isEmpty()) {
            return null;
        }
        String what = (kept.isEmpty() ? "" : "the kept original(s) " + String.join(", ", kept))
                + (kept.isEmpty() || restored.isEmpty() ? "" : " and ") + (restored.isEmpty() ? "" : "the restored copy(ies) " + String.join(", ", restored));
        return (blocked ? "Connections to '" + db + "' are blocked (ALLOW_CONNECTIONS false), as a rollback's swap blocks them while it renames"
                : "The database '" + db + "' is missing, as a rollback's swap leaves it between its two renames")
                + ", and " + what + " exist on this server: a safe restore or snapshot rollback was probably stopped inside its swap, "
                + "so the application has no usable database. If no rollback is running now, resume the interrupted run "
                + "(the resume command it printed, or --resume RUN_ID; the run id is in the journal) to complete the swap. "
                + "Do not rename databases by hand.";
    }

    /** @return the server's major version, such as 15 */
    public int serverMajorVersion() {
        return serverVersionNum() / 10000;
    }

    /** @return the server's {@code server_version_num}, such as 150015 */
    public int serverVersionNum() {
        // Any database of the server answers: the maintenance one when the target cannot, so that
        // the version is known even while a swap has the target renamed away or blocked.
        PostgresConnectionException first = null;
        for (String db : maintenanceDatabase.equals(info.database()) ? List.of(info.database())
                : List.of(info.database(), maintenanceDatabase)) {
            try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_version_num")) {
                rs.next();
                return Integer.parseInt(rs.getString(1).trim());
            } catch (PostgresConnectionException e) {
                if (first == null) {
                    first = e;
                } else {
                    throw first;    // the target's own failure explains best
                }
            } catch (SQLException e) {
                throw new PostgresOperationException("Could not read the server version of " + info.where() + ": " + e.getMessage(), e);
            }
        }
        throw first;
    }

    /** @return where this points, for messages */
    public String where() {
        return info.where();
    }
}
