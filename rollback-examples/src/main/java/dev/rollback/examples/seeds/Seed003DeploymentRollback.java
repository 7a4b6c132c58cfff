package dev.rollback.examples.seeds;

import dev.rollback.cli.RollbackProgram;
import dev.rollback.cli.Setting;
import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Notifier;
import dev.rollback.core.PhaseBuilder;
import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Retry;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Secret;
import dev.rollback.core.StepDescription;
import dev.rollback.core.StepOptions;
import dev.rollback.core.cli.CommandLineOptions;
import dev.rollback.core.cli.UsageException;
import dev.rollback.core.spi.DescribedCheck;
import dev.rollback.examples.decisions.SeedDecisionTables;
import dev.rollback.git.Git;
import dev.rollback.git.Revision;
import dev.rollback.postgres.Postgres;
import dev.rollback.process.Command;
import dev.rollback.process.DockerCompose;
import dev.rollback.process.EnvFile;
import dev.rollback.process.Http;
import dev.rollback.redis.Redis;

import static dev.rollback.examples.seeds.Seed001NextjsProductionRollback.enumSetting;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Seed 003: the deployment rollback guide, one platform at a time ({@code PLATFORM}), each with
 * its own verification, plus the guide's blue-green switch, Prisma migrations and Redis state.
 *
 * <ul>
 *   <li><b>{@code PLATFORM=compose}</b> (default; emergency rollback, image rollback, git tags):
 *       stop the services, run the database rollback while they are down, check out
 *       {@code PREVIOUS_TAG} (a safety tag marks the bad HEAD first; the guide's closing
 *       {@code git checkout main} is left out on purpose), set {@code IMAGE_TAG} in the env file the
 *       compose file reads ({@code docker pull} the image, {@code REBUILD=true} adds
 *       {@code docker compose build}), flush Redis, {@code docker compose up -d}. Verified as the
 *       guide's {@code verify-rollback.sh}: backend health, frontend, database {@code SELECT 1},
 *       auth 200 or 401, and the version endpoint showing {@code PREVIOUS_TAG}.</li>
 *   <li><b>{@code PLATFORM=ecs}</b>: {@code aws ecs update-service --task-definition
 *       ECS_TASK_DEFINITION}, {@code aws ecs wait services-stable}; verified by
 *       {@code aws ecs describe-services} naming that task definition, then backend health, auth
 *       and version.</li>
 *   <li><b>{@code PLATFORM=vercel}</b>: {@code vercel promote VERCEL_PROMOTE_URL}
 *       ({@code VERCEL_TOKEN} in the environment); verified by the frontend answering 200 and its
 *       version endpoint showing {@code PREVIOUS_TAG}.</li>
 *   <li><b>{@code PLATFORM=railway}</b>: {@code railway rollback [--deployment
 *       RAILWAY_DEPLOYMENT_ID]} ({@code RAILWAY_TOKEN} in the environment); verified by backend
 *       health, auth and version.</li>
 *   <li><b>{@code PLATFORM=github-actions}</b>: {@code git log --oneline -10} kept, {@code git revert
 *       REVERT_COMMIT} in the checkout, {@code git push GIT_REMOTE GIT_BRANCH} (a fast-forward): the
 *       pipeline deploys the revert; verified by backend health (polled {@code DEPLOY_POLLS} times)
 *       and auth.</li>
 *   <li><b>{@code PLATFORM=none}</b>: only the blue-green switch below.</li>
 *   <li><b>Blue-green</b> ({@code BLUE_GREEN_FILE}, the proxy's {@code ACTIVE_COLOR} file, or
 *       {@code ALB_LISTENER_ARN} + {@code ALB_TARGET_GROUP_ARN}, {@code aws elbv2 modify-listener}):
 *       a traffic flip <em>before anything is stopped</em>: the other color's health
 *       ({@code ROLLBACK_COLOR_HEALTH_URL}) is a precheck, traffic is switched, the switch is verified
 *       (the color answers; the listener forwards to the target group), then the platform's own
 *       rollback repairs the bad color while users are on the good one.</li>
 *   <li><b>Prisma migrations</b> ({@code DB_ROLLBACK}): option 1 {@code down}: the bad release's
 *       {@code MIGRATIONS_DIR/<MIGRATION_NAME>/down.sql} in one transaction (before the checkout,
 *       which would remove it), then {@code npx prisma migrate resolve --rolled-back}; option 2
 *       {@code applied}: {@code npx prisma migrate resolve --applied MIGRATION_NAME}, then
 *       {@code npx prisma migrate deploy}; option 3 {@code restore}: the safe restore of
 *       {@code BACKUP_FILE} (new database, verified, swapped in; the current one kept), a
 *       {@code .dump.gz} decompressed into the run folder first. {@code DATABASE_URL} reaches npx in
 *       its environment, never argv. A dump of the database is captured first. With compose, the
 *       database is rolled back while the services are stopped; on a platform, after its rollback
 *       (the old code runs on the new schema for that moment, as a Prisma expand migration allows).</li>
 *   <li><b>Redis state / session cleanup</b>, through rollback-redis's {@code Redis} step:
 *       {@code FLUSHDB} ({@code REDIS_FLUSH=all}) or the {@code session:*} keys only
 *       ({@code sessions}), after an {@code redis-cli --rdb} snapshot into the run folder, then a
 *       check that no key (or no session key) is left. {@code REDIS_PASSWORD} reaches redis-cli as
 *       {@code REDISCLI_AUTH}, not as the guide's {@code -a}, which shows it in {@code ps}.
 *       {@code REDIS_CONTAINER} runs redis-cli through {@code docker exec -e REDISCLI_AUTH}; the
 *       snapshot is written inside the container, then copied out with {@code docker cp}.</li>
 *   <li><b>GitHub Actions</b>: {@code ROLLBACK_TAG} tags {@code PREVIOUS_TAG}
 *       ({@code git tag -a v1.2.3-rollback}), {@code GIT_REMOTE} pushes it.</li>
 *   <li>The <b>decision matrix</b> is {@code SeedDecisionTables.seed003()} ({@code --decide}); the
 *       <b>incident report</b> is written by every run; the <b>communication template</b> is the
 *       closing notification; the <b>quarterly drill</b> is {@code Seed003DeploymentRollbackIT}.</li>
 * </ul>
 *
 * <p>Settings: {@code PLATFORM}, {@code PREVIOUS_TAG} (required), {@code COMPOSE_FILE}
 * (docker-compose.prod.yml), {@code SERVICES} (backend,frontend), {@code ENV_FILE} (.env),
 * {@code IMAGE_REPOSITORY} (ghcr.io/your-org/pmcrm/backend), {@code PULL_IMAGE} (true),
 * {@code REBUILD} (false), {@code DEPLOY_DIR} (.), {@code ROLLBACK_TAG}, {@code GIT_REMOTE},
 * {@code DATABASE_URL}, {@code DB_ROLLBACK} (down | applied | restore | none; down when
 * {@code MIGRATION_NAME} is set), {@code MIGRATION_NAME}, {@code MIGRATIONS_DIR}
 * (prisma/migrations), {@code PRISMA_RESOLVE} (true), {@code BACKUP_FILE}, {@code REDIS_FLUSH}
 * (all | sessions | none), {@code REDIS_HOST} (127.0.0.1), {@code REDIS_PORT} (6379),
 * {@code REDIS_PASSWORD}, {@code REDIS_CONTAINER}, {@code BACKEND_HEALTH_URL}
 * (https://api.your-domain.com/health), {@code FRONTEND_URL} (https://your-domain.com),
 * {@code AUTH_STATUS_URL}, {@code VERSION_URL}, {@code BLUE_GREEN_FILE}, {@code ROLLBACK_COLOR}
 * (blue), {@code ROLLBACK_COLOR_HEALTH_URL}, {@code ALB_LISTENER_ARN}, {@code ALB_TARGET_GROUP_ARN},
 * {@code RAILWAY_DEPLOYMENT_ID}, {@code VERCEL_PROMOTE_URL}, {@code ECS_CLUSTER},
 * {@code ECS_SERVICE}, {@code ECS_TASK_DEFINITION}, {@code REVERT_COMMIT}, {@code GIT_BRANCH} (main),
 * {@code DEPLOY_POLLS} (60), {@code SLACK_WEBHOOK_URL}, {@code USERS_WEBHOOK_URL},
 * {@code HEALTH_RETRY_DELAY} (PT5S), {@code TOOLS_PATH} (folders searched first for docker,
 * redis-cli, npx, railway, vercel, aws), {@code MONITOR_WINDOW} (the checklist's "Monitor for 30
 * minutes": PT30M; 0s leaves it out), {@code MONITOR_INTERVAL} (PT30S), {@code MONITOR_FAIL_AFTER}
 * (2: failed polls in a row that fail the run).
 *
 * <p>The post-rollback phase watches the health endpoints the verification checked (the backend's,
 * and the frontend's on compose and Vercel) for the window before the team hears "[RESOLVED]"; a
 * failure fails the run (code {@code monitor.window.failed}) and tells the team, and a resume after a
 * crash watches the rest of the window.
 */
public final class Seed003DeploymentRollback {
    /** The plan's name. */
    public static final String PLAN = "deployment-rollback";
    /** The checklist's "Monitor for 30 minutes": the default of {@code MONITOR_WINDOW}. */
    public static final String MONITOR_WINDOW = "PT30M";

    private Seed003DeploymentRollback() {
    }

    /** Where the application runs, and so how it is rolled back. */
    public enum Platform {
        /** A docker compose stack on this host (the guide's emergency, image and git-tag rollbacks). */
        COMPOSE,
        /** AWS ECS: the service back to a previous task definition revision. */
        ECS,
        /** Vercel: a previous deployment promoted to production. */
        VERCEL,
        /** Railway: the service rolled back to a previous deployment. */
        RAILWAY,
        /** GitHub Actions: the bad commit reverted and pushed; the pipeline deploys the result. */
        GITHUB_ACTIONS,
        /** Nothing but the blue-green switch. */
        NONE
    }

    /** How the database is rolled back. */
    public enum DbRollback {
        /** Option 1: run the migration's down.sql and mark it rolled back. */
        DOWN,
        /** Option 2: mark a migration applied, then {@code prisma migrate deploy}. */
        APPLIED,
        /** Option 3: restore the pre-migration backup. */
        RESTORE,
        /** Leave the database alone. */
        NONE
    }

    /** What happens to Redis. */
    public enum RedisFlush {
        /** FLUSHDB. */
        ALL,
        /** Delete the {@code session:*} keys only. */
        SESSIONS,
        /** Nothing. */
        NONE
    }

    /** The settings this program reads, for --help, typo suggestions and value checks ({@code RollbackProgram}). */
    public static final List<Setting> SETTINGS = List.of(
            Setting.choice("PLATFORM", "where the app runs: a compose stack here, AWS ECS, Vercel, Railway, a GitHub Actions pipeline "
                    + "(revert and push), or none (a blue-green switch only)",
                    Platform.class).defaultValue("compose"),
            Setting.text("PREVIOUS_TAG", "the release tag to go back to").required(),
            Setting.text("BACKEND_HEALTH_URL", "the backend's health endpoint").defaultValue("https://api.your-domain.com/health"),
            Setting.text("MIGRATION_NAME", "the Prisma migration folder to undo (down), or to mark applied (applied)"),
            Setting.text("DATABASE_URL", "the PostgreSQL database (postgresql://user:password@host/db)").secret(),
            Setting.choice("DB_ROLLBACK", "database rollback: down migration, mark applied and migrate deploy, restore of BACKUP_FILE, "
                    + "or none (default: down when MIGRATION_NAME is set)", DbRollback.class),
            Setting.path("BACKUP_FILE", "the dump to restore (a .dump.gz is decompressed into the run folder first)"),
            Setting.text("RAILWAY_TOKEN", "Railway API token").secret(),
            Setting.text("VERCEL_TOKEN", "Vercel API token").secret(),
            Setting.path("COMPOSE_FILE", "the docker compose file").defaultValue("docker-compose.prod.yml"),
            Setting.text("SERVICES", "compose services to roll back (comma-separated)").defaultValue("backend,frontend"),
            Setting.path("ENV_FILE", "the app's env file").defaultValue(".env"),
            Setting.text("IMAGE_REPOSITORY", "the backend image's repository").defaultValue("ghcr.io/your-org/pmcrm/backend"),
            Setting.bool("PULL_IMAGE", "pull the previous image").defaultValue("true"),
            Setting.bool("REBUILD", "rebuild the images from the tag").defaultValue("false"),
            Targets.DEPLOY_DIR,
            Setting.text("ROLLBACK_TAG", "a tag to mark the rollback commit"),
            Setting.text("GIT_REMOTE", "the remote to push the rollback tag to"),
            Setting.path("MIGRATIONS_DIR", "the Prisma migrations folder").defaultValue("prisma/migrations"),
            Setting.bool("PRISMA_RESOLVE", "mark the undone migration as rolled back in Prisma").defaultValue("true"),
            Setting.choice("REDIS_FLUSH", "what to flush in Redis", RedisFlush.class).defaultValue("all"),
            Setting.text("REDIS_HOST", "the Redis host").defaultValue("127.0.0.1"),
            Setting.integer("REDIS_PORT", "the Redis port").defaultValue("6379"),
            Setting.text("REDIS_PASSWORD", "the Redis password").secret(),
            Setting.text("REDIS_CONTAINER", "the Redis container, when redis-cli runs inside it"),
            Setting.text("FRONTEND_URL", "the frontend's URL").defaultValue("https://your-domain.com"),
            Setting.text("AUTH_STATUS_URL", "the auth status endpoint (default: from BACKEND_HEALTH_URL)"),
            Setting.text("VERSION_URL", "the version endpoint (default: from BACKEND_HEALTH_URL; with vercel, FRONTEND_URL/api/version)"),
            Setting.path("BLUE_GREEN_FILE", "the proxy's file naming the active color, for a blue-green switch back"),
            Setting.text("ROLLBACK_COLOR", "the color to switch back to").defaultValue("blue"),
            Setting.text("ROLLBACK_COLOR_HEALTH_URL", "health endpoint of that color (required with a blue-green switch)"),
            Setting.text("ALB_LISTENER_ARN", "the ALB listener to switch back (blue-green on AWS)"),
            Setting.text("ALB_TARGET_GROUP_ARN", "the ALB target group to send traffic back to"),
            Setting.text("RAILWAY_DEPLOYMENT_ID", "the Railway deployment to roll back to (default: the previous one)"),
            Setting.text("VERCEL_PROMOTE_URL", "the Vercel URL of the deployment to promote"),
            Setting.text("ECS_CLUSTER", "the ECS cluster"),
            Setting.text("ECS_SERVICE", "the ECS service"),
            Setting.text("ECS_TASK_DEFINITION", "the ECS task definition to go back to (family:revision)"),
            Setting.text("REVERT_COMMIT", "with PLATFORM=github-actions: the bad commit to revert"),
            Setting.text("GIT_BRANCH", "with PLATFORM=github-actions: the branch the pipeline deploys").defaultValue("main"),
            Setting.integer("DEPLOY_POLLS", "with PLATFORM=github-actions: health polls while the pipeline deploys").defaultValue("60"),
            Targets.SLACK_WEBHOOK_URL,
            Targets.USERS_WEBHOOK_URL,
            Targets.HEALTH_RETRY_DELAY,
            Targets.TOOLS_PATH,
            Targets.monitorWindow(MONITOR_WINDOW),
            Targets.MONITOR_INTERVAL,
            Targets.MONITOR_FAIL_AFTER);

    /**
     * What the plan needs to know; see the class comment for each setting.
     *
     * @param platform          {@code PLATFORM}
     * @param previousTag       {@code PREVIOUS_TAG}
     * @param composeFile       {@code COMPOSE_FILE}
     * @param services          {@code SERVICES}
     * @param envFile           {@code ENV_FILE}
     * @param imageRepository   {@code IMAGE_REPOSITORY}
     * @param pullImage         {@code PULL_IMAGE}
     * @param rebuild           {@code REBUILD}
     * @param deployDir         {@code DEPLOY_DIR}
     * @param rollbackTag       {@code ROLLBACK_TAG}, or null
     * @param gitRemote         {@code GIT_REMOTE}, or null
     * @param databaseUrl       {@code DATABASE_URL}, or null
     * @param dbRollback        {@code DB_ROLLBACK}
     * @param migrationName     {@code MIGRATION_NAME}, or null
     * @param migrationsDir     {@code MIGRATIONS_DIR}, relative to the deploy folder
     * @param prismaResolve     {@code PRISMA_RESOLVE}
     * @param backupFile        {@code BACKUP_FILE}, or null
     * @param redisFlush        {@code REDIS_FLUSH}
     * @param redisHost         {@code REDIS_HOST}
     * @param redisPort         {@code REDIS_PORT}
     * @param redisPassword     {@code REDIS_PASSWORD}, or null
     * @param redisContainer    {@code REDIS_CONTAINER}, or null
     * @param backendHealthUrl  {@code BACKEND_HEALTH_URL}
     * @param frontendUrl       {@code FRONTEND_URL}
     * @param authStatusUrl     {@code AUTH_STATUS_URL}
     * @param versionUrl        {@code VERSION_URL}
     * @param blueGreenFile     {@code BLUE_GREEN_FILE}, or null
     * @param rollbackColor     {@code ROLLBACK_COLOR}
     * @param rollbackColorUrl  {@code ROLLBACK_COLOR_HEALTH_URL}, or null
     * @param albListenerArn    {@code ALB_LISTENER_ARN}, or null
     * @param albTargetGroupArn {@code ALB_TARGET_GROUP_ARN}, or null
     * @param railwayDeployment {@code RAILWAY_DEPLOYMENT_ID}, or null
     * @param vercelPromoteUrl  {@code VERCEL_PROMOTE_URL}, or null
     * @param ecsCluster        {@code ECS_CLUSTER}, or null
     * @param ecsService        {@code ECS_SERVICE}, or null
     * @param ecsTaskDefinition {@code ECS_TASK_DEFINITION}, or null
     * @param revertCommit      {@code REVERT_COMMIT}, or null
     * @param gitBranch         {@code GIT_BRANCH}
     * @param deployPolls       {@code DEPLOY_POLLS}
     * @param platformTokens    names of token variables present ({@code RAILWAY_TOKEN}, {@code VERCEL_TOKEN}) and their values
     * @param slackWebhook      {@code SLACK_WEBHOOK_URL}, or null
     * @param usersWebhook      {@code USERS_WEBHOOK_URL}, or null (the users' notice goes to the log)
     * @param healthRetryDelay  {@code HEALTH_RETRY_DELAY}
     * @param toolsPath         {@code TOOLS_PATH}
     * @param watch             {@code MONITOR_WINDOW}, {@code MONITOR_INTERVAL}, {@code MONITOR_FAIL_AFTER}
     */
    public record Settings(Platform platform, String previousTag, Path composeFile, List<String> services, Path envFile,
                           String imageRepository, boolean pullImage, boolean rebuild, Path deployDir, String rollbackTag,
                           String gitRemote, String databaseUrl, DbRollback dbRollback, String migrationName, Path migrationsDir,
                           boolean prismaResolve, Path backupFile, RedisFlush redisFlush, String redisHost, int redisPort,
                           String redisPassword, String redisContainer, String backendHealthUrl, String frontendUrl,
                           String authStatusUrl, String versionUrl, Path blueGreenFile, String rollbackColor,
                           String rollbackColorUrl, String albListenerArn, String albTargetGroupArn, String railwayDeployment,
                           String vercelPromoteUrl, String ecsCluster, String ecsService, String ecsTaskDefinition,
                           String revertCommit, String gitBranch, int deployPolls,
                           Map<String, String> platformTokens, String slackWebhook, String usersWebhook, Duration healthRetryDelay,
                           List<Path> toolsPath, Targets.Watch watch) {

        /**
         * @param o the program's options
         * @return the settings, with the guide's defaults
         */
        public static Settings from(CommandLineOptions o) {
            Platform platform = enumSetting(Platform.class, "PLATFORM", o.setting("PLATFORM", "compose"));
            String api = o.setting("BACKEND_HEALTH_URL", "https://api.your-domain.com/health");
            String apiBase = api.replaceFirst("/(api/)?health$", "");
            String frontend = o.setting("FRONTEND_URL", "https://your-domain.com");
            String migration = o.setting("MIGRATION_NAME").orElse(null);
            String db = o.setting("DATABASE_URL").orElse(null);
            DbRollback dbRollback = enumSetting(DbRollback.class, "DB_ROLLBACK", o.setting("DB_ROLLBACK", migration != null ? "down" : "none"));
            if (dbRollback != DbRollback.NONE && db == null) {
                throw new UsageException("DB_ROLLBACK=" + dbRollback.name().toLowerCase(Locale.ROOT) + " needs DATABASE_URL");
            }
            if ((dbRollback == DbRollback.DOWN || dbRollback == DbRollback.APPLIED) && migration == null) {
                throw new UsageException("DB_ROLLBACK=" + dbRollback.name().toLowerCase(Locale.ROOT) + " needs MIGRATION_NAME, the migration "
                        + (dbRollback == DbRollback.DOWN ? "folder to undo" : "to mark applied"));
            }
            if (dbRollback == DbRollback.RESTORE && o.setting("BACKUP_FILE").isEmpty()) {
                throw new UsageException("DB_ROLLBACK=restore needs BACKUP_FILE, e.g. /backups/postgres/backup_before_migration.dump.gz");
            }
            requireAll(platform == Platform.ECS, "PLATFORM=ecs", o, "ECS_CLUSTER", "ECS_SERVICE", "ECS_TASK_DEFINITION");
            requireAll(platform == Platform.VERCEL, "PLATFORM=vercel", o, "VERCEL_PROMOTE_URL");
            requireAll(platform == Platform.GITHUB_ACTIONS, "PLATFORM=github-actions", o, "REVERT_COMMIT", "GIT_REMOTE");
            boolean alb = o.setting("ALB_LISTENER_ARN").isPresent() || o.setting("ALB_TARGET_GROUP_ARN").isPresent();
            requireAll(alb, "a blue-green switch on the ALB", o, "ALB_LISTENER_ARN", "ALB_TARGET_GROUP_ARN");
            requireAll(o.setting("BLUE_GREEN_FILE").isPresent(), "BLUE_GREEN_FILE", o, "ROLLBACK_COLOR_HEALTH_URL");
            if (platform == Platform.NONE && !alb && o.setting("BLUE_GREEN_FILE").isEmpty()) {
                throw new UsageException("PLATFORM=none rolls back by a blue-green switch only: set BLUE_GREEN_FILE (with "
                        + "ROLLBACK_COLOR_HEALTH_URL) or ALB_LISTENER_ARN and ALB_TARGET_GROUP_ARN, or choose a PLATFORM");
            }
            Map<String, String> tokens = new LinkedHashMap<>();
            for (String t : List.of("RAILWAY_TOKEN", "VERCEL_TOKEN")) {
                o.setting(t).ifPresent(v -> tokens.put(t, v));
            }
            String versionDefault = platform == Platform.VERCEL ? frontend.replaceAll("/+$", "") + "/api/version" : apiBase + "/api/version";
            return new Settings(platform, o.require("PREVIOUS_TAG"), Path.of(o.setting("COMPOSE_FILE", "docker-compose.prod.yml")),
                    Targets.list(o.setting("SERVICES", "backend,frontend")), Path.of(o.setting("ENV_FILE", ".env")),
                    o.setting("IMAGE_REPOSITORY", "ghcr.io/your-org/pmcrm/backend"), bool(o, "PULL_IMAGE", "true"),
                    bool(o, "REBUILD", "false"), Path.of(o.setting("DEPLOY_DIR", ".")), o.setting("ROLLBACK_TAG").orElse(null),
                    o.setting("GIT_REMOTE").orElse(null), db, dbRollback, migration,
                    Path.of(o.setting("MIGRATIONS_DIR", "prisma/migrations")), bool(o, "PRISMA_RESOLVE", "true"),
                    o.setting("BACKUP_FILE").map(Path::of).orElse(null),
                    enumSetting(RedisFlush.class, "REDIS_FLUSH", o.setting("REDIS_FLUSH", "all")),
                    o.setting("REDIS_HOST", "127.0.0.1"), Integer.parseInt(o.setting("REDIS_PORT", "6379")),
                    o.setting("REDIS_PASSWORD").orElse(null), o.setting("REDIS_CONTAINER").orElse(null),
                    api, frontend, o.setting("AUTH_STATUS_URL", apiBase + "/api/auth/status"), o.setting("VERSION_URL", versionDefault),
                    o.setting("BLUE_GREEN_FILE").map(Path::of).orElse(null), o.setting("ROLLBACK_COLOR", "blue"),
                    o.setting("ROLLBACK_COLOR_HEALTH_URL").orElse(null), o.setting("ALB_LISTENER_ARN").orElse(null),
                    o.setting("ALB_TARGET_GROUP_ARN").orElse(null), o.setting("RAILWAY_DEPLOYMENT_ID").orElse(null),
                    o.setting("VERCEL_PROMOTE_URL").orElse(null), o.setting("ECS_CLUSTER").orElse(null),
                    o.setting("ECS_SERVICE").orElse(null), o.setting("ECS_TASK_DEFINITION").orElse(null),
                    o.setting("REVERT_COMMIT").orElse(null), o.setting("GIT_BRANCH", "main"), Integer.parseInt(o.setting("DEPLOY_POLLS", "60")), tokens,
                    o.setting("SLACK_WEBHOOK_URL").orElse(null), o.setting("USERS_WEBHOOK_URL").orElse(null),
                    Duration.parse(o.setting("HEALTH_RETRY_DELAY", "PT5S")),
                    Targets.searchPath(o.setting("TOOLS_PATH").orElse(null)), Targets.Watch.from(o, MONITOR_WINDOW));
        }

        /** @return whether traffic is switched between colors first */
        public boolean blueGreen() {
            return blueGreenFile != null || albListenerArn != null;
        }
    }

    /**
     * @param s the settings
     * @return the plan
     */
    public static RollbackPlan plan(Settings s) {
        DockerCompose stack = DockerCompose.file(s.composeFile()).services(s.services().toArray(new String[0])).searchPath(s.toolsPath());
        EnvFile env = EnvFile.at(s.envFile());
        Git deploy = Git.repo(s.deployDir()).identity("Rollback Bot", "rollback@example.com");
        Postgres pg = s.databaseUrl() == null ? null : Targets.postgres(s.databaseUrl());
        Path downSql = s.migrationName() == null ? null : s.deployDir().resolve(s.migrationsDir()).resolve(s.migrationName()).resolve("down.sql");
        Notifier team = Targets.team(s.slackWebhook());
        Notifier users = Targets.users(s.usersWebhook());
        Retry healthPolls = Retry.times(15).delay(s.healthRetryDelay());
        boolean compose = s.platform() == Platform.COMPOSE;
        boolean dbRollback = pg != null && s.dbRollback() != DbRollback.NONE;

        // tag::plan[]
        PlanBuilder plan = Rollback.plan(PLAN)
            .description("Roll the deployment back to " + s.previousTag() + " (seed 003, PLATFORM="
                    + s.platform().name().toLowerCase(Locale.ROOT) + (s.blueGreen() ? ", blue-green" : "") + ")")
            .onFailure(Targets.tellTheTeamOnFailure(team, "deployment rollback to " + s.previousTag()))
            .phase("Pre-rollback", Duration.ofMinutes(2), p -> {
                p.notify(team, "Rollback decision: rolling back to " + s.previousTag() + " (plan ${plan}, run ${runId})",
                        Targets.notice("tell the team: rollback decision"));
                if (compose || s.rollbackTag() != null) {   // (the revert of github-actions checks its own commit)
                    p.precheck(deploy.tagExists(s.previousTag()));          // the stable version to roll back to
                }
                platformTool(s).ifPresent(tool -> p.precheck(tool));         // the platform's CLI answers before anything moves
                databasePrechecks(p, s, pg, downSql);
                if (s.blueGreenFile() != null) {
                    p.precheck(Http.get(s.rollbackColorUrl()).expectStatus(200).named(s.rollbackColor() + " is healthy"));
                }
                if (s.redisFlush() != RedisFlush.NONE) {
                    p.precheck(redis(s).ping());                            // a wrong REDIS_PASSWORD is found before anything stops
                }
                if (compose) {
                    p.capture(env.backup())                                 // "document current state"
                     .capture(deploy.safetyTag());
                }
                if (dbRollback) {
                    p.capture(pg.dump(Path.of("pre-rollback/database.dump")));   // "create database backup"
                }
                if (s.redisFlush() != RedisFlush.NONE) {
                    p.capture(redis(s).snapshot(), StepOptions.defaults().name("save redis snapshot"));
                }
            });
        if (s.blueGreen()) {                                                // users on the good color before anything stops
            plan.phase("Blue-green: traffic back to " + s.rollbackColor(), Duration.ofMinutes(2), p -> {
                if (s.blueGreenFile() != null) {
                    p.step(EnvFile.at(s.blueGreenFile()).set("ACTIVE_COLOR", s.rollbackColor()))
                     .verify(Http.get(s.rollbackColorUrl()).expectStatus(200).named("traffic on " + s.rollbackColor() + " healthy"),
                             StepOptions.defaults().retry(healthPolls));
                }
                if (s.albListenerArn() != null) {
                    p.step(aws(s, "elbv2", "modify-listener", "--listener-arn", s.albListenerArn(),
                            "--default-actions", "Type=forward,TargetGroupArn=" + s.albTargetGroupArn()).named("alb switch traffic back"))
                     .verify(outputIs("listener forwards to " + s.rollbackColor(), aws(s, "elbv2", "describe-listeners", "--listener-arns",
                             s.albListenerArn(), "--query", "Listeners[0].DefaultActions[0].TargetGroupArn", "--output", "text"),
                             s.albTargetGroupArn()));
                }
                p.checkpoint("traffic-on-" + s.rollbackColor());
            });
        }
        switch (s.platform()) {
            case COMPOSE -> plan
                .phase("Emergency rollback: previous version", Duration.ofMinutes(5), p -> {
                    p.stopApp(stack);
                    databaseRollback(p, s, pg, downSql);                     // down.sql lives in the bad release: before the checkout
                    p.step(deploy.checkout(Revision.of(s.previousTag())))
                     .verify(deploy.headIs(Revision.of(s.previousTag())))
                     .step(env.set("IMAGE_TAG", s.previousTag()));
                    if (s.pullImage()) {
                        p.step(docker(s, "pull", s.imageRepository() + ":" + s.previousTag()));
                    }
                    if (s.rebuild()) {
                        p.step(docker(s, "compose", "-f", s.composeFile().toString(), "build"));
                    }
                    p.checkpoint("previous-version-in-place");
                })
                .phase("Application state", Duration.ofMinutes(1), p -> redisCleanup(p, s))
                .phase("Restart", Duration.ofMinutes(3), p -> p
                    .startApp(stack)
                    .checkpoint("restarted"));
            case ECS -> plan.phase("ECS: previous task definition", Duration.ofMinutes(15), p -> p
                .step(aws(s, "ecs", "update-service", "--cluster", s.ecsCluster(), "--service", s.ecsService(),
                        "--task-definition", s.ecsTaskDefinition()).named("ecs update-service"))
                .step(aws(s, "ecs", "wait", "services-stable", "--cluster", s.ecsCluster(), "--services", s.ecsService())
                        .timeout(Duration.ofMinutes(12)).named("ecs wait services-stable"))
                .checkpoint("previous-version-in-place"));
            case VERCEL -> plan.phase("Vercel: promote the previous deployment", Duration.ofMinutes(5), p -> p
                .step(withToken(Command.of("vercel", "promote", s.vercelPromoteUrl()), s, "VERCEL_TOKEN").named("vercel promote"))
                .checkpoint("previous-version-in-place"));
            case RAILWAY -> plan.phase("Railway: roll back the deployment", Duration.ofMinutes(10), p -> p
                .step(withToken(s.railwayDeployment() == null ? Command.of("railway", "rollback")
                        : Command.of("railway", "rollback", "--deployment", s.railwayDeployment()), s, "RAILWAY_TOKEN").named("railway rollback"))
                .checkpoint("previous-version-in-place"));
            case GITHUB_ACTIONS -> plan.phase("GitHub Actions: revert the failed deployment", Duration.ofMinutes(5), p -> p
                .precheck(deploy.workingTreeClean())
                .precheck(deploy.branchContains(s.gitBranch(), Revision.of(s.revertCommit())))
                .capture(Command.of("git", "log", "--oneline", "-10").directory(s.deployDir()).searchPath(s.toolsPath())
                        .stdoutTo(Path.of("recent-commits.txt")).named("list recent commits (git log --oneline -10)"))
                .step(deploy.revert(s.revertCommit()))                      // git revert <bad-commit-hash>
                .step(deploy.push(s.gitRemote()).branch(s.gitBranch()))    // git push origin main: the pipeline deploys it
                .checkpoint("previous-version-in-place"));
            case NONE -> { }
        }
        if (!compose && (dbRollback || s.redisFlush() != RedisFlush.NONE)) {   // on a platform: after the old code is back
            plan.phase("Database and application state", Duration.ofMinutes(10), p -> {
                databaseRollback(p, s, pg, downSql);
                redisCleanup(p, s);
            });
        }
        plan.phase("Rollback verification", Duration.ofMinutes(5), p -> verification(p, s, pg, healthPolls))
            .phase("Post-rollback", Duration.ofMinutes(2).plus(s.watch().window()), p -> {
                List<Check> watched = healthChecks(s);
                if (s.watch().on() && !watched.isEmpty()) {                 // "Monitor for 30 minutes"
                    p.monitorFor(s.watch().window(), s.watch().of(team, watched.toArray(new Check[0])));
                }
                if (s.rollbackTag() != null) {
                    p.step(deploy.tag(s.rollbackTag()).at(Revision.of(s.previousTag())).message("Rollback to working version"));
                    if (s.gitRemote() != null) {
                        p.step(deploy.push(s.gitRemote()).tag(s.rollbackTag()));
                    }
                }
                p.notify(team, "[RESOLVED] Production rollback: rolled back to " + s.previousTag() + "; all systems operational (run ${runId}). "
                        + "Root cause investigation in progress.", Targets.notice("tell the team: resolved"))
                 .notify(users, "Service Update: we briefly experienced technical difficulties today. The issue has been resolved and all "
                        + "services are now operating normally. We apologize for any inconvenience.",
                                Targets.notice("tell users: service update"));
            });
        // end::plan[]
        return plan.build();
    }

    /**
     * The program front: the flags, this seed's settings and {@code --decide} with its decision table
     * ({@code SeedDecisionTables.seed003()}; see {@link Decide} for the signals it reads).
     *
     * @param name how the program is started, for usage and resume commands
     * @return the front, ready to {@code execute}
     */
    public static RollbackProgram program(String name) {
        return RollbackProgram.named(name).settings(SETTINGS).settings(Decide.SETTINGS)
                .decisions(Decide.with(SeedDecisionTables.seed003(), "BACKEND_HEALTH_URL", "DATABASE_URL"));
    }

    /**
     * @param args the usual rollback flags; settings by {@code --set NAME=VALUE} or environment
     */
    public static void main(String[] args) {
        System.exit(program("seed-003-deployment-rollback")
                .execute(args, o -> plan(Settings.from(o))));
    }

    // ------------------------------------------------------------------ pieces

    private static void databasePrechecks(PhaseBuilder p, Settings s, Postgres pg, Path downSql) {
        switch (s.dbRollback()) {
            case DOWN -> p.precheck(fileExists("down migration present", downSql)).precheck(pg.canConnect());
            case APPLIED -> p.precheck(pg.canConnect());
            case RESTORE -> {
                p.precheck(pg.canConnect());
                p.precheck(GunzipRestore.gzipped(s.backupFile()) ? gzipComplete(s.backupFile()) : pg.backupReadable(s.backupFile()));
            }
            case NONE -> { }
        }
    }

    /** Prisma option 1, 2 or 3. */
    private static void databaseRollback(PhaseBuilder p, Settings s, Postgres pg, Path downSql) {
        switch (s.dbRollback()) {
            case DOWN -> {
                p.step(pg.sqlFile(downSql), StepOptions.defaults().destructive(true));
                if (s.prismaResolve()) {
                    p.step(npx(s, "prisma", "migrate", "resolve", "--rolled-back", s.migrationName()));
                }
            }
            case APPLIED -> p.step(npx(s, "prisma", "migrate", "resolve", "--applied", s.migrationName()))
                             .step(npx(s, "prisma", "migrate", "deploy"), StepOptions.defaults().destructive(true));
            case RESTORE -> {
                if (GunzipRestore.gzipped(s.backupFile())) {
                    p.restore(GunzipRestore.of(pg, s.backupFile(), r -> r.verifyWith(Postgres::foreignKeysValid)));
                } else {
                    p.restore(pg.restore(s.backupFile()).verifyWith(Postgres::foreignKeysValid));
                }
            }
            case NONE -> { }
        }
    }

    private static void redisCleanup(PhaseBuilder p, Settings s) {
        if (s.redisFlush() == RedisFlush.ALL) {
            p.step(redis(s).flushDb(0), StepOptions.defaults().name("flush redis"))
             .verify(redis(s).keyCountAtMost(0));
        } else if (s.redisFlush() == RedisFlush.SESSIONS) {
            p.step(redis(s).deleteMatching("session:*"), StepOptions.defaults().name("delete redis session keys"))
             .verify(redis(s).keysMatchingAtMost("session:*", 0));
        }
    }

    /** Each platform's own verification, after the guide's verify-rollback.sh. */
    /** The health endpoints of the platform: the backend's, and the frontend's on compose and Vercel. */
    private static List<Check> healthChecks(Settings s) {
        List<Check> checks = new ArrayList<>();
        if (s.platform() != Platform.VERCEL && s.platform() != Platform.NONE) {
            checks.add(Http.get(s.backendHealthUrl()).expectStatus(200).named("backend healthy"));
        }
        if (s.platform() == Platform.COMPOSE || s.platform() == Platform.VERCEL) {
            checks.add(Http.get(s.frontendUrl()).expectStatus(200).named("frontend healthy"));
        }
        return checks;
    }

    private static void verification(PhaseBuilder p, Settings s, Postgres pg, Retry healthPolls) {
        StepOptions polled = StepOptions.defaults().retry(healthPolls);
        boolean backend = s.platform() != Platform.VERCEL && s.platform() != Platform.NONE;
        if (s.platform() == Platform.GITHUB_ACTIONS) {                  // the pipeline needs a while: poll longer
            polled = StepOptions.defaults().retry(Retry.times(s.deployPolls()).delay(s.healthRetryDelay()));
        }
        if (s.platform() == Platform.ECS) {
            p.verify(outputIs("ECS service runs " + s.ecsTaskDefinition(), aws(s, "ecs", "describe-services", "--cluster", s.ecsCluster(),
                    "--services", s.ecsService(), "--query", "services[0].taskDefinition", "--output", "text"), s.ecsTaskDefinition()));
        }
        if (backend) {
            p.verify(Http.get(s.backendHealthUrl()).expectStatus(200).named("backend healthy"), polled);
        }
        if (s.platform() == Platform.COMPOSE || s.platform() == Platform.VERCEL) {
            p.verify(Http.get(s.frontendUrl()).expectStatus(200).named("frontend healthy"), polled);
        }
        if (pg != null && s.platform() != Platform.VERCEL) {
            p.verify(pg.canConnect(), StepOptions.defaults().name("database connected"));   // the script's "SELECT 1"
        }
        if (backend) {
            p.verify(Http.get(s.authStatusUrl()).expectStatus(200, 401).named("auth endpoint working"));
        }
        if (s.platform() != Platform.NONE && s.platform() != Platform.GITHUB_ACTIONS) {
            p.verify(Http.get(s.versionUrl()).expectStatus(200).expectBodyContains(s.previousTag()).named("version is " + s.previousTag()),
                    polled);
        }
    }

    private static Optional<Check> platformTool(Settings s) {
        return switch (s.platform()) {
            case ECS -> Optional.of(aws(s, "--version").asCheck("AWS CLI installed"));
            case VERCEL -> Optional.of(Command.of("vercel", "--version").searchPath(s.toolsPath()).asCheck("Vercel CLI installed"));
            case RAILWAY -> Optional.of(Command.of("railway", "--version").searchPath(s.toolsPath()).asCheck("Railway CLI installed"));
            case COMPOSE, NONE, GITHUB_ACTIONS -> s.albListenerArn() != null ? Optional.of(aws(s, "--version").asCheck("AWS CLI installed"))
                    : Optional.empty();
        };
    }

    private static Command docker(Settings s, String... args) {
        return Command.of("docker", args).searchPath(s.toolsPath()).timeout(Duration.ofMinutes(15));
    }

    private static Command aws(Settings s, String... args) {
        return Command.of("aws", args).searchPath(s.toolsPath()).timeout(Duration.ofMinutes(5));
    }

    private static Command npx(Settings s, String... args) {
        return Command.of("npx", args).env("DATABASE_URL", Secret.of(s.databaseUrl())).directory(s.deployDir()).searchPath(s.toolsPath())
                .timeout(Duration.ofMinutes(10)).named("npx " + String.join(" ", args));
    }

    /** The Redis of REDIS_HOST:REDIS_PORT (or inside REDIS_CONTAINER), the password only in REDISCLI_AUTH. */
    private static Redis redis(Settings s) {
        String url = "redis://" + s.redisHost() + ":" + s.redisPort() + "/0";
        Redis r = s.redisPassword() == null ? Redis.at(url) : Redis.at(url, Secret.of(s.redisPassword()));
        r = r.searchPath(s.toolsPath()).timeout(Duration.ofMinutes(2));
        return s.redisContainer() == null ? r : r.container(s.redisContainer());
    }

    private static Command withToken(Command c, Settings s, String variable) {
        String token = s.platformTokens().get(variable);
        return (token == null ? c : c.env(variable, Secret.of(token))).searchPath(s.toolsPath()).timeout(Duration.ofMinutes(10));
    }

    /**
     * A check that a command prints a value: a task definition ({@code family:revision}, or its ARN
     * ending in it), a target group ARN.
     */
    private static Check outputIs(String name, Command command, String expected) {
        return DescribedCheck.of(name, command.describe().param("expect", expected), ctx -> {
            String out = command.run(ctx).stdoutText().trim();
            return out.equals(expected) || out.endsWith("/" + expected) ? CheckResult.passed(name, out, expected)
                    : CheckResult.failed(name, out.isEmpty() ? "(nothing)" : out, expected, command.name() + " printed '" + out
                    + "', not " + expected + ": the platform did not take the rollback; look at its console");
        });
    }

    /** A gzipped backup read to its end (the CRC trailer), before anything stops. */
    private static Check gzipComplete(Path gz) {
        String name = "backup " + gz.getFileName() + " is a complete gzip";
        return DescribedCheck.of(name, StepDescription.of(name).param("file", gz), ctx -> {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
                long n = in.transferTo(OutputStream.nullOutputStream());
                return n > 0 ? CheckResult.passed(name, n + " bytes", "a complete gzip")
                        : CheckResult.failed(name, "empty", "a complete gzip", gz + " holds nothing. Nothing was changed.");
            } catch (IOException e) {
                return CheckResult.failed(name, e.getMessage(), "a complete gzip", gz + " cannot be decompressed (" + e.getMessage()
                        + "): a truncated or damaged copy. Nothing was changed; restore another backup.");
            }
        });
    }

    private static Check fileExists(String name, Path file) {
        return DescribedCheck.of(name, StepDescription.of(name).param("file", file), ctx -> Files.isRegularFile(file)
                ? CheckResult.passed(name, file, "a file")
                : CheckResult.failed(name, "missing", file, file + " does not exist; write the migration's down.sql "
                + "or choose DB_ROLLBACK=restore. Nothing was changed."));
    }

    private static void requireAll(boolean when, String what, CommandLineOptions o, String... names) {
        if (!when) {
            return;
        }
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (o.setting(n).filter(v -> !v.isBlank()).isEmpty()) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            throw new UsageException(what + " needs " + String.join(", ", names) + "; missing: " + String.join(", ", missing));
        }
    }

    private static boolean bool(CommandLineOptions o, String name, String fallback) {
        String v = o.setting(name, fallback).trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new UsageException(name + " must be true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }
}
