package dev.rollback.examples.lab;

import dev.rollback.core.Secret;
import dev.rollback.postgres.Postgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * A real PostgreSQL server for the demo and the drills: the one named by
 * {@code ROLLBACK_TEST_POSTGRES_URL} ({@code jdbc:postgresql://host:port/db?user=..&password=..})
 * when set, else an embedded PostgreSQL 15 from Maven Central, given a password and password
 * authentication over TCP so that credentials are really used.
 */
public final class LabPostgres implements AutoCloseable {
    private static final String PASSWORD = "Lab-pg-pw-5c1e93";

    private final EmbeddedPostgres embedded;
    private final String host;
    private final int port;
    private final String user;
    private final Secret password;

    private LabPostgres(EmbeddedPostgres embedded, String host, int port, String user, Secret password) {
        this.embedded = embedded;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /**
     * @return a running server
     */
    public static LabPostgres start() {
        String env = System.getenv("ROLLBACK_TEST_POSTGRES_URL");
        try {
            if (env != null && !env.isBlank()) {
                URI uri = URI.create(env.substring("jdbc:".length()));
                String u = "postgres";
                String p = null;
                if (uri.getRawQuery() != null) {
                    for (String kv : uri.getRawQuery().split("&")) {
                        String[] parts = kv.split("=", 2);
                        if (parts[0].equals("user")) {
                            u = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
                        } else if (parts[0].equals("password")) {
                            p = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
                        }
                    }
                }
                return new LabPostgres(null, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), u, p == null ? null : Secret.of(p));
            }
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("ALTER USER postgres PASSWORD '" + PASSWORD + "'");
                String hba;
                try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                    rs.next();
                    hba = rs.getString(1);
                }
                Files.writeString(Path.of(hba), "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n");
                s.execute("SELECT pg_reload_conf()");
            }
            return new LabPostgres(pg, "localhost", pg.getPort(), "postgres", Secret.of(PASSWORD));
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("Could not start the lab's PostgreSQL server: " + e.getMessage(), e);
        }
    }

    /**
     * @param db a database
     * @return its JDBC URL, without credentials
     */
    public String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + URLEncoder.encode(db, StandardCharsets.UTF_8);
    }

    /**
     * @param db a database
     * @return the seeds' {@code DATABASE_URL} form, {@code postgresql://user:password@host:port/db}
     */
    public String databaseUrl(String db) {
        return "postgresql://" + user + (password == null ? "" : ":" + password.reveal()) + "@" + host + ":" + port + "/" + db;
    }

    /** @return the user */
    public String user() {
        return user;
    }

    /** @return the password, if the server needs one */
    public Secret password() {
        return password;
    }

    /** @return host:port */
    public String hostPort() {
        return host + ":" + port;
    }

    /**
     * @param db a database
     * @return the library's handle on it, with credentials
     */
    public Postgres postgres(String db) {
        Postgres p = Postgres.at(jdbcUrl(db)).user(user);
        return password == null ? p : p.password(password);
    }

    /**
     * @param db a database
     * @return a connection
     * @throws SQLException on failure
     */
    public Connection connect(String db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password.reveal());
        }
        return DriverManager.getConnection(jdbcUrl(db), p);
    }

    /**
     * @param db  database
     * @param sql statements
     * @throws SQLException on failure
     */
    public void execute(String db, String sql) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * @param db  database
     * @param sql a query returning one number
     * @return the number
     * @throws SQLException on failure
     */
    public long queryLong(String db, String sql) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Drops (if there) and creates a database.
     *
     * @param db the name
     * @throws SQLException on failure
     */
    public void recreateDatabase(String db) throws SQLException {
        String q = "\"" + db.replace("\"", "\"\"") + "\"";
        execute("postgres", "DROP DATABASE IF EXISTS " + q + " WITH (FORCE)");
        execute("postgres", "CREATE DATABASE " + q);
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
