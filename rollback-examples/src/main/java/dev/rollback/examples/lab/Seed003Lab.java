package dev.rollback.examples.lab;

import dev.rollback.core.Rollback;
import dev.rollback.core.RunReport;
import dev.rollback.test.StandIns;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Seed 003's world, for real, in a {@link Lab}: a docker compose stack of two services
 * ({@code backend}, {@code frontend}), each a real {@link LabApp} process under the docker compose
 * stand-in, reading the env file that holds {@code IMAGE_TAG} and {@code DATABASE_URL}; the deployed
 * checkout with releases v1.2.2, v1.2.3 and the bad v1.3.0, whose Prisma migration
 * {@code 20240101_add_user_role} (with its {@code down.sql}) is applied to the {@code pmcrm}
 * database; a blue-green switch file with {@code ACTIVE_COLOR=green}.
 *
 * <p>The cache is a real {@code redis-server} with a password ({@link LabRedis}, two session keys and
 * a page) where it is installed; elsewhere a redis-cli stand-in. No npx or image registry runs here:
 * {@link #toolStandIns} writes stand-in scripts for {@code npx} (and redis-cli where needed) that
 * record their arguments (and whether the secret arrived in
 * the environment) in {@code <bin>/<tool>.log}, and a {@code docker} wrapper that records
 * {@code pull} and {@code build} and hands everything else to rollback-test's compose stand-in.
 */
public final class Seed003Lab {
    /** The database. */
    public static final String DB = "pmcrm";
    /** The migration of the bad release. */
    public static final String MIGRATION = "20240101_add_user_role";
    /** The cache's password. */
    public static final String REDIS_PASSWORD = "redis-pw-8d2c41";
    /** The Redis container of the guide. */
    public static final String REDIS_CONTAINER = "pmcrm-redis-prod";
    /** The ECS task definition of the bad release. */
    public static final String ECS_BAD = "pmcrm-backend:43";
    /** The ECS task definition of v1.2.3. */
    public static final String ECS_GOOD = "pmcrm-backend:42";
    /** The green target group (the bad release's). */
    public static final String TG_GREEN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/green/2f";
    /** The blue target group (v1.2.3). */
    public static final String TG_BLUE = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/1e";
    /** The Vercel deployment of v1.2.3. */
    public static final String VERCEL_GOOD = "pmcrm-frontend-abc123.vercel.app";
    /** The Railway deployment of v1.2.3. */
    public static final String RAILWAY_GOOD = "dep-42";
    /** The compose services. */
    public static final List<String> SERVICES = List.of("backend", "frontend");

    private Seed003Lab() {
    }

    /**
     * What was set up.
     *
     * @param env         the program's environment (DATABASE_URL and REDIS_PASSWORD, secrets)
     * @param settings    {@code --set} arguments
     * @param releases    tag to commit id
     * @param composeFile the compose file
     * @param blueGreen   the blue-green switch file
     * @param toolsBin    the folder of the stand-ins (redis-cli, npx, docker, aws, vercel, railway), with their logs and state
     * @param backendUrl  the backend's base URL
     * @param frontendUrl the frontend's URL
     * @param redis       the real redis-server holding the sessions, or null where it is not installed (a redis-cli stand-in then)
     * @param blueUrl     the base URL of the blue color (v1.2.3, still running beside the bad green one)
     * @param platforms   base URL of each platform's service ({@code ecs}, {@code vercel}, {@code railway}), serving v1.3.0
     * @param gzBackup    the gzipped dump of the database before the bad release's migration
     */
    public record Setup(Map<String, String> env, List<String> settings, Map<String, String> releases, Path composeFile,
                        Path blueGreen, Path toolsBin, String backendUrl, String frontendUrl, LabRedis redis,
                        String blueUrl, Map<String, String> platforms, Path gzBackup) {
        /**
         * @param more further arguments
         * @return the settings, then these
         */
        public String[] args(String... more) {
            List<String> a = new ArrayList<>(settings);
            a.addAll(List.of(more));
            return a.toArray(new String[0]);
        }

        /**
         * @param platform {@code ecs}, {@code vercel} or {@code railway}
         * @return the version that platform's service serves now
         */
        public String platformVersion(String platform) {
            try {
                return Files.readString(toolsBin.resolve(platform + "-state/app/VERSION")).trim();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * @param lab an unused lab (its deploy folder must be empty)
     * @return what was set up, the stack running at the bad release
     */
    public static Setup prepare(Lab lab) {
        try {
            LabPostgres pg = lab.postgres();
            pg.recreateDatabase(DB);
            pg.execute(DB, """
                    CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE);
                    INSERT INTO users (email) SELECT 'user' || g || '@pmcrm.example' FROM generate_series(1, 25) g;
                    CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz,
                        migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz,
                        started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count int NOT NULL DEFAULT 0);
                    """);
            Map<String, String> releases = releases(lab.deployDirectory());
            Path gzBackup = gzippedBackup(lab, pg);                 // ./scripts/restore-db.sh's .dump.gz, before the migration
            // v1.3.0 went live: its migration is applied
            pg.execute(DB, Files.readString(migrationDir(lab).resolve("migration.sql"))
                    + "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) "
                    + "VALUES ('6c1f', 'abc', now(), '" + MIGRATION + "', 1);");

            Path compose = lab.work().resolve("app/docker-compose.prod.yml");
            Files.writeString(compose, "services:\n  backend:\n    image: ghcr.io/your-org/pmcrm/backend:${IMAGE_TAG}\n    env_file: .env.production\n"
                    + "  frontend:\n    image: ghcr.io/your-org/pmcrm/frontend:${IMAGE_TAG}\n    env_file: .env.production\n");
            Files.writeString(lab.envFile(), "NODE_ENV=production\nIMAGE_TAG=v1.3.0\nDATABASE_URL=\"" + pg.databaseUrl(DB) + "\"\n");
            Path blueGreen = lab.work().resolve("app/active-color.env");
            Files.writeString(blueGreen, "# which color the proxy sends traffic to\nACTIVE_COLOR=green\n");

            String health = lab.healthUrl(StandIns.compose("backend"));
            int frontendPort = Lab.freePort();
            lab.standIns().wantPort(StandIns.compose("frontend"), frontendPort);
            lab.runTool("docker", "compose", "-f", compose.toString(), "up", "-d", "backend", "frontend");
            String frontend = "http://127.0.0.1:" + frontendPort + "/";
            Lab.awaitHealthy(health);
            Lab.awaitHealthy(frontend);

            // the cache: a real redis-server with a password where installed, else the redis-cli stand-in
            LabRedis redis = LabRedis.installed() ? lab.redis(REDIS_PASSWORD) : null;
            if (redis != null) {
                redis.cli("FLUSHALL");
                redis.cli("MSET", "session:alice", "a1", "session:bob", "b2", "cache:home", "<html>");
            }
            Path bin = toolStandIns(lab.work().resolve("tools-bin"), lab.standIns().binDirectory(), redis == null);
            String blue = lab.extraApp(release(bin.resolve("blue-color"), "v1.2.3"));   // blue: the previous release, still up
            Map<String, String> platforms = new LinkedHashMap<>();
            for (String platform : List.of("ecs", "vercel", "railway")) {          // each serves the bad v1.3.0 until rolled back
                platforms.put(platform, lab.extraApp(release(bin.resolve(platform + "-state/app"), "v1.3.0")));
            }
            List<String> settings = new ArrayList<>(List.of("--set", "PREVIOUS_TAG=v1.2.3", "--set", "COMPOSE_FILE=" + compose,
                    "--set", "ENV_FILE=" + lab.envFile(), "--set", "DEPLOY_DIR=" + lab.deployDirectory(),
                    "--set", "MIGRATION_NAME=" + MIGRATION, "--set", "BACKEND_HEALTH_URL=" + health, "--set", "FRONTEND_URL=" + frontend,
                    "--set", "TOOLS_PATH=" + bin + File.pathSeparator + lab.standIns().binDirectory(),
                    "--set", "HEALTH_RETRY_DELAY=PT0.2S", "--set", "MONITOR_WINDOW=PT2S", "--set", "MONITOR_INTERVAL=PT0.2S"));
            if (redis != null) {
                settings.addAll(List.of("--set", "REDIS_PORT=" + redis.port()));
            }
            return new Setup(Map.of("DATABASE_URL", pg.databaseUrl(DB), "REDIS_PASSWORD", REDIS_PASSWORD), List.copyOf(settings), releases,
                    compose, blueGreen, bin, lab.appUrl(), frontend, redis, blue, Map.copyOf(platforms), gzBackup);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not set up seed 003's database: " + e.getMessage(), e);
        }
    }

    private static Path release(Path dir, String version) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("VERSION"), version + "\n");
        return dir;
    }

    /** A pg_dump of the database before the migration, gzipped as the guide's backups are. */
    private static Path gzippedBackup(Lab lab, LabPostgres pg) throws IOException {
        Path backups = Files.createDirectories(lab.work().resolve("backups"));
        Path dump = backups.resolve("backup_before_migration.dump");
        Path gz = backups.resolve("backup_before_migration.dump.gz");
        Files.deleteIfExists(gz);
        RunReport r = Rollback.runner().run(Rollback.plan("pre-migration-backup").capture(pg.postgres(DB).dump(dump)).build());
        if (!r.isSuccess()) {
            throw new IllegalStateException("the lab's pre-migration backup failed: " + r.failure().message());
        }
        try (InputStream in = Files.newInputStream(dump); OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            in.transferTo(out);
        }
        Files.delete(dump);
        return gz;
    }

    /**
     * @param lab the lab
     * @return the bad release's migration folder in the deployed checkout
     */
    public static Path migrationDir(Lab lab) {
        return lab.deployDirectory().resolve("prisma/migrations").resolve(MIGRATION);
    }

    private static Map<String, String> releases(Path dir) throws IOException {
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put("v1.2.2", "postgresql");
        wanted.put("v1.2.3", "postgresql");
        Map<String, String> ids = new LinkedHashMap<>(LabGit.releases(dir, wanted));
        try (Git git = Git.open(dir.toFile())) {
            PersonIdent who = new PersonIdent("Release Bot", "release@example.com");
            Path m = Files.createDirectories(dir.resolve("prisma/migrations").resolve(MIGRATION));
            Files.writeString(m.resolve("migration.sql"), "CREATE TYPE user_role AS ENUM ('ADMIN', 'MEMBER');\n"
                    + "ALTER TABLE users ADD COLUMN role user_role NOT NULL DEFAULT 'MEMBER';\n");
            // the guide's custom rollback script for this migration
            Files.writeString(m.resolve("down.sql"), "ALTER TABLE users DROP COLUMN role;\nDROP TYPE user_role;\n");
            Files.writeString(dir.resolve("VERSION"), "v1.3.0\n");
            git.add().addFilepattern(".").call();
            RevCommit c = git.commit().setMessage("Release v1.3.0: user roles").setAuthor(who).setCommitter(who).call();
            git.tag().setName("v1.3.0").setMessage("Release v1.3.0").setTagger(who).setObjectId(c).setAnnotated(true).call();
            ids.put("v1.3.0", c.getName());
        } catch (GitAPIException e) {
            throw new IllegalStateException("Could not create the bad release: " + e.getMessage(), e);
        }
        return ids;
    }

    /**
     * Writes the stand-ins for the tools this machine does not have.
     *
     * @param bin         the folder
     * @param standInsBin rollback-test's stand-ins, where the docker wrapper sends compose commands
     * @param redisCli    whether to write the redis-cli stand-in (where no real Redis runs)
     * @return the folder
     */
    public static Path toolStandIns(Path bin, Path standInsBin, boolean redisCli) {
        try {
            Files.createDirectories(bin);
            if (redisCli) {
                script(bin.resolve("redis-cli"), """
                    #!/bin/bash
                    # Stand-in for redis-cli: records the call; REDISCLI_AUTH is recorded as set/unset, never its value.
                    # Three keys (two sessions) until FLUSHDB; the sessions until they are deleted.
                    here="$(dirname "$0")"
                    echo "redis-cli $* | auth=${REDISCLI_AUTH:+set}" >> "$here/redis-cli.log"
                    while [ $# -gt 0 ]; do
                      case "$1" in
                        -h|-p|-n|--user) shift 2 ;;
                        -e|--tls) shift ;;
                        PING) echo PONG; exit 0 ;;
                        DBSIZE) if [ -f "$here/redis.flushed" ]; then echo 0; else echo 3; fi; exit 0 ;;
                        --rdb) printf 'REDIS0011-standin' > "$2"; echo "Transfer finished with success."; exit 0 ;;
                        --scan) [ -f "$here/redis.flushed" ] || [ -f "$here/redis.sessions-deleted" ] || printf 'session:alice\\nsession:bob\\n'; exit 0 ;;
                        FLUSHDB) touch "$here/redis.flushed"; echo OK; exit 0 ;;
                        DEL) shift; touch "$here/redis.sessions-deleted"; echo "$#"; exit 0 ;;
                        *) shift ;;
                      esac
                    done
                    """);
            }
            script(bin.resolve("npx"), """
                    #!/bin/bash
                    # Stand-in for npx (prisma): records the call and whether DATABASE_URL came in the environment.
                    echo "npx $* | DATABASE_URL=${DATABASE_URL:+set}" >> "$(dirname "$0")/npx.log"
                    """);
            String compose = standInsBin.resolve("docker").toString().replace("'", "'\\''");
            script(bin.resolve("docker"), """
                    #!/bin/bash
                    # docker: records pull and build (no registry here); exec and cp into a container whose file system is
                    # <bin>/container-root/<name> (absolute paths in its arguments map there; redis-cli runs on this host against
                    # the lab's Redis); everything else (compose stop/up/ps) goes to the compose stand-in.
                    here="$(dirname "$0")"; root="$here/container-root"
                    case "$1" in
                      pull) echo "docker $*" >> "$here/docker.log"; exit 0 ;;
                      exec)
                        shift; while [ "$1" = -e ]; do shift 2; done
                        container="$1"; shift
                        echo "docker exec $container $* | auth=${REDISCLI_AUTH:+set}" >> "$here/docker.log"
                        [ -d "$root/$container" ] || { echo "Error response from daemon: No such container: $container" >&2; exit 1; }
                        args=()
                        for a in "$@"; do case "$a" in /*) args+=("$root/$container$a") ;; *) args+=("$a") ;; esac; done
                        if [ "${args[0]}" = redis-cli ] && [ -x "$here/redis-cli" ]; then args[0]="$here/redis-cli"; fi
                        exec "${args[@]}" ;;
                      cp)
                        c="${2%%:*}"; echo "docker cp $2 $3" >> "$here/docker.log"
                        exec cp "$root/$c${2#*:}" "$3" ;;
                    esac
                    if [ "${@: -1}" = build ]; then echo "docker $*" >> "$here/docker.log"; exit 0; fi
                    exec '@COMPOSE@' "$@"
                    """.replace("@COMPOSE@", compose));
            Files.createDirectories(bin.resolve("container-root/" + REDIS_CONTAINER + "/tmp"));
            script(bin.resolve("aws"), """
                    #!/bin/bash
                    # Stand-in for the AWS CLI: an ECS service (its task definition; each revision's version in ecs-state/revisions,
                    # served by a real process from ecs-state/app) and an ALB listener (its target group), as files. Records calls.
                    here="$(dirname "$0")"; state="$here/ecs-state"
                    echo "aws $*" >> "$here/aws.log"
                    arg() { local want="$1"; shift; while [ $# -gt 0 ]; do [ "$1" = "$want" ] && { echo "$2"; return; }; shift; done; }
                    case "$1 $2" in
                      "--version "*) echo "aws-cli/2.15.0 Python/3.11.6 Linux (stand-in)" ;;
                      "ecs update-service")
                        td=$(arg --task-definition "$@")
                        v=$(cat "$state/revisions/$td" 2>/dev/null) || { echo "An error occurred (ClientException): TaskDefinition not found: $td" >&2; exit 254; }
                        echo "$td" > "$state/taskdef"; echo "$v" > "$state/app/VERSION"; echo '{"service": {"status": "ACTIVE"}}' ;;
                      "ecs wait") exit 0 ;;
                      "ecs describe-services") echo "arn:aws:ecs:eu-west-1:123456789012:task-definition/$(cat "$state/taskdef")" ;;
                      "elbv2 modify-listener") a=$(arg --default-actions "$@"); echo "${a#*TargetGroupArn=}" > "$here/alb.targetgroup" ;;
                      "elbv2 describe-listeners") cat "$here/alb.targetgroup" ;;
                      *) echo "aws stand-in: not supported: $*" >&2; exit 2 ;;
                    esac
                    """);
            Files.createDirectories(bin.resolve("ecs-state/revisions"));
            Files.writeString(bin.resolve("ecs-state/revisions/" + ECS_BAD), "v1.3.0\n");
            Files.writeString(bin.resolve("ecs-state/revisions/" + ECS_GOOD), "v1.2.3\n");
            Files.writeString(bin.resolve("ecs-state/taskdef"), ECS_BAD + "\n");
            Files.writeString(bin.resolve("alb.targetgroup"), TG_GREEN + "\n");
            for (String platform : List.of("vercel", "railway")) {
                script(bin.resolve(platform), """
                        #!/bin/bash
                        # Stand-in for the @P@ CLI: deployments and their versions in @P@-state/deployments; the one promoted or
                        # rolled back to is served by a real process from @P@-state/app. Records calls and whether the token came.
                        here="$(dirname "$0")"; state="$here/@P@-state"
                        echo "@P@ $* | @T@=${@T@:+set}" >> "$here/@P@.log"
                        case "$1" in
                          --version) echo "@P@ CLI (stand-in)" ;;
                          promote|rollback)
                            id="${2:-previous}"; [ "$2" = --deployment ] && id="$3"
                            v=$(cat "$state/deployments/$id" 2>/dev/null) || { echo "Error: deployment $id not found" >&2; exit 1; }
                            echo "$v" > "$state/app/VERSION"; echo "Success: $id is live" ;;
                          *) echo "@P@ stand-in: not supported: $*" >&2; exit 2 ;;
                        esac
                        """.replace("@P@", platform).replace("@T@", platform.toUpperCase(java.util.Locale.ROOT) + "_TOKEN"));
                Files.createDirectories(bin.resolve(platform + "-state/deployments"));
            }
            Files.writeString(bin.resolve("vercel-state/deployments/" + VERCEL_GOOD), "v1.2.3\n");
            Files.writeString(bin.resolve("railway-state/deployments/" + RAILWAY_GOOD), "v1.2.3\n");
            Files.writeString(bin.resolve("railway-state/deployments/previous"), "v1.2.3\n");
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void script(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
