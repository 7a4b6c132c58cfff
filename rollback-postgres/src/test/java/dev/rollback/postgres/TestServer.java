package dev.rollback.postgres;

import dev.rollback.core.Secret;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One PostgreSQL server for every test in the JVM: the server named by
 * {@code ROLLBACK_TEST_POSTGRES_URL} (a JDBC URL with user and password) when set, else an
 * embedded PostgreSQL 15 started once. The embedded server gets a password and
 * password authentication over TCP, so that wrong passwords really fail.
 */
final class TestServer {
    static final String PASSWORD_VALUE = "Rb-t3st-pw-9f2c71";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static String hostPort;
    private static String user;
    private static Secret password;
    @SuppressWarnings("unused")
    private static EmbeddedPostgres embedded;

    private TestServer() {
    }

    static synchronized void start() {
        if (hostPort != null) {
            return;
        }
        String env = System.getenv("ROLLBACK_TEST_POSTGRES_URL");
        try {
            if (env != null && !env.isBlank()) {
                var info = dev.rollback.postgres.internal.ConnectionInfo.parse(env);
                hostPort = String.join(",", info.hosts());
                user = info.user() == null ? "postgres" : info.user();
                password = info.password();
                return;
            }
            embedded = EmbeddedPostgres.builder().start();
            int port = embedded.getPort();
            hostPort = "localhost:" + port;
            user = "postgres";
            try (Connection c = embedded.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("ALTER USER postgres PASSWORD '" + PASSWORD_VALUE + "'");
                String hba;
                try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                    rs.next();
                    hba = rs.getString(1);
                }
                Files.writeString(Path.of(hba), "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n");
                s.execute("SELECT pg_reload_conf()");
            }
            password = Secret.of(PASSWORD_VALUE);
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("Could not start the test PostgreSQL server: " + e, e);
        }
    }

    static String url(String db) {
        start();
        return "jdbc:postgresql://" + hostPort + "/" + java.net.URLEncoder.encode(db, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** @return the server's first {@code host:port} */
    static String hostPort() {
        start();
        return hostPort.split(",")[0];
    }

    static Secret password() {
        start();
        return password;
    }

    static String user() {
        start();
        return user;
    }

    /**
     * Fails, naming the fix, when the server accepts a wrong password (trust authentication): the
     * wrong-password test is meaningless there, and it must not pass or skip silently.
     */
    static void requirePasswordAuthentication() {
        start();
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", "definitely-not-the-password");
        try (Connection c = DriverManager.getConnection(url("postgres"), p)) {
            throw new AssertionError("The test server at " + hostPort + " accepts a wrong password (trust authentication). "
                    + "Point ROLLBACK_TEST_POSTGRES_URL at a server that uses scram-sha-256 or md5 for TCP connections.");
        } catch (SQLException expected) {
            // the server checks passwords
        }
    }

    static Postgres postgres(String db) {
        start();
        return Postgres.at(url(db)).user(user).password(password);
    }

    static Connection connect(String db) throws SQLException {
        start();
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password.reveal());
        }
        return DriverManager.getConnection(url(db), p);
    }

    /** Creates a fresh, uniquely named database and returns its name. */
    static String createDatabase(String prefix) throws SQLException {
        String name = prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        execute("postgres", "CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
        CREATED.add(name);
        return name;
    }

    private static final java.util.List<String> CREATED = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    /**
     * Drops the databases the tests created so far and every copy derived from them
     * ({@code <name>_rollback_*}, {@code <name>_before_rollback_*}). Test classes call it when they
     * end: the embedded server's data folder is deleted when the JVM exits, and with hundreds of
     * databases left that takes longer than the test fork may take to exit.
     */
    static void dropCreatedDatabases() throws SQLException {
        java.util.List<String> names;
        synchronized (CREATED) {
            names = new java.util.ArrayList<>(CREATED);
            CREATED.clear();
        }
        for (String name : names) {
            dropDatabasesLike(name);
        }
    }

    static void execute(String db, String sql) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static long queryLong(String db, String sql) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static boolean exists(String db) throws SQLException {
        try (Connection c = connect("postgres"); var ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static java.util.List<String> databasesLike(String prefix) throws SQLException {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (Connection c = connect("postgres"); var ps = c.prepareStatement("SELECT datname FROM pg_database WHERE starts_with(datname, ?) ORDER BY 1")) {
            ps.setString(1, prefix);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Drops every database whose name starts with the prefix (a test's own databases), ending their sessions. */
    static void dropDatabasesLike(String prefix) throws SQLException {
        for (String db : databasesLike(prefix)) {
            execute("postgres", "DROP DATABASE IF EXISTS \"" + db.replace("\"", "\"\"") + "\" WITH (FORCE)");
        }
    }

    /** A small CRM schema: customers, orders referencing them, products, a view and indexes. */
    static void seedCrm(String db, int customers, int ordersPerCustomer) throws SQLException {
        execute(db, "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());"
                + "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id), amount numeric(10,2), "
                + "  created_at timestamptz NOT NULL DEFAULT now());"
                + "CREATE INDEX orders_customer_idx ON orders(customer_id);"
                + "CREATE TABLE products (id int PRIMARY KEY, name text, price numeric(10,2));"
                + "CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 500;"
                + "INSERT INTO customers SELECT g, 'user' || g || '@example.com', timestamptz '2025-01-01 00:00:00+00' + g * interval '1 minute' "
                + "  FROM generate_series(1, " + customers + ") g;"
                + "INSERT INTO orders (customer_id, amount, created_at) SELECT c, (c * 7 + o) % 1000, timestamptz '2025-01-01 00:00:00+00' "
                + "  FROM generate_series(1, " + customers + ") c, generate_series(1, " + ordersPerCustomer + ") o;"
                + "INSERT INTO products SELECT g, 'product ' || g, g * 1.5 FROM generate_series(1, 50) g;");
    }
}
