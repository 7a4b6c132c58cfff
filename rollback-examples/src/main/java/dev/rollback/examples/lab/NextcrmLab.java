package dev.rollback.examples.lab;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import dev.rollback.core.Rollback;
import dev.rollback.core.RunReport;
import dev.rollback.examples.seeds.Seed000NextcrmBackToMongo;
import dev.rollback.examples.seeds.Targets;
import dev.rollback.mongo.Mongo;
import dev.rollback.test.StandIns;
import org.bson.Document;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seed 000's world, for real, in a {@link Lab}: NextCRM ran on MongoDB, nightly backups in
 * mongodump's format under {@code backups/production-<date>/mongodb-backup/nextcrm}; then the
 * migration to PostgreSQL went live (with a bad change, and new rows written since the backup),
 * the app runs against PostgreSQL, and its deployed checkout is at the bad release.
 */
public final class NextcrmLab {
    /** The collections of the NextCRM database. */
    public static final List<String> COLLECTIONS = List.of("Users", "crm_Accounts", "crm_Contacts", "crm_Opportunities",
            "crm_Leads", "crm_Tasks");
    /** When the last good backup was taken. */
    public static final Instant BACKUP_TAKEN_AT = Instant.parse("2026-11-24T02:00:00Z");
    /** The runbook's two hours of monitoring, in seconds for drills and the demo. */
    public static final Duration MONITOR_WINDOW = Duration.ofSeconds(2);
    /** The runbook's {@code watch -n 30}, scaled like the window. */
    public static final Duration MONITOR_INTERVAL = Duration.ofMillis(250);

    private NextcrmLab() {
    }

    /** The sign-in smoke test's user. */
    public static final String TEST_USER = "test@nextcrm.example";
    /** Its password (a secret: the drill passes it through the environment). */
    public static final String TEST_PASSWORD = "Lab-signin-pw-4e7a";
    /** The API token the lab app accepts. */
    public static final String TEST_TOKEN = "lab-token-91c2";

    /**
     * What was set up.
     *
     * @param settings     the settings a seed-000 plan needs for this lab
     * @param backupCounts documents per collection in the latest backup
     * @param lostRows     rows written to PostgreSQL after the backup
     * @param toolsPath    the stand-ins' folders (systemctl, ssh, npx, npm), for TOOLS_PATH
     * @param env          the environment a seed-000 run needs here (its secrets)
     * @param settingsArgs {@code --set} arguments for this lab
     */
    public record Setup(Seed000NextcrmBackToMongo.Settings settings, Map<String, Long> backupCounts, long lostRows, String toolsPath,
                        Map<String, String> env, List<String> settingsArgs) {
    }

