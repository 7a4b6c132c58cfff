package dev.rollback.postgres;

import dev.rollback.core.Secret;
import dev.rollback.test.TestPostgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One PostgreSQL server for every test in the JVM, the testkit's {@link TestPostgres#shared()}:
 * the server named by {@code ROLLBACK_TEST_POSTGRES_URL} (a JDBC URL with user and password) when
 * set, else an embedded PostgreSQL 15 started once, with a password and password authentication over
 * TCP, so that wrong passwords really fail.
 */
final class TestServer {
    private TestServer() {
    }

    private static TestPostgres server() {
        return TestPostgres.shared();
    }

    static String url(String db) {
        return server().jdbcUrl(db);
    }

    /** @return the server's {@code host:port} */
    static String hostPort() {
        return server().host() + ":" + server().port();
    }

    static Secret password() {
        return server().password();
    }

    static String user() {
        return server().user();
    }

    /**
     * Fails, naming the fix, when the server accepts a wrong password (trust authentication): the
     * wrong-password test is meaningless there, and it must not pass or skip silently.
     */
    static void requirePasswordAuthentication() {
        Properties p = new Properties();
        p.setProperty("user", user());
        p.setProperty("password", "definitely-not-the-password");
        try (Connection c = DriverManager.getConnection(url("postgres"), p)) {
            throw new AssertionError("The test server at " + hostPort() + " accepts a wrong password (trust authentication). "
                    + "Point ROLLBACK_TEST_POSTGRES_URL at a server that uses scram-sha-256 or md5 for TCP connections.");
        } catch (SQLException expected) {
            // the server checks passwords
        }
    }

    static Postgres postgres(String db) {
        return Postgres.at(url(db)).user(user()).password(password());
    }

    static Connection connect(String db) throws SQLException {
        return server().connect(db);
    }

    /** Creates a fresh, uniquely named database and returns its name. */
    static String createDatabase(String prefix) throws SQLException {
        String name = server().createDatabase(prefix);
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
        server().execute(db, sql);
    }

    static long queryLong(String db, String sql) throws SQLException {
        return server().queryLong(db, sql);
    }

    static boolean exists(String db) throws SQLException {
        return server().exists(db);
    }

    static java.util.List<String> databasesLike(String prefix) throws SQLException {
        return server().databasesStartingWith(prefix);
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
