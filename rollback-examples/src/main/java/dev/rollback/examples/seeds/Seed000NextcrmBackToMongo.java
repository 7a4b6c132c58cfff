package dev.rollback.examples.seeds;

import dev.rollback.core.Notifier;
import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Retry;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Secret;
import dev.rollback.core.StepOptions;
import dev.rollback.cli.RollbackProgram;
import dev.rollback.cli.Setting;
import dev.rollback.core.cli.CommandLineOptions;
import dev.rollback.git.Git;
import dev.rollback.git.PreviousStableTagStep;
import dev.rollback.git.Revision;
import dev.rollback.mongo.Mongo;
import dev.rollback.mongo.MongoBackup;
import dev.rollback.mongo.MongoDb;
import dev.rollback.postgres.Postgres;
import dev.rollback.process.EnvFile;
import dev.rollback.process.Http;
import dev.rollback.process.LogNotifier;
import dev.rollback.process.StatusPage;
import dev.rollback.process.Systemd;
import dev.rollback.process.Webhook;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Seed 000: return NextCRM from its PostgreSQL migration to the last good MongoDB backup, phase by
 * phase as the runbook does — prechecks on the backup, forensics of PostgreSQL, stop the app and its
 * sessions, restore MongoDB (into new collections, verified, then swapped in), switch
 * {@code DATABASE_URL} back, check out the last MongoDB release, start, health and smoke checks,
 * the data-loss window, notifications.
 *
 * <p>Settings (flags {@code --set NAME=VALUE} or environment variables, named as in the runbook):
 * {@code PRODUCTION_POSTGRESQL_URL}, {@code PRODUCTION_MONGODB_URL}, {@code BACKUP_ROOT}
 * (/backups), {@code MIN_COLLECTIONS} (26), {@code APP_UNIT} (nextcrm), {@code HEALTH_URL},
 * {@code ENV_FILE}, {@code DEPLOY_DIR}, {@code STATUS_PAGE_FILE}, {@code SLACK_WEBHOOK_URL}
 * (optional), {@code BACKUP_TAKEN_AT} (ISO time; default: the backup folder's time),
 * {@code TOOLS_PATH} (folders searched first for systemctl), {@code HEALTH_RETRY_DELAY} (PT5S).
 */
public final class Seed000NextcrmBackToMongo {
    /** The plan's name. */
    public static final String PLAN = "nextcrm-back-to-mongo";

    private Seed000NextcrmBackToMongo() {
    }

    /** The settings this program reads, for --help, typo suggestions and value checks ({@code RollbackProgram}). */
    public static final List<Setting> SETTINGS = List.of(
            Setting.text("HEALTH_URL", "the app's health endpoint").defaultValue("http://localhost:3000/api/health"),
            Setting.text("PRODUCTION_POSTGRESQL_URL", "the PostgreSQL database the app runs on now (forensics, data-loss window)").secret().required(),
            Setting.text("PRODUCTION_MONGODB_URL", "the MongoDB server to restore into").secret().required(),
            Setting.path("BACKUP_ROOT", "the folder that holds the backups").defaultValue("/backups"),
            Setting.integer("MIN_COLLECTIONS", "collections the backup must hold").defaultValue("26"),
            Setting.text("APP_UNIT", "the app's systemd unit").defaultValue("nextcrm"),
            Setting.path("ENV_FILE", "the app's env file").defaultValue(".env.production"),
            Setting.path("DEPLOY_DIR", "the deployed git checkout").defaultValue("."),
            Setting.path("STATUS_PAGE_FILE", "the status page's message file").defaultValue("/var/www/status-page/message.txt"),
            Targets.SLACK_WEBHOOK_URL,
            Setting.instant("BACKUP_TAKEN_AT", "when the backup was taken, for the data-loss window (default: the backup folder's time)"),
            Targets.TOOLS_PATH,
            Targets.HEALTH_RETRY_DELAY);

    /**
     * What the plan needs to know about the installation.
     *
     * @param postgresUrl      {@code PRODUCTION_POSTGRESQL_URL}
     * @param mongoUrl         {@code PRODUCTION_MONGODB_URL}
     * @param backupRoot       where the nightly backups are
     * @param minCollections   collections a complete backup has
     * @param appUnit          the systemd unit
     * @param healthUrl        the health endpoint
     * @param appUrl           the application's base URL, for smoke tests
     * @param envFile          the env file
     * @param deployDir        the deployed checkout
     * @param statusPageFile   the status page's message file
     * @param slackWebhook     a Slack webhook URL, or null for the log
     * @param backupTakenAt    when the backup was taken, for the data-loss window, or null to read the folder's time
     * @param toolsPath        folders searched first for systemctl
     * @param healthRetryDelay pause between health polls
     * @param postgresTools    whether pg_dump / pg_restore are installed
     */
    public record Settings(String postgresUrl, String mongoUrl, Path backupRoot, int minCollections, String appUnit,
                           String healthUrl, String appUrl, Path envFile, Path deployDir, Path statusPageFile,
                           String slackWebhook, Instant backupTakenAt, List<Path> toolsPath, Duration healthRetryDelay,
                           boolean postgresTools) {

        /**
         * @param o the program's options
         * @return the settings, with the runbook's defaults
         */
        public static Settings from(CommandLineOptions o) {
            String health = o.setting("HEALTH_URL", "http://localhost:3000/api/health");
            return new Settings(o.require("PRODUCTION_POSTGRESQL_URL"), o.require("PRODUCTION_MONGODB_URL"),
                    Path.of(o.setting("BACKUP_ROOT", "/backups")), Integer.parseInt(o.setting("MIN_COLLECTIONS", "26")),
                    o.setting("APP_UNIT", "nextcrm"), health, health.replaceFirst("/api/health$", ""),
                    Path.of(o.setting("ENV_FILE", ".env.production")), Path.of(o.setting("DEPLOY_DIR", ".")),
                    Path.of(o.setting("STATUS_PAGE_FILE", "/var/www/status-page/message.txt")),
                    o.setting("SLACK_WEBHOOK_URL").orElse(null),
                    o.setting("BACKUP_TAKEN_AT").map(Instant::parse).orElse(null),
                    Targets.searchPath(o.setting("TOOLS_PATH").orElse(null)),
                    Duration.parse(o.setting("HEALTH_RETRY_DELAY", "PT5S")), Targets.postgresToolsInstalled());
        }
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
        Instant backupTakenAt = s.backupTakenAt() != null ? s.backupTakenAt() : folderTime(backups.findLatest());
        Systemd app = Systemd.unit(s.appUnit()).searchPath(s.toolsPath()).healthUrl(s.healthUrl());
        EnvFile env = EnvFile.at(s.envFile());
        Git deploy = Git.repo(s.deployDir());
        Notifier team = s.slackWebhook() != null ? Webhook.slack(Secret.of(s.slackWebhook())) : LogNotifier.create();
        StatusPage status = StatusPage.file(s.statusPageFile());
        Retry healthPolls = Retry.times(10).delay(s.healthRetryDelay());

        // tag::plan[]
        PlanBuilder plan = Rollback.plan(PLAN)
            .description("Return NextCRM from PostgreSQL to the last good MongoDB backup (seed 000)")
            .phase("Phase 1: pre-rollback preparation", Duration.ofMinutes(5), p -> {
                p.notify(team, "ROLLBACK TO MONGODB INITIATED: plan ${plan}, run ${runId}")
                 .precheck(mongo.ping())
                 .precheck(pg.canConnect())
                 .precheck(backup.collectionsAtLeast(s.minCollections()))   // the seed's 26 .bson.gz files
                 .precheck(backup.readable())                               // every document, not just the names
                 .precheck(pg.rowsCreatedAfter(backupTakenAt, "created_at",  // the data-loss window
                         "users", "crm_accounts", "crm_contacts", "crm_opportunities"));
                if (s.postgresTools()) {
                    p.precheck(pg.toolsMatchServer())
                     .capture(pg.schemaDump(Path.of("forensics/schema.sql")));
                }
                p.capture(pg.sample("crm_accounts", 1000, Path.of("forensics/accounts_sample.csv")))
                 .capture(pg.sample("crm_contacts", 1000, Path.of("forensics/contacts_sample.csv")))
                 .step(backup);                                             // publishes mongo.backup.path
            })
            .phase("Phase 2: application shutdown", Duration.ofMinutes(2), p -> {
                p.step(status.message("System Maintenance - Restoring from Backup"))
                 .stopApp(app)
                 .verify(Http.down(s.healthUrl()))
                 .step(pg.terminateConnections("nextcrm"));
                if (!s.postgresTools()) {                                   // no pg_dump here: keep a copy instead
                    p.capture(pg.snapshot("nextcrm_forensics").replacingExisting());
                }
                p.checkpoint("app-stopped");
            })
            .phase("Phase 3: MongoDB restore", Duration.ofMinutes(12), p -> p
                .restore(crm.restoreFrom(backup))                           // new collections, verified, swapped in
                .verify(crm.countsMatch(backup))
                .verify(crm.indexesMatch(backup))
                .verify(crm.findOne("Users", "{\"email\": \"admin@nextcrm.example\"}"))
                .checkpoint("mongodb-restored"))
            .phase("Phase 4: application reconfiguration", Duration.ofMinutes(5), p -> p
                .step(env.backup())
                .step(env.set("DATABASE_URL", Secret.of(s.mongoUrl())))
                .step(deploy.previousStableTag("v*"))                       // the last MongoDB release
                .step(deploy.checkout(Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG)))
                .checkpoint("reconfigured"))
            .phase("Phase 5: application startup and verification", Duration.ofMinutes(8), p -> p
                .startApp(app)
                .verify(Http.get(s.healthUrl()).expectStatus(200).expectJson("database", "mongodb"),
                        StepOptions.defaults().retry(healthPolls))
                .verify(Http.smoke("smoke tests", Http.get(s.appUrl() + "/").expectStatus(200),
                        Http.get(s.appUrl() + "/api/version").expectStatus(200))))
            .phase("Phase 6: post-rollback", Duration.ofMinutes(5), p -> p
                .step(status.message("System restored from backup"), StepOptions.defaults().name("update status page: restored"))
                .notify(team, "Rollback to MongoDB complete (run ${runId}); backup ${mongo.backup.path}; "
                        + "lost rows since the backup: ${postgres.dataLoss.total}"));
        // end::plan[]
        return plan.build();
    }

    /**
     * @param args the usual rollback flags; settings by {@code --set NAME=VALUE} or environment
     */
    public static void main(String[] args) {
        // tag::main[]
        System.exit(RollbackProgram.named("seed-000-nextcrm-back-to-mongo").settings(SETTINGS)
                .execute(args, options -> plan(Settings.from(options))));
        // end::main[]
    }

    private static Instant folderTime(Path backupFolder) {
        try {
            return java.nio.file.Files.getLastModifiedTime(backupFolder).toInstant();
        } catch (java.io.IOException e) {
            throw new dev.rollback.core.cli.UsageException("cannot read the time of backup " + backupFolder
                    + "; set BACKUP_TAKEN_AT=2026-11-24T02:00:00Z");
        }
    }
}
