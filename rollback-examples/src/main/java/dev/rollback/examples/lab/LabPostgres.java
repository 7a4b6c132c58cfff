package dev.rollback.examples.lab;

import dev.rollback.core.Secret;
import dev.rollback.postgres.Postgres;
import dev.rollback.test.TestPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A real PostgreSQL server for the demo and the drills: the one named by
 * {@code ROLLBACK_TEST_POSTGRES_URL} ({@code jdbc:postgresql://host:port/db?user=..&password=..})
 * when set, else an embedded PostgreSQL 15 from Maven Central, given a password and password
 * authentication over TCP so that credentials are really used (the testkit's {@link TestPostgres}).
 */
public final class LabPostgres implements AutoCloseable {
    private final TestPostgres server;

    private LabPostgres(TestPostgres server) {
        this.server = server;
    }

    /**
     * @return a running server of the lab's own; close it
     */
    public static LabPostgres start() {
        return new LabPostgres(TestPostgres.startOwn());
    }

    /**
     * @param db a database
     * @return its JDBC URL, without credentials
     */
    public String jdbcUrl(String db) {
        return server.jdbcUrl(db);
    }

    /**
     * @param db a database
     * @return the seeds' {@code DATABASE_URL} form, {@code postgresql://user:password@host:port/db}
     */
    public String databaseUrl(String db) {
        return "postgresql://" + server.user() + (server.password() == null ? "" : ":" + server.password().reveal()) + "@" + hostPort() + "/" + db;
    }

    /**
     * @return the server's data folder ({@code SHOW data_directory}) when it is on this machine, else
     *         the temporary folder (a server given by URL): the file system a second copy lands on
     */
    public Path dataDirectory() {
        try (Connection c = connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW data_directory")) {
            rs.next();
            Path dir = Path.of(rs.getString(1));
            return Files.isDirectory(dir) ? dir : Path.of(System.getProperty("java.io.tmpdir"));
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the lab server's data folder: " + e.getMessage(), e);
        }
    }

    /** @return the user */
    public String user() {
        return server.user();
    }

    /** @return the password, if the server needs one */
    public Secret password() {
        return server.password();
    }

    /** @return host:port */
    public String hostPort() {
        return server.host() + ":" + server.port();
    }

    /**
     * @param db a database
     * @return the library's handle on it, with credentials
     */
    public Postgres postgres(String db) {
        Postgres p = Postgres.at(jdbcUrl(db)).user(server.user());
        return server.password() == null ? p : p.password(server.password());
    }

    /**
     * @param db a database
     * @return a connection
     * @throws SQLException on failure
     */
    public Connection connect(String db) throws SQLException {
        return server.connect(db);
    }

    /**
     * @param db  database
     * @param sql statements
     * @throws SQLException on failure
     */
    public void execute(String db, String sql) throws SQLException {
        server.execute(db, sql);
    }

    /**
     * @param db  database
     * @param sql a query returning one number
     * @return the number
     * @throws SQLException on failure
     */
    public long queryLong(String db, String sql) throws SQLException {
        return server.queryLong(db, sql);
    }

    /**
     * Drops (if there) and creates a database.
     *
     * @param db the name
     * @throws SQLException on failure
     */
    public void recreateDatabase(String db) throws SQLException {
        server.recreateDatabase(db);
    }

    /**
     * Drops every database whose name matches a LIKE pattern, with its sessions: what earlier drills
     * left (restored-into copies, forensic snapshots).
     *
     * @param likePattern such as {@code nextjs\_app\_%}
     * @throws SQLException on failure
     */
    public void dropDatabasesLike(String likePattern) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = connect("postgres"); PreparedStatement s = c.prepareStatement("SELECT datname FROM pg_database WHERE datname LIKE ?")) {
            s.setString(1, likePattern);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        for (String n : names) {
            execute("postgres", "DROP DATABASE \"" + n.replace("\"", "\"\"") + "\" WITH (FORCE)");
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
