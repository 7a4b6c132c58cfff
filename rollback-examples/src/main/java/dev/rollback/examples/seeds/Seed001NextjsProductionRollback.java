package dev.rollback.examples.seeds;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Durations;
import dev.rollback.core.Notifier;
import dev.rollback.core.PhaseBuilder;
import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Retry;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.StepOptions;
import dev.rollback.cli.RollbackProgram;
import dev.rollback.cli.Setting;
import dev.rollback.core.cli.CommandLineOptions;
import dev.rollback.core.cli.UsageException;
import dev.rollback.core.decision.DecisionTable;
import dev.rollback.examples.decisions.SeedDecisionTables;
import dev.rollback.examples.seeds.Targets.FreeSpace;
import dev.rollback.examples.seeds.Targets.RestoreOrder;
import dev.rollback.git.Git;
import dev.rollback.git.Revision;
import dev.rollback.postgres.DumpFormat;
import dev.rollback.postgres.Postgres;
import dev.rollback.postgres.PreparedRestore;
import dev.rollback.postgres.RestoreStep;
import dev.rollback.postgres.RowCountManifest;
import dev.rollback.postgres.SwapInStep;
import dev.rollback.process.Command;
import dev.rollback.process.EnvFile;
import dev.rollback.process.Http;
import dev.rollback.process.HttpCheck;
import dev.rollback.process.Pm2;
import dev.rollback.process.StatusPage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Seed 001: the Next.js production rollback, by scenario. {@code SCENARIO} chooses what is rolled
 * back, as the runbook's scenarios do:
 * <ul>
 *   <li>{@code code} (scenario 2, critical bug in new code): list the recent deployments
 *       ({@code git log --oneline -10}), revert the problematic commit or check out the previous
 *       stable one, {@code npm install}, {@code npm run build}, {@code pm2 restart}. The database
 *       is not touched: no write since the deploy is lost.</li>
 *   <li>{@code config} (scenario 3, configuration error): back up {@code .env.production}, put
 *       {@code .env.production.previous} back, {@code pm2 restart}, verify connections and
 *       authentication.</li>
 *   <li>{@code database} (scenario 1, database migration failure): restore the known good backup,
 *       after an emergency dump of the current state; the code too when {@code GIT_ROLLBACK} says so
 *       ("revert application code if necessary").</li>
 *   <li>{@code full}: the whole "Emergency Rollback Plan": database, code and configuration.</li>
 * </ul>
 * The database is restored only in the last two.
 *
 * <p>The restore is the library's safe restore (into a new database, checked, swapped in; the old
 * database kept), not the runbook's {@code pg_restore --clean --if-exists} over the live database,
 * unless {@code RESTORE_MODE=in-place}. By default ({@code RESTORE_ORDER=prepare-first}) the new
 * database is restored and checked <em>while the app still serves</em>; the app is stopped only for
 * the swap, which takes milliseconds, so the downtime does not grow with the data. Twice the
 * database must fit on its server's disk (a precheck, {@code FREE_SPACE_CHECK}); for a backup too large
 * to hold twice, {@code RESTORE_ORDER=stop-first} keeps the runbook's order.
 *
 * <p>What the library does not do itself runs as commands with their exact argv (a dry run shows
 * them): {@code npm install} and {@code npm run build} ({@code INSTALL_COMMAND}, {@code BUILD_COMMAND},
 * split on spaces, run in {@code DEPLOY_DIR}) and {@code git log --oneline -10}. The runbook's
 * decision matrix and automated triggers are one decision table, {@link #triggers()}.
 *
 * <p>Settings (flags {@code --set NAME=VALUE} or environment variables): see {@link #SETTINGS}
 * ({@code --help} lists them with their defaults).
 */
public final class Seed001NextjsProductionRollback {
    /** The plan's name. */
    public static final String PLAN = "nextjs-production-rollback";
    /** Output: the emergency dump of the database as it was before the restore. */
    public static final String OUTPUT_EMERGENCY_BACKUP = "seed001.emergencyBackup";
    /**
     * The default of {@code MONITOR_WINDOW}: the runbook's "monitor for continued issues" names no
     * length, and its communication plan owes a status update "within 1 hour"; the window watches
     * until that update, which then says how the hour went.
     */
    public static final String MONITOR_WINDOW = "PT1H";
    private static final String DEFAULT_ERROR_PATTERN = "(?i)\\b(critical|fatal)\\b";

    private Seed001NextjsProductionRollback() {
    }

    /** What is rolled back: the runbook's scenarios. */
    public enum Scenario {
        /** Scenario 2: the code only. */
        CODE,
        /** Scenario 3: the configuration only. */
        CONFIG,
        /** Scenario 1: the database (and the code when {@code GIT_ROLLBACK} says so). */
        DATABASE,
        /** The whole emergency plan: database, code, configuration. */
        FULL;

        boolean restoresDatabase() {
            return this == DATABASE || this == FULL;
        }
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
        /** Leave the code alone. */
        NONE
    }

    /** The settings this program reads, for --help, typo suggestions and value checks ({@code RollbackProgram}). */
    public static final List<Setting> SETTINGS = List.of(
            Setting.choice("SCENARIO", "what is rolled back: code (scenario 2), config (scenario 3), database (scenario 1, "
                    + "with the code when GIT_ROLLBACK is set) or full (database, code and configuration)", Scenario.class).required(),
            Setting.path("ENV_FILE", "the app's env file").defaultValue(".env.production"),
            Setting.choice("GIT_ROLLBACK", "how the code goes back: revert PROBLEMATIC_COMMIT, checkout PREVIOUS_STABLE_COMMIT, or none "
                    + "(default: revert for code and full, none for database)", GitRollback.class),
            Setting.text("PROBLEMATIC_COMMIT", "the commit to revert (see git log --oneline -10)"),
            Setting.text("PREVIOUS_STABLE_COMMIT", "the commit to check out (the quick rollback script's HEAD~1)").defaultValue("HEAD~1"),
            Setting.text("DATABASE_URL", "the PostgreSQL database (postgresql://user:password@host/db); required for database and full").secret(),
            Setting.path("BACKUP_FILE", "the dump to restore").defaultValue("backup_before_deployment.sql"),
            Setting.path("BACKUP_DIR", "where the emergency dump of the current database goes (relative: in the run folder)").defaultValue("."),
            Setting.choice("RESTORE_MODE", "restore into a new database and swap (safe) or over the live one (in-place)", RestoreMode.class).defaultValue("safe"),
            Targets.RESTORE_ORDER,
            Targets.FREE_SPACE_CHECK,
            Targets.DB_DATA_DIR,
            Targets.DB_HOST_SSH,
            Setting.integer("MIN_USERS", "users the restored database must hold").defaultValue("1"),
            Setting.text("APP_NAME", "the app's pm2 name").defaultValue("nextjs-app"),
            Targets.DEPLOY_DIR,
            Setting.text("INSTALL_COMMAND", "how dependencies are installed").defaultValue("npm install"),
            Setting.text("BUILD_COMMAND", "how the app is built").defaultValue("npm run build"),
            Setting.path("PREVIOUS_ENV_FILE", "the previous env file to put back (default: ENV_FILE.previous)"),
            Targets.HEALTH_URL,
            Setting.text("SMOKE_PATHS", "critical endpoints the smoke tests GET, below the app's URL (comma-separated)").defaultValue("/"),
            Setting.text("AUTH_URL", "the authentication endpoint; it must answer 200 or 401, not an error (default: the app's /api/auth/session)"),
            Setting.path("STATUS_PAGE_FILE", "the status page's message file, for a user-facing incident (none by default)"),
            Targets.USERS_WEBHOOK_URL,
            Targets.SLACK_WEBHOOK_URL,
            Targets.TOOLS_PATH,
            Targets.HEALTH_RETRY_DELAY,
            Setting.text("PM2_HOME", "pm2's home folder (default: pm2's own)"),
            Targets.monitorWindow(MONITOR_WINDOW),
            Targets.MONITOR_INTERVAL,
            Targets.MONITOR_FAIL_AFTER,
            Setting.path("ERROR_LOG", "the app's error log, watched for critical errors during the monitoring window "
                    + "(default: pm2's, PM2_HOME/logs/APP_NAME-error.log)"),
            Setting.text("ERROR_PATTERN", "what a critical error line of ERROR_LOG matches (a Java regular expression)")
                    .defaultValue(DEFAULT_ERROR_PATTERN));

    /**
     * What the plan needs to know about the installation, named as in the runbook.
     *
     * @param scenario             what is rolled back
     * @param databaseUrl          {@code DATABASE_URL}, or null (code and config scenarios)
     * @param backupFile           the known good backup
     * @param backupDir            where the emergency dump goes (relative: inside the run folder)
     * @param restoreMode          safe or in place
     * @param restoreOrder         prepare the copy first, or stop first
     * @param freeSpace            the free-space check before a second copy
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
     * @param authUrl              the authentication endpoint
     * @param statusPageFile       the status page's message file, or null
     * @param usersWebhook         the users' notice webhook, or null for the log
     * @param slackWebhook         a Slack webhook URL, or null for the log
     * @param toolsPath            folders searched first for pm2 and the build tools
     * @param healthRetryDelay     pause between health polls
     * @param pm2Home              {@code PM2_HOME} of the pm2 daemon that runs the app, or null for pm2's default
     * @param watch                {@code MONITOR_WINDOW} (1 hour), {@code MONITOR_INTERVAL}, {@code MONITOR_FAIL_AFTER}
     * @param errorLog             the error log watched in the window
     * @param errorPattern         what a critical error line matches
     */
    public record Settings(Scenario scenario, String databaseUrl, Path backupFile, Path backupDir, RestoreMode restoreMode,
                           RestoreOrder restoreOrder, FreeSpace freeSpace, long minUsers, String appName, Path deployDir,
                           GitRollback gitRollback, String problematicCommit, String previousStableCommit, List<String> installCommand,
                           List<String> buildCommand, Path envFile, Path previousEnvFile, String healthUrl, List<String> smokePaths,
                           String authUrl, Path statusPageFile, String usersWebhook, String slackWebhook, List<Path> toolsPath,
                           Duration healthRetryDelay, Path pm2Home, Targets.Watch watch, Path errorLog, Pattern errorPattern) {

        /**
         * @param o the program's options
         * @return the settings, with the runbook's defaults
         */
        public static Settings from(CommandLineOptions o) {
            Scenario scenario = enumSetting(Scenario.class, "SCENARIO", o.require("SCENARIO"));
            Path env = Path.of(o.setting("ENV_FILE", ".env.production"));
            GitRollback git = scenario == Scenario.CONFIG ? GitRollback.NONE : enumSetting(GitRollback.class, "GIT_ROLLBACK",
                    o.setting("GIT_ROLLBACK", scenario == Scenario.DATABASE ? "none" : "revert"));
            String problematic = o.setting("PROBLEMATIC_COMMIT").orElse(null);
            if (git == GitRollback.REVERT && problematic == null) {
                throw new UsageException("GIT_ROLLBACK=revert needs PROBLEMATIC_COMMIT (the commit to revert; see git log --oneline -10), "
                        + "or choose GIT_ROLLBACK=checkout (PREVIOUS_STABLE_COMMIT, default HEAD~1)"
                        + (scenario == Scenario.CODE ? "" : ", or GIT_ROLLBACK=none"));
            }
            if (scenario == Scenario.CODE && git == GitRollback.NONE) {
                throw new UsageException("SCENARIO=code rolls the code back: GIT_ROLLBACK=none leaves nothing to do; choose revert or checkout");
            }
            String url = scenario.restoresDatabase() ? requireDatabaseUrl(o, scenario) : o.setting("DATABASE_URL").orElse(null);
            String health = o.setting("HEALTH_URL", "http://localhost:3000/api/health");
            return new Settings(scenario, url,
                    Path.of(o.setting("BACKUP_FILE", "backup_before_deployment.sql")),
                    Path.of(o.setting("BACKUP_DIR", ".")),
                    enumSetting(RestoreMode.class, "RESTORE_MODE", o.setting("RESTORE_MODE", "safe")),
                    enumSetting(RestoreOrder.class, "RESTORE_ORDER", o.setting("RESTORE_ORDER", "prepare-first")),
                    FreeSpace.from(o),
                    Long.parseLong(o.setting("MIN_USERS", "1")),
                    o.setting("APP_NAME", "nextjs-app"), Path.of(o.setting("DEPLOY_DIR", ".")), git, problematic,
                    o.setting("PREVIOUS_STABLE_COMMIT", "HEAD~1"),
                    argv("INSTALL_COMMAND", o.setting("INSTALL_COMMAND", "npm install")),
                    argv("BUILD_COMMAND", o.setting("BUILD_COMMAND", "npm run build")),
                    env, Path.of(o.setting("PREVIOUS_ENV_FILE", env + ".previous")),
                    health, List.of(o.setting("SMOKE_PATHS", "/").split(",")),
                    o.setting("AUTH_URL", appUrl(health) + "/api/auth/session"),
                    o.setting("STATUS_PAGE_FILE").filter(f -> !f.isBlank()).map(Path::of).orElse(null),
                    o.setting("USERS_WEBHOOK_URL").orElse(null),
                    o.setting("SLACK_WEBHOOK_URL").orElse(null),
                    Targets.searchPath(o.setting("TOOLS_PATH").orElse(null)),
                    Duration.parse(o.setting("HEALTH_RETRY_DELAY", "PT5S")),
                    o.setting("PM2_HOME").filter(h -> !h.isBlank()).map(Path::of).orElse(null),
                    Targets.Watch.from(o, MONITOR_WINDOW), errorLog(o), errorPattern(o.setting("ERROR_PATTERN", DEFAULT_ERROR_PATTERN)));
        }

        private static Path errorLog(CommandLineOptions o) {
            return o.setting("ERROR_LOG").filter(f -> !f.isBlank()).map(Path::of).orElseGet(() -> o.setting("PM2_HOME")
                    .filter(h -> !h.isBlank()).map(Path::of).orElse(Path.of(System.getProperty("user.home"), ".pm2"))
                    .resolve("logs").resolve(o.setting("APP_NAME", "nextjs-app") + "-error.log"));
        }

        private static Pattern errorPattern(String regex) {
            try {
                return Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new UsageException("ERROR_PATTERN is not a regular expression: " + e.getDescription() + " in '" + regex
                        + "'; for example ERROR_PATTERN='(?i)\\b(critical|fatal)\\b'");
            }
        }

        private static String requireDatabaseUrl(CommandLineOptions o, Scenario scenario) {
            return o.setting("DATABASE_URL").filter(u -> !u.isBlank()).orElseThrow(() -> new UsageException("SCENARIO="
                    + scenario.name().toLowerCase(Locale.ROOT) + " restores the database: export DATABASE_URL=postgresql://user:password@host/db "
                    + "(the environment only; never on the command line)"));
        }

        /** @return whether the code is rolled back */
        public boolean rollsBackCode() {
            return gitRollback != GitRollback.NONE;
        }

        /** @return whether the configuration is rolled back */
        public boolean rollsBackConfig() {
            return scenario == Scenario.CONFIG || scenario == Scenario.FULL;
        }

        /** @return whether the copy is restored while the app serves */
        public boolean preparesFirst() {
            return restoreMode == RestoreMode.SAFE && restoreOrder == RestoreOrder.PREPARE_FIRST;
        }
    }

    /**
     * The runbook's "Rollback Decision Matrix" and "Automated Rollback Triggers" as one table, for
     * {@code --decide} and a watchdog; see {@link SeedDecisionTables#seed001()}.
     *
     * @return the decision table
     */
    public static DecisionTable triggers() {
        return SeedDecisionTables.seed001();
    }

    /**
     * @param s the settings
     * @return the plan
     */
    public static RollbackPlan plan(Settings s) {
        Postgres pg = s.databaseUrl() == null ? null : Targets.postgres(s.databaseUrl());
        Pm2 pm2 = Pm2.app(s.appName()).searchPath(s.toolsPath()).healthUrl(s.healthUrl());
        Pm2 app = s.pm2Home() == null ? pm2 : pm2.home(s.pm2Home());
        Git deploy = Git.repo(s.deployDir());
        EnvFile env = EnvFile.at(s.envFile());
        Notifier team = Targets.team(s.slackWebhook());
        Notifier users = Targets.users(s.usersWebhook());
        StatusPage status = s.statusPageFile() == null ? null : StatusPage.file(s.statusPageFile());
        Retry healthPolls = Retry.times(10).delay(s.healthRetryDelay());
        boolean db = s.scenario().restoresDatabase();
        String what = switch (s.scenario()) {
            case CODE -> "code";
            case CONFIG -> "configuration";
            case DATABASE -> s.rollsBackCode() ? "database and code" : "database";
            case FULL -> "database, code and configuration";
        };

        // tag::plan[]
        PlanBuilder plan = Rollback.plan(PLAN)
            .description("Next.js production rollback of the " + what + " (seed 001, SCENARIO=" + s.scenario().name().toLowerCase(Locale.ROOT) + ")")
            .onFailure(Targets.tellTheTeamOnFailure(team, s.appName() + " (" + what + ")"))
            .phase("Pre-rollback testing", Duration.ofMinutes(2), p -> {
                p.notify(team, "Immediate: DevOps - emergency rollback of " + s.appName() + " (" + what + ") started (plan ${plan}, run ${runId})",
                        Targets.notice("notify DevOps: rollback started"));
                if (pg != null) {
                    p.precheck(pg.canConnect());                             // psql $DATABASE_URL -c "SELECT 1;"
                }
                if (db) {
                    p.precheck(pg.toolsMatchServer())
                     .precheck(pg.backupReadable(s.backupFile()));          // known good backup file identified
                    if (s.restoreMode() == RestoreMode.SAFE) {
                        s.freeSpace().prechecks(pg, s.toolsPath()).forEach(p::precheck);   // a second copy must fit
                    }
                }
                if (s.rollsBackConfig()) {
                    p.precheck(previousConfigurationPresent(s.previousEnvFile()));
                }
                if (s.rollsBackCode()) {
                    p.precheck(deploy.workingTreeClean())
                     .capture(Command.of("git", "log", "--oneline", "-10").directory(s.deployDir()).searchPath(s.toolsPath())
                             .stdoutTo(Path.of("recent-deployments.txt")).named("list recent deployments (git log --oneline -10)"));
                }
                if (status != null) {                                       // "if user-facing: prepare status page update"
                    p.step(status.message("We are rolling back a faulty release of " + s.appName() + "; service may be briefly unavailable"),
                            StepOptions.defaults().name("update status page: rollback in progress"));
                }
            });
        SwapInStep[] swapped = new SwapInStep[1];                          // prepare-first: its data-loss count runs after the checks
        if (db) {
            plan.phase("1. Database rollback", Duration.ofMinutes(15), p -> swapped[0] = databaseRollback(p, s, pg, app, team));
        }
        if (s.rollsBackCode()) {
            plan.phase("2. Application code rollback", Duration.ofMinutes(10), p -> {
                if (s.gitRollback() == GitRollback.REVERT) {
                    p.step(deploy.revert(s.problematicCommit()))             // git revert <problematic-commit-hash>
                     .verify(deploy.workingTreeClean(), StepOptions.defaults().name("code reverted successfully"));
                } else {
                    p.step(deploy.checkout(s.previousStableCommit()))        // git checkout <previous-stable-commit-hash>
                     .verify(deploy.headIs(Revision.of(s.previousStableCommit())));
                }
                p.step(Command.of(s.installCommand()).directory(s.deployDir()).searchPath(s.toolsPath())
                         .timeout(Duration.ofMinutes(10)).named("reinstall dependencies"))       // npm install
                 .step(Command.of(s.buildCommand()).directory(s.deployDir()).searchPath(s.toolsPath())
                         .timeout(Duration.ofMinutes(10)).named("rebuild application"))          // npm run build
                 .checkpoint("code-rolled-back");
            });
        }
        if (s.rollsBackConfig()) {
            plan.phase("3. Configuration rollback", Duration.ofMinutes(2), p -> p
                .capture(env.backup())                                       // cp .env.production .env.production.backup-<time>
                .step(env.restoreFrom(s.previousEnvFile()))                  // cp .env.production.previous .env.production
                .verify(sameContent(s.envFile(), s.previousEnvFile()), StepOptions.defaults().name("configuration changes verified"))
                .checkpoint("configuration-restored"));
        }
        plan.phase("Restart and post-rollback verification", Duration.ofMinutes(5), p -> {
            if (db) {
                p.startApp(app);                                             // stopped for the restore: pm2 start nextjs-app
            } else {
                p.step(app.restart());                                       // pm2 restart nextjs-app
            }
            p.verify(Http.get(s.healthUrl()).expectStatus(200).expectJson("status", "ok"),
                     StepOptions.defaults().retry(healthPolls).name("database connection established"))
             .verify(Http.get(s.authUrl()).expectStatus(200, 401), StepOptions.defaults().name("authentication system working"))
             .verify(Http.smoke("core functionality operational", smokeChecks(appUrl(s.healthUrl()), s.smokePaths())));
            if (swapped[0] != null) {                                        // rows of the kept original beyond the backup's, as at the swap
                p.step(swapped[0].dataLossWindow());
            }
            p.notify(team, "Within 30 minutes: stakeholders - " + s.appName() + " " + what + " rolled back and verified (run ${runId})",
                     Targets.notice("inform stakeholders"));
        });
        plan.phase("Communication", Duration.ofMinutes(1).plus(s.watch().window()), p -> {
            if (status != null) {
                p.step(status.message(s.appName() + " is operating normally again"), StepOptions.defaults().name("update status page: resolved"));
            }
            p.notify(users, "Service update: " + s.appName() + " had a problem after today's release; it has been rolled back and works normally again.",
                    Targets.notice("notify users"));
            if (s.watch().on()) {                                            // "monitor for continued issues", "no critical errors in logs"
                p.monitorFor(s.watch().window(), s.watch().of(team,
                        Http.get(s.healthUrl()).expectStatus(200).expectJson("status", "ok").named(s.appName() + " healthy"),
                        Targets.noNewLinesMatching(s.errorLog(), s.errorPattern(), "no critical errors in " + s.errorLog().getFileName())));
            }
            p.notify(team, "Status update: rollback of " + s.appName() + " (" + what + ") complete"
                     + (s.watch().on() ? ", and watched for " + Durations.human(s.watch().window()) + " without continued issues" : "")
                     + "; incident report in run ${runId}; "
                     + "next: document the incident, identify the root cause, preventive measures, post-mortem review",
                             Targets.notice("status update"));
        });
        // end::plan[]
        return plan.build();
    }

    /** Section 1, in the library's safe order by default: the copy restored and checked while the app serves, then stop and swap. */
    private static SwapInStep databaseRollback(PhaseBuilder p, Settings s, Postgres pg, Pm2 app, Notifier team) {
        Path manifest = RowCountManifest.forDump(s.backupFile());
        boolean haveManifest = Files.isRegularFile(manifest);   // written next to dumps made by this library
        RestoreStep restore = pg.restore(s.backupFile());
        if (s.restoreMode() == RestoreMode.IN_PLACE) {
            restore = restore.inPlace().terminatingSessions();  // pg_restore --clean --if-exists, as in the runbook
        } else {                                                // checked on the new database before the swap
            restore = restore.verifyWith(d -> d.rowCountAtLeast("users", s.minUsers())).verifyWith(Postgres::foreignKeysValid);
            if (haveManifest) {
                restore = restore.verifyWith(d -> d.rowCountsMatch(manifest));
            }
        }
        StampedDump emergency = StampedDump.of(pg, s.backupDir(), "emergency_backup_", "yyyyMMdd_HHmmss", ".sql")
                .format(DumpFormat.PLAIN).publishedAs(OUTPUT_EMERGENCY_BACKUP);
        SwapInStep swap = null;
        if (s.preparesFirst()) {
            PreparedRestore prepared = restore.prepare();
            swap = pg.swapIn(prepared).countDataLossLater();           // counted once the app is verified healthy
            p.step(prepared)                                         // restored and checked while the app serves
             .capture(emergency)                                     // current state backed up (the swap keeps the live database too)
             .stopApp(app)                                           // pm2 stop nextjs-app: down only for the swap
             .verify(Http.down(s.healthUrl()), StepOptions.defaults().name("application stopped"))
             .checkpoint("app-stopped-state-saved")
             .restore(swap);
        } else {
            p.stopApp(app)                                           // pm2 stop nextjs-app
             .verify(Http.down(s.healthUrl()), StepOptions.defaults().name("application stopped"))
             .capture(emergency)                                     // pg_dump $DATABASE_URL > emergency_backup_<time>.sql
             .checkpoint("app-stopped-state-saved")
             .restore(restore);                                      // pg_restore -d $DATABASE_URL ...
        }
        p.verify(pg.rowCountAtLeast("users", s.minUsers()))          // SELECT COUNT(*) FROM users;
         .step(pg.sample("notifications", 5, Path.of("verification/notifications_sample.csv")));  // SELECT * ... LIMIT 5;
        if (!s.preparesFirst()) {                                   // prepare-first: the prepare checked these on the very
            p.verify(pg.foreignKeysValid());                         // database the swap renamed in, before the stop; reading
            if (haveManifest) {                                     // every row again would keep the app down longer the
                p.verify(pg.rowCountsMatch(manifest));              // larger the data
            }
        }
        p.checkpoint("database-restored")
         .notify(team, "Within 15 minutes: development team - database of " + s.appName() + " restored from "
                 + s.backupFile().getFileName() + "; state before the restore kept in ${" + OUTPUT_EMERGENCY_BACKUP + "}",
                         Targets.notice("update development team"));
        return swap;
    }

    /**
     * The program front: the flags, this seed's settings and {@code --decide} with its decision table
     * ({@code SeedDecisionTables.seed001()}; see {@link Decide} for the signals it reads).
     *
     * @param name how the program is started, for usage and resume commands
     * @return the front, ready to {@code execute}
     */
    public static RollbackProgram program(String name) {
        return RollbackProgram.named(name).settings(SETTINGS).settings(Decide.SETTINGS)
                .decisions(Decide.with(SeedDecisionTables.seed001(), "HEALTH_URL", "DATABASE_URL"));
    }

    /**
     * @param args the usual rollback flags; settings by {@code --set NAME=VALUE} or environment
     */
    public static void main(String[] args) {
        System.exit(program("seed-001-nextjs-production-rollback")
                .execute(args, o -> plan(Settings.from(o))));
    }

    private static String appUrl(String healthUrl) {
        return healthUrl.replaceFirst("/api/health$", "");
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
