package dev.rollback.examples.seeds;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
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
import dev.rollback.core.cli.UsageException;
import dev.rollback.core.decision.Condition;
import dev.rollback.core.decision.DecisionTable;
import dev.rollback.core.decision.Rule;
import dev.rollback.git.Git;
import dev.rollback.git.Revision;
import dev.rollback.postgres.DumpFormat;
import dev.rollback.postgres.Postgres;
import dev.rollback.postgres.RestoreStep;
import dev.rollback.postgres.RowCountManifest;
import dev.rollback.process.Command;
import dev.rollback.process.EnvFile;
import dev.rollback.process.Http;
import dev.rollback.process.HttpCheck;
import dev.rollback.process.LogNotifier;
import dev.rollback.process.Pm2;
import dev.rollback.process.Webhook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Seed 001: the Next.js production rollback — stop the app (pm2), dump the current database
 * ({@code emergency_backup_<yyyyMMdd_HHmmss>.sql}), restore the known good backup, verify integrity
 * (users counted, a sample of notifications, foreign keys), revert the problematic commit or check out
 * the previous stable commit, reinstall and rebuild, put {@code .env.production.previous} back (after
 * a backup of the current file), restart, health and smoke checks, and the communication plan.
 *
 * <p>What the library does not do itself, run as commands with their exact argv (a dry run shows
 * them): {@code npm install} and {@code npm run build} ({@code INSTALL_COMMAND}, {@code BUILD_COMMAND},
 * split on spaces, run in {@code DEPLOY_DIR}). The runbook's restore is {@code pg_restore --clean
 * --if-exists} into the live database; here it is the library's safe restore (into a new database,
 * checked, then swapped in; the old database kept) unless {@code RESTORE_MODE=in-place}. The
 * "Automated Rollback Triggers" and the decision matrix are {@link #triggers()}, for a watchdog.
 *
 * <p>Settings (flags {@code --set NAME=VALUE} or environment variables): {@code DATABASE_URL}
 * (required), {@code BACKUP_FILE} (backup_before_deployment.sql; custom or plain format, found by
 * content), {@code BACKUP_DIR} (folder of the emergency dump; default: the run folder),
 * {@code RESTORE_MODE} (safe | in-place), {@code MIN_USERS} (1), {@code APP_NAME} (nextjs-app),
 * {@code DEPLOY_DIR} (.), {@code GIT_ROLLBACK} (revert | checkout | none), {@code PROBLEMATIC_COMMIT}
 * (for revert), {@code PREVIOUS_STABLE_COMMIT} (for checkout), {@code INSTALL_COMMAND} (npm install),
 * {@code BUILD_COMMAND} (npm run build), {@code ENV_FILE} (.env.production),
 * {@code PREVIOUS_ENV_FILE} (ENV_FILE.previous), {@code HEALTH_URL}
 * (http://localhost:3000/api/health), {@code SMOKE_PATHS} (/,/api/version), {@code SLACK_WEBHOOK_URL}
 * (optional; else the log), {@code TOOLS_PATH} (folders searched first for pm2 and the build tools),
 * {@code HEALTH_RETRY_DELAY} (PT5S), {@code PM2_HOME} (the pm2 daemon's folder; default: pm2's own,
 * {@code ~/.pm2}).
 */
public final class Seed001NextjsProductionRollback {
    /** The plan's name. */
    public static final String PLAN = "nextjs-production-rollback";
    /** Output: the emergency dump of the database as it was before the restore. */
    public static final String OUTPUT_EMERGENCY_BACKUP = "seed001.emergencyBackup";

    private Seed001NextjsProductionRollback() {
    }

    /** How the known good backup goes back in. */
    public enum RestoreMode {
        /** Restore into a new database, verify it, swap it in; the old database is kept. */
        SAFE,
        /** The runbook's {@code pg_restore --clean --if-exists} into the live database. */
        IN_PLACE
    }

    /** How the code goes back. */
    public enum GitRollback {
        /** {@code git revert <problematic-commit-hash>}. */
        REVERT,
        /** {@code git checkout <previous-stable-commit-hash>}. */
        CHECKOUT,
        /** Leave the code alone (scenario 1 and 3: database or configuration only). */
        NONE
    }

    /** The settings this program reads, for --help, typo suggestions and value checks ({@code RollbackProgram}). */
    public static final List<Setting> SETTINGS = List.of(
            Setting.path("ENV_FILE", "the app's env file").defaultValue(".env.production"),
            Setting.choice("GIT_ROLLBACK", "how the code goes back: revert PROBLEMATIC_COMMIT, checkout PREVIOUS_STABLE_COMMIT, or none", GitRollback.class).defaultValue("revert"),
            Setting.text("PROBLEMATIC_COMMIT", "the commit to revert"),
            Setting.text("PREVIOUS_STABLE_COMMIT", "the commit to check out"),
            Setting.text("DATABASE_URL", "the PostgreSQL database (postgresql://user:password@host/db)").secret().required(),
            Setting.path("BACKUP_FILE", "the dump to restore").defaultValue("backup_before_deployment.sql"),
            Setting.path("BACKUP_DIR", "where the emergency dump of the current database goes").defaultValue("."),
            Setting.choice("RESTORE_MODE", "restore into a new database and swap (safe) or over the live one (in-place)", RestoreMode.class).defaultValue("safe"),
            Setting.integer("MIN_USERS", "users the restored database must hold").defaultValue("1"),
            Setting.text("APP_NAME", "the app's pm2 name").defaultValue("nextjs-app"),
            Setting.path("DEPLOY_DIR", "the deployed git checkout").defaultValue("."),
            Setting.text("INSTALL_COMMAND", "how dependencies are installed").defaultValue("npm install"),
            Setting.text("BUILD_COMMAND", "how the app is built").defaultValue("npm run build"),
            Setting.path("PREVIOUS_ENV_FILE", "the previous env file to put back (default: ENV_FILE.previous)"),
            Setting.text("HEALTH_URL", "the app's health endpoint").defaultValue("http://localhost:3000/api/health"),
            Setting.text("SMOKE_PATHS", "paths the smoke tests GET (comma-separated)").defaultValue("/,/api/version"),
            Targets.SLACK_WEBHOOK_URL,
            Targets.TOOLS_PATH,
            Targets.HEALTH_RETRY_DELAY,
            Setting.text("PM2_HOME", "pm2's home folder (default: pm2's own)"));

    /**
     * What the plan needs to know about the installation, named as in the runbook.
     *
     * @param databaseUrl          {@code DATABASE_URL}
     * @param backupFile           the known good backup
     * @param backupDir            where the emergency dump goes (relative: inside the run folder)
     * @param restoreMode          safe or in place
     * @param minUsers             users the restored database has at least
     * @param appName              the pm2 app
     * @param deployDir            the deployed checkout
     * @param gitRollback          revert, checkout or none
     * @param problematicCommit    the commit to revert
     * @param previousStableCommit the commit to check out
     * @param installCommand       {@code npm install}, as an argument list
     * @param buildCommand         {@code npm run build}, as an argument list
     * @param envFile              {@code .env.production}
     * @param previousEnvFile      {@code .env.production.previous}
     * @param healthUrl            the health endpoint
     * @param smokePaths           paths of the critical endpoints, below the app's base URL
     * @param slackWebhook         a Slack webhook URL, or null for the log
     * @param toolsPath            folders searched first for pm2 and the build tools
     * @param healthRetryDelay     pause between health polls
     * @param pm2Home              {@code PM2_HOME} of the pm2 daemon that runs the app, or null for pm2's default
     */
    public record Settings(String databaseUrl, Path backupFile, Path backupDir, RestoreMode restoreMode, long minUsers,
                           String appName, Path deployDir, GitRollback gitRollback, String problematicCommit,
                           String previousStableCommit, List<String> installCommand, List<String> buildCommand, Path envFile,
                           Path previousEnvFile, String healthUrl, List<String> smokePaths, String slackWebhook,
                           List<Path> toolsPath, Duration healthRetryDelay, Path pm2Home) {

        /**
         * @param o the program's options
         * @return the settings, with the runbook's defaults
         */
        public static Settings from(CommandLineOptions o) {
            Path env = Path.of(o.setting("ENV_FILE", ".env.production"));
            GitRollback git = enumSetting(GitRollback.class, "GIT_ROLLBACK", o.setting("GIT_ROLLBACK", "revert"));
            String problematic = o.setting("PROBLEMATIC_COMMIT").orElse(null);
            String stable = o.setting("PREVIOUS_STABLE_COMMIT").orElse(null);
            if (git == GitRollback.REVERT && problematic == null) {
                throw new UsageException("GIT_ROLLBACK=revert needs PROBLEMATIC_COMMIT (the commit to revert; see git log --oneline -10), "
                        + "or choose GIT_ROLLBACK=checkout with PREVIOUS_STABLE_COMMIT, or GIT_ROLLBACK=none");
            }
            if (git == GitRollback.CHECKOUT && stable == null) {
                throw new UsageException("GIT_ROLLBACK=checkout needs PREVIOUS_STABLE_COMMIT (the commit to check out)");
            }
            return new Settings(o.require("DATABASE_URL"),
                    Path.of(o.setting("BACKUP_FILE", "backup_before_deployment.sql")),
                    Path.of(o.setting("BACKUP_DIR", ".")),
                    enumSetting(RestoreMode.class, "RESTORE_MODE", o.setting("RESTORE_MODE", "safe")),
                    Long.parseLong(o.setting("MIN_USERS", "1")),
                    o.setting("APP_NAME", "nextjs-app"), Path.of(o.setting("DEPLOY_DIR", ".")), git, problematic, stable,
                    argv("INSTALL_COMMAND", o.setting("INSTALL_COMMAND", "npm install")),
                    argv("BUILD_COMMAND", o.setting("BUILD_COMMAND", "npm run build")),
                    env, Path.of(o.setting("PREVIOUS_ENV_FILE", env + ".previous")),
                    o.setting("HEALTH_URL", "http://localhost:3000/api/health"),
                    List.of(o.setting("SMOKE_PATHS", "/,/api/version").split(",")),
                    o.setting("SLACK_WEBHOOK_URL").orElse(null),
                    Targets.searchPath(o.setting("TOOLS_PATH").orElse(null)),
                    Duration.parse(o.setting("HEALTH_RETRY_DELAY", "PT5S")),
                    o.setting("PM2_HOME").filter(h -> !h.isBlank()).map(Path::of).orElse(null));
        }
    }

    /**
     * The runbook's "Automated Rollback Triggers" and "Immediate Rollback Required" as rules for a
     * {@link dev.rollback.core.decision.Watchdog}; the "Delayed Rollback (Investigate First)" signals are
     * CONSIDER rules. Signals: {@code health.failing} (1 while the health check fails),
     * {@code error.rate} (0..1), {@code db.connection.failures}, {@code memory.usage} and
     * {@code cpu.usage} (0..1), {@code latency.ratio} (p95 now / p95 before the deploy).
     *
     * @return the decision table
     */
    public static DecisionTable triggers() {
        return DecisionTable.of(
                Rule.must("health check failures for 5+ minutes",
                        Condition.signal("health.failing").atLeast(1).sustainedFor(Duration.ofMinutes(5))),
                Rule.must("error rate > 10% for 10+ minutes",
                        Condition.signal("error.rate").above(0.10).sustainedFor(Duration.ofMinutes(10))),
                Rule.must("database connection failures", Condition.signal("db.connection.failures").atLeast(1)),
                Rule.must("memory usage > 90%", Condition.signal("memory.usage").above(0.90)),
                Rule.must("CPU usage > 95% for 15+ minutes",
                        Condition.signal("cpu.usage").above(0.95).sustainedFor(Duration.ofMinutes(15))),
                Rule.consider("performance degradation (investigate first)", Condition.signal("latency.ratio").above(1.5)));
    }

    /**
     * @param s the settings
     * @return the plan
     */
    public static RollbackPlan plan(Settings s) {
        Postgres pg = Targets.postgres(s.databaseUrl());
        Pm2 pm2 = Pm2.app(s.appName()).searchPath(s.toolsPath()).healthUrl(s.healthUrl());
        Pm2 app = s.pm2Home() == null ? pm2 : pm2.home(s.pm2Home());
        Git deploy = Git.repo(s.deployDir());
        EnvFile env = EnvFile.at(s.envFile());
        Notifier team = s.slackWebhook() != null ? Webhook.slack(Secret.of(s.slackWebhook())) : LogNotifier.create();
        String appUrl = s.healthUrl().replaceFirst("/api/health$", "");
        Retry healthPolls = Retry.times(10).delay(s.healthRetryDelay());
        Path manifest = RowCountManifest.forDump(s.backupFile());
        boolean haveManifest = Files.isRegularFile(manifest);   // written next to dumps made by this library

        RestoreStep restore = pg.restore(s.backupFile());
        if (s.restoreMode() == RestoreMode.IN_PLACE) {
            restore = restore.inPlace().terminatingSessions();  // pg_restore --clean --if-exists, as in the runbook
        } else {                                                // checked on the new database before the swap
            restore = restore.verifyWith(db -> db.rowCountAtLeast("users", s.minUsers())).verifyWith(Postgres::foreignKeysValid);
            if (haveManifest) {
                restore = restore.verifyWith(db -> db.rowCountsMatch(manifest));
            }
        }
        RestoreStep knownGood = restore;

        // tag::plan[]
        PlanBuilder plan = Rollback.plan(PLAN)
            .description("Next.js production rollback: database, code, configuration, restart (seed 001)")
            .phase("Pre-rollback testing", Duration.ofMinutes(2), p -> {
                p.notify(team, "Immediate: DevOps - emergency rollback of " + s.appName() + " started (plan ${plan}, run ${runId})")
                 .precheck(pg.canConnect())                                  // psql $DATABASE_URL -c "SELECT 1;"
                 .precheck(pg.toolsMatchServer())
                 .precheck(pg.backupReadable(s.backupFile()))                // known good backup file identified
                 .precheck(previousConfigurationPresent(s.previousEnvFile()));
                if (s.gitRollback() != GitRollback.NONE) {
                    p.precheck(deploy.workingTreeClean());
                }
            })
            .phase("1. Database rollback", Duration.ofMinutes(15), p -> {
                p.stopApp(app)                                               // pm2 stop nextjs-app
                 .verify(Http.down(s.healthUrl()))                           // application stopped to prevent data corruption
                 .capture(StampedDump.of(pg, s.backupDir(), "emergency_backup_", "yyyyMMdd_HHmmss", ".sql")
                         .format(DumpFormat.PLAIN).publishedAs(OUTPUT_EMERGENCY_BACKUP))  // current state backed up
                 .checkpoint("app-stopped-state-saved")
                 .restore(knownGood)                                         // pg_restore -d $DATABASE_URL ...
                 .verify(pg.rowCountAtLeast("users", s.minUsers()))          // SELECT COUNT(*) FROM users;
                 .step(pg.sample("notifications", 5, Path.of("verification/notifications_sample.csv")))  // SELECT * ... LIMIT 5;
                 .verify(pg.foreignKeysValid());                             // foreign key constraints validated
                if (haveManifest) {
                    p.verify(pg.rowCountsMatch(manifest));
                }
                p.checkpoint("database-restored")
                 .notify(team, "Within 15 minutes: development team - database of " + s.appName() + " restored from "
                         + s.backupFile().getFileName() + "; state before the restore kept in ${" + OUTPUT_EMERGENCY_BACKUP + "}");
            })
            .phase("2. Application code rollback", Duration.ofMinutes(10), p -> {
                if (s.gitRollback() == GitRollback.REVERT) {
                    p.step(deploy.revert(s.problematicCommit()))             // git revert <problematic-commit-hash>
                     .verify(deploy.workingTreeClean(), StepOptions.defaults().name("code reverted successfully"));
                } else if (s.gitRollback() == GitRollback.CHECKOUT) {
                    p.step(deploy.checkout(s.previousStableCommit()))        // git checkout <previous-stable-commit-hash>
                     .verify(deploy.headIs(Revision.of(s.previousStableCommit())));
                }
                p.step(Command.of(s.installCommand()).directory(s.deployDir()).searchPath(s.toolsPath())
                         .timeout(Duration.ofMinutes(10)).named("reinstall dependencies"))       // npm install
                 .step(Command.of(s.buildCommand()).directory(s.deployDir()).searchPath(s.toolsPath())
                         .timeout(Duration.ofMinutes(10)).named("rebuild application"))          // npm run build
                 .checkpoint("code-rolled-back");
            })
            .phase("3. Configuration rollback", Duration.ofMinutes(2), p -> p
                .capture(env.backup())                                       // cp .env.production .env.production.backup-<time>
                .step(env.restoreFrom(s.previousEnvFile()))                  // cp .env.production.previous .env.production
                .verify(sameContent(s.envFile(), s.previousEnvFile()))
                .checkpoint("configuration-restored"))
            .phase("Restart and post-rollback verification", Duration.ofMinutes(5), p -> p
                .startApp(app)                                               // pm2 start nextjs-app
                .verify(Http.get(s.healthUrl()).expectStatus(200).expectJson("status", "ok"),
                        StepOptions.defaults().retry(healthPolls).name("database connection established"))
                .verify(Http.smoke("critical endpoints", smokeChecks(appUrl, s.smokePaths())))
                .notify(team, "Within 30 minutes: stakeholders - " + s.appName() + " rolled back and verified (run ${runId})"))
            .phase("Communication", Duration.ofMinutes(1), p -> p
                .notify(team, "Status update: rollback of " + s.appName() + " complete; incident report in run ${runId}; "
                        + "next: document the incident, find the root cause, post-mortem"));
        // end::plan[]
        return plan.build();
    }

    /**
     * @param args the usual rollback flags; settings by {@code --set NAME=VALUE} or environment
     */
    public static void main(String[] args) {
        System.exit(RollbackProgram.named("seed-001-nextjs-production-rollback").settings(SETTINGS)
                .execute(args, o -> plan(Settings.from(o))));
    }

    private static Check previousConfigurationPresent(Path previous) {
        String name = "previous configuration " + previous.getFileName() + " present";
        return Check.of(name, ctx -> {
            if (!Files.isRegularFile(previous)) {
                return CheckResult.failed(name, "missing", "a file", previous + " does not exist; there is no configuration to go back to");
            }
            boolean hasUrl = EnvFile.at(previous).get("DATABASE_URL").isPresent();
            return hasUrl ? CheckResult.passed(name, "sets DATABASE_URL", "a file setting DATABASE_URL")
                    : CheckResult.failed(name, "no DATABASE_URL", "a file setting DATABASE_URL",
                    previous + " does not set DATABASE_URL; the app could not start with it");
        });
    }

    private static Check sameContent(Path file, Path expected) {
        String name = file.getFileName() + " equals " + expected.getFileName();
        return Check.of(name, ctx -> Arrays.equals(Files.readAllBytes(file), Files.readAllBytes(expected))
                ? CheckResult.passed(name, "same content", "same content")
                : CheckResult.failed(name, "different content", "same content", file + " differs from " + expected));
    }

    private static HttpCheck[] smokeChecks(String appUrl, List<String> paths) {
        List<HttpCheck> checks = new ArrayList<>();
        for (String path : paths) {
            checks.add(Http.get(appUrl + path.trim()).expectStatus(200));
        }
        return checks.toArray(new HttpCheck[0]);
    }

    static List<String> argv(String setting, String commandLine) {
        List<String> argv = List.of(commandLine.trim().split("\\s+"));
        if (argv.get(0).isEmpty()) {
            throw new UsageException(setting + " is empty; give a command such as 'npm run build'");
        }
        return argv;
    }

    static <E extends Enum<E>> E enumSetting(Class<E> type, String setting, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            List<String> allowed = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                allowed.add(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw new UsageException(setting + "=" + value + " is not one of " + String.join(", ", allowed));
        }
    }
}
