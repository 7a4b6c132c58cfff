package dev.rollback.postgres.bench;

import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.Step;
import dev.rollback.postgres.Postgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Restore benchmark: raw {@code pg_restore} against the library's restore with the same options,
 * {@code --jobs 2} against one job, safe restore plus swap, and snapshot rollback at two sizes.
 *
 * <p>Arguments: {@code [rows] [repetitions]}, default 2 000 000 rows and 5 repetitions. Uses the
 * server in {@code ROLLBACK_TEST_POSTGRES_URL} when set, else an embedded PostgreSQL 15.
 *
 * <pre>
 * mvn -B -pl rollback-postgres test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.rollback.postgres.bench.PostgresRestoreBench -Dexec.args="2000000 5"
 * </pre>
 */
public final class PostgresRestoreBench {
    private static final String PASSWORD = "bench-pw-5d1e";
    private static String hostPort;
    private static String user = "postgres";
    private static Secret password;

    private PostgresRestoreBench() {
    }

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000L;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        EmbeddedPostgres embedded = start();
        try {
            run(rows, reps);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private static EmbeddedPostgres start() throws Exception {
        String env = System.getenv("ROLLBACK_TEST_POSTGRES_URL");
        if (env != null && !env.isBlank()) {
            var m = java.util.regex.Pattern.compile("jdbc:postgresql://([^/]+)/[^?]*\\?(.*)").matcher(env);
            if (!m.matches()) {
                throw new IllegalArgumentException("ROLLBACK_TEST_POSTGRES_URL must look like jdbc:postgresql://host:port/db?user=u&password=p");
            }
            hostPort = m.group(1);
            for (String kv : m.group(2).split("&")) {
                String[] p = kv.split("=", 2);
                if (p[0].equals("user")) {
                    user = p[1];
                } else if (p[0].equals("password")) {
                    password = Secret.of(java.net.URLDecoder.decode(p[1], java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return null;
        }
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        hostPort = "localhost:" + pg.getPort();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER USER postgres PASSWORD '" + PASSWORD + "'");
        }
        password = Secret.of(PASSWORD);
        return pg;
    }

    private static Postgres pg(String db) {
        return Postgres.at("jdbc:postgresql://" + hostPort + "/" + db).user(user).password(password);
    }

    private static Connection connect(String db) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password.reveal());
        return DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/" + db, p);
    }

    private static void sql(String db, String sql) throws Exception {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(String db, String sql) throws Exception {
        try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Four tables, FKs and secondary indexes; {@code rows} rows in total. */
    private static void generate(String db, long rows) throws Exception {
        long customers = rows / 10;
        long products = Math.max(1000, rows / 100);
        long orders = rows * 3 / 10;
        long items = rows - customers - products - orders;
        sql("postgres", "DROP DATABASE IF EXISTS " + db);
        sql("postgres", "CREATE DATABASE " + db);
        sql(db, "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, name text, created_at timestamptz NOT NULL);"
                + "CREATE TABLE products (id bigint PRIMARY KEY, sku text NOT NULL UNIQUE, price numeric(10,2));"
                + "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id), status text, created_at timestamptz NOT NULL);"
                + "CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders(id), "
                + "  product_id bigint NOT NULL REFERENCES products(id), qty int, price numeric(10,2));"
                + "INSERT INTO customers SELECT g, 'user' || g || '@example.com', md5(g::text), now() - g * interval '1 second' FROM generate_series(1, " + customers + ") g;"
                + "INSERT INTO products SELECT g, 'SKU-' || g, (g % 500) + 0.99 FROM generate_series(1, " + products + ") g;"
                + "INSERT INTO orders SELECT g, 1 + g % " + customers + ", (ARRAY['new','paid','shipped'])[1 + g % 3], now() - g * interval '1 second' FROM generate_series(1, " + orders + ") g;"
                + "INSERT INTO order_items SELECT g, 1 + g % " + orders + ", 1 + g % " + products + ", 1 + g % 5, (g % 300) + 0.5 FROM generate_series(1, " + items + ") g;"
                + "CREATE INDEX customers_email_idx ON customers(email);"
                + "CREATE INDEX orders_customer_idx ON orders(customer_id);"
                + "CREATE INDEX orders_created_idx ON orders(created_at);"
                + "CREATE INDEX items_order_idx ON order_items(order_id);"
                + "CREATE INDEX items_product_idx ON order_items(product_id);");
        sql(db, "VACUUM ANALYZE");
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static long runStep(Step step) {
        long t0 = System.nanoTime();
        RunReport r = Rollback.runner().confirmations(Confirmations.autoApprove("bench"))
                .run(Rollback.plan("bench").withoutCapture("benchmark").restore(step).build());
        long t = System.nanoTime() - t0;
        if (!r.isSuccess()) {
            throw new IllegalStateException("bench step failed: " + r.failure());
        }
        return t;
    }

    private static double timedRaw(Path pgRestore, Path dump, String db, int jobs) throws Exception {
        sql("postgres", "CHECKPOINT");
        return seconds(rawRestore(pgRestore, dump, db, jobs));
    }

    private static double timedLib(String db, Path dump, int jobs) throws Exception {
        sql("postgres", "CHECKPOINT");
        return seconds(runStep(pg(db).restore(dump).inPlace().jobs(jobs)));
    }

    private static long rawRestore(Path pgRestore, Path dump, String db, int jobs) throws Exception {
        List<String> argv = new ArrayList<>(List.of(pgRestore.toString(), "--exit-on-error", "--clean", "--if-exists"));
        if (jobs > 1) {
            argv.add("--jobs=" + jobs);
        }
        String[] hp = hostPort.split(":");
        argv.addAll(List.of("-h", hp[0], "-p", hp[1], "-U", user, "-w", "-d", "dbname='" + db + "'", dump.toString()));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PGPASSWORD", password.reveal());
        long t0 = System.nanoTime();
        int code = pb.start().waitFor();
        long t = System.nanoTime() - t0;
        if (code != 0) {
            throw new IllegalStateException("raw pg_restore exited with " + code);
        }
        return t;
    }

    private static void run(long rows, int reps) throws Exception {
        Path work = Files.createTempDirectory("pg-bench");
        String src = "bench_src";
        long t0 = System.nanoTime();
        generate(src, rows);
        long total = count(src, "SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM products) + (SELECT count(*) FROM orders) + (SELECT count(*) FROM order_items)");
        System.out.printf(Locale.ROOT, "generated %,d rows in 4 tables (3 FKs, 5 secondary indexes) in %.1f s%n", total, seconds(System.nanoTime() - t0));
        Path dump = work.resolve("bench.dump");
        t0 = System.nanoTime();
        runStep(pg(src).dump(dump));
        System.out.printf(Locale.ROOT, "dump (custom, library): %.1f s, %,d bytes%n", seconds(System.nanoTime() - t0), Files.size(dump));
        Path pgRestore = dev.rollback.postgres.internal.PgTools.candidates("pg_restore", null).get(0);

        String target = "bench_target";
        sql("postgres", "DROP DATABASE IF EXISTS " + target);
        sql("postgres", "CREATE DATABASE " + target);
        rawRestore(pgRestore, dump, target, 1);   // warm-up, and the clean path has something to drop from now on

        // Fixed cost of the library around pg_restore (tool check, --list, session check, runner), on a tiny dump
        // where the restore itself takes almost nothing, so that noise from other processes is small.
        String tinySrc = "bench_tiny";
        generate(tinySrc, 2000);
        Path tinyDump = work.resolve("tiny.dump");
        runStep(pg(tinySrc).dump(tinyDump));
        rawRestore(pgRestore, tinyDump, tinySrc, 1);
        List<Double> tinyRaw = new ArrayList<>();
        List<Double> tinyLib = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            tinyRaw.add(seconds(rawRestore(pgRestore, tinyDump, tinySrc, 1)));
            tinyLib.add(seconds(runStep(pg(tinySrc).restore(tinyDump).inPlace())));
        }

        List<Double> raw = new ArrayList<>();
        List<Double> lib = new ArrayList<>();
        List<Double> lib2 = new ArrayList<>();
        List<Double> raw2 = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            // alternate the order, and start every run from a checkpoint, so neither side inherits the other's dirty pages
            if (i % 2 == 0) {
                raw.add(timedRaw(pgRestore, dump, target, 1));
                lib.add(timedLib(target, dump, 1));
            } else {
                lib.add(timedLib(target, dump, 1));
                raw.add(timedRaw(pgRestore, dump, target, 1));
            }
            raw2.add(timedRaw(pgRestore, dump, target, 2));
            lib2.add(timedLib(target, dump, 2));
            System.out.printf(Locale.ROOT, "rep %d: raw %.2f s, library %.2f s, raw --jobs 2 %.2f s, library --jobs 2 %.2f s%n",
                    i + 1, raw.get(i), lib.get(i), raw2.get(i), lib2.get(i));
        }
        if (count(target, "SELECT count(*) FROM order_items") != count(src, "SELECT count(*) FROM order_items")) {
            throw new IllegalStateException("restored row count differs");
        }

        List<Double> safe = new ArrayList<>();
        int safeReps = Math.min(reps, 3);
        for (int i = 0; i < safeReps; i++) {
            sql("postgres", "CHECKPOINT");
            safe.add(seconds(runStep(pg(target).restore(dump).jobs(2))));
        }
        // drop the forensic copies left by the safe restores, so the disk does not fill up
        try (Connection c = connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'bench_target_before_rollback_%'")) {
            List<String> old = new ArrayList<>();
            while (rs.next()) {
                old.add(rs.getString(1));
            }
            for (String o : old) {
                s.execute("DROP DATABASE \"" + o + "\"");
            }
        }

        double[] snapSmall = snapshotRollback("bench_small", rows / 10, reps);
        double[] snapLarge = snapshotRollback(src, -1, reps);

        System.out.println();
        System.out.printf(Locale.ROOT, "| measurement (%,d rows, median of %d) | seconds |%n", total, reps);
        System.out.println("|---|---|");
        System.out.printf(Locale.ROOT, "| raw pg_restore --clean --if-exists, 1 job | %.2f |%n", median(raw));
        System.out.printf(Locale.ROOT, "| library restore(dump).inPlace(), same options, 1 job | %.2f |%n", median(lib));
        System.out.printf(Locale.ROOT, "| ratio library / raw | %.3f |%n", median(lib) / median(raw));
        System.out.printf(Locale.ROOT, "| fastest of %d: raw / library, 1 job | %.2f / %.2f |%n", reps, Collections.min(raw), Collections.min(lib));
        System.out.printf(Locale.ROOT, "| library fixed cost around pg_restore (2,000-row dump, median of 9, library - raw) | %.3f |%n",
                median(tinyLib) - median(tinyRaw));
        System.out.printf(Locale.ROOT, "| raw pg_restore --jobs 2 | %.2f |%n", median(raw2));
        System.out.printf(Locale.ROOT, "| library restore(dump).inPlace().jobs(2) | %.2f |%n", median(lib2));
        System.out.printf(Locale.ROOT, "| ratio library / raw, jobs 2 | %.3f |%n", median(lib2) / median(raw2));
        System.out.printf(Locale.ROOT, "| ratio jobs 2 / jobs 1 | %.3f |%n", median(lib2) / median(lib));
        System.out.printf(Locale.ROOT, "| library safe restore + swap, jobs 2 (median of %d) | %.2f |%n", safeReps, median(safe));
        System.out.printf(Locale.ROOT, "| snapshot (CREATE DATABASE TEMPLATE), %,d rows | %.2f |%n", rows / 10, snapSmall[0]);
        System.out.printf(Locale.ROOT, "| snapshot rollback (rename swap), %,d rows | %.3f |%n", rows / 10, snapSmall[1]);
        System.out.printf(Locale.ROOT, "| snapshot (CREATE DATABASE TEMPLATE), %,d rows | %.2f |%n", total, snapLarge[0]);
        System.out.printf(Locale.ROOT, "| snapshot rollback (rename swap), %,d rows | %.3f |%n", total, snapLarge[1]);
    }

    /** Median snapshot time and median rollback time; generates the database when rows >= 0. */
    private static double[] snapshotRollback(String db, long rows, int reps) throws Exception {
        if (rows >= 0) {
            generate(db, rows);
        }
        List<Double> snap = new ArrayList<>();
        List<Double> back = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            String name = db + "_snap";
            snap.add(seconds(runStep(pg(db).snapshot(name).replacingExisting().terminatingSessions())));
            back.add(seconds(runStep(pg(db).rollbackToSnapshot(name))));
            try (Connection c = connect("postgres"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE '" + db + "_before_rollback_%'")) {
                List<String> old = new ArrayList<>();
                while (rs.next()) {
                    old.add(rs.getString(1));
                }
                for (String o : old) {
                    s.execute("DROP DATABASE \"" + o + "\"");
                }
            }
        }
        return new double[] {median(snap), median(back)};
    }
}
