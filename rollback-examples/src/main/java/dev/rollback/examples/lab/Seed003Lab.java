package dev.rollback.examples.lab;

import dev.rollback.test.StandIns;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
     * @param toolsBin    the folder of the redis-cli, npx and docker stand-ins, with their logs
     * @param backendUrl  the backend's base URL
     * @param frontendUrl the frontend's URL
     * @param redis       the real redis-server holding the sessions, or null where it is not installed (a redis-cli stand-in then)
     */
    public record Setup(Map<String, String> env, List<String> settings, Map<String, String> releases, Path composeFile,
                        Path blueGreen, Path toolsBin, String backendUrl, String frontendUrl, LabRedis redis) {
        /**
         * @param more further arguments
         * @return the settings, then these
         */
        public String[] args(String... more) {
            List<String> a = new ArrayList<>(settings);
            a.addAll(List.of(more));
            return a.toArray(new String[0]);
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
            List<String> settings = new ArrayList<>(List.of("--set", "PREVIOUS_TAG=v1.2.3", "--set", "COMPOSE_FILE=" + compose,
                    "--set", "ENV_FILE=" + lab.envFile(), "--set", "DEPLOY_DIR=" + lab.deployDirectory(),
                    "--set", "MIGRATION_NAME=" + MIGRATION, "--set", "BACKEND_HEALTH_URL=" + health, "--set", "FRONTEND_URL=" + frontend,
                    "--set", "TOOLS_PATH=" + bin + java.io.File.pathSeparator + lab.standIns().binDirectory(),
                    "--set", "HEALTH_RETRY_DELAY=PT0.2S"));
            if (redis != null) {
                settings.addAll(List.of("--set", "REDIS_PORT=" + redis.port()));
            }
            return new Setup(Map.of("DATABASE_URL", pg.databaseUrl(DB), "REDIS_PASSWORD", REDIS_PASSWORD), List.copyOf(settings), releases,
                    compose, blueGreen, bin, lab.appUrl(), frontend, redis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not set up seed 003's database: " + e.getMessage(), e);
        }
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
            script(bin.resolve("docker"), "#!/bin/bash\n"
                    + "# docker: records pull and build (no registry here), hands compose stop/up/ps to the stand-in.\n"
                    + "if [ \"$1\" = pull ] || [ \"${@: -1}\" = build ]; then echo \"docker $*\" >> \"$(dirname \"$0\")/docker.log\"; exit 0; fi\n"
                    + "exec '" + standInsBin.resolve("docker").toString().replace("'", "'\\''") + "' \"$@\"\n");
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
