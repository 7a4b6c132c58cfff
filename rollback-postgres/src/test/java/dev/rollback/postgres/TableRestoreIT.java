package dev.rollback.postgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12: {@code restore(dump).tables(...).withConstraints()} restores chosen tables with their
 * primary keys, indexes, foreign keys, defaults and sequences through {@code pg_restore --use-list},
 * and handles the foreign keys of tables that are not restored ({@code sale_items} → {@code sales}).
 */
class TableRestoreIT {
    /** The server is shared by every test class of the JVM: drop what this class created. */
    @org.junit.jupiter.api.AfterAll
    static void dropCreatedDatabases() throws Exception {
        TestServer.dropCreatedDatabases();
    }

    private static final String SCHEMA = "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);"
            + "CREATE TABLE sales (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), amount int CHECK (amount > 0),"
            + " stage text DEFAULT 'open');"
            + "CREATE INDEX sales_customer_idx ON sales (customer_id);"
            + "CREATE TABLE sale_items (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, sale_id int NOT NULL REFERENCES sales(id), qty int);"
            + "COMMENT ON TABLE sales IS 'one row per sale';"
            + "INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 20) g;"
            + "INSERT INTO sales (customer_id, amount) SELECT 1 + g % 20, g FROM generate_series(1, 50) g;"
            + "INSERT INTO sale_items (sale_id, qty) SELECT 1 + g % 50, g FROM generate_series(1, 80) g;";
    private static Path backup;

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;


    @BeforeAll
    static void backup() throws Exception {
        String source = TestServer.createDatabase("tablesrc");
        TestServer.execute(source, SCHEMA);
        backup = shared.resolve("shop.dump");
        Plans.step(TestServer.postgres(source).dump(backup));
    }

    /** The live database after a migration that went wrong on sales: rows changed, its key, index and a foreign key gone. */
    private static String damagedLive(String prefix) throws Exception {
        String db = TestServer.createDatabase(prefix);
        TestServer.execute(db, SCHEMA);
        TestServer.execute(db, "INSERT INTO customers VALUES (21, 'customer written after the backup');"
                + "ALTER TABLE sales DROP CONSTRAINT sales_customer_id_fkey;"
                + "DROP INDEX sales_customer_idx;"
                + "UPDATE sales SET amount = amount * 100, stage = 'migrated';"
                + "DELETE FROM sales WHERE id > 40 AND id NOT IN (SELECT sale_id FROM sale_items)");
        return db;
    }

    @Test
    void chosenTablesComeBackWithTheirKeysIndexesForeignKeysDefaultsAndSequence() throws Exception {
        String db = damagedLive("tables");
        Postgres pg = TestServer.postgres(db);

        var r = Plans.step(pg.restore(backup).tables("sales").withConstraints().terminatingSessions());

        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM sales")).isEqualTo(50);
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM sales WHERE stage = 'open' AND amount <= 50")).isEqualTo(50);
        assertThat(constraints(db, "sales")).containsExactlyInAnyOrder("sales_amount_check", "sales_customer_id_fkey", "sales_pkey");
        assertThat(constraints(db, "sale_items")).as("the foreign key of a table not restored is back")
                .containsExactlyInAnyOrder("sale_items_pkey", "sale_items_sale_id_fkey");
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM pg_constraint WHERE conname = 'sale_items_sale_id_fkey' AND convalidated"))
                .isEqualTo(1);
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'sales_customer_idx'")).isEqualTo(1);
        TestServer.execute(db, "INSERT INTO sales (customer_id, amount) VALUES (1, 5)");    // the serial default and its sequence
        assertThat(TestServer.queryLong(db, "SELECT max(id) FROM sales")).isEqualTo(51);
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM customers")).as("tables not chosen are untouched").isEqualTo(21);
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM sale_items")).isEqualTo(80);
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM pg_description d JOIN pg_class c ON c.oid = d.objoid "
                + "WHERE c.relname = 'sales' AND d.description = 'one row per sale'")).isEqualTo(1);

        Path list = r.runDirectory().resolve("restore-" + db + "-tables.list");
        List<String> entries = Files.readAllLines(list);
        assertThat(entries).anyMatch(l -> l.contains("TABLE public sales")).anyMatch(l -> l.contains("TABLE DATA public sales"))
                .anyMatch(l -> l.contains("CONSTRAINT public sales sales_pkey")).anyMatch(l -> l.contains("INDEX public sales_customer_idx"))
                .anyMatch(l -> l.contains("FK CONSTRAINT public sales sales_customer_id_fkey"))
                .anyMatch(l -> l.contains("SEQUENCE SET public sales_id_seq")).anyMatch(l -> l.contains("DEFAULT public sales id"))
                .noneMatch(l -> l.contains("sale_items")).noneMatch(l -> l.contains("customers_pkey"));
        assertThat(r.outputs()).containsEntry("postgres.restore.entries", Integer.toString(entries.size()));
    }

    @Test
    void withoutConstraintsTheForeignKeyOfAnotherTableBlocksTheRestoreWhichChangesNothing() throws Exception {
        String db = damagedLive("plaintables");
        String message = Plans.failingStep(TestServer.postgres(db).restore(backup).tables("sales").terminatingSessions());
        assertThat(message).contains("cannot drop table public.sales because other objects depend on it");
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM sales WHERE stage = 'migrated'")).isPositive();
    }

    @Test
    void aForeignKeyTheRestoredRowsNoLongerSatisfyComesBackNotValidAndIsNamed() throws Exception {
        String db = damagedLive("orphans");
        // sales written after the backup, with items: the backup's sales do not have them
        TestServer.execute(db, "INSERT INTO sales (id, customer_id, amount) VALUES (900, 1, 9), (901, 2, 9);"
                + "INSERT INTO sale_items (sale_id, qty) VALUES (900, 1), (901, 1), (901, 2)");
        var r = Plans.step(TestServer.postgres(db).restore(backup).tables("sales").withConstraints().terminatingSessions());

        assertThat(r.outputs().get("postgres.restore.notValidForeignKeys")).contains("sale_items_sale_id_fkey");
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM pg_constraint WHERE conname = 'sale_items_sale_id_fkey' AND NOT convalidated"))
                .isEqualTo(1);
        assertThat(Plans.check(TestServer.postgres(db).foreignKeysValid()).message()).contains("sale_items_sale_id_fkey").contains("3 orphans");
    }

    @Test
    void aTableTheBackupDoesNotHoldIsNamedAndNothingChanges() throws Exception {
        String db = damagedLive("notable");
        String message = Plans.failingStep(TestServer.postgres(db).restore(backup).tables("sales", "invoices").withConstraints().terminatingSessions());
        assertThat(message).contains("has no table invoices").contains("nothing was changed");
        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM sales WHERE stage = 'migrated'")).isPositive();
        assertThat(constraints(db, "sale_items")).contains("sale_items_sale_id_fkey");
    }

    private static List<String> constraints(String db, String table) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = TestServer.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT conname FROM pg_constraint WHERE conrelid = '" + table + "'::regclass AND contype <> 'n'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
