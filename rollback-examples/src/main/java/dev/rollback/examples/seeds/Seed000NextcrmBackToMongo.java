package dev.rollback.examples.seeds;

import dev.rollback.core.AppControl;
import dev.rollback.core.ApprovalPolicy;
import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Durations;
import dev.rollback.core.FailurePolicy;
import dev.rollback.core.Notifier;
import dev.rollback.core.PhaseBuilder;
import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Retry;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Secret;
import dev.rollback.core.StepOptions;
import dev.rollback.cli.RollbackProgram;
import dev.rollback.cli.Setting;
import dev.rollback.core.cli.CommandLineOptions;
import dev.rollback.core.cli.UsageException;
import dev.rollback.core.decision.DecisionTable;
import dev.rollback.core.decision.MonitoringFailedException;
import dev.rollback.examples.decisions.SeedDecisionTables;
import dev.rollback.examples.seeds.Targets.RestoreOrder;
import dev.rollback.git.Git;
import dev.rollback.git.PreviousStableTagStep;
import dev.rollback.git.Revision;
import dev.rollback.mongo.Mongo;
import dev.rollback.mongo.MongoBackup;
import dev.rollback.mongo.MongoDb;
import dev.rollback.mongo.MongoPrepare;
import dev.rollback.mongo.MongoSwapIn;
import dev.rollback.postgres.DataLossWindowCheck;
import dev.rollback.postgres.DumpFormat;
import dev.rollback.postgres.Postgres;
import dev.rollback.process.Command;
import dev.rollback.process.DiskSpace;
import dev.rollback.process.EnvFile;
import dev.rollback.process.DockerCompose;
import dev.rollback.process.Fleet;
import dev.rollback.process.HostAppControl;
import dev.rollback.process.Http;
import dev.rollback.process.HttpCheck;
import dev.rollback.process.Kubernetes;
import dev.rollback.process.Pm2;
import dev.rollback.process.Ssh;
import dev.rollback.process.StatusPage;
import dev.rollback.process.Systemd;
import dev.rollback.redis.Redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Seed 000: return NextCRM from its PostgreSQL migration to the last good MongoDB backup, phase by
 * phase as the runbook does, for each of its scenarios ({@code SCENARIO}):
 * <ul>
 *   <li>{@code after-migration} (the standard procedure): prechecks on the backup, forensics of
 *       PostgreSQL, stop the app and its sessions, restore MongoDB (into new collections, verified,
 *       then swapped in), switch {@code DATABASE_URL} back, check out the last MongoDB release,
 *       {@code npx prisma generate}, rebuild, clear the caches, start, health and smoke checks
 *       (sign-in included), the data-loss window, notifications;</li>
 *   <li>{@code during-migration} (scenario 1): MongoDB was never touched, so it is <em>not</em>
 *       restored: stop the migration, check that MongoDB still holds the backup, point the app back
 *       at MongoDB; PostgreSQL is left for the investigation; no data is lost;</li>
 *   <li>{@code partial-deployment} (scenario 3): the standard procedure, with <em>every</em> app
 *       server of {@code APP_SERVERS} stopped (and started) through an ssh fleet;</li>
 *   <li>{@code extended-operation} (scenario 4): the standard procedure, but the rows PostgreSQL took
 *       since the backup are decided by the runbook's thresholds first (under 100: acceptable;
 *       100 to 1000: "try to fix forward first"; over 1000: "avoid rollback"), so a run that would
 *       lose more than {@code ACCEPTED_DATA_LOSS} rows stops before anything changes; the rows of
 *       the key tables are dumped ({@code pg_dump --data-only}) for the manual migration back.</li>
 * </ul>
 * Scenario 2 (validation failed before the app was deployed) needs no plan: nothing was switched.
 *
 * <p>By default ({@code RESTORE_ORDER=prepare-first}) the backup is loaded into new collections and
 * verified while NextCRM still serves; the app is stopped only for the swap, so the downtime does not
 * grow with the data. {@code RESTORE_ORDER=stop-first} keeps the runbook's order. The runbook's
 * decision rules are {@link #triggers()}.
 *
 * <p>{@code APP_CONTROL} picks the runbook's phase 2 option: systemd (default), pm2, compose or kubernetes.
 *
 * <p>Phase 6 ends with the runbook's two hours of monitoring ({@code MONITOR_WINDOW}, seconds in the
 * drills): the health endpoint, answering 200 with {@code "database": "mongodb"}, polled every
 * {@code MONITOR_INTERVAL} (30 s, as the runbook's {@code watch -n 30}); {@code MONITOR_FAIL_AFTER}
 * failures in a row fail the run and tell the team. A resume after a crash watches the rest of the window.
 *
 * <p>Settings (flags {@code --set NAME=VALUE} or environment variables, named as in the runbook):
 * {@link #SETTINGS}; {@code --help} lists them with their defaults.
 */
public final class Seed000NextcrmBackToMongo {
    /** The plan's name. */
    public static final String PLAN = "nextcrm-back-to-mongo";
    /** The runbook's "Monitor closely for 2 hours" after the rollback: the default of {@code MONITOR_WINDOW}. */
    public static final String MONITOR_WINDOW = "PT2H";
    /**
     * The runbook's "Rollback Authority": "Must approve: Migration Lead + Database Administrator, or
     * CTO/Technical Director". Each destructive step asks for it up front ({@code --approve NAME:ROLE},
     * repeated); the operator may not approve their own run.
     */
    public static final ApprovalPolicy APPROVALS = ApprovalPolicy.roles("Migration Lead", "DBA").or(ApprovalPolicy.roles("CTO"));

    private Seed000NextcrmBackToMongo() {
    }

    /** The runbook's scenarios. */
    public enum Scenario {
        /** The standard procedure: after the migration went live. */
        AFTER_MIGRATION,
        /** Scenario 1: the migration is still running; MongoDB is intact. */
        DURING_MIGRATION,
        /** Scenario 3: some servers switched; every server is stopped. */
        PARTIAL_DEPLOYMENT,
        /** Scenario 4: PostgreSQL ran for a while; the data loss is decided first. */
        EXTENDED_OPERATION
    }

    /** How the app is stopped and started (phase 2, step 1: options A to D). */
    public enum AppControlKind {
        /** Option A: {@code systemctl stop APP_UNIT}. */
        SYSTEMD,
        /** Option B: {@code pm2 stop APP_UNIT} ({@code all} as in the runbook). */
        PM2,
        /** Option C: {@code docker compose -f COMPOSE_FILE stop}. */
        COMPOSE,
        /** Option D: {@code kubectl scale deployment APP_UNIT --replicas=0}, back to the count found. */
        KUBERNETES
    }

    /** The settings this program reads, for --help, typo suggestions and value checks ({@code RollbackProgram}). */
    public static final List<Setting> SETTINGS = List.of(
            Setting.choice("SCENARIO", "after-migration (the standard procedure), during-migration (scenario 1: no restore), "
                    + "partial-deployment (scenario 3: every server in APP_SERVERS stopped) or extended-operation (scenario 4: "
                    + "the data loss decided first)", Scenario.class).defaultValue("after-migration"),
            Targets.HEALTH_URL,
            Setting.text("APP_URL", "the app's base URL, for smoke tests (default: HEALTH_URL without /api/health)"),
            Setting.text("PRODUCTION_POSTGRESQL_URL", "the PostgreSQL database the app runs on now (forensics, data-loss window)").secret().required(),
            Setting.text("PRODUCTION_MONGODB_URL", "the MongoDB server to restore into").secret().required(),
            Setting.path("BACKUP_ROOT", "the folder that holds the backups").defaultValue("/backups"),
            Setting.integer("MIN_COLLECTIONS", "collections the backup must hold").defaultValue("26"),
            Setting.text("APP_UNIT", "the app's systemd unit").defaultValue("nextcrm"),
            Setting.choice("APP_CONTROL", "how the app is stopped and started (APP_UNIT names the unit, pm2 app or deployment)",
                    AppControlKind.class).defaultValue("systemd"),
            Setting.path("COMPOSE_FILE", "with APP_CONTROL=compose: the compose file").defaultValue("docker-compose.yml"),
            Setting.text("APP_SERVERS", "the app servers (comma-separated; localhost runs locally, others through ssh)").defaultValue("localhost"),
            Setting.path("ENV_FILE", "the app's env file").defaultValue(".env.production"),
            Targets.DEPLOY_DIR,
            Setting.text("RELEASE_TAG", "the MongoDB release to check out (default: the newest RELEASE_TAG_PATTERN tag below HEAD)"),
            Setting.text("RELEASE_TAG_PATTERN", "the tags of releases").defaultValue("v*"),
            Setting.text("PRISMA_GENERATE_COMMAND", "regenerates the Prisma client for MongoDB").defaultValue("npx prisma generate"),
            Setting.text("BUILD_COMMAND", "rebuilds the app for the release checked out").defaultValue("npm run build"),
            Setting.text("CACHE_DIRS", "cache folders to empty, below DEPLOY_DIR (comma-separated)").defaultValue(".next/cache"),
            Setting.text("REDIS_URL", "a Redis whose cache is flushed after a snapshot (redis://host:6379/0; none by default)"),
            Setting.text("REDIS_PASSWORD", "the Redis password").secret(),
            Setting.path("STATUS_PAGE_FILE", "the status page's message file").defaultValue("/var/www/status-page/message.txt"),
            Setting.text("SESSION_FILTER", "application_name LIKE pattern of the app's PostgreSQL sessions").defaultValue("%nextcrm%"),
            Setting.text("SPOT_CHECKS", "collections that must hold a document after the restore: COLLECTION or COLLECTION={json filter}, "
                    + "separated by ;").defaultValue("crm_Accounts;Users;crm_Opportunities"),
            Setting.text("TEST_USER_EMAIL", "the test user of the sign-in smoke test").defaultValue("test@example.com"),
            Setting.text("TEST_USER_PASSWORD", "the test user's password (without it the sign-in smoke test is left out)").secret(),
            Setting.text("TEST_TOKEN", "the API token of the smoke tests (Authorization: Bearer)").secret(),
            Setting.text("SMOKE_PATHS", "API paths the smoke tests GET with the token (comma-separated)")
                    .defaultValue("/api/crm/accounts?take=10,/api/crm/opportunity?take=10,/api/reports/dashboard"),
            Setting.text("ACCOUNT_DETAIL_PATH", "an account's page, {} for its id, opened for the first account of the list "
                    + "(empty to leave it out)").defaultValue("/api/crm/accounts/{}"),
            Setting.text("DATA_LOSS_TABLES", "PostgreSQL tables whose rows since the backup are counted as lost (comma-separated)")
                    .defaultValue("users,crm_accounts,crm_contacts,crm_opportunities"),
            Setting.text("DATA_LOSS_COLUMN", "their creation-time column").defaultValue("created_at"),
            Setting.text("RECENT_DATA_TABLES", "tables whose rows are dumped with pg_dump --data-only for the manual migration back "
                    + "(comma-separated)").defaultValue("crm_accounts,crm_contacts,crm_opportunities"),
            Setting.integer("ACCEPTED_DATA_LOSS", "with extended-operation: the most rows the team accepts to lose (the runbook: under 100 is "
                    + "acceptable, 100-1000 try to fix forward first, over 1000 avoid rollback)").defaultValue("99"),
            Setting.text("MIGRATION_STOP_COMMAND", "with during-migration: the command that stops the migration "
                    + "(for example 'systemctl stop nextcrm-migration')"),
            Setting.path("POSTGRES_LOG", "PostgreSQL's log, copied to the forensics").defaultValue("/var/log/postgresql/postgresql-16-main.log"),
            Setting.path("APP_LOG", "the app's log, copied to the forensics").defaultValue("/var/log/nextcrm/application.log"),
            Setting.path("MONGO_DATA_DIR", "MongoDB's data folder, whose disk must hold the restore beside the live data").defaultValue("/var/lib/mongodb"),
            Setting.text("MONGO_HOST_SSH", "ssh destination of the MongoDB server for the free-space check (default: this machine)"),
            Targets.FREE_SPACE_CHECK,
            Targets.RESTORE_ORDER,
            Targets.SLACK_WEBHOOK_URL,
            Targets.USERS_WEBHOOK_URL,
            Setting.instant("BACKUP_TAKEN_AT", "when the backup was taken, for the data-loss window (default: the backup folder's time)"),
            Targets.TOOLS_PATH,
            Targets.HEALTH_RETRY_DELAY,
            Targets.monitorWindow(MONITOR_WINDOW),
            Targets.MONITOR_INTERVAL,
            Targets.MONITOR_FAIL_AFTER);

    /**
     * What the plan needs to know about the installation.
     *
     * @param scenario          the runbook's scenario
     * @param postgresUrl       {@code PRODUCTION_POSTGRESQL_URL}
     * @param mongoUrl          {@code PRODUCTION_MONGODB_URL}
     * @param backupRoot        where the nightly backups are
     * @param minCollections    collections a complete backup has
     * @param appUnit           the systemd unit (the pm2 app, the Kubernetes deployment with those controls)
     * @param appControl        {@code APP_CONTROL}: systemd, pm2, compose or kubernetes
     * @param composeFile       {@code COMPOSE_FILE}, with compose
     * @param appServers        the app servers ({@code localhost}: this machine)
     * @param healthUrl         the health endpoint
     * @param appUrl            the application's base URL, for smoke tests
     * @param envFile           the env file
     * @param deployDir         the deployed checkout
     * @param releaseTag        the release to check out, or null for the previous stable tag
     * @param releaseTagPattern the release tags' glob
     * @param prismaGenerate    {@code npx prisma generate}, as an argument list
     * @param build             {@code npm run build}, as an argument list
     * @param cacheDirs         cache folders below the checkout
     * @param redisUrl          a Redis to flush, or null
     * @param redisPassword     its password, or null
     * @param statusPageFile    the status page's message file
     * @param sessionFilter     the LIKE pattern of the app's PostgreSQL sessions
     * @param spotChecks        collection to filter (JSON), for findOne checks
     * @param testUserEmail     the sign-in smoke test's user
     * @param testUserPassword  its password, or null to leave the sign-in out
     * @param testToken         the smoke tests' token, or null
     * @param smokePaths        API paths of the smoke tests
     * @param accountDetailPath an account's page with {} for its id, or null
     * @param dataLossTables    tables counted in the data-loss window
     * @param dataLossColumn    their creation-time column
     * @param recentDataTables  tables dumped data-only for the manual migration back
     * @param acceptedDataLoss  the most rows the team accepts to lose (extended operation)
     * @param migrationStop     the command that stops the migration, or null
     * @param postgresLog       PostgreSQL's log
     * @param appLog            the app's log
     * @param mongoDataDir      MongoDB's data folder
     * @param mongoHostSsh      ssh destination of the MongoDB server, or null
     * @param freeSpaceCheck    whether the free space for the restore is checked
     * @param restoreOrder      prepare first or stop first
     * @param slackWebhook      a Slack webhook URL, or null for the log
     * @param usersWebhook      the users' notice webhook, or null for the log
     * @param backupTakenAt     when the backup was taken, or null to read the folder's time
     * @param toolsPath         folders searched first for systemctl, ssh, df and the build tools
     * @param healthRetryDelay  pause between health polls
     * @param postgresTools     whether pg_dump / pg_restore are installed
     * @param watch             the post-rollback monitoring window: {@code MONITOR_WINDOW} (the runbook's 2 hours), its interval and failures
     * @param postgresDown      whether the operator declared PostgreSQL down, by waiving its connection precheck
     *                          ({@code --waive 'can connect to nextcrm' --reason TEXT}): the runbook's emergency rollback
     */
    public record Settings(Scenario scenario, String postgresUrl, String mongoUrl, Path backupRoot, int minCollections, String appUnit,
                           AppControlKind appControl, Path composeFile, List<String> appServers, String healthUrl, String appUrl,
                           Path envFile, Path deployDir, String releaseTag,
                           String releaseTagPattern, List<String> prismaGenerate, List<String> build, List<String> cacheDirs,
                           String redisUrl, String redisPassword, Path statusPageFile, String sessionFilter,
                           Map<String, String> spotChecks, String testUserEmail, String testUserPassword, String testToken,
                           List<String> smokePaths, String accountDetailPath, List<String> dataLossTables, String dataLossColumn,
                           List<String> recentDataTables, long acceptedDataLoss, List<String> migrationStop, Path postgresLog,
                           Path appLog, Path mongoDataDir, String mongoHostSsh, boolean freeSpaceCheck, RestoreOrder restoreOrder,
                           String slackWebhook, String usersWebhook, Instant backupTakenAt, List<Path> toolsPath,
                           Duration healthRetryDelay, boolean postgresTools, Targets.Watch watch, boolean postgresDown) {

        /**
         * @param o the program's options
         * @return the settings, with the runbook's defaults
         */
        public static Settings from(CommandLineOptions o) {
            String health = o.setting("HEALTH_URL", "http://localhost:3000/api/health");
            String detail = o.setting("ACCOUNT_DETAIL_PATH", "/api/crm/accounts/{}");
            return new Settings(Seed001NextjsProductionRollback.enumSetting(Scenario.class, "SCENARIO", o.setting("SCENARIO", "after-migration")),
                    o.require("PRODUCTION_POSTGRESQL_URL"), o.require("PRODUCTION_MONGODB_URL"),
                    Path.of(o.setting("BACKUP_ROOT", "/backups")), Integer.parseInt(o.setting("MIN_COLLECTIONS", "26")),
                    o.setting("APP_UNIT", "nextcrm"),
                    Seed001NextjsProductionRollback.enumSetting(AppControlKind.class, "APP_CONTROL", o.setting("APP_CONTROL", "systemd")),
                    Path.of(o.setting("COMPOSE_FILE", "docker-compose.yml")), Targets.list(o.setting("APP_SERVERS", "localhost")),
                    health, o.setting("APP_URL", health.replaceFirst("/api/health$", "")),
                    Path.of(o.setting("ENV_FILE", ".env.production")), Path.of(o.setting("DEPLOY_DIR", ".")),
                    o.setting("RELEASE_TAG").filter(t -> !t.isBlank()).orElse(null), o.setting("RELEASE_TAG_PATTERN", "v*"),
                    Seed001NextjsProductionRollback.argv("PRISMA_GENERATE_COMMAND", o.setting("PRISMA_GENERATE_COMMAND", "npx prisma generate")),
                    Seed001NextjsProductionRollback.argv("BUILD_COMMAND", o.setting("BUILD_COMMAND", "npm run build")),
                    Targets.list(o.setting("CACHE_DIRS", ".next/cache")),
                    o.setting("REDIS_URL").filter(u -> !u.isBlank()).orElse(null), o.setting("REDIS_PASSWORD").orElse(null),
                    Path.of(o.setting("STATUS_PAGE_FILE", "/var/www/status-page/message.txt")),
                    o.setting("SESSION_FILTER", "%nextcrm%"), parseSpotChecks(o.setting("SPOT_CHECKS", "crm_Accounts;Users;crm_Opportunities")),
                    o.setting("TEST_USER_EMAIL", "test@example.com"), o.setting("TEST_USER_PASSWORD").filter(p -> !p.isEmpty()).orElse(null),
                    o.setting("TEST_TOKEN").filter(t -> !t.isEmpty()).orElse(null),
                    Targets.list(o.setting("SMOKE_PATHS", "/api/crm/accounts?take=10,/api/crm/opportunity?take=10,/api/reports/dashboard")),
                    detail.isBlank() ? null : detail,
                    Targets.list(o.setting("DATA_LOSS_TABLES", "users,crm_accounts,crm_contacts,crm_opportunities")), o.setting("DATA_LOSS_COLUMN", "created_at"),
                    Targets.list(o.setting("RECENT_DATA_TABLES", "crm_accounts,crm_contacts,crm_opportunities")),
                    Long.parseLong(o.setting("ACCEPTED_DATA_LOSS", "99")),
                    o.setting("MIGRATION_STOP_COMMAND").filter(c -> !c.isBlank())
                            .map(c -> Seed001NextjsProductionRollback.argv("MIGRATION_STOP_COMMAND", c)).orElse(null),
                    Path.of(o.setting("POSTGRES_LOG", "/var/log/postgresql/postgresql-16-main.log")),
                    Path.of(o.setting("APP_LOG", "/var/log/nextcrm/application.log")),
                    Path.of(o.setting("MONGO_DATA_DIR", "/var/lib/mongodb")), o.setting("MONGO_HOST_SSH").filter(h -> !h.isBlank()).orElse(null),
                    Boolean.parseBoolean(o.setting("FREE_SPACE_CHECK", "true")),
                    Seed001NextjsProductionRollback.enumSetting(RestoreOrder.class, "RESTORE_ORDER", o.setting("RESTORE_ORDER", "prepare-first")),
                    o.setting("SLACK_WEBHOOK_URL").orElse(null), o.setting("USERS_WEBHOOK_URL").orElse(null),
                    o.setting("BACKUP_TAKEN_AT").map(Instant::parse).orElse(null),
                    Targets.searchPath(o.setting("TOOLS_PATH").orElse(null)),
                    Duration.parse(o.setting("HEALTH_RETRY_DELAY", "PT5S")), Targets.postgresToolsInstalled(),
                    Targets.Watch.from(o, MONITOR_WINDOW), Targets.declaredDown(o, o.require("PRODUCTION_POSTGRESQL_URL")));
        }

        /** @return whether MongoDB is restored from the backup (every scenario but during-migration) */
        public boolean restoresMongo() {
            return scenario != Scenario.DURING_MIGRATION;
        }
    }

    /**
     * The runbook's "When to Initiate Rollback" and its decision framework, for {@code --decide} and
     * a watchdog; see {@link SeedDecisionTables#seed000()}.
     *
     * @return the decision table
     */
    public static DecisionTable triggers() {
        return SeedDecisionTables.seed000();
    }

    /**
     * @param s the settings
     * @return the plan
     */
    public static RollbackPlan plan(Settings s) {
        Postgres pg = Targets.postgres(s.postgresUrl());
        Mongo mongo = Mongo.at(Secret.of(s.mongoUrl())).serverSelectionTimeout(Duration.ofSeconds(5));
        MongoDb crm = mongo.database("nextcrm");
        MongoBackup backups = MongoBackup.in(s.backupRoot()).matching("production-*").databaseFolder("mongodb-backup/nextcrm");
        MongoBackup.Latest backup = backups.latest();
        AppControl app = appServers(s);
        EnvFile env = EnvFile.at(s.envFile());
        Git deploy = Git.repo(s.deployDir());
        Notifier team = Targets.team(s.slackWebhook());
        Notifier users = Targets.users(s.usersWebhook());
        StatusPage status = StatusPage.file(s.statusPageFile());
        Retry healthPolls = Retry.times(10).delay(s.healthRetryDelay());
        boolean prepareFirst = s.restoresMongo() && s.restoreOrder() == RestoreOrder.PREPARE_FIRST;
        MongoPrepare prepared = crm.prepare(backup);
        MongoSwapIn swap = crm.swapIn(prepared).countDataLossLater();   // its count runs once the app is healthy, off the downtime
        String scenario = s.scenario().name().toLowerCase(Locale.ROOT).replace('_', '-');
        boolean pgUp = !s.postgresDown();                                   // else the runbook's emergency rollback
        StepOptions waivable = StepOptions.defaults().waivable(true);       // --waive NAME --reason TEXT skips it
        String lost = pgUp ? "${postgres.dataLoss.total} records" : "not counted: PostgreSQL was down";

        // tag::plan[]
        PlanBuilder plan = Rollback.plan(PLAN)
            .description("Return NextCRM from PostgreSQL to MongoDB (seed 000, SCENARIO=" + scenario + ")")
            .approvals(APPROVALS)                                           // Lead + DBA, or CTO
            .allowWaivingCaptures("the runbook's emergency rollback skips the forensics when PostgreSQL cannot be read; "
                    + "what is restored is the MongoDB backup, checked before anything is stopped")
            .onFailure(h -> h.notify(team, "ROLLBACK TO MONGODB FAILED (" + scenario + ", run ${runId}) at ${failure.step} "
                    + "(${failure.code}): ${failure.message}\n${failure.state}",       // but a window that fired after it is no failed rollback:
                    Map.of(MonitoringFailedException.CODE, Targets.monitoringNotice("NextCRM back to MongoDB (" + scenario + ")"))))
            .phase("Phase 1: pre-rollback preparation", Duration.ofMinutes(5), p -> {
                p.notify(team, "ROLLBACK TO MONGODB INITIATED (" + scenario + "): plan ${plan}, run ${runId}; ETA 20 minutes",
                        Targets.notice("tell the team: rollback initiated"))
                 .notify(users, "NextCRM will be briefly unavailable (about 20 minutes) while we restore it from backup.",
                         Targets.notice("tell users: brief unavailability"))
                 .precheck(mongo.ping())
                 .precheck(pg.canConnect(), waivable);                        // waived: PostgreSQL is down, the emergency rollback
                if (s.postgresDown()) {
                    p.notify(team, Targets.declaredDownNotice("PostgreSQL", "the forensics (schema dump, samples), the data-loss "
                            + "count, the session termination and checks"), Targets.notice("tell the team: PostgreSQL is down"));
                }
                if (!s.restoresMongo()) {                                   // scenario 1: MongoDB must still be intact
                    p.precheck(crm.countsMatch(backup), StepOptions.defaults().name("MongoDB still holds the backup's documents"))
                     .precheck(crm.indexesMatch(backup), StepOptions.defaults().name("MongoDB still has the backup's indexes"));
                    return;
                }
                p.precheck(backup.collectionsAtLeast(s.minCollections()))   // the seed's 26 .bson.gz files
                 .precheck(backup.readable());                              // every document, not just the names
                DataLossWindowCheck loss = pg.rowsCreatedAfter(backupTakenAt(s, backups), s.dataLossColumn(),
                        s.dataLossTables().toArray(new String[0]));         // the data-loss window
                if (pgUp) {
                    p.precheck(s.scenario() == Scenario.EXTENDED_OPERATION ? dataLossDecision(loss, s.acceptedDataLoss()) : loss, waivable);
                }
                if (s.freeSpaceCheck()) {                                   // df -h: the restore lands beside the live data
                    DiskSpace disk = DiskSpace.at(s.mongoDataDir()).searchPath(s.toolsPath());
                    p.precheck(backupSize(backup))
                     .precheck((s.mongoHostSsh() == null ? disk : disk.via(Ssh.to(s.mongoHostSsh()))).atLeast(2.0, BACKUP_BYTES));
                }
                if (s.postgresTools() && pgUp) {
                    p.precheck(pg.toolsMatchServer(), waivable)
                     .capture(pg.schemaDump(Path.of("forensics/schema.sql")), waivable);
                }
                StepOptions bestEffort = StepOptions.defaults().onFailure(FailurePolicy.CONTINUE);   // the runbook's cp goes on too
                if (pgUp) {
                    p.capture(pg.sample("crm_accounts", 1000, Path.of("forensics/accounts_sample.csv")), waivable)
                     .capture(pg.sample("crm_contacts", 1000, Path.of("forensics/contacts_sample.csv")), waivable);
                }
                p.capture(copyLog(s, s.postgresLog(), "postgresql.log"), bestEffort.name("copy the PostgreSQL log to the forensics"))
                 .capture(copyLog(s, s.appLog(), "application.log"), bestEffort.name("copy the application log to the forensics"))
                 .step(backup);                                             // publishes mongo.backup.path
            });
        if (prepareFirst) {
            plan.phase("Phase 3 ahead: MongoDB restore prepared while NextCRM serves", Duration.ofMinutes(12), p -> p
                .step(prepared));                                           // new collections, loaded and verified; nothing live touched
        }
        plan.phase("Phase 2: application shutdown", Duration.ofMinutes(2), p -> {
                p.step(status.message("System Maintenance - Restoring from Backup"), StepOptions.defaults().name("update status page: maintenance"));
                if (s.migrationStop() != null) {                            // scenario 1: "pause migration"
                    p.step(Command.of(s.migrationStop()).searchPath(s.toolsPath()).timeout(Duration.ofMinutes(2)).named("stop the migration"));
                }
                p.stopApp(app)
                 .verify(Http.down(s.healthUrl()), StepOptions.defaults().name("application stopped"));
                if (pgUp) {                                                 // a server that is down has no sessions
                    p.step(pg.terminateConnectionsMatching(s.sessionFilter()));
                }
                if (s.restoresMongo() && !s.postgresTools() && pgUp) {      // no pg_dump here: keep a copy instead
                    p.capture(pg.snapshot("nextcrm_forensics").replacingExisting(), waivable);
                }
                p.checkpoint("app-stopped");
            });
        if (s.restoresMongo()) {
            plan.phase("Phase 3: MongoDB restore", Duration.ofMinutes(12), p -> {
                if (prepareFirst) {
                    p.restore(swap);                                        // renames: milliseconds; replaced collections kept
                } else {
                    p.restore(crm.restoreFrom(backup));                     // new collections, verified, swapped in
                }
                if (!prepareFirst) {                                        // prepare-first: the prepare counted these very
                    p.verify(crm.countsMatch(backup));                      // collections before the stop; the swap renamed them
                }
                p.verify(crm.indexesMatch(backup));
                s.spotChecks().forEach((collection, filter) -> p.verify(crm.findOne(collection, filter)));
                p.checkpoint("mongodb-restored")
                 .onFailure(h -> h                                          // DATABASE_URL still names PostgreSQL
                     .startApp(app, StepOptions.defaults().name("start NextCRM again on PostgreSQL"))
                     .step(status.message("Rollback paused: NextCRM runs on PostgreSQL again"),
                           StepOptions.defaults().name("update status page: paused")));
            });
        }
        plan.phase("Phase 4: application reconfiguration", Duration.ofMinutes(5), p -> {
                p.step(env.backup())
                 .step(env.set("DATABASE_URL", Secret.of(s.mongoUrl())));
                if (s.restoresMongo()) {                                    // the last MongoDB release and its Prisma schema
                    if (s.releaseTag() != null) {
                        p.step(deploy.checkout(Revision.of(s.releaseTag())))
                         .verify(deploy.headIs(Revision.of(s.releaseTag())));
                    } else {
                        p.step(deploy.previousStableTag(s.releaseTagPattern()))
                         .step(deploy.checkout(Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG)));
                    }
                    p.step(Command.of(s.prismaGenerate()).directory(s.deployDir()).searchPath(s.toolsPath())
                             .env("DATABASE_URL", Secret.of(s.mongoUrl())).timeout(Duration.ofMinutes(5)).named("regenerate Prisma client"))
                     .verify(prismaClientFor("mongodb", s.deployDir()))
                     .step(Command.of(s.build()).directory(s.deployDir()).searchPath(s.toolsPath())
                             .timeout(Duration.ofMinutes(15)).named("rebuild application"));
                    for (String cache : s.cacheDirs()) {                    // rm -rf .next/cache/*
                        p.step(Command.of("find", s.deployDir().resolve(cache).toString(), "-mindepth", "1", "-delete")
                                .searchPath(s.toolsPath()).named("clear cache " + cache));
                    }
                    if (s.redisUrl() != null) {
                        Redis redis = s.redisPassword() == null ? Redis.at(s.redisUrl()) : Redis.at(s.redisUrl(), Secret.of(s.redisPassword()));
                        p.capture(redis.searchPath(s.toolsPath()).snapshot(), StepOptions.defaults().name("save redis snapshot"))
                         .step(redis.searchPath(s.toolsPath()).flushAll(), StepOptions.defaults().name("flush redis"));
                    }
                }
                p.checkpoint("reconfigured");
            })
            .phase("Phase 5: application startup and verification", Duration.ofMinutes(8), p -> {
                p.startApp(app)
                 .verify(Http.get(s.healthUrl()).expectStatus(200).expectJson("database", "mongodb"),
                         StepOptions.defaults().retry(healthPolls).name("application healthy on MongoDB"));
                if (pgUp) {
                    p.verify(pg.noSessionsMatching(s.sessionFilter()), StepOptions.defaults().name("no PostgreSQL connections from NextCRM"));
                }
                if (s.restoresMongo() && pgUp) {                                    // nothing wrote to PostgreSQL since the stop, and nothing
                    p.verify(pg.rowsCreatedAfter(backupTakenAt(s, backups), s.dataLossColumn(),      // does now (checked above): counted
                             s.dataLossTables().toArray(new String[0])),                             // here, the app is not kept down
                             StepOptions.defaults().name("data-loss window at the stop"));          // for it
                }
                if (prepareFirst) {                                         // MongoDB documents written after the backup, counted on
                    p.step(swap.dataLossWindow());                          // the kept collections: the figure as at the swap
                }
                smokeTests(p, s);
            })
            .phase("Phase 6: post-rollback", Duration.ofMinutes(5).plus(s.watch().window()), p -> {
                p.step(status.message("System Operational - Service Restored"), StepOptions.defaults().name("update status page: restored"))
                 .notify(users, s.restoresMongo() ? "NextCRM Service Restored. We restored NextCRM from our backup of "
                         + backupTakenAt(s, backups) + "; data created after it (" + lost + ") was not preserved: "
                         + "please re-enter it, and contact support if you notice any issue."
                         : "NextCRM Service Restored. The maintenance is over; no data was lost.",
                                 Targets.notice("tell users: service restored"))
                 .notify(team, "Rollback to MongoDB complete (" + scenario + ", run ${runId})"
                         + (s.restoresMongo() ? "; backup ${mongo.backup.path}; lost rows since the backup: " + lost : "")
                         + (s.watch().on() ? ". Watching NextCRM for " + Durations.human(s.watch().window()) + " now" : "")
                         + ". Next: RCA within 24 hours, post-mortem (post-mortem.md in the run folder).",
                                 Targets.notice("tell the team: rollback complete"));
                if (s.scenario() == Scenario.EXTENDED_OPERATION && pgUp) {   // data-loss mitigation: PostgreSQL is left intact
                    p.capture(pg.dump(Path.of("forensics/postgresql-recent-data.sql")).format(DumpFormat.PLAIN)
                            .tables(s.recentDataTables().toArray(new String[0])).dataOnly(),
                            waivable.name("dump PostgreSQL data created since the backup"));
                }
                if (s.watch().on()) {                                       // "Monitor for 2 hours post-rollback", watch -n 30
                    p.monitorFor(s.watch().window(), s.watch().of(team,
                            Http.get(s.healthUrl()).expectStatus(200).expectJson("database", "mongodb").named("NextCRM healthy on MongoDB")));
                }
            });
        // end::plan[]
        return plan.build();
    }

    /**
     * The program front: the flags, this seed's settings and {@code --decide} with its decision table
     * ({@code SeedDecisionTables.seed000()}; see {@link Decide} for the signals it reads).
     *
     * @param name how the program is started, for usage and resume commands
     * @return the front, ready to {@code execute}
     */
    public static RollbackProgram program(String name) {
        return RollbackProgram.named(name).settings(SETTINGS).settings(Decide.SETTINGS)
                .decisions(Decide.with(SeedDecisionTables.seed000(), "HEALTH_URL", "PRODUCTION_POSTGRESQL_URL"));
    }

    /**
     * @param args the usual rollback flags; settings by {@code --set NAME=VALUE} or environment
     */
    public static void main(String[] args) {
        // tag::main[]
        System.exit(program("seed-000-nextcrm-back-to-mongo")
                .execute(args, options -> plan(Settings.from(options))));
        // end::main[]
    }

    /** Phase 2 and 5: the app, on this machine or, for a partial deployment, on every server through ssh. */
    private static AppControl appServers(Settings s) {
        HostAppControl control = switch (s.appControl()) {
            case SYSTEMD -> Systemd.unit(s.appUnit()).searchPath(s.toolsPath());
            case PM2 -> Pm2.app(s.appUnit()).searchPath(s.toolsPath());
            case COMPOSE -> DockerCompose.file(s.composeFile()).searchPath(s.toolsPath());
            case KUBERNETES -> Kubernetes.deployment(s.appUnit()).searchPath(s.toolsPath());
        };
        if (s.appServers().equals(List.of("localhost"))) {
            if (s.scenario() == Scenario.PARTIAL_DEPLOYMENT) {
                throw new UsageException("SCENARIO=partial-deployment stops every app server: list them in APP_SERVERS (web1,web2,web3)");
            }
            return withHealth(control, s.healthUrl());
        }
        if (s.appControl() == AppControlKind.KUBERNETES) {
            throw new UsageException("APP_CONTROL=kubernetes scales the deployment on the cluster: leave APP_SERVERS at localhost");
        }
        return Fleet.of(s.appServers().toArray(new String[0])).parallel(s.appServers().size()).searchPath(s.toolsPath()).control(control);
    }

    private static AppControl withHealth(HostAppControl control, String healthUrl) {
        if (control instanceof Systemd c) {
            return c.healthUrl(healthUrl);
        } else if (control instanceof Pm2 c) {
            return c.healthUrl(healthUrl);
        } else if (control instanceof DockerCompose c) {
            return c.healthUrl(healthUrl);
        } else if (control instanceof Kubernetes c) {
            return c.healthUrl(healthUrl);
        }
        return control;
    }

    /** Phase 5, step 3: sign-in, accounts, an account's page, opportunities, dashboard. */
    private static void smokeTests(PhaseBuilder p, Settings s) {
        List<HttpCheck> api = new ArrayList<>();
        if (s.testUserPassword() != null) {
            Map<String, Object> credentials = new LinkedHashMap<>();   // ordered: the description (and the fingerprint) stays the same
            credentials.put("email", s.testUserEmail());
            credentials.put("password", Secret.of(s.testUserPassword()));
            api.add(Http.post(s.appUrl() + "/api/auth/signin").jsonBody(credentials).named("sign in as " + s.testUserEmail()));
        }
        for (String path : s.smokePaths()) {
            api.add(withToken(Http.get(s.appUrl() + path), s));
        }
        p.verify(Http.smoke("smoke tests", api.toArray(new HttpCheck[0])));
        if (s.accountDetailPath() != null && !s.smokePaths().isEmpty()) {
            p.verify(Http.follow(withToken(Http.get(s.appUrl() + s.smokePaths().get(0)), s), "0.id", s.appUrl() + s.accountDetailPath()),
                    StepOptions.defaults().name("smoke test: account detail"));
        }
    }

    private static HttpCheck withToken(HttpCheck c, Settings s) {
        return s.testToken() == null ? c : c.bearer(Secret.of(s.testToken()));
    }

    /**
     * Scenario 4's decision matrix on the measured window: under 100 new records the loss is
     * acceptable; 100 to 1000 "try to fix forward first"; over 1000 "avoid rollback if possible".
     * The run goes on only within what the team accepted.
     */
    private static Check dataLossDecision(DataLossWindowCheck window, long accepted) {
        String name = "data loss decided: at most " + accepted + " rows";
        return Check.of(name, ctx -> {
            CheckResult measured = window.check(ctx);
            long total = Long.parseLong(ctx.output("postgres.dataLoss.total").orElse("0"));
            String band = total < 100 ? "under 100 new records: data loss acceptable"
                    : total <= 1000 ? "100-1000 new records: difficult decision, try to fix forward first"
                    : "over 1000 new records: avoid rollback if possible, data loss significant";
            if (total <= accepted) {
                return CheckResult.passed(name, total + " rows (" + band + ")", "at most " + accepted);
            }
            return CheckResult.failed(name, total + " rows (" + band + ")", "at most " + accepted, measured.measured()
                    + ". Nothing was changed. Fix forward, or if the team accepts losing them, run again with ACCEPTED_DATA_LOSS=" + total);
        });
    }

    /** Phase 4, step 3's {@code grep "mongodb" node_modules/.prisma/client/index.d.ts}. */
    private static Check prismaClientFor(String provider, Path deployDir) {
        Path client = deployDir.resolve("node_modules/.prisma/client/index.d.ts");
        String name = "Prisma client generated for " + provider;
        return Check.of(name, ctx -> {
            if (!Files.isRegularFile(client)) {
                return CheckResult.failed(name, "missing", "a client for " + provider, client + " does not exist: prisma generate wrote no client");
            }
            return Files.readString(client).contains(provider) ? CheckResult.passed(name, "mentions " + provider, "a client for " + provider)
                    : CheckResult.failed(name, "no " + provider, "a client for " + provider, client + " does not mention " + provider
                    + ": the schema checked out is not the MongoDB one");
        });
    }

    private static Command copyLog(Settings s, Path log, String name) {
        return Command.of("cat", log.toString()).searchPath(s.toolsPath()).stdoutTo(Path.of("forensics", name)).named("copy " + log);
    }

    private static Instant backupTakenAt(Settings s, MongoBackup backups) {
        return s.backupTakenAt() != null ? s.backupTakenAt() : folderTime(backups.findLatest());
    }

    private static final String BACKUP_BYTES = "seed000.backup.bytes";

    /** The backup's size on disk, published for the free-space check (compressed: a lower bound of what the restore needs). */
    private static Check backupSize(MongoBackup.Latest backup) {
        String name = "size of the MongoDB backup, uncompressed";   // what the restore writes: a .bson.gz is often a third of it
        return Check.of(name, ctx -> {
            long bytes = DiskSpace.uncompressedSizeOf(backup.resolve(ctx));
            ctx.output(BACKUP_BYTES, Long.toString(bytes));
            return CheckResult.passed(name, bytes + " bytes", "a size");
        });
    }

    private static Map<String, String> parseSpotChecks(String value) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : value.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            out.put((eq < 0 ? part : part.substring(0, eq)).trim(), eq < 0 ? "{}" : part.substring(eq + 1).trim());
        }
        return out;
    }

    private static Instant folderTime(Path backupFolder) {
        try {
            return Files.getLastModifiedTime(backupFolder).toInstant();
        } catch (IOException e) {
            throw new UsageException("cannot read the time of backup " + backupFolder + "; set BACKUP_TAKEN_AT=2026-11-24T02:00:00Z");
        }
    }
}
