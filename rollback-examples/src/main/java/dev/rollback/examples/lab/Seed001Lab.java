package dev.rollback.examples.lab;

import dev.rollback.core.Rollback;
import dev.rollback.core.RunReport;
import dev.rollback.examples.seeds.Seed001NextjsProductionRollback;
import dev.rollback.examples.seeds.Seed001NextjsProductionRollback.GitRollback;
import dev.rollback.examples.seeds.Seed001NextjsProductionRollback.RestoreMode;
import dev.rollback.examples.seeds.Seed001NextjsProductionRollback.Scenario;
import dev.rollback.examples.seeds.Targets;
import dev.rollback.process.Pm2;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Seed 001's world, for real, in a {@link Lab}: a Next.js app run by pm2 — the real pm2 with a
 * daemon of the lab's own ({@code PM2_HOME} in the lab) where pm2 is installed, the pm2 stand-in
 * otherwise (or with {@code ROLLBACK_LAB_PM2=stand-in}); either way the app is {@link LabApp}, its
 * own process — its PostgreSQL database {@code nextjs_app} (users and their notifications) with a
 * known good backup taken before the deployment; then the bad deployment: a migration that dropped the
 * foreign key, deleted users (leaving orphan notifications) and dropped {@code notifications.read_at};
 * the checkout at the problematic commit; and an {@code .env.production} whose {@code DATABASE_URL}
 * points at a server that is not there, so the app answers 503 — with the good file kept as
 * {@code .env.production.previous}. {@code npm install} and {@code npm run build} are two small
 * scripts in {@code tools/} that write {@code node_modules/.installed} and {@code .next/BUILD_ID}
 * (the checked-out VERSION).
 *
 * <p>{@link #prepare(Lab)} can be called again on the same lab: it puts the world back in its
 * broken state (the PostgreSQL server and the app process are reused).
 */
public final class Seed001Lab {
    /** The database. */
    public static final String DATABASE = "nextjs_app";
    /** The pm2 app. */
    public static final String APP = "nextjs-app";
    /** Users in the good backup. */
    public static final int USERS = 40;
    /** Notifications in the good backup. */
    public static final int NOTIFICATIONS = 120;
    /** Users the bad migration left, plus the one who signed up after the deploy. */
    public static final int USERS_AFTER_BAD_MIGRATION = 31;
    /** The user who signed up after the deploy: a write a code or configuration rollback must keep. */
    public static final String LATE_SIGNUP = "late-signup@example.com";

    private Seed001Lab() {
    }

    /**
     * What was set up.
     *
     * @param backupFile        the known good backup (custom format, with the library's row-count manifest)
     * @param stableCommit      the last good commit (tag v1.0.0)
     * @param problematicCommit the bad commit at HEAD (tag v1.1.0)
     * @param healthUrl         the app's health URL
     * @param toolsPath         the stand-ins' folder, for TOOLS_PATH
     * @param installScript     the stand-in for npm install
     * @param buildScript       the stand-in for npm run build
     * @param goodEnv           the content of .env.production.previous
     * @param badEnv            the content of .env.production
     * @param pm2Home           the real pm2's daemon folder, or null when the stand-in runs the app
     */
    public record Setup(Path backupFile, String stableCommit, String problematicCommit, String healthUrl, String toolsPath,
                        Path installScript, Path buildScript, String goodEnv, String badEnv, Path pm2Home) {

        /**
         * @param lab the lab
         * @return the pid of the app's process, or -1 when it does not run
         */
        public long appPid(Lab lab) {
            if (pm2Home == null) {
                return lab.standIns().process(StandIns.pm2(APP)).map(ProcessHandle::pid).orElse(-1L);
            }
            return Pm2.app(APP).home(pm2Home).status().filter(Pm2.Process::online).map(Pm2.Process::pid).orElse(-1L);
        }

        /**
         * @param lab         the lab
         * @param scenario    what is rolled back
         * @param gitRollback the code rollback
         * @param restoreMode the restore
         * @return settings for the seed-001 plan in this lab
         */
        public Seed001NextjsProductionRollback.Settings settings(Lab lab, Scenario scenario, GitRollback gitRollback, RestoreMode restoreMode) {
            String base = healthUrl.replaceFirst("/api/health$", "");
            return new Seed001NextjsProductionRollback.Settings(scenario, lab.postgres().databaseUrl(DATABASE), backupFile, Path.of("."),
                    restoreMode, Targets.RestoreOrder.PREPARE_FIRST, new Targets.FreeSpace(true, lab.postgres().dataDirectory(), null),
                    USERS, APP, lab.deployDirectory(), gitRollback, problematicCommit, stableCommit,
                    List.of(installScript.toString()), List.of(buildScript.toString()), lab.envFile(),
                    Path.of(lab.envFile() + ".previous"), healthUrl, List.of("/", "/api/version"), base + "/api/auth/session", null, null, null,
                    pm2Home == null ? lab.standIns().searchPath() : List.of(), Duration.ofMillis(200), pm2Home,
                    new Targets.Watch(Duration.ZERO, Duration.ofMillis(200), 2), lab.work().resolve("app-error.log"),
                    java.util.regex.Pattern.compile("(?i)\\b(critical|fatal)\\b"));
        }
    }

    /**
     * Builds (or rebuilds) the broken world.
     *
     * @param lab the lab
     * @return what was set up
     */
    public static Setup prepare(Lab lab) {
        try {
            LabPostgres pg = lab.postgres();
            pg.dropDatabasesLike("nextjs\\_app\\_%");
            pg.recreateDatabase(DATABASE);
            pg.execute(DATABASE, """
                    CREATE TABLE users (id bigserial PRIMARY KEY, email text UNIQUE NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
                    CREATE TABLE notifications (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id),
                        message text NOT NULL, read_at timestamptz);
                    """);
            pg.execute(DATABASE, "INSERT INTO users (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, " + USERS + ") g");
            pg.execute(DATABASE, "INSERT INTO notifications (user_id, message, read_at) SELECT 1 + g % " + USERS
                    + ", 'Welcome ' || g, CASE WHEN g % 3 = 0 THEN now() END FROM generate_series(1, " + NOTIFICATIONS + ") g");
            Path backups = Files.createDirectories(lab.work().resolve("backups"));
            Path backup = backups.resolve("backup_before_deployment.dump");
            deleteTree(backup);
            Files.deleteIfExists(backups.resolve("backup_before_deployment.dump.rowcounts.tsv"));
            Files.deleteIfExists(backups.resolve("backup_before_deployment.dump.run-id"));
            RunReport r = Rollback.runner().run(Rollback.plan("pre-deployment-backup").capture(pg.postgres(DATABASE).dump(backup)).build());
            if (!r.isSuccess()) {
                throw new IllegalStateException("the lab's pre-deployment backup failed: " + r.failure().message());
            }
            // the bad deployment's migration
            pg.execute(DATABASE, """
                    ALTER TABLE notifications DROP CONSTRAINT notifications_user_id_fkey;
                    DELETE FROM users WHERE id > %d;
                    ALTER TABLE notifications DROP COLUMN read_at;
                    ALTER TABLE notifications ADD COLUMN digest_sent boolean NOT NULL DEFAULT false;
                    """.formatted(USERS_AFTER_BAD_MIGRATION - 1));
            // a user signed up on the new release: a rollback that restores the database loses this write
            pg.execute(DATABASE, "INSERT INTO users (email) VALUES ('" + LATE_SIGNUP + "')");

            Path deploy = lab.deployDirectory();
            deleteTree(deploy);
            Files.createDirectories(deploy);
            String[] commits = repository(deploy);

            Path tools = Files.createDirectories(lab.work().resolve("tools"));
            Path install = script(tools.resolve("npm-install"), "mkdir -p node_modules && git rev-parse HEAD > node_modules/.installed\n");
            Path build = script(tools.resolve("npm-run-build"), "test -d node_modules || { echo 'run npm install first' >&2; exit 1; }\n"
                    + "mkdir -p .next && cp VERSION .next/BUILD_ID\n");

            String good = "# Next.js production\nNODE_ENV=production\nDATABASE_URL=\"" + pg.databaseUrl(DATABASE) + "\"\nNEXTAUTH_URL=https://app.example.com\n";
            String bad = "# Next.js production\nNODE_ENV=production\nDATABASE_URL=\"postgresql://app@127.0.0.1:9/" + DATABASE
                    + "\"\nNEXTAUTH_URL=https://app.example.com\nFEATURE_DIGEST=on\n";
            Files.writeString(Path.of(lab.envFile() + ".previous"), good);
            Files.writeString(lab.envFile(), bad);
            try (Stream<Path> old = Files.list(lab.envFile().getParent())) {
                for (Path p : old.filter(p -> p.getFileName().toString().startsWith(".env.production.backup")).toList()) {
                    Files.delete(p);
                }
            }

            String health;
            Path pm2Home = null;
            String toolsPath = "";
            if (Lab.realPm2Installed()) {
                pm2Home = lab.pm2Home();
                health = lab.appUrl() + "/api/health";
                Optional<Pm2.Process> known = Pm2.app(APP).home(pm2Home).status();
                if (known.isEmpty()) {   // the deployment registered the app with pm2 once
                    List<String> cmd = lab.appCommand(Integer.parseInt(lab.appUrl().replaceFirst(".*:", "")),
                            lab.work().resolve("pm2-app.port"));
                    List<String> args = new ArrayList<>(List.of("start", cmd.get(0), "--name", APP, "--interpreter", "none", "--"));
                    args.addAll(cmd.subList(1, cmd.size()));
                    lab.pm2(args.toArray(new String[0]));
                } else if (!known.get().online()) {
                    lab.pm2("start", APP);
                }
            } else {
                String key = StandIns.pm2(APP);
                health = lab.healthUrl(key);
                if (!lab.standIns().isRunning(key)) {
                    lab.runTool("pm2", "start", APP);
                }
                toolsPath = lab.standIns().binDirectory().toString();
            }
            Lab.awaitAnswering(health);
            return new Setup(backup, commits[0], commits[1], health, toolsPath, install, build, good, bad, pm2Home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not set up the lab's PostgreSQL: " + e.getMessage(), e);
        }
    }

    /** v1.0.0 (stable) then v1.1.0 (the problematic commit), with node_modules and .next ignored. */
    private static String[] repository(Path dir) throws IOException {
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            PersonIdent who = new PersonIdent("Release Bot", "release@example.com");
            Files.writeString(dir.resolve(".gitignore"), "node_modules/\n.next/\n");
            Files.writeString(dir.resolve("package.json"), "{\"name\":\"nextjs-app\",\"version\":\"1.0.0\"}\n");
            Files.writeString(dir.resolve("VERSION"), "v1.0.0\n");
            Files.createDirectories(dir.resolve("lib"));
            Files.writeString(dir.resolve("lib/notifications.js"), "export const unread = (n) => n.filter((x) => !x.read_at);\n");
            git.add().addFilepattern(".").call();
            RevCommit stable = git.commit().setMessage("Release v1.0.0").setAuthor(who).setCommitter(who).call();
            git.tag().setName("v1.0.0").setMessage("Release v1.0.0").setTagger(who).setObjectId(stable).setAnnotated(true).call();
            Files.writeString(dir.resolve("package.json"), "{\"name\":\"nextjs-app\",\"version\":\"1.1.0\"}\n");
            Files.writeString(dir.resolve("VERSION"), "v1.1.0\n");
            Files.writeString(dir.resolve("lib/notifications.js"), "export const unread = (n) => n.filter((x) => !x.digest_sent);\n");
            git.add().addFilepattern(".").call();
            RevCommit bad = git.commit().setMessage("Notifications digest (drops read_at)").setAuthor(who).setCommitter(who).call();
            git.tag().setName("v1.1.0").setMessage("Release v1.1.0").setTagger(who).setObjectId(bad).setAnnotated(true).call();
            return new String[] {stable.getName(), bad.getName()};
        } catch (GitAPIException e) {
            throw new IllegalStateException("Could not create the lab repository: " + e.getMessage(), e);
        }
    }

    private static Path script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\nset -e\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

}
