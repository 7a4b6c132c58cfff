package dev.rollback.examples.lab;

import dev.rollback.core.Rollback;
import dev.rollback.core.RunReport;
import dev.rollback.examples.seeds.Seed002Phase4MigrationRollback;
import dev.rollback.test.SshHosts;
import dev.rollback.test.StandIns;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Seed 002's world, for real, in a {@link Lab}: the CRM's {@code crm_staging} database with six
 * tables and their foreign keys; the nightly backups under
 * {@code _backups/staging/<date>/staging_full_backup.dump} (the newest made with the library's
 * {@code pg_dump} step, with its row-count manifest; an older one truncated, so that choosing it
 * would fail); then the bad Phase 4 migration: views and indexes created, denormalized columns
 * dropped, a foreign key re-added {@code NOT VALID} over orphaned sales, and a customer written
 * after the backup. The application runs on two app servers, {@code web1} and {@code web2},
 * reached through the ssh stand-in, each a real {@link LabApp} process under the systemd stand-in.
 */
public final class Seed002Lab {
    /** The database. */
    public static final String DB = "crm_staging";
    /** The systemd unit on every app server. */
    public static final String UNIT = "crm-application";
    /** The app servers. */
    public static final List<String> SERVERS = List.of("web1", "web2");
    /** Rows per table in the backup. */
    public static final Map<String, Long> ROWS = Map.of("customers", 40L, "products", 20L, "sales", 100L, "tickets", 60L,
            "contracts", 20L, "job_works", 30L);

    private Seed002Lab() {
    }

    /**
     * What was set up.
     *
     * @param env        the environment for the program (DATABASE_URL, with its password)
     * @param settings   {@code --set} arguments for the program
     * @param backup     the newest backup
     * @param healthUrls one health URL per app server
     * @param keys       the stand-in key of each app server's process
     */
    public record Setup(Map<String, String> env, List<String> settings, Path backup, List<String> healthUrls, List<String> keys) {
        /**
         * @param more further arguments (flags)
         * @return the program's arguments: the settings, then these
         */
        public String[] args(String... more) {
            List<String> a = new ArrayList<>(settings);
            a.addAll(List.of(more));
            return a.toArray(new String[0]);
        }
    }

    /** Rows in all seven tables of {@link #prepare(Lab)}'s database (sale_items' 200 included). */
    public static final long DEFAULT_TOTAL_ROWS = 470;

    /**
     * Creates the database, the backups, the bad migration, and starts the app on both servers.
     * Called again on the same lab, it starts over (database recreated, backups rewritten).
     *
     * @param lab the lab
     * @return what was set up
     */
    public static Setup prepare(Lab lab) {
        return prepare(lab, DEFAULT_TOTAL_ROWS);
    }

