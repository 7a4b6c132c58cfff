package dev.rollback.postgres;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Secret;
import dev.rollback.core.Step;
import dev.rollback.core.StepDescription;
import dev.rollback.core.spi.DescribedCheck;
import dev.rollback.core.spi.DescribedStep;
import dev.rollback.postgres.internal.ConnectionInfo;
import dev.rollback.postgres.internal.DatabaseAdmin;
import dev.rollback.postgres.internal.Inspect;
import dev.rollback.postgres.internal.PgCommands;
import dev.rollback.postgres.internal.PgEndpoint;
import dev.rollback.postgres.internal.PgTools;
import dev.rollback.postgres.internal.Sql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * PostgreSQL for rollback plans: dumps, restores (restore-into-new-then-swap by default),
 * template snapshots, connection control, SQL scripts, CSV exports and integrity checks.
 *
 * <p>Immutable: the JDBC URL is required, the rest are chained setters that return a copy. The
 * password is a {@link Secret}; it reaches {@code pg_dump} / {@code pg_restore} / {@code psql}
 * through {@code PGPASSWORD} in their environment, never their command line, and never appears
 * in descriptions, logs or exception messages. Tools are found in {@link #toolDirectory(Path)}
 * when set, else on the PATH, else in {@code /usr/lib/postgresql/<version>/bin}; one at least as
 * new as the server is required.
 *
 * <pre>{@code
 * Postgres pg = Postgres.at("jdbc:postgresql://db:5432/nextcrm")
 *     .user("postgres")
 *     .password(Secret.fromEnv("PGPASSWORD"));
 *
 * RollbackPlan plan = Rollback.plan("nextcrm-restore")
 *     .precheck(pg.canConnect())
 *     .precheck(pg.toolsMatchServer())
 *     .precheck(pg.backupReadable(backup))
 *     .capture(pg.schemaDump(Path.of("schema.sql")))
 *     .capture(pg.sample("crm_accounts", 1000, Path.of("accounts_sample.csv")))
 *     .step(pg.terminateConnections("nextcrm"))
 *     .restore(pg.restore(backup).jobs(2).verifyWith(db -> db.foreignKeysValid()))
 *     .verify(pg.rowCountsMatch(RowCountManifest.forDump(backup)))
 *     .build();
 * }</pre>
 */
public final class Postgres {
    private final PgEndpoint ep;

    private Postgres(PgEndpoint ep) {
        this.ep = ep;
    }

    /**
     * Points at a database. User and password may be in the URL ({@code ?user=..&password=..});
     * a password found there is treated as a {@link Secret} and removed from the URL.
     *
     * @param jdbcUrl such as {@code jdbc:postgresql://db:5432/nextcrm}, or the libpq form runbooks use for
     *                {@code DATABASE_URL}, {@code postgresql://user:password@db:5432/nextcrm}; a password in
     *                the URL becomes a {@link Secret} and never reaches a command line
     * @return the entry point for that database
     * @throws IllegalArgumentException when the URL is not a PostgreSQL URL or names no database
     */
    public static Postgres at(String jdbcUrl) {
        return new Postgres(new PgEndpoint(ConnectionInfo.parse(jdbcUrl), null, "postgres", false));
    }

    /**
     * @param user the role to connect as
     * @return a copy with that user
     */
    public Postgres user(String user) {
        return new Postgres(new PgEndpoint(ep.info().withUser(Objects.requireNonNull(user, "user")), ep.toolDirectory(), ep.maintenanceDatabase(), ep.passwordFile()));
    }

    /**
     * @param password the password; passed to tools through the environment only
     * @return a copy with that password
     */
    public Postgres password(Secret password) {
        return new Postgres(new PgEndpoint(ep.info().withPassword(Objects.requireNonNull(password, "password")), ep.toolDirectory(),
                ep.maintenanceDatabase(), ep.passwordFile()));
    }

    /**
     * @param dir the only directory in which to look for pg_dump, pg_restore and psql
     * @return a copy using the tools there
     */
    public Postgres toolDirectory(Path dir) {
        return new Postgres(new PgEndpoint(ep.info(), Objects.requireNonNull(dir, "dir"), ep.maintenanceDatabase(), ep.passwordFile()));
    }

    /**
     * @param db the database to connect to for database-level work (create, rename, swap); {@code postgres} by default
     * @return a copy using it
     */
    public Postgres maintenanceDatabase(String db) {
        return new Postgres(new PgEndpoint(ep.info(), ep.toolDirectory(), Objects.requireNonNull(db, "db"), ep.passwordFile()));
    }

    /**
     * Passes the password to pg_dump / pg_restore / psql in a temporary {@code PGPASSFILE}
     * (mode 0600, in a 0700 directory, deleted when the tool ends) instead of {@code PGPASSWORD},
     * for systems where other users may read a process's environment.
     *
     * @return a copy using a password file
     */
    public Postgres passwordFile() {
        return new Postgres(new PgEndpoint(ep.info(), ep.toolDirectory(), ep.maintenanceDatabase(), true));
    }

    /**
     * @param db another database on the same server, same credentials
     * @return an entry point for it
     */
    public Postgres database(String db) {
        return new Postgres(ep.withDatabase(Sql.checkLength(Objects.requireNonNull(db, "db"))));
    }

    /** @return the target database's name */
    public String databaseName() {
        return ep.database();
    }

    /** @return {@code host:port/db as user 'x'}, without the password */
    @Override
    public String toString() {
        return "Postgres[" + ep.where() + "]";
    }

    PgEndpoint endpoint() {
        return ep;
    }

    /**
     * Opens a JDBC connection to the target database, for custom steps. The caller closes it.
     *
     * @return a connection, autocommit on
     * @throws PostgresConnectionException naming the server and the fix, never the password
     */
    public Connection connect() {
        return ep.connect();
    }

    // ---------------------------------------------------------------- steps

    /**
     * A dump with {@code pg_dump}, custom format by default; see {@link DumpStep} for options.
     *
     * @param target the file or directory; relative paths go into the run's folder
     * @return the step
     */
    public DumpStep dump(Path target) {
        return new DumpStep(ep, target, DumpFormat.CUSTOM, 1, false, List.of(), null, false, true);
    }

    /**
     * A plain SQL dump of the schema only, for forensics (seed 000's {@code schema.sql}).
     *
     * @param target the file; relative paths go into the run's folder
     * @return the step
     */
    public DumpStep schemaDump(Path target) {
        return dump(target).format(DumpFormat.PLAIN).schemaOnly();
    }

    /**
     * A restore from a dump; safe (new database, verify, swap) unless {@link RestoreStep#inPlace()}
     * or {@link RestoreStep#tables(String...)}.
     *
     * @param dump a custom, directory or plain dump
     * @return the step
     */
    public RestoreStep restore(Path dump) {
        return new RestoreStep(this, dump);
    }

    /**
     * Swaps in the copy a {@link PreparedRestore} restored and verified while the application
     * served: terminate sessions, measure the data-loss window, rename in, keep the old database.
     * Destructive; see {@link SwapInStep}.
     *
     * <pre>{@code
     * PreparedRestore prepared = pg.restore(backup).prepare();
     * plan.step(prepared).stopApp(app).restore(pg.swapIn(prepared)).startApp(app);
     * }</pre>
     *
     * @param prepared the prepare step of the same database, earlier in the plan
     * @return the step
     * @throws IllegalArgumentException when it prepares another database
     */
    public SwapInStep swapIn(PreparedRestore prepared) {
        Objects.requireNonNull(prepared, "prepared");
        if (!prepared.postgres().databaseName().equals(databaseName()) || !prepared.postgres().endpoint().where().equals(ep.where())) {
            throw new IllegalArgumentException("swapIn(" + prepared.preparedId() + ") on " + ep.where() + ": the copy was prepared for "
                    + prepared.postgres().endpoint().where() + "; swap it in through the Postgres it was prepared with");
        }
        return new SwapInStep(prepared);
    }

    /**
     * A template copy of the database, taken before a risky deploy.
     *
     * @param snapshotName the new database's name
     * @return the step
     */
    public SnapshotStep snapshot(String snapshotName) {
        return new SnapshotStep(ep, snapshotName, false, false, null);
    }

    /**
     * Swaps a snapshot in as the live database, in seconds; the current one is kept under a
     * forensic name.
     *
     * @param snapshotName the snapshot's name
     * @return the step
     */
    public SnapshotRollbackStep rollbackToSnapshot(String snapshotName) {
        return new SnapshotRollbackStep(this, snapshotName, List.of());
    }

    /**
     * Terminates every session on the database but the step's own. Publishes
     * {@code postgres.terminatedSessions}.
     *
     * @return the step
     */
    public Step terminateConnections() {
        return terminate(null, false);
    }

    /**
     * Terminates the sessions of one application ({@code application_name}) on the database.
     *
     * @param applicationName the application's name
     * @return the step
     */
    public Step terminateConnections(String applicationName) {
        return terminate(Objects.requireNonNull(applicationName, "applicationName"), false);
    }

    /**
     * Terminates the sessions whose {@code application_name} matches a LIKE pattern, as seed 000
     * does ({@code application_name LIKE '%nextcrm%'}): an app that names its pool
     * {@code nextcrm-web-1} is caught too.
     *
     * @param likePattern the pattern, with {@code %} and {@code _} as in SQL
     * @return the step
     */
    public Step terminateConnectionsMatching(String likePattern) {
        return terminate(Objects.requireNonNull(likePattern, "likePattern"), true);
    }

    private Step terminate(String app, boolean like) {
        String name = "terminate " + (app == null ? "all sessions" : "sessions of " + app) + " on " + ep.database();
        return DescribedStep.of(name, StepDescription.of(name).param("server", ep.where()).command(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " + Sql.literal(ep.database())
                        + (app == null ? "" : " AND application_name " + (like ? "LIKE " : "= ") + Sql.literal(app)) + " AND pid <> pg_backend_pid()"), ctx -> {
                    try (Connection c = ep.connect()) {
                        int n = DatabaseAdmin.terminate(c, ep.database(), app, like);
                        ctx.output("postgres.terminatedSessions", Integer.toString(n));
                        ctx.progress("terminated " + n + " sessions");
                    } catch (SQLException e) {
                        throw new PostgresOperationException("Terminating sessions on " + ep.where() + " failed: " + e.getMessage()
                                + ". Sessions may remain; the user needs pg_signal_backend or superuser.", e);
                    }
                });
    }

    /**
     * Drops a database on this server ({@code DROP DATABASE IF EXISTS}); destructive. Fails when
     * sessions hold it.
     *
     * @param db the database
     * @return the step
     */
    public Step dropDatabase(String db) {
        Sql.checkLength(db);
        String sql = "DROP DATABASE IF EXISTS " + Sql.ident(db);
        return DescribedStep.of("drop database " + db, StepDescription.of("drop database " + db).param("server", ep.where()).command(sql),
                ctx -> adminSql(sql, "Dropping database '" + db + "'", "Terminate its sessions first (terminateConnections).")).destructive(true);
    }

    /**
     * Creates a database on this server if it does not exist.
     *
     * @param db the database
     * @return the step
     */
    public Step createDatabase(String db) {
        Sql.checkLength(db);
        String sql = "CREATE DATABASE " + Sql.ident(db);
        return DescribedStep.of("create database " + db, StepDescription.of("create database " + db).param("server", ep.where()).command(sql),
                ctx -> {
                    try (Connection m = ep.withDatabase(ep.maintenanceDatabase()).connect()) {
                        if (!DatabaseAdmin.exists(m, db)) {
                            DatabaseAdmin.execute(m, sql);
                        }
                    } catch (SQLException e) {
                        throw new PostgresOperationException("Creating database '" + db + "' failed: " + e.getMessage() + ". Check the user's CREATEDB right.", e);
                    }
                });
    }

    private void adminSql(String sql, String what, String fix) {
        try (Connection m = ep.withDatabase(ep.maintenanceDatabase()).connect()) {
            DatabaseAdmin.execute(m, sql);
        } catch (SQLException e) {
            throw new PostgresOperationException(what + " failed: " + e.getMessage() + ". " + fix, e);
        }
    }

    /**
     * Runs SQL in one transaction (seed 002's drop views / drop indexes / add columns back, down
     * migrations): all statements or none.
     *
     * @param name the step's name
     * @param sql  one or more statements
     * @return the step
     */
    public Step sql(String name, String sql) {
        Objects.requireNonNull(sql, "sql");
        if (sql.isBlank()) {
            throw new IllegalArgumentException("sql step '" + name + "' has no SQL");
        }
        return DescribedStep.of(name, StepDescription.of(name).param("server", ep.where()).command(sql),
                ctx -> runInTransaction(sql, name));
    }

    /**
     * Runs a SQL file in one transaction. The file is read when the step runs; its path is in the description.
     *
     * @param file the script
     * @return the step
     */
    public Step sqlFile(Path file) {
        Objects.requireNonNull(file, "file");
        String name = "run " + file.getFileName() + " on " + ep.database();
        return DescribedStep.of(name, StepDescription.of(name).param("server", ep.where()).param("file", file), ctx -> {
            String sql;
            try {
                sql = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new PostgresOperationException("Cannot read SQL script " + file + ": " + e + ". Nothing was run. Check the path.", e);
            }
            runInTransaction(sql, name);
        });
    }

    private void runInTransaction(String sql, String name) {
        try (Connection c = ep.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(sql);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw new PostgresOperationException("SQL step '" + name + "' failed on " + ep.where() + ": " + e.getMessage()
                        + ". The transaction was rolled back; the database is as before the step. Fix the SQL and run the step again.", e);
            }
        } catch (SQLException e) {
            throw new PostgresOperationException("SQL step '" + name + "' could not run on " + ep.where() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Exports a query's result to CSV with a header, through {@code COPY} in the JDBC driver.
     *
     * @param query one query, no trailing semicolon
     * @param file  the CSV file; relative paths go into the run's folder
     * @return the step
     */
    public CsvExportStep exportCsv(String query, Path file) {
        return new CsvExportStep(ep, query, file, "query");
    }

    /**
     * Exports the first rows of a table to CSV (seed 000's forensic samples).
     *
     * @param table the table, optionally {@code schema.table}
     * @param limit how many rows
     * @param file  the CSV file; relative paths go into the run's folder
     * @return the step
     */
    public CsvExportStep sample(String table, int limit, Path file) {
        if (limit < 1) {
            throw new IllegalArgumentException("sample limit must be at least 1, got " + limit);
        }
        return new CsvExportStep(ep, "SELECT * FROM " + Sql.table(table) + " LIMIT " + limit, file, limit + " rows of " + table);
    }

    /**
     * Records the exact row count of every table to a manifest file.
     *
     * @param file the manifest; relative paths go into the run's folder
     * @return the step
     */
    public Step recordRowCounts(Path file) {
        String name = "record row counts of " + ep.database();
        return DescribedStep.of(name, StepDescription.of(name).param("file", file), ctx -> {
            Path out = file.isAbsolute() ? file : ctx.runDirectory().resolve(file);
            try (Connection c = ep.connect()) {
                new RowCountManifest(Inspect.rowCounts(c)).write(out);
            }
            ctx.output("postgres.rowCounts", out.toString());
        });
    }

    // ---------------------------------------------------------------- checks

    /** @return a check that the database accepts a connection and answers {@code SELECT 1} */
    public Check canConnect() {
        String name = "can connect to " + ep.database();
        return DescribedCheck.of(name, StepDescription.of(name).param("server", ep.where()), ctx -> {
            try (Connection c = ep.connect(); Statement s = c.createStatement()) {
                s.execute("SELECT 1");
                return CheckResult.passed(name, "connected", "a connection");
            } catch (PostgresConnectionException e) {
                return CheckResult.failed(name, "no connection", "a connection", e.getMessage());
            }
        });
    }

    /**
     * The database's size on disk ({@code pg_database_size}), measured and published as
     * {@code postgres.size.<db>} (bytes), so that a later check can ask for room for a second copy
     * before a safe restore or a prepare: {@code DiskSpace.at(dataDir).atLeast(2.0, pg.sizeOutputKey())}.
     * It always passes; it measures.
     *
     * @return the check
     */
    public Check databaseSize() {
        String name = "size of database " + ep.database();
        return DescribedCheck.of(name, StepDescription.of(name).param("server", ep.where())
                .command("SELECT pg_database_size(" + Sql.literal(ep.database()) + ")"), ctx -> {
            long bytes = query(c -> Inspect.databaseSize(c, ep.database()), "measure the size of " + ep.database());
            ctx.output(sizeOutputKey(), Long.toString(bytes));
            return CheckResult.passed(name, bytes + " bytes", "a size");
        });
    }

    /** @return the output {@link #databaseSize()} publishes the size under: {@code postgres.size.<db>} */
    public String sizeOutputKey() {
        return "postgres.size." + ep.database();
    }

    /**
     * @return a check that a {@code pg_dump} and {@code pg_restore} at least as new as the server
     *         are available, naming both versions when not
     */
    public Check toolsMatchServer() {
        String name = "pg_dump and pg_restore match the server of " + ep.database();
        return DescribedCheck.of(name, StepDescription.of(name).param("toolDirectory", ep.toolDirectory() == null ? "PATH, /usr/lib/postgresql/*/bin"
                : ep.toolDirectory()), ctx -> {
            int num = ep.serverVersionNum();
            String server = num / 10000 + "." + num % 10000;
            List<String> found = new ArrayList<>();
            try {
                for (String tool : List.of("pg_dump", "pg_restore")) {
                    PgTools.Tool t = PgTools.resolve(tool, ep.toolDirectory(), num / 10000, server);
                    found.add(tool + " " + t.version() + " (" + t.path() + ")");
                }
            } catch (PgToolException e) {
                return CheckResult.failed(name, e.getMessage(), "major version >= " + num / 10000 + " (server " + server + ")", e.getMessage());
            }
            return CheckResult.passed(name, String.join(", ", found), "major version >= " + num / 10000 + " (server " + server + ")");
        });
    }

    /**
     * @param dump a dump file or directory
     * @return a precheck that it is a complete pg_dump archive or SQL dump, every data block read; see {@link BackupCheck}
     */
    public BackupCheck backupReadable(Path dump) {
        return new BackupCheck(dump, null, true);
    }

    /**
     * @param table table, optionally {@code schema.table}
     * @param rows  the least acceptable row count
     * @return the check
     */
    public Check rowCountAtLeast(String table, long rows) {
        return rowCount(table, rows, false);
    }

    /**
     * @param table table, optionally {@code schema.table}
     * @param rows  the exact row count expected
     * @return the check
     */
    public Check rowCountExactly(String table, long rows) {
        return rowCount(table, rows, true);
    }

    private Check rowCount(String table, long rows, boolean exact) {
        String expected = (exact ? "exactly " : "at least ") + rows + " rows";
        String name = table + " has " + expected;
        return DescribedCheck.of(name, StepDescription.of(name).param("database", ep.database()).command("SELECT count(*) FROM " + Sql.table(table)),
                ctx -> {
                    long n = query(c -> Inspect.count(c, Sql.table(table)), "count rows of " + table);
                    boolean ok = exact ? n == rows : n >= rows;
                    return ok ? CheckResult.passed(name, n + " rows", expected)
                            : CheckResult.failed(name, n + " rows", expected, table + " in " + ep.database() + " has " + n + " rows, expected " + expected);
                });
    }

    /**
     * @param manifestFile a manifest recorded with a dump or snapshot ({@link RowCountManifest})
     * @return a check that every table in it has exactly the recorded row count
     */
    public Check rowCountsMatch(Path manifestFile) {
        String name = "row counts of " + ep.database() + " match " + manifestFile.getFileName();
        return DescribedCheck.of(name, StepDescription.of(name).param("manifest", manifestFile), ctx -> {
            RowCountManifest expected = RowCountManifest.read(manifestFile);
            Map<String, Long> actual = query(Inspect::rowCounts, "count rows of every table");
            List<String> diffs = new ArrayList<>();
            for (Map.Entry<String, Long> e : expected.counts().entrySet()) {
                Long a = actual.get(e.getKey());
                if (a == null) {
                    diffs.add(e.getKey() + " missing");
                } else if (!a.equals(e.getValue())) {
                    diffs.add(e.getKey() + " " + a + " != " + e.getValue());
                }
            }
            String exp = expected.counts().size() + " tables, " + expected.totalRows() + " rows";
            if (diffs.isEmpty()) {
                return CheckResult.passed(name, exp, exp);
            }
            return CheckResult.failed(name, diffs.size() + " tables differ: " + String.join(", ", diffs), exp,
                    "Row counts differ from the manifest " + manifestFile + ": " + String.join(", ", diffs));
        });
    }

    /**
     * A check that no foreign key has orphans: for each constraint, the rows whose key matches no
     * referenced row (possible after NOT VALID constraints, disabled triggers or a partial
     * restore). Publishes {@code postgres.fk.orphans}.
     *
     * @return the check
     */
    public Check foreignKeysValid() {
        String name = "foreign keys of " + ep.database() + " have no orphans";
        return DescribedCheck.of(name, StepDescription.of(name), ctx -> {
            List<Inspect.FkOrphans> all = query(Inspect::foreignKeyOrphans, "count foreign-key orphans");
            List<String> bad = new ArrayList<>();
            long total = 0;
            for (Inspect.FkOrphans o : all) {
                if (o.orphans() > 0) {
                    bad.add(o.constraint() + " on " + o.table() + " -> " + o.references() + ": " + o.orphans() + " orphans");
                    total += o.orphans();
                }
            }
            ctx.output("postgres.fk.orphans", Long.toString(total));
            if (bad.isEmpty()) {
                return CheckResult.passed(name, "0 orphans in " + all.size() + " foreign keys", "0 orphans");
            }
            return CheckResult.failed(name, total + " orphans: " + String.join("; ", bad), "0 orphans",
                    "Orphaned rows found: " + String.join("; ", bad) + ". Delete or fix them, or restore the referenced tables too.");
        });
    }

    /**
     * @param table   table, optionally {@code schema.table}
     * @param columns columns that must exist
     * @return the check
     */
    public Check columnsExist(String table, String... columns) {
        List<String> wanted = List.of(columns);
        String name = table + " has columns " + String.join(", ", wanted);
        return DescribedCheck.of(name, StepDescription.of(name).param("database", ep.database()), ctx -> {
            List<String> have = query(c -> Inspect.columns(c, table), "read columns of " + table);
            List<String> missing = wanted.stream().filter(w -> !have.contains(w)).toList();
            if (missing.isEmpty()) {
                return CheckResult.passed(name, "all present", wanted);
            }
            return CheckResult.failed(name, "missing " + missing, wanted, have.isEmpty() ? "table " + table + " does not exist"
                    : table + " lacks columns " + missing);
        });
    }

    /**
     * @param expected the exact number of views in user schemas (seed 002 expects 0 after dropping them)
     * @return the check
     */
    public Check viewCount(long expected) {
        String name = ep.database() + " has " + expected + " views";
        return DescribedCheck.of(name, StepDescription.of(name), ctx -> {
            List<String> views = query(Inspect::views, "list views");
            return views.size() == expected ? CheckResult.passed(name, views.size(), expected)
                    : CheckResult.failed(name, views.size() + " " + views, expected, "expected " + expected + " views, found " + views.size() + ": " + views);
        });
    }

    /**
     * @param names indexes that must exist (unqualified names)
     * @return the check
     */
    public Check indexesExist(String... names) {
        List<String> wanted = List.of(names);
        String name = ep.database() + " has indexes " + String.join(", ", wanted);
        return DescribedCheck.of(name, StepDescription.of(name), ctx -> {
            List<String> have = query(Inspect::indexes, "list indexes");
            List<String> missing = wanted.stream().filter(w -> !have.contains(w)).toList();
            return missing.isEmpty() ? CheckResult.passed(name, "all present", wanted)
                    : CheckResult.failed(name, "missing " + missing, wanted, "indexes missing: " + missing);
        });
    }

    /**
     * Seed 002's "quick rollback - indexes only" verified: the indexes are gone.
     *
     * @param names index names
     * @return a check that none of them exists
     */
    public Check indexesAbsent(String... names) {
        List<String> unwanted = List.of(names);
        String name = ep.database() + " has none of the indexes " + String.join(", ", unwanted);
        return DescribedCheck.of(name, StepDescription.of(name), ctx -> {
            List<String> have = query(Inspect::indexes, "list indexes");
            List<String> left = unwanted.stream().filter(have::contains).toList();
            return left.isEmpty() ? CheckResult.passed(name, "none present", "none of " + unwanted)
                    : CheckResult.failed(name, "present " + left, "none of " + unwanted, "indexes still there: " + left);
        });
    }

    /**
     * @param names view names, {@code view} (in any schema) or {@code schema.view}
     * @return a check that every one of them exists (a migration re-run created them)
     */
    public Check viewsExist(String... names) {
        List<String> wanted = List.of(names);
        String name = ep.database() + " has views " + String.join(", ", wanted);
        return DescribedCheck.of(name, StepDescription.of(name), ctx -> {
            List<String> have = query(Inspect::views, "list views");
            List<String> missing = wanted.stream().filter(w -> have.stream().noneMatch(h -> h.equals(w) || h.endsWith("." + w))).toList();
            return missing.isEmpty() ? CheckResult.passed(name, "all present", wanted)
                    : CheckResult.failed(name, "missing " + missing, wanted, "views missing: " + missing);
        });
    }

    /**
     * @param applicationName the application's {@code application_name}
     * @return a check that it has no session on the database (it was stopped)
     */
    public Check noSessionsFrom(String applicationName) {
        return noSessions(Objects.requireNonNull(applicationName, "applicationName"), false);
    }

    /**
     * Seed 000's "verify no PostgreSQL connection attempts" after the app went back to MongoDB.
     *
     * @param likePattern an {@code application_name} LIKE pattern, such as {@code %nextcrm%}
     * @return a check that no session whose application name matches it is on the database
     */
    public Check noSessionsMatching(String likePattern) {
        return noSessions(Objects.requireNonNull(likePattern, "likePattern"), true);
    }

    private Check noSessions(String applicationName, boolean like) {
        String name = "no sessions from " + applicationName + " on " + ep.database();
        return DescribedCheck.of(name, StepDescription.of(name).command("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                + Sql.literal(ep.database()) + " AND application_name " + (like ? "LIKE " : "= ") + Sql.literal(applicationName)), ctx -> {
            List<DatabaseAdmin.Session> s = query(c -> DatabaseAdmin.sessions(c, ep.database(), applicationName, like), "list sessions");
            return s.isEmpty() ? CheckResult.passed(name, "0 sessions", "0 sessions")
                    : CheckResult.failed(name, s.size() + " sessions", "0 sessions", applicationName + " still has " + s.size()
                    + " sessions on " + ep.database() + "; stop it or terminate them");
        });
    }

    /**
     * The data-loss window: rows created after an instant, per table; see {@link DataLossWindowCheck}.
     *
     * @param since  the instant (backup time, migration start)
     * @param column the creation timestamp column, the same in every table
     * @param tables the tables
     * @return the check
     */
    public DataLossWindowCheck rowsCreatedAfter(Instant since, String column, String... tables) {
        return new DataLossWindowCheck(ep, since, column, Arrays.asList(tables), -1);
    }

    private interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }

    private <T> T query(SqlFunction<T> f, String what) {
        try (Connection c = ep.connect()) {
            return f.apply(c);
        } catch (SQLException e) {
            throw new PostgresOperationException("Could not " + what + " in " + ep.where() + ": " + e.getMessage(), e);
        }
    }

    /** @return the PGPASSWORD-free connection arguments the tools get, for tests and dry runs */
    List<String> toolConnectionArgs() {
        return PgCommands.connectionArgs(ep, ep.database());
    }
}
