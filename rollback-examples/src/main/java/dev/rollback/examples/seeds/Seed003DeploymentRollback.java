package dev.rollback.examples.seeds;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Notifier;
import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Retry;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Secret;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.core.StepOptions;
import dev.rollback.cli.RollbackProgram;
import dev.rollback.cli.Setting;
import dev.rollback.core.cli.CommandLineOptions;
import dev.rollback.core.cli.UsageException;
import dev.rollback.git.Git;
import dev.rollback.git.Revision;
import dev.rollback.postgres.Postgres;
import dev.rollback.process.Command;
import dev.rollback.process.DockerCompose;
import dev.rollback.process.EnvFile;
import dev.rollback.process.Http;
import dev.rollback.process.LogNotifier;
import dev.rollback.process.Webhook;
import dev.rollback.redis.Redis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Seed 003: the deployment rollback guide for a docker compose stack (backend and frontend),
 * its git tags, its Prisma migrations and its Redis state, with the guide's verification script.
 *
 * <ul>
 *   <li><b>Emergency rollback / Docker Compose image rollback</b>: stop the services, set
 *       {@code IMAGE_TAG} in the env file the compose file reads back to {@code PREVIOUS_TAG} (the
 *       file is backed up first), {@code docker pull} the previous image, {@code docker compose up -d}.
 *       {@code REBUILD=true} adds {@code docker compose build}, as the guide's "rebuild and restart".</li>
 *   <li><b>Rollback using git tags</b>: check out {@code PREVIOUS_TAG} in the deployed checkout
 *       (a safety tag marks the bad HEAD first). The guide's closing {@code git checkout main} is left
 *       out on purpose: the deployed tree must stay at the stable tag. {@code ROLLBACK_TAG} adds the
 *       GitHub Actions section's {@code git tag -a v1.2.3-rollback}, and {@code GIT_REMOTE} pushes it.</li>
 *   <li><b>Prisma migration rollback, option 1</b>: run {@code MIGRATIONS_DIR/<MIGRATION_NAME>/down.sql}
 *       of the bad release in one transaction (before the checkout, which would remove it), then
 *       {@code npx prisma migrate resolve --rolled-back <name>} with {@code DATABASE_URL} in its
 *       environment, never in argv. <b>Option 3</b> ({@code DB_ROLLBACK=restore}): the library's
 *       safe restore of {@code BACKUP_FILE} (new database, verified, swapped in; the current one kept)
 *       instead of {@code ./scripts/restore-db.sh}. A dump of the database is captured before either.</li>
 *   <li><b>Redis state / session cleanup</b>, through rollback-redis's {@code Redis} step:
 *       {@code redis-cli FLUSHDB} ({@code REDIS_FLUSH=all}), or
 *       {@code redis-cli --scan --pattern 'session:*'} then {@code DEL} of those keys
 *       ({@code REDIS_FLUSH=sessions}), after an {@code redis-cli --rdb} snapshot into the run folder,
 *       and a check that no key (or no session key) is left.
 *       {@code REDIS_PASSWORD} reaches redis-cli as {@code REDISCLI_AUTH}, not as the guide's
 *       {@code -a $REDIS_PASSWORD}, which shows it in {@code ps}. {@code REDIS_CONTAINER} runs it
 *       through {@code docker exec -e REDISCLI_AUTH <container>}.</li>
 *   <li><b>Rollback verification</b> ({@code scripts/verify-rollback.sh}): backend health 200,
 *       frontend 200, database answers {@code SELECT 1} (the script's {@code prisma db execute}),
 *       auth status 200 or 401, and the version endpoint shows {@code PREVIOUS_TAG}.</li>
 *   <li><b>Blue-green</b>: with {@code BLUE_GREEN_FILE}, the other color's health is a precheck, then
 *       {@code ACTIVE_COLOR} in that file (the proxy's config) is switched to {@code ROLLBACK_COLOR}
 *       and its health verified. The ALB variant is a command, below.</li>
 *   <li><b>Railway, Vercel, AWS ECS, ALB</b>: the library has no client for those APIs; each is a
 *       {@link Command} with the guide's exact argv, added only when its setting is given:
 *       {@code RAILWAY_ROLLBACK=true} (+{@code RAILWAY_DEPLOYMENT_ID}), {@code VERCEL_PROMOTE_URL},
 *       {@code ECS_CLUSTER}+{@code ECS_SERVICE}+{@code ECS_TASK_DEFINITION} (update-service, then
 *       {@code wait services-stable}), {@code ALB_LISTENER_ARN}+{@code ALB_TARGET_GROUP_ARN}. Tokens
 *       ({@code RAILWAY_TOKEN}, {@code VERCEL_TOKEN}) go in the environment.</li>
 *   <li><b>Decision matrix</b> (rollback vs fix forward) is a decision table's job, not this plan's;
 *       the <b>incident report</b> is written by every run; the <b>communication template</b> is the
 *       closing notification.</li>
 *   <li><b>Quarterly rollback drill</b>: the guide's drill script (deploy, break, roll back, verify)
 *       is what {@code Seed003DeploymentRollbackIT} does against a lab; rollback-test's
 *       {@code CrashDrill} additionally kills a plan at every step boundary and checks that resuming
 *       it ends as an uninterrupted run.</li>
 * </ul>
 *
 * <p>Settings: {@code PREVIOUS_TAG} (required), {@code COMPOSE_FILE} (docker-compose.prod.yml),
 * {@code SERVICES} (backend,frontend), {@code ENV_FILE} (.env), {@code IMAGE_REPOSITORY}
 * (ghcr.io/your-org/pmcrm/backend), {@code PULL_IMAGE} (true), {@code REBUILD} (false),
 * {@code DEPLOY_DIR} (.), {@code ROLLBACK_TAG}, {@code GIT_REMOTE}, {@code DATABASE_URL},
 * {@code DB_ROLLBACK} (down | restore | none; down when {@code MIGRATION_NAME} is set),
 * {@code MIGRATION_NAME}, {@code MIGRATIONS_DIR} (prisma/migrations), {@code PRISMA_RESOLVE} (true),
 * {@code BACKUP_FILE}, {@code REDIS_FLUSH} (all | sessions | none), {@code REDIS_HOST} (127.0.0.1),
 * {@code REDIS_PORT} (6379), {@code REDIS_PASSWORD}, {@code REDIS_CONTAINER},
 * {@code BACKEND_HEALTH_URL} (https://api.your-domain.com/health), {@code FRONTEND_URL}
 * (https://your-domain.com), {@code AUTH_STATUS_URL}, {@code VERSION_URL}, {@code BLUE_GREEN_FILE},
 * {@code ROLLBACK_COLOR} (blue), {@code ROLLBACK_COLOR_HEALTH_URL}, the platform settings above,
 * {@code SLACK_WEBHOOK_URL}, {@code HEALTH_RETRY_DELAY} (PT5S), {@code TOOLS_PATH} (folders searched
 * first for docker, redis-cli, npx, railway, vercel, aws).
 */
public final class Seed003DeploymentRollback {
    /** The plan's name. */
    public static final String PLAN = "deployment-rollback";

    private Seed003DeploymentRollback() {
    }

    /** How the database is rolled back. */
    public enum DbRollback {
        /** Run the migration's down.sql and mark it rolled back (option 1). */
        DOWN,
        /** Restore the pre-migration backup (option 3). */
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
            Setting.text("BACKEND_HEALTH_URL", "the backend's health endpoint").defaultValue("https://api.your-domain.com/health"),
            Setting.text("MIGRATION_NAME", "the Prisma migration folder to undo"),
            Setting.text("DATABASE_URL", "the PostgreSQL database (postgresql://user:password@host/db)").secret(),
            Setting.choice("DB_ROLLBACK", "database rollback: down migration, restore of BACKUP_FILE, or none (default: down when MIGRATION_NAME is set)", DbRollback.class),
            Setting.path("BACKUP_FILE", "the dump to restore"),
            Setting.text("RAILWAY_TOKEN", "Railway API token").secret(),
            Setting.text("VERCEL_TOKEN", "Vercel API token").secret(),
            Setting.text("PREVIOUS_TAG", "the release tag to go back to").required(),
            Setting.path("COMPOSE_FILE", "the docker compose file").defaultValue("docker-compose.prod.yml"),
            Setting.text("SERVICES", "compose services to roll back (comma-separated)").defaultValue("backend,frontend"),
            Setting.path("ENV_FILE", "the app's env file").defaultValue(".env"),
            Setting.text("IMAGE_REPOSITORY", "the backend image's repository").defaultValue("ghcr.io/your-org/pmcrm/backend"),
            Setting.bool("PULL_IMAGE", "pull the previous image").defaultValue("true"),
            Setting.bool("REBUILD", "rebuild the images from the tag").defaultValue("false"),
            Setting.path("DEPLOY_DIR", "the deployed git checkout").defaultValue("."),
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
            Setting.text("VERSION_URL", "the version endpoint (default: from BACKEND_HEALTH_URL)"),
            Setting.path("BLUE_GREEN_FILE", "the blue-green switch file, for a blue-green switch back"),
            Setting.text("ROLLBACK_COLOR", "the color to switch back to").defaultValue("blue"),
            Setting.text("ROLLBACK_COLOR_HEALTH_URL", "health endpoint of that color (default: BACKEND_HEALTH_URL)"),
            Setting.bool("RAILWAY_ROLLBACK", "roll back the Railway deployment too").defaultValue("false"),
            Setting.text("RAILWAY_DEPLOYMENT_ID", "the Railway deployment to roll back to"),
            Setting.text("VERCEL_PROMOTE_URL", "the Vercel promote URL of the previous deployment"),
            Setting.text("ECS_CLUSTER", "the ECS cluster"),
            Setting.text("ECS_SERVICE", "the ECS service"),
            Setting.text("ECS_TASK_DEFINITION", "the ECS task definition to go back to"),
            Setting.text("ALB_LISTENER_ARN", "the ALB listener to switch"),
            Setting.text("ALB_TARGET_GROUP_ARN", "the ALB target group to switch to"),
            Targets.SLACK_WEBHOOK_URL,
            Targets.HEALTH_RETRY_DELAY,
            Targets.TOOLS_PATH);

    /**
     * What the plan needs to know; see the class comment for each setting.
     *
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
     * @param rollbackColorUrl  {@code ROLLBACK_COLOR_HEALTH_URL}
     * @param railwayRollback   {@code RAILWAY_ROLLBACK}
     * @param railwayDeployment {@code RAILWAY_DEPLOYMENT_ID}, or null
     * @param vercelPromoteUrl  {@code VERCEL_PROMOTE_URL}, or null
     * @param ecsCluster        {@code ECS_CLUSTER}, or null
     * @param ecsService        {@code ECS_SERVICE}, or null
     * @param ecsTaskDefinition {@code ECS_TASK_DEFINITION}, or null
     * @param albListenerArn    {@code ALB_LISTENER_ARN}, or null
     * @param albTargetGroupArn {@code ALB_TARGET_GROUP_ARN}, or null
     * @param platformTokens    names of token variables present ({@code RAILWAY_TOKEN}, {@code VERCEL_TOKEN}) and their values
     * @param slackWebhook      {@code SLACK_WEBHOOK_URL}, or null
     * @param healthRetryDelay  {@code HEALTH_RETRY_DELAY}
     * @param toolsPath         {@code TOOLS_PATH}
     */
    public record Settings(String previousTag, Path composeFile, List<String> services, Path envFile, String imageRepository,
                           boolean pullImage, boolean rebuild, Path deployDir, String rollbackTag, String gitRemote,
                           String databaseUrl, DbRollback dbRollback, String migrationName, Path migrationsDir,
                           boolean prismaResolve, Path backupFile, RedisFlush redisFlush, String redisHost, int redisPort,
                           String redisPassword, String redisContainer, String backendHealthUrl, String frontendUrl,
                           String authStatusUrl, String versionUrl, Path blueGreenFile, String rollbackColor,
                           String rollbackColorUrl, boolean railwayRollback, String railwayDeployment, String vercelPromoteUrl,
                           String ecsCluster, String ecsService, String ecsTaskDefinition, String albListenerArn,
                           String albTargetGroupArn, java.util.Map<String, String> platformTokens, String slackWebhook,
                           Duration healthRetryDelay, List<Path> toolsPath) {

        /**
         * @param o the program's options
         * @return the settings, with the guide's defaults
         */
        public static Settings from(CommandLineOptions o) {
            String api = o.setting("BACKEND_HEALTH_URL", "https://api.your-domain.com/health");
            String apiBase = api.replaceFirst("/(api/)?health$", "");
            String migration = o.setting("MIGRATION_NAME").orElse(null);
            String db = o.setting("DATABASE_URL").orElse(null);
            DbRollback dbRollback = DbRollback.valueOf(choice(o.setting("DB_ROLLBACK", migration != null ? "down" : "none"),
                    "DB_ROLLBACK", "down", "restore", "none"));
            if (dbRollback != DbRollback.NONE && db == null) {
                throw new UsageException("DB_ROLLBACK=" + dbRollback.name().toLowerCase(Locale.ROOT) + " needs DATABASE_URL");
            }
            if (dbRollback == DbRollback.DOWN && migration == null) {
                throw new UsageException("DB_ROLLBACK=down needs MIGRATION_NAME, the folder of the migration to undo");
            }
            if (dbRollback == DbRollback.RESTORE && o.setting("BACKUP_FILE").isEmpty()) {
                throw new UsageException("DB_ROLLBACK=restore needs BACKUP_FILE, e.g. /backups/postgres/backup_before_migration.dump");
            }
            java.util.Map<String, String> tokens = new java.util.LinkedHashMap<>();
            for (String t : List.of("RAILWAY_TOKEN", "VERCEL_TOKEN")) {
                o.setting(t).ifPresent(v -> tokens.put(t, v));
            }
            return new Settings(o.require("PREVIOUS_TAG"), Path.of(o.setting("COMPOSE_FILE", "docker-compose.prod.yml")),
                    list(o.setting("SERVICES", "backend,frontend")), Path.of(o.setting("ENV_FILE", ".env")),
                    o.setting("IMAGE_REPOSITORY", "ghcr.io/your-org/pmcrm/backend"), bool(o, "PULL_IMAGE", "true"),
                    bool(o, "REBUILD", "false"), Path.of(o.setting("DEPLOY_DIR", ".")), o.setting("ROLLBACK_TAG").orElse(null),
                    o.setting("GIT_REMOTE").orElse(null), db, dbRollback, migration,
                    Path.of(o.setting("MIGRATIONS_DIR", "prisma/migrations")), bool(o, "PRISMA_RESOLVE", "true"),
                    o.setting("BACKUP_FILE").map(Path::of).orElse(null),
                    RedisFlush.valueOf(choice(o.setting("REDIS_FLUSH", "all"), "REDIS_FLUSH", "all", "sessions", "none")),
                    o.setting("REDIS_HOST", "127.0.0.1"), Integer.parseInt(o.setting("REDIS_PORT", "6379")),
                    o.setting("REDIS_PASSWORD").orElse(null), o.setting("REDIS_CONTAINER").orElse(null),
                    api, o.setting("FRONTEND_URL", "https://your-domain.com"),
                    o.setting("AUTH_STATUS_URL", apiBase + "/api/auth/status"), o.setting("VERSION_URL", apiBase + "/api/version"),
                    o.setting("BLUE_GREEN_FILE").map(Path::of).orElse(null), o.setting("ROLLBACK_COLOR", "blue"),
                    o.setting("ROLLBACK_COLOR_HEALTH_URL", api),
                    bool(o, "RAILWAY_ROLLBACK", "false"), o.setting("RAILWAY_DEPLOYMENT_ID").orElse(null),
                    o.setting("VERCEL_PROMOTE_URL").orElse(null), o.setting("ECS_CLUSTER").orElse(null),
                    o.setting("ECS_SERVICE").orElse(null), o.setting("ECS_TASK_DEFINITION").orElse(null),
                    o.setting("ALB_LISTENER_ARN").orElse(null), o.setting("ALB_TARGET_GROUP_ARN").orElse(null), tokens,
                    o.setting("SLACK_WEBHOOK_URL").orElse(null), Duration.parse(o.setting("HEALTH_RETRY_DELAY", "PT5S")),
                    Targets.searchPath(o.setting("TOOLS_PATH").orElse(null)));
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
        Notifier team = s.slackWebhook() != null ? Webhook.slack(Secret.of(s.slackWebhook())) : LogNotifier.create();
        Retry healthPolls = Retry.times(15).delay(s.healthRetryDelay());

        // tag::plan[]
        PlanBuilder plan = Rollback.plan(PLAN)
            .description("Roll the deployment back to " + s.previousTag() + " (seed 003)")
            .phase("Pre-rollback", Duration.ofMinutes(2), p -> {
                p.notify(team, "Rollback decision: rolling back to " + s.previousTag() + " (plan ${plan}, run ${runId})", Targets.notice("tell the team: rollback decision"))
                 .precheck(deploy.tagExists(s.previousTag()));              // the stable version to roll back to
                if (s.dbRollback() == DbRollback.DOWN) {
                    p.precheck(fileExists("down migration present", downSql))
                     .precheck(pg.canConnect());
                } else if (s.dbRollback() == DbRollback.RESTORE) {
                    p.precheck(pg.canConnect()).precheck(pg.backupReadable(s.backupFile()));
                }
                if (s.blueGreenFile() != null) {
                    p.precheck(Http.get(s.rollbackColorUrl()).expectStatus(200).named(s.rollbackColor() + " is healthy"));
                }
                if (s.redisFlush() != RedisFlush.NONE) {
                    p.precheck(redis(s).ping());                            // a wrong REDIS_PASSWORD is found before anything stops
                }
                p.capture(env.backup())                                     // "document current state"
                 .capture(deploy.safetyTag());
                if (pg != null && s.dbRollback() != DbRollback.NONE) {
                    p.capture(pg.dump(Path.of("pre-rollback/database.dump")));   // "create database backup"
                }
                if (s.redisFlush() != RedisFlush.NONE) {
                    p.capture(redis(s).snapshot(), StepOptions.defaults().name("save redis snapshot"));
                }
            })
            .phase("Emergency rollback: previous version", Duration.ofMinutes(5), p -> {
                p.stopApp(stack);
                if (s.dbRollback() == DbRollback.DOWN) {                    // down.sql lives in the bad release: before the checkout
                    p.step(pg.sqlFile(downSql), StepOptions.defaults().destructive(true));
                    if (s.prismaResolve()) {
                        p.step(Command.of("npx", "prisma", "migrate", "resolve", "--rolled-back", s.migrationName())
                                .env("DATABASE_URL", Secret.of(s.databaseUrl())).directory(s.deployDir()).searchPath(s.toolsPath())
                                .named("prisma migrate resolve --rolled-back " + s.migrationName()));
                    }
                } else if (s.dbRollback() == DbRollback.RESTORE) {
                    p.restore(pg.restore(s.backupFile()).verifyWith(Postgres::foreignKeysValid));
                }
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
            .phase("Application state", Duration.ofMinutes(1), p -> {
                if (s.redisFlush() == RedisFlush.ALL) {
                    p.step(redis(s).flushDb(0), StepOptions.defaults().name("flush redis"))
                     .verify(redis(s).keyCountAtMost(0));
                } else if (s.redisFlush() == RedisFlush.SESSIONS) {
                    p.step(redis(s).deleteMatching("session:*"), StepOptions.defaults().name("delete redis session keys"))
                     .verify(redis(s).keysMatchingAtMost("session:*", 0));
                }
            })
            .phase("Restart", Duration.ofMinutes(3), p -> p
                .startApp(stack)
                .checkpoint("restarted"))
            .phase("Rollback verification", Duration.ofMinutes(5), p -> {
                p.verify(Http.get(s.backendHealthUrl()).expectStatus(200).named("backend healthy"), StepOptions.defaults().retry(healthPolls))
                 .verify(Http.get(s.frontendUrl()).expectStatus(200).named("frontend healthy"), StepOptions.defaults().retry(healthPolls));
                if (pg != null) {
                    p.verify(pg.canConnect(), StepOptions.defaults().name("database connected"));   // the script's "SELECT 1"
                }
                p.verify(Http.get(s.authStatusUrl()).expectStatus(200, 401).named("auth endpoint working"))
                 .verify(Http.get(s.versionUrl()).expectStatus(200).expectBodyContains(s.previousTag()).named("version is " + s.previousTag()));
            });
        if (s.blueGreenFile() != null) {
            plan.phase("Blue-green switch", Duration.ofMinutes(2), p -> p
                .step(EnvFile.at(s.blueGreenFile()).set("ACTIVE_COLOR", s.rollbackColor()))
                .verify(Http.get(s.rollbackColorUrl()).expectStatus(200).named("traffic on " + s.rollbackColor() + " healthy"),
                        StepOptions.defaults().retry(healthPolls)));
        }
        List<Command> platform = platformRollbacks(s);
        if (!platform.isEmpty()) {
            plan.phase("Platform rollbacks", Duration.ofMinutes(15), p -> platform.forEach(p::step));
        }
        plan.phase("Post-rollback", Duration.ofMinutes(2), p -> {
            if (s.rollbackTag() != null) {
                p.step(deploy.tag(s.rollbackTag()).at(Revision.of(s.previousTag())).message("Rollback to working version"));
                if (s.gitRemote() != null) {
                    p.step(deploy.push(s.gitRemote()).tag(s.rollbackTag()));
                }
            }
            p.notify(team, "[RESOLVED] Production rollback: rolled back to " + s.previousTag() + "; all systems operational (run ${runId})", Targets.notice("tell the team: resolved"));
        });
        // end::plan[]
        return plan.build();
    }

    /**
     * @param args the usual rollback flags; settings by {@code --set NAME=VALUE} or environment
     */
    public static void main(String[] args) {
        System.exit(RollbackProgram.named("seed-003-deployment-rollback").settings(SETTINGS)
                .execute(args, o -> plan(Settings.from(o))));
    }

    // ------------------------------------------------------------------ pieces

    private static Command docker(Settings s, String... args) {
        return Command.of("docker", args).searchPath(s.toolsPath()).timeout(Duration.ofMinutes(15));
    }

    /** The Redis of REDIS_HOST:REDIS_PORT (or inside REDIS_CONTAINER), the password only in REDISCLI_AUTH. */
    private static Redis redis(Settings s) {
        String url = "redis://" + s.redisHost() + ":" + s.redisPort() + "/0";
        Redis r = s.redisPassword() == null ? Redis.at(url) : Redis.at(url, Secret.of(s.redisPassword()));
        r = r.searchPath(s.toolsPath()).timeout(Duration.ofMinutes(2));
        return s.redisContainer() == null ? r : r.container(s.redisContainer());
    }

    /** Railway, Vercel, ECS and ALB: commands with the guide's argv, each only when configured. */
    static List<Command> platformRollbacks(Settings s) {
        List<Command> out = new ArrayList<>();
        if (s.railwayRollback()) {
            Command c = s.railwayDeployment() == null ? Command.of("railway", "rollback")
                    : Command.of("railway", "rollback", "--deployment", s.railwayDeployment());
            out.add(withToken(c, s, "RAILWAY_TOKEN").named("railway rollback"));
        }
        if (s.vercelPromoteUrl() != null) {
            out.add(withToken(Command.of("vercel", "promote", s.vercelPromoteUrl()), s, "VERCEL_TOKEN").named("vercel promote"));
        }
        if (s.ecsCluster() != null || s.ecsService() != null || s.ecsTaskDefinition() != null) {
            if (s.ecsCluster() == null || s.ecsService() == null || s.ecsTaskDefinition() == null) {
                throw new UsageException("an ECS rollback needs ECS_CLUSTER, ECS_SERVICE and ECS_TASK_DEFINITION (family:revision)");
            }
            out.add(Command.of("aws", "ecs", "update-service", "--cluster", s.ecsCluster(), "--service", s.ecsService(),
                    "--task-definition", s.ecsTaskDefinition()).named("ecs update-service"));
            out.add(Command.of("aws", "ecs", "wait", "services-stable", "--cluster", s.ecsCluster(), "--services", s.ecsService())
                    .timeout(Duration.ofMinutes(12)).named("ecs wait services-stable"));
        }
        if (s.albListenerArn() != null) {
            if (s.albTargetGroupArn() == null) {
                throw new UsageException("ALB_LISTENER_ARN needs ALB_TARGET_GROUP_ARN, the target group to send traffic back to");
            }
            out.add(Command.of("aws", "elbv2", "modify-listener", "--listener-arn", s.albListenerArn(),
                    "--default-actions", "Type=forward,TargetGroupArn=" + s.albTargetGroupArn()).named("alb switch traffic back"));
        }
        List<Command> located = new ArrayList<>();
        for (Command c : out) {
            located.add(c.searchPath(s.toolsPath()));
        }
        return located;
    }

    private static Command withToken(Command c, Settings s, String variable) {
        String token = s.platformTokens().get(variable);
        return token == null ? c : c.env(variable, Secret.of(token));
    }

    private static Check fileExists(String name, Path file) {
        return new Check() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public StepDescription describe() {
                return StepDescription.of(name).param("file", file);
            }

            @Override
            public CheckResult check(StepContext ctx) {
                return Files.isRegularFile(file) ? CheckResult.passed(name, file, "a file")
                        : CheckResult.failed(name, "missing", file, file + " does not exist; write the migration's down.sql "
                        + "or choose DB_ROLLBACK=restore. Nothing was changed.");
            }
        };
    }

    private static boolean bool(CommandLineOptions o, String name, String fallback) {
        return Boolean.parseBoolean(choice(o.setting(name, fallback), name, "true", "false").toLowerCase(Locale.ROOT));
    }

    private static String choice(String value, String name, String... allowed) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!List.of(allowed).contains(v)) {
            throw new UsageException(name + " must be one of " + String.join(", ", allowed) + ", got '" + value + "'");
        }
        return v.toUpperCase(Locale.ROOT);
    }

    private static List<String> list(String csv) {
        List<String> out = new ArrayList<>();
        for (String part : csv.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return List.copyOf(out);
    }
}