    /**
     * As {@link #prepare(Lab)}, with about {@code totalRows} rows in all, each table grown in the
     * proportion of the default (for benchmarks: 200 000 or 2 000 000 rows). The bad migration is
     * the same: every tenth sale points at a customer that does not exist, one customer is written
     * after the backup.
     *
     * @param lab       the lab
     * @param totalRows rows in all seven tables, at least {@link #DEFAULT_TOTAL_ROWS}
     * @return what was set up
     */
    public static Setup prepare(Lab lab, long totalRows) {
        if (totalRows < DEFAULT_TOTAL_ROWS) {
            throw new IllegalArgumentException("totalRows must be at least " + DEFAULT_TOTAL_ROWS + ", was " + totalRows);
        }
        double k = (double) totalRows / DEFAULT_TOTAL_ROWS;
        Map<String, Long> n = new java.util.LinkedHashMap<>();
        Map.of("customers", 40, "products", 20, "sales", 100, "sale_items", 200, "tickets", 60, "contracts", 20, "job_works", 30)
                .forEach((t, rows) -> n.put(t, Math.round(rows * k)));
        try {
            LabPostgres pg = lab.postgres();
            pg.recreateDatabase(DB);
            pg.execute(DB, sized(n, """
                    CREATE TABLE customers (id int PRIMARY KEY, tenant_id int NOT NULL, name varchar(255) NOT NULL,
                        email varchar(255), phone varchar(20));
                    CREATE TABLE products (id int PRIMARY KEY, name varchar(255) NOT NULL, category varchar(255),
                        is_active boolean DEFAULT true, supplier_name varchar(255));
                    CREATE TABLE sales (id int PRIMARY KEY, tenant_id int NOT NULL, customer_id int NOT NULL REFERENCES customers(id),
                        customer_name varchar(255), assigned_to_name varchar(255), amount decimal(12,2), stage text,
                        expected_close_date date);
                    CREATE TABLE sale_items (id int PRIMARY KEY, sale_id int NOT NULL, quantity int NOT NULL);
                    CREATE TABLE tickets (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), title text,
                        customer_name varchar(255), customer_email varchar(255), customer_phone varchar(20),
                        assigned_to_name varchar(255), reported_by_name varchar(255));
                    CREATE TABLE contracts (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), title text);
                    CREATE TABLE job_works (id int PRIMARY KEY, tenant_id int NOT NULL, customer_id int NOT NULL REFERENCES customers(id),
                        engineer_id int, customer_name varchar(255), customer_short_name varchar(50), customer_contact varchar(255),
                        customer_email varchar(255), customer_phone varchar(20), product_name varchar(255), product_sku varchar(100),
                        product_category varchar(255), product_unit varchar(50), receiver_engineer_name varchar(255),
                        receiver_engineer_email varchar(255), assigned_by_name varchar(255));
                    INSERT INTO customers SELECT g, 1 + g % 3, 'Customer ' || g, 'c' || g || '@crm.example', '+1-555-' || g FROM generate_series(1, ${customers}) g;
                    INSERT INTO products SELECT g, 'Product ' || g, 'Category ' || g % 4, true, 'Supplier ' || g % 5 FROM generate_series(1, ${products}) g;
                    INSERT INTO sales SELECT g, 1 + g % 3, 1 + g % ${customers}, 'Customer ' || (1 + g % ${customers}), 'Rep ' || g % 7, g * 10.5, 'open',
                        date '2025-12-01' + g FROM generate_series(1, ${sales}) g;
                    INSERT INTO sale_items SELECT g, 1 + g % ${sales}, 1 + g % 5 FROM generate_series(1, ${sale_items}) g;
                    -- a table the partial rollback does not restore, whose foreign key points at one it does
                    ALTER TABLE sale_items ADD CONSTRAINT sale_items_sale_id_fkey FOREIGN KEY (sale_id) REFERENCES sales(id);
                    INSERT INTO tickets SELECT g, 1 + g % ${customers}, 'Ticket ' || g, 'Customer ' || (1 + g % ${customers}), 'c' || (1 + g % ${customers}) || '@crm.example',
                        '+1-555-' || (1 + g % ${customers}), 'Agent ' || g % 5, 'Reporter ' || g % 9 FROM generate_series(1, ${tickets}) g;
                    INSERT INTO contracts SELECT g, 1 + g % ${customers}, 'Contract ' || g FROM generate_series(1, ${contracts}) g;
                    INSERT INTO job_works SELECT g, 1 + g % 3, 1 + g % ${customers}, g % 6, 'Customer ' || (1 + g % ${customers}), 'C' || (1 + g % ${customers}),
                        'Contact ' || g, 'c' || (1 + g % ${customers}) || '@crm.example', '+1-555-' || (1 + g % ${customers}), 'Product ' || (1 + g % ${products}),
                        'SKU-' || g, 'Category ' || g % 4, 'pcs', 'Engineer ' || g % 6, 'e' || g % 6 || '@crm.example', 'Manager ' || g % 2
                        FROM generate_series(1, ${job_works}) g;
                    """));
            Path root = lab.work().resolve("_backups/staging");
            Path backup = backup(lab, root.resolve("2025-11-08_0200"), Instant.parse("2025-11-08T02:00:00Z"));
            Path older = Files.createDirectories(root.resolve("2025-11-01_0200")).resolve("staging_full_backup.dump");
            byte[] bytes = Files.readAllBytes(backup);
            Files.write(older, Arrays.copyOf(bytes, bytes.length / 2));   // truncated: must never be chosen
            Files.setLastModifiedTime(older, FileTime.from(Instant.parse("2025-11-01T02:00:00Z")));
            migratePhase4(pg, n.get("customers"));

            Files.writeString(lab.envFile(), "NODE_ENV=staging\nDATABASE_URL=\"" + pg.databaseUrl(DB) + "\"\n");
            List<String> keys = new ArrayList<>();
            List<String> health = new ArrayList<>();
            for (String server : SERVERS) {
                String key = server + "-" + StandIns.systemd(UNIT);
                keys.add(key);
                if (health.isEmpty()) {
                    health.add(lab.healthUrl(key));
                } else {
                    Path want = lab.standIns().stateDirectory().resolve(key + ".want-port");
                    int port = Files.exists(want) ? Integer.parseInt(Files.readString(want).trim()) : Lab.freePort();
                    lab.standIns().wantPort(key, port);
                    health.add("http://127.0.0.1:" + port + "/api/health");
                }
                runRemote(lab, server, "systemctl", "start", UNIT);
            }
            for (String h : health) {
                Lab.awaitHealthy(h);
            }
            List<String> settings = List.of("--set", "BACKUP_ROOT=" + root, "--set", "APP_SERVERS=" + String.join(",", SERVERS),
                    "--set", "APP_UNIT=" + UNIT, "--set", "HEALTH_URLS=" + String.join(",", health),
                    "--set", "APP_URL=" + lab.appUrl(), "--set", "TOOLS_PATH=" + lab.standIns().binDirectory(),
                    "--set", "HEALTH_RETRY_DELAY=PT0.2S", "--set", "RETRY_DELAY=PT0.2S",
                    "--set", "DB_DATA_DIR=" + pg.dataDirectory());
            return new Setup(Map.of("DATABASE_URL", pg.databaseUrl(DB), "TEST_TOKEN", "smoke-token-3f9a"), settings, backup, health, keys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not set up seed 002's database: " + e.getMessage(), e);
        }
    }

    /** The SQL with each {@code ${table}} replaced by that table's row count. */
    private static String sized(Map<String, Long> rows, String sql) {
        String out = sql;
        for (Map.Entry<String, Long> e : rows.entrySet()) {
            out = out.replace("${" + e.getKey() + "}", Long.toString(e.getValue()));
        }
        return out;
    }

    /** The Phase 4 migration that went wrong. */
    private static void migratePhase4(LabPostgres pg, long customers) throws SQLException {
        pg.execute(DB, """
                CREATE INDEX idx_sales_tenant_customer ON sales (tenant_id, customer_id);
                CREATE INDEX idx_sales_expected_close_date ON sales (expected_close_date);
                CREATE INDEX idx_job_works_engineer_tenant ON job_works (engineer_id, tenant_id);
                CREATE VIEW sales_with_details AS SELECT s.id, s.stage, c.name AS customer_name FROM sales s JOIN customers c ON c.id = s.customer_id;
                CREATE VIEW tickets_with_details AS SELECT t.id, t.title, c.name AS customer_name, c.email AS customer_email
                    FROM tickets t JOIN customers c ON c.id = t.customer_id;
                CREATE VIEW job_works_with_details AS SELECT j.id, c.name AS customer_name FROM job_works j JOIN customers c ON c.id = j.customer_id;
                """);
        // the column removal of migration 7: every denormalized column of the runbook's part 7
        StringBuilder drop = new StringBuilder();
        for (Map.Entry<String, List<String>> e : Seed002Phase4MigrationRollback.DENORMALIZED_COLUMNS.entrySet()) {
            for (String col : e.getValue()) {
                drop.append("ALTER TABLE ").append(e.getKey()).append(" DROP COLUMN ").append(col, 0, col.indexOf(' ')).append(";\n");
            }
        }
        pg.execute(DB, drop.toString());
        long lateCustomer = Math.max(2001, customers + 1001);                      // 2001 at the default size
        long orphanOffset = customers <= 1000 ? 1000 : lateCustomer + 1;          // orphans land past every customer
        pg.execute(DB, """
                -- a data fix gone wrong: the FK dropped, sales pointed at customers that do not exist, the FK re-added NOT VALID
                ALTER TABLE sales DROP CONSTRAINT sales_customer_id_fkey;
                UPDATE sales SET customer_id = customer_id + %d WHERE id %% 10 = 0;
                ALTER TABLE sales ADD CONSTRAINT sales_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id) NOT VALID;
                -- written after the backup
                INSERT INTO customers VALUES (%d, 1, 'Customer after backup', 'new@crm.example', '+1-555-2001');
                """.formatted(orphanOffset, lateCustomer));
    }

    private static Path backup(Lab lab, Path folder, Instant takenAt) throws IOException {
        Path file = Files.createDirectories(folder).resolve("staging_full_backup.dump");
        RunReport r = Rollback.runner().run(Rollback.plan("nightly-staging-backup")
                .capture(lab.postgres().postgres(DB).dump(file).replaceExisting()).build());
        if (!r.isSuccess()) {
            throw new IllegalStateException("the lab's nightly backup failed: " + r.failureIfAny().map(RunReport.Failure::message).orElse("?"));
        }
        Files.setLastModifiedTime(file, FileTime.from(takenAt));
        return file;
    }

    /**
     * Runs a command on an app server through the ssh stand-in, as an operator would
     * ({@code ssh web1 systemctl start crm-application}).
     *
     * @param lab    the lab
     * @param server the server
     * @param argv   the remote command
     */
    public static void runRemote(Lab lab, String server, String... argv) {
        Path bin = lab.standIns().binDirectory();
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("ssh").toString(), server, "--"));
        cmd.addAll(List.of(argv));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
        try {
            Process p = pb.start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("ssh " + server + " " + String.join(" ", argv) + " exited with " + p.exitValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The app servers as Ansible sees them, for {@code APP_CONTROL=ansible}: an inventory whose
     * hosts {@code web1} and {@code web2} are real OpenSSH servers on loopback addresses
     * ({@link dev.rollback.test.SshHosts}, keys and a pinned known_hosts in the inventory's variables),
     * and a playbook that runs {@code systemctl <app_action> <app_unit>} there — the systemd stand-in,
     * with {@code STANDIN_HOST} set to the inventory name, so that it stops and starts the same
     * {@link LabApp} processes as the ssh loop does.
     *
     * @param lab   the lab, prepared by {@link #prepare(Lab)}
     * @param hosts at least as many ssh hosts as {@link #SERVERS}
     * @return the {@code --set} arguments that switch the program to Ansible
     */
    public static List<String> ansible(Lab lab, SshHosts hosts) {
        try {
            Path dir = Files.createDirectories(lab.work().resolve("ansible"));
            StringBuilder inv = new StringBuilder("[app_servers]\n");
            for (int i = 0; i < SERVERS.size(); i++) {
                inv.append(SERVERS.get(i)).append(" ansible_host=").append(hosts.addresses().get(i)).append('\n');
            }
            inv.append("\n[app_servers:vars]\nansible_port=").append(hosts.port())
                    .append("\nansible_user=").append(hosts.user())
                    .append("\nansible_ssh_private_key_file=").append(hosts.clientKey())
                    .append("\nansible_ssh_common_args='-o UserKnownHostsFile=").append(hosts.knownHosts())
                    .append(" -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'")
                    .append("\nansible_python_interpreter=/usr/bin/python3")
                    .append("\nsystemctl=").append(lab.standIns().binDirectory().resolve("systemctl")).append('\n');
            Path inventory = dir.resolve("hosts.ini");
            Files.writeString(inventory, inv);
            Path playbook = dir.resolve("app-servers.yml");
            Files.writeString(playbook, """
                    - hosts: app_servers
                      gather_facts: false
                      tasks:
                        - name: "{{ app_action }} {{ app_unit }}"
                          ansible.builtin.command: "{{ systemctl }} {{ app_action }} {{ app_unit }}"
                          environment:
                            STANDIN_HOST: "{{ inventory_hostname }}"
                    """);
            // TOOLS_PATH goes in front of ansible's PATH: empty, so that ansible's ssh is the real client, not the ssh stand-in
            return List.of("--set", "TOOLS_PATH=", "--set", "APP_CONTROL=ansible", "--set", "ANSIBLE_INVENTORY=" + inventory,
                    "--set", "ANSIBLE_PLAYBOOK=" + playbook, "--set", "ANSIBLE_HOSTS=app_servers", "--set", "ANSIBLE_FORKS=5");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