    /**
     * @param lab   the lab
     * @param scale documents per collection, roughly
     * @return what was set up
     */
    public static Setup prepare(Lab lab, int scale) {
        try {
            Path backups = lab.work().resolve("backups");
            Map<String, Long> counts = fillMongo(lab, scale / 2);
            backup(lab, backups.resolve("production-2026-11-20"), Instant.parse("2026-11-20T02:00:00Z"));
            counts = fillMongo(lab, scale);
            backup(lab, backups.resolve("production-2026-11-24"), BACKUP_TAKEN_AT);
            driftLiveMongo(lab);
            long lost = migrateToPostgres(lab, scale);
            Map<String, String> releases = new LinkedHashMap<>();   // tag -> database, in release order
            releases.put("v1.3.0", "mongodb");
            releases.put("v1.4.0", "mongodb");
            releases.put("v2.0.0", "postgresql");
            LabGit.releases(lab.deployDirectory(), releases);
            Path statusPage = Files.createDirectories(lab.work().resolve("www/status-page")).resolve("message.txt");
            Path tools = tools(lab);
            String health = lab.healthUrl(StandIns.systemd("nextcrm"));
            breakAgain(lab);
            List<Path> toolsPath = new ArrayList<>(List.of(tools));
            toolsPath.addAll(lab.standIns().searchPath());
            Seed000NextcrmBackToMongo.Settings settings = new Seed000NextcrmBackToMongo.Settings(Seed000NextcrmBackToMongo.Scenario.AFTER_MIGRATION,
                    lab.postgres().databaseUrl("nextcrm"), lab.mongo().uri() + "/nextcrm", backups, COLLECTIONS.size(), "nextcrm",
                    Seed000NextcrmBackToMongo.AppControlKind.SYSTEMD, Path.of("docker-compose.yml"), List.of("localhost"), health, lab.appUrl(), lab.envFile(), lab.deployDirectory(), null, "v*",
                    List.of("npx", "prisma", "generate"), List.of("npm", "run", "build"), List.of(".next/cache"), null, null, statusPage,
                    "%nextcrm%", Map.of("crm_Accounts", "{}", "Users", "{}", "crm_Opportunities", "{}"), TEST_USER, TEST_PASSWORD, TEST_TOKEN,
                    List.of("/api/crm/accounts?take=10", "/api/crm/opportunity?take=10", "/api/reports/dashboard"), "/api/crm/accounts/{}",
                    List.of("users", "crm_accounts", "crm_contacts", "crm_opportunities"), "created_at",
                    List.of("crm_accounts", "crm_contacts", "crm_opportunities"), 99, null,
                    lab.work().resolve("logs/postgresql.log"), lab.work().resolve("logs/application.log"), lab.work(), null, true,
                    Targets.RestoreOrder.PREPARE_FIRST, null, null, BACKUP_TAKEN_AT, toolsPath,
                    Duration.ofMillis(300), Targets.postgresToolsInstalled(),
                    new Targets.Watch(MONITOR_WINDOW, MONITOR_INTERVAL, 2), false);
            Files.createDirectories(lab.work().resolve("logs"));
            Files.writeString(lab.work().resolve("logs/postgresql.log"), "2026-11-25 03:01:12 UTC ERROR: null value in column \"annual_revenue\"\n");
            String toolsArg = String.join(File.pathSeparator, toolsPath.stream().map(Path::toString).toList());
            Map<String, String> env = Map.of("PRODUCTION_POSTGRESQL_URL", settings.postgresUrl(), "PRODUCTION_MONGODB_URL", settings.mongoUrl(),
                    "TEST_USER_PASSWORD", TEST_PASSWORD, "TEST_TOKEN", TEST_TOKEN);
            List<String> args = List.of("--set", "BACKUP_ROOT=" + backups, "--set", "MIN_COLLECTIONS=" + COLLECTIONS.size(),
                    "--set", "HEALTH_URL=" + health, "--set", "ENV_FILE=" + lab.envFile(), "--set", "DEPLOY_DIR=" + lab.deployDirectory(),
                    "--set", "STATUS_PAGE_FILE=" + statusPage, "--set", "BACKUP_TAKEN_AT=" + BACKUP_TAKEN_AT, "--set", "TOOLS_PATH=" + toolsArg,
                    "--set", "HEALTH_RETRY_DELAY=PT0.3S", "--set", "TEST_USER_EMAIL=" + TEST_USER,
                    "--set", "POSTGRES_LOG=" + settings.postgresLog(), "--set", "APP_LOG=" + settings.appLog(),
                    "--set", "MONGO_DATA_DIR=" + lab.work(), "--set", "MONITOR_WINDOW=" + MONITOR_WINDOW,
                    "--set", "MONITOR_INTERVAL=" + MONITOR_INTERVAL);
            return new Setup(settings, counts, lost, toolsArg, env, args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not set up the lab's PostgreSQL: " + e.getMessage(), e);
        }
    }

    /**
     * Puts the world back in its broken state after a drill rolled it back: the env file names
     * PostgreSQL, the checkout is at the bad release v2.0.0 with its build output and a stale
     * cache, and the app runs (on PostgreSQL). MongoDB and PostgreSQL keep what they hold.
     *
     * @param lab the lab
     */
    public static void breakAgain(Lab lab) {
        try {
            Files.writeString(lab.envFile(), "# NextCRM production\nNODE_ENV=production\nDATABASE_URL=\""
                    + lab.postgres().databaseUrl("nextcrm") + "\"\nNEXTAUTH_URL=https://crm.example.com\n"
                    + "LAB_SIGNIN=" + TEST_USER + ":" + TEST_PASSWORD + "\nLAB_TOKEN=" + TEST_TOKEN + "\n");
            try (Git git = Git.open(lab.deployDirectory().toFile())) {
                git.checkout().setName("main").call();
            } catch (GitAPIException e) {
                throw new IllegalStateException("could not check the lab's bad release out again: " + e.getMessage(), e);
            }
            Path cache = Files.createDirectories(lab.deployDirectory().resolve(".next/cache/webpack"));
            Files.writeString(cache.resolve("postgresql-build.pack"), "stale cache of the PostgreSQL release\n");
            Path client = Files.createDirectories(lab.deployDirectory().resolve("node_modules/.prisma/client"));
            Files.writeString(client.resolve("index.d.ts"), "// generated for provider postgresql\n");
            String key = StandIns.systemd("nextcrm");
            if (lab.standIns().isRunning(key)) {
                lab.runTool("systemctl", "stop", "nextcrm");
            }
            lab.runTool("systemctl", "start", "nextcrm");
            Lab.awaitHealthy(lab.healthUrl(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes MongoDB hold exactly the latest backup's documents again (as before the migration), for
     * a rollback during the migration, when MongoDB was never touched.
     *
     * @param lab   the lab
     * @param scale as given to {@link #prepare(Lab, int)}
     * @return documents per collection
     */
    public static Map<String, Long> mongoAsBackedUp(Lab lab, int scale) {
        return fillMongo(lab, scale);
    }

    /**
     * The npx and npm the plan runs, as small scripts in {@code tools/}: {@code npx prisma generate}
     * writes a client for the provider in the checkout's {@code config/database.txt} (and fails without
     * {@code DATABASE_URL} in its environment); {@code npm run build} copies {@code VERSION} into
     * {@code .next/BUILD_ID}. Each records its arguments in {@code tools/<tool>.log}.
     */
    private static Path tools(Lab lab) throws IOException {
        Path tools = Files.createDirectories(lab.work().resolve("tools"));
        script(tools.resolve("npx"), "echo \"npx $*\" >> \"$(dirname \"$0\")/npx.log\"\n"
                + "[ \"$1 $2\" = \"prisma generate\" ] || { echo \"unsupported: npx $*\" >&2; exit 1; }\n"
                + "[ -n \"$DATABASE_URL\" ] || { echo 'DATABASE_URL is not set' >&2; exit 1; }\n"
                + "mkdir -p node_modules/.prisma/client\n"
                + "provider=$(cut -d'\"' -f2 config/database.txt)\n"
                + "echo \"// generated for provider $provider\" > node_modules/.prisma/client/index.d.ts\n");
        script(tools.resolve("npm"), "echo \"npm $*\" >> \"$(dirname \"$0\")/npm.log\"\n"
                + "[ \"$1 $2\" = \"run build\" ] || { echo \"unsupported: npm $*\" >&2; exit 1; }\n"
                + "mkdir -p .next/cache && cp VERSION .next/BUILD_ID\n");
        return tools;
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\nset -e\n" + body);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Map<String, Long> fillMongo(Lab lab, int scale) {
        Random random = new Random(42);
        Map<String, Long> counts = new LinkedHashMap<>();
        try (MongoClient client = lab.mongo().client()) {
            MongoDatabase db = client.getDatabase("nextcrm");
            db.drop();
            for (String name : COLLECTIONS) {
                MongoCollection<Document> c = db.getCollection(name);
                int n = name.equals("Users") ? Math.max(10, scale / 20) : scale;
                List<Document> batch = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    batch.add(document(name, i, random));
                    if (batch.size() == 1000) {
                        c.insertMany(batch);
                        batch.clear();
                    }
                }
                if (!batch.isEmpty()) {
                    c.insertMany(batch);
                }
                if (name.equals("Users")) {
                    c.createIndex(Indexes.ascending("email"), new IndexOptions().unique(true).name("email_1"));
                } else {
                    c.createIndex(Indexes.ascending("accountId"), new IndexOptions().name("accountId_1"));
                }
                counts.put(name, c.countDocuments());
            }
        }
        return counts;
    }

    private static Document document(String collection, int i, Random random) {
        Document d = new Document("_id", new ObjectId()).append("createdAt", java.util.Date.from(BACKUP_TAKEN_AT.minus(Duration.ofHours(i % 5000))));
        if (collection.equals("Users")) {
            return d.append("email", i == 0 ? "admin@nextcrm.example" : "user" + i + "@nextcrm.example").append("name", "User " + i)
                    .append("roles", List.of(i == 0 ? "admin" : "member"));
        }
        return d.append("accountId", "acct-" + (i % 500)).append("name", collection + " " + i)
                .append("amount", new Decimal128(BigDecimal.valueOf(random.nextInt(1_000_000), 2)))
                .append("address", new Document("city", "City " + (i % 40)).append("zip", String.format("%05d", i % 99999)))
                .append("tags", List.of("t" + (i % 7), "t" + (i % 11)));
    }

    /** Takes a backup the way the nightly job would, with the library's own mongodump-format dump. */
    private static void backup(Lab lab, Path folder, Instant takenAt) throws IOException {
        Path target = Files.createDirectories(folder.resolve("mongodb-backup"));
        RunReport r = Rollback.runner().run(Rollback.plan("nightly-backup")
                .capture(Mongo.at(lab.mongo().uri()).database("nextcrm").dump().to(target).gzip()).build());
        if (!r.isSuccess()) {
            throw new IllegalStateException("the lab's nightly backup failed: " + r.failure().message());
        }
        Files.setLastModifiedTime(folder, FileTime.from(takenAt));
    }

    /** After the migration nobody kept MongoDB current: a cleanup job dropped a collection and some leads. */
    private static void driftLiveMongo(Lab lab) {
        try (MongoClient client = lab.mongo().client()) {
            MongoDatabase db = client.getDatabase("nextcrm");
            db.getCollection("crm_Tasks").drop();
            db.getCollection("crm_Leads").deleteMany(new Document("accountId", new Document("$in", List.of("acct-1", "acct-2", "acct-3"))));
        }
    }

    /** The migration: the same data in PostgreSQL, a bad change, and rows written since the backup. */
    private static long migrateToPostgres(Lab lab, int scale) throws SQLException {
        LabPostgres pg = lab.postgres();
        pg.recreateDatabase("nextcrm");
        pg.execute("nextcrm", """
                CREATE TABLE users (id bigserial PRIMARY KEY, email text UNIQUE NOT NULL, created_at timestamptz NOT NULL);
                CREATE TABLE crm_accounts (id bigserial PRIMARY KEY, name text NOT NULL, annual_revenue numeric(12,2),
                    created_at timestamptz NOT NULL);
                CREATE TABLE crm_contacts (id bigserial PRIMARY KEY, account_id bigint REFERENCES crm_accounts(id), email text,
                    created_at timestamptz NOT NULL);
                CREATE TABLE crm_opportunities (id bigserial PRIMARY KEY, account_id bigint REFERENCES crm_accounts(id),
                    amount numeric(12,2), created_at timestamptz NOT NULL);
                CREATE INDEX crm_contacts_account_idx ON crm_contacts(account_id);
                """);
        String before = "timestamptz '" + BACKUP_TAKEN_AT + "' - (g % 5000) * interval '1 hour'";
        pg.execute("nextcrm", "INSERT INTO users (email, created_at) SELECT 'user' || g || '@nextcrm.example', " + before
                + " FROM generate_series(1, " + Math.max(10, scale / 20) + ") g");
        pg.execute("nextcrm", "INSERT INTO crm_accounts (name, annual_revenue, created_at) SELECT 'Account ' || g, g * 10, " + before
                + " FROM generate_series(1, " + scale + ") g");
        pg.execute("nextcrm", "INSERT INTO crm_contacts (account_id, email, created_at) SELECT 1 + g % " + scale + ", 'c' || g || '@x.example', "
                + before + " FROM generate_series(1, " + scale + ") g");
        pg.execute("nextcrm", "INSERT INTO crm_opportunities (account_id, amount, created_at) SELECT 1 + g % " + scale + ", g, " + before
                + " FROM generate_series(1, " + scale + ") g");
        // written on PostgreSQL after the last MongoDB backup: what the rollback will lose
        pg.execute("nextcrm", "INSERT INTO crm_accounts (name, created_at) SELECT 'New account ' || g, now() FROM generate_series(1, 37) g;"
                + "INSERT INTO crm_contacts (account_id, email, created_at) SELECT 1, 'new' || g || '@x.example', now() FROM generate_series(1, 100) g");
        // the bad migration step
        pg.execute("nextcrm", "UPDATE crm_accounts SET annual_revenue = NULL");
        return 37 + 100;
    }

}
