package dev.rollback.examples.seeds;

import dev.rollback.cli.RollbackProgram;
import dev.rollback.cli.Setting;
import dev.rollback.core.Durations;
import dev.rollback.core.Notifier;
import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Retry;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Secret;
import dev.rollback.core.Step;
import dev.rollback.core.StepDescription;
import dev.rollback.core.StepOptions;
import dev.rollback.core.cli.CommandLineOptions;
import dev.rollback.core.cli.UsageException;
import dev.rollback.core.spi.DescribedStep;
import dev.rollback.examples.decisions.SeedDecisionTables;
import dev.rollback.git.Git;
import dev.rollback.git.ResetMode;
import dev.rollback.git.Revision;
import dev.rollback.postgres.Postgres;
import dev.rollback.postgres.RowCountManifest;
import dev.rollback.process.Command;
import dev.rollback.process.EnvFile;
import dev.rollback.process.Http;
import dev.rollback.process.LogNotifier;
import dev.rollback.process.Systemd;
import dev.rollback.process.Webhook;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.rollback.examples.seeds.Seed001NextjsProductionRollback.enumSetting;

/**
 * Seed 004: the {@code rollback.sh} of the README — safety checks, code rollback (A1 git revert, or
 * A2 force push of the previous release), an automatic pre-rollback dump
 * ({@code pre-rollback-YYYYMMDDHHMM.dump}, kept), database restore (option 1 a local dump with
 * {@code pg_restore}, option 2 an AWS RDS snapshot restored into a new instance), the feature-flag
 * toggle, health verification and the post-rollback checklist as notifications.
 *
 * <p>How the script's parts map: "Verify DATABASE_URL is set" is {@code DATABASE_URL} being required
 * (exit 2 before anything); "check required tools" is {@code toolsMatchServer()} (and {@code aws
 * --version} for option 2); "confirm user intent with multiple prompts" is an approval gate after
 * the checks plus the approvals of every destructive step (restore, hard reset, forced push);
 * {@code --force} is {@code --yes NAME}. The restore uses the library's safe restore (into a new
 * database, checked, swapped in; the old database kept), not {@code pg_restore --clean} in place.
 *
 * <p>What the library cannot do itself, run as commands with their exact argv: option 2,
 * {@code aws rds restore-db-instance-from-db-snapshot}, then {@code aws rds wait
 * db-instance-available} and {@code aws rds describe-db-instances} for the new endpoint (a new
 * instance: the connection strings must then be changed by hand, which the checklist says);
 * {@code AWS_PROFILE} reaches aws through its environment. The feature-flag call is
 * {@link FeatureFlagToggle}, written in this module because the process module has no HTTP call
 * with a body and a secret header.
 *
 * <p>Settings: {@code DATABASE_URL} (required), {@code DEPLOY_DIR} (.), {@code CODE_ROLLBACK}
 * (revert | force-push | none), {@code DEPLOY_COMMIT} (for revert), {@code PREVIOUS_RELEASE_COMMIT}
 * (for force-push), {@code PROD_REMOTE} (origin), {@code PROD_BRANCH} (main), {@code DB_RESTORE}
 * (local-dump | rds | none), {@code RESTORE_DUMP} (for local-dump), {@code BACKUP_DIR} (where the
 * pre-rollback dump is kept; default: the run folder), {@code RDS_SNAPSHOT_ID},
 * {@code RDS_RESTORE_INSTANCE_ID}, {@code AWS_REGION} (passed only when set: otherwise the profile's), {@code AWS_PROFILE},
 * {@code FEATURE_FLAG_TOGGLE_URL}, {@code FEATURE_FLAG_API_KEY}, {@code FEATURE_FLAG_METHOD} (PATCH),
 * {@code FEATURE_FLAG_KEY_HEADER} (Authorization), {@code FEATURE_FLAG_BODY} ({"enabled": false}),
 * {@code FEATURE_FLAG_CONTENT_TYPE} (application/json),
 * {@code APP_UNIT} (systemd unit restarted around the restore; none by default), {@code RDS_ENV_FILE}
 * (with an RDS restore: the env file pointed at the new instance, then the app restarted), {@code HEALTH_URL}
 * (http://localhost:3000/api/health), {@code HEALTH_RETRY_DELAY} (PT5S), {@code SLACK_WEBHOOK_URL},
 * {@code TOOLS_PATH}.
 */
public final class Seed004RollbackScript {
    /** The plan's name. */
    public static final String PLAN = "production-rollback-script";
    /** Output: the pre-rollback dump. */
    public static final String OUTPUT_PRE_ROLLBACK_DUMP = "seed004.preRollbackDump";
    /** The file in the run folder that holds the new RDS instance's endpoint. */
    static final String RDS_ENDPOINT_FILE = "rds-endpoint.txt";
    /** The approval gate's step name. */
    public static final String CONFIRMATION_STEP = "confirm production rollback";
    /** The checklist's "Immediate Actions (0-15 minutes)": the default of {@code MONITOR_WINDOW}. */
    public static final String MONITOR_WINDOW = "PT15M";

    private Seed004RollbackScript() {
    }

    /** Option A of the script. */
    public enum CodeRollback {
        /** A1: {@code git revert} of the deploy commit, pushed as a fast-forward (recommended). */
        REVERT,
        /** A2: the branch reset to the previous release and force-pushed (rewrites history). */
        FORCE_PUSH,
        /** Leave the code alone. */
        NONE
    }

    /** The database option of the script. */
    public enum DbRestore {
        /** Option 1: a local dump with pg_restore. */
        LOCAL_DUMP,
        /** Option 2: an RDS snapshot restored into a new instance. */
        RDS,
        /** No database restore (the pre-rollback dump is still taken). */
        NONE
    }

    /** The settings this program reads, for --help, typo suggestions and value checks ({@code RollbackProgram}). */
    public static final List<Setting> SETTINGS = List.of(
            Setting.text("DATABASE_URL", "the PostgreSQL database (postgresql://user:password@host/db)").secret().required(),
            Setting.choice("CODE_ROLLBACK", "how the code goes back: revert DEPLOY_COMMIT, or force-push PREVIOUS_RELEASE_COMMIT", CodeRollback.class).defaultValue("revert"),
            Setting.choice("DB_RESTORE", "database restore: from a local dump, an RDS snapshot, or none", DbRestore.class).defaultValue("local-dump"),
            Setting.text("DEPLOY_COMMIT", "the deployment commit to revert"),
            Setting.text("PREVIOUS_RELEASE_COMMIT", "the release commit to force-push"),
            Setting.text("RESTORE_DUMP", "the local dump to restore"),
            Setting.text("RDS_SNAPSHOT_ID", "the RDS snapshot to restore"),
            Setting.text("RDS_RESTORE_INSTANCE_ID", "the RDS instance to restore into"),
            Setting.text("FEATURE_FLAG_TOGGLE_URL", "the feature-flag endpoint to switch the feature off"),
            Setting.text("FEATURE_FLAG_API_KEY", "the feature-flag API key").secret(),
            Targets.DEPLOY_DIR,
            Setting.text("PROD_REMOTE", "the production remote").defaultValue("origin"),
            Setting.text("PROD_BRANCH", "the production branch").defaultValue("main"),
            Setting.path("BACKUP_DIR", "where the emergency dump of the current database goes").defaultValue("."),
            Setting.text("AWS_REGION", "the AWS region (default: the profile's or AWS_DEFAULT_REGION, as the aws CLI decides)"),
            Setting.text("AWS_PROFILE", "the AWS profile"),
            Setting.text("FEATURE_FLAG_METHOD", "the HTTP method of the feature-flag call").defaultValue("PATCH"),
            Setting.text("FEATURE_FLAG_KEY_HEADER", "the header that carries the API key").defaultValue("Authorization"),
            Setting.text("FEATURE_FLAG_BODY", "the body of the feature-flag call").defaultValue("{\"enabled\": false}"),
            Setting.text("FEATURE_FLAG_CONTENT_TYPE", "the Content-Type of that body").defaultValue("application/json"),
            Setting.text("APP_UNIT", "the app's systemd unit"),
            Setting.path("RDS_ENV_FILE", "with DB_RESTORE=rds: the app's env file whose DATABASE_URL is pointed at the new instance "
                    + "(then APP_UNIT is restarted and the health check reads the new database)"),
            Targets.HEALTH_URL,
            Targets.HEALTH_RETRY_DELAY,
            Targets.SLACK_WEBHOOK_URL,
            Targets.TOOLS_PATH,
            Targets.monitorWindow(MONITOR_WINDOW),
            Targets.MONITOR_INTERVAL,
            Targets.MONITOR_FAIL_AFTER);

    /**
     * The script's configuration block and environment, named as in the README.
     *
     * @param databaseUrl           {@code DATABASE_URL}
     * @param deployDir             the checkout
     * @param codeRollback          A1, A2 or none
     * @param deployCommit          {@code DEPLOY_COMMIT}, the commit to revert
     * @param previousReleaseCommit {@code PREVIOUS_RELEASE_COMMIT}, the known good commit
     * @param remote                {@code PROD_REMOTE}
     * @param branch                {@code PROD_BRANCH}
     * @param dbRestore             option 1, 2 or none
     * @param restoreDump           the local dump for option 1
     * @param backupDir             where the pre-rollback dump is kept
     * @param rdsSnapshotId         {@code RDS_SNAPSHOT_ID}
     * @param rdsRestoreInstanceId  {@code RDS_RESTORE_INSTANCE_ID}
     * @param awsRegion             {@code AWS_REGION}, or null: the aws CLI's own (profile, {@code AWS_DEFAULT_REGION})
     * @param awsProfile            {@code AWS_PROFILE}, or null
     * @param flagUrl               {@code FEATURE_FLAG_TOGGLE_URL}, or null
     * @param flagApiKey            {@code FEATURE_FLAG_API_KEY}, or null
     * @param flagMethod            the HTTP method of the flag API
     * @param flagKeyHeader         the header carrying the key
     * @param flagBody              the request body
     * @param flagContentType       its {@code Content-Type}
     * @param appUnit               a systemd unit to stop and start around the restore, or null
     * @param rdsEnvFile            {@code RDS_ENV_FILE}: the env file switched to the new RDS instance, or null
     * @param healthUrl             the health endpoint
     * @param healthRetryDelay      pause between health polls
     * @param slackWebhook          a Slack webhook URL, or null for the log
     * @param toolsPath             folders searched first for aws and systemctl
     * @param databaseDown          whether the operator declared the database down by waiving its connection precheck
     *                              ({@code --waive 'can connect to DB' --reason TEXT}): only an RDS snapshot restore (a new
     *                              instance) or no restore can then run
     * @param watch                 the monitoring window after the rollback: the checklist's "immediate actions (0-15 minutes)"
     */
    public record Settings(String databaseUrl, Path deployDir, CodeRollback codeRollback, String deployCommit,
                           String previousReleaseCommit, String remote, String branch, DbRestore dbRestore, Path restoreDump,
                           Path backupDir, String rdsSnapshotId, String rdsRestoreInstanceId, String awsRegion, String awsProfile,
                           String flagUrl, Secret flagApiKey, String flagMethod, String flagKeyHeader, String flagBody, String flagContentType,
                           String appUnit, Path rdsEnvFile,
                           String healthUrl, Duration healthRetryDelay, String slackWebhook, List<Path> toolsPath,
                           boolean databaseDown, Targets.Watch watch) {

        /**
         * @param o the program's options
         * @return the settings, with the script's defaults
         */
        public static Settings from(CommandLineOptions o) {
            String databaseUrl = o.require("DATABASE_URL");   // "Verify DATABASE_URL is set"
            CodeRollback code = enumSetting(CodeRollback.class, "CODE_ROLLBACK", o.setting("CODE_ROLLBACK", "revert"));
            DbRestore db = enumSetting(DbRestore.class, "DB_RESTORE", o.setting("DB_RESTORE", "local-dump"));
            String deployCommit = code == CodeRollback.REVERT ? o.require("DEPLOY_COMMIT") : o.setting("DEPLOY_COMMIT").orElse(null);
            String previous = code == CodeRollback.FORCE_PUSH ? o.require("PREVIOUS_RELEASE_COMMIT")
                    : o.setting("PREVIOUS_RELEASE_COMMIT").orElse(null);
            Path dump = db == DbRestore.LOCAL_DUMP ? Path.of(o.require("RESTORE_DUMP")) : null;
            String snapshot = db == DbRestore.RDS ? o.require("RDS_SNAPSHOT_ID") : o.setting("RDS_SNAPSHOT_ID").orElse(null);
            String instance = db == DbRestore.RDS ? o.require("RDS_RESTORE_INSTANCE_ID") : o.setting("RDS_RESTORE_INSTANCE_ID").orElse(null);
            String flagUrl = o.setting("FEATURE_FLAG_TOGGLE_URL").filter(s -> !s.isBlank()).orElse(null);
            if (code == CodeRollback.NONE && db == DbRestore.NONE && flagUrl == null) {
                throw new UsageException("nothing to roll back: CODE_ROLLBACK=none, DB_RESTORE=none and no FEATURE_FLAG_TOGGLE_URL; "
                        + "choose the code (revert, force-push), the database (local-dump, rds), the flag, or any combination");
            }
            boolean down = Targets.declaredDown(o, databaseUrl);
            if (down && db == DbRestore.LOCAL_DUMP) {
                throw new UsageException("the database is declared down (--waive '" + Targets.postgres(databaseUrl).canConnect().name()
                        + "'), so a local dump cannot be restored into its server; restore the RDS snapshot into a new instance "
                        + "(DB_RESTORE=rds), or bring the server back first");
            }
            Secret flagKey = null;
            if (flagUrl != null) {
                flagKey = Secret.of(o.setting("FEATURE_FLAG_API_KEY").filter(s -> !s.isBlank()).orElseThrow(() -> new UsageException(
                        "FEATURE_FLAG_TOGGLE_URL is set but FEATURE_FLAG_API_KEY is not; export FEATURE_FLAG_API_KEY=... "
                                + "(an environment variable: a key given with --set would be visible in ps)")));
            }
            return new Settings(databaseUrl, Path.of(o.setting("DEPLOY_DIR", ".")), code, deployCommit, previous,
                    o.setting("PROD_REMOTE", "origin"), o.setting("PROD_BRANCH", "main"), db, dump,
                    Path.of(o.setting("BACKUP_DIR", ".")), snapshot, instance, o.setting("AWS_REGION").filter(r -> !r.isBlank()).orElse(null),
                    o.setting("AWS_PROFILE").orElse(null), flagUrl, flagKey, o.setting("FEATURE_FLAG_METHOD", "PATCH"),
                    o.setting("FEATURE_FLAG_KEY_HEADER", "Authorization"), o.setting("FEATURE_FLAG_BODY", "{\"enabled\": false}"),
                    o.setting("FEATURE_FLAG_CONTENT_TYPE", "application/json"),
                    o.setting("APP_UNIT").filter(s -> !s.isBlank()).orElse(null),
                    o.setting("RDS_ENV_FILE").filter(s -> !s.isBlank()).map(Path::of).orElse(null),
                    o.setting("HEALTH_URL", "http://localhost:3000/api/health"),
                    Duration.parse(o.setting("HEALTH_RETRY_DELAY", "PT5S")), o.setting("SLACK_WEBHOOK_URL").orElse(null),
                    Targets.searchPath(o.setting("TOOLS_PATH").orElse(null)), down, Targets.Watch.from(o, MONITOR_WINDOW));
        }
    }

    /**
     * @param s the settings
     * @return the plan
     */
    public static RollbackPlan plan(Settings s) {
        Postgres pg = Targets.postgres(s.databaseUrl());
        Git repo = Git.repo(s.deployDir()).identity("Rollback Bot", "rollback@example.com");
        Notifier team = s.slackWebhook() != null ? Webhook.slack(Secret.of(s.slackWebhook())) : LogNotifier.create();
        Systemd app = s.appUnit() == null ? null : Systemd.unit(s.appUnit()).searchPath(s.toolsPath()).healthUrl(s.healthUrl());
        Retry healthPolls = Retry.times(10).delay(s.healthRetryDelay());
        Path manifest = s.restoreDump() == null ? null : RowCountManifest.forDump(s.restoreDump());
        boolean haveManifest = manifest != null && Files.isRegularFile(manifest);
        boolean rds = s.dbRestore() == DbRestore.RDS;
        StepOptions waivable = StepOptions.defaults().waivable(true);       // --waive NAME --reason TEXT skips it

        // tag::plan[]
        PlanBuilder plan = Rollback.plan(PLAN)
            .description("rollback.sh: code, database and feature flags back to the previous release (seed 004)")
            .onFailure(Targets.tellTheTeamOnFailure(team, "production rollback (code " + s.codeRollback().name().toLowerCase(java.util.Locale.ROOT)
                    + ", database " + s.dbRestore().name().toLowerCase(java.util.Locale.ROOT) + (s.flagUrl() != null ? ", feature flag" : "") + ")"))
            .allowWaivingCaptures("the broken database is down, so it cannot be dumped; the RDS snapshot restores into a new "
                    + "instance and the old one is not touched")
            .phase("1. Safety checks", Duration.ofMinutes(3), p -> {
                p.notify(team, "Production rollback started (plan ${plan}, run ${runId})",
                        Targets.notice("tell the team: rollback started"))
                 .precheck(pg.canConnect(), waivable);                       // waived: the database is down (RDS path)
                if (s.databaseDown()) {
                    p.notify(team, Targets.declaredDownNotice("database " + pg.databaseName(), "the tools check against its server and "
                            + "the pre-rollback dump"), Targets.notice("tell the team: the database is down"));
                } else {
                    p.precheck(pg.toolsMatchServer(), waivable);             // pg_dump / pg_restore installed and new enough
                }
                if (s.codeRollback() == CodeRollback.REVERT) {
                    p.precheck(repo.workingTreeClean())
                     .precheck(repo.branchContains(s.branch(), Revision.of(s.deployCommit())));
                } else if (s.codeRollback() == CodeRollback.FORCE_PUSH) {
                    p.precheck(repo.workingTreeClean())
                     .precheck(repo.branchContains(s.branch(), Revision.of(s.previousReleaseCommit())));
                }
                if (s.dbRestore() == DbRestore.LOCAL_DUMP) {
                    p.precheck(pg.backupReadable(s.restoreDump()));
                } else if (rds) {
                    p.precheck(aws(s, "--version").asCheck("AWS CLI installed"));
                }
                if (!s.databaseDown()) {
                    p.capture(StampedDump.of(pg, s.backupDir(), "pre-rollback-", "yyyyMMddHHmm", ".dump")   // kept until stable
                            .publishedAs(OUTPUT_PRE_ROLLBACK_DUMP), waivable);
                }
                p.step(confirmation(pg.databaseName(), s))                   // "are you sure?" (--force = --yes NAME)
                 .checkpoint("confirmed");
            })
            .phase("2. Code rollback", Duration.ofMinutes(5), p -> {
                if (s.codeRollback() == CodeRollback.REVERT) {                // A1: creates a revert commit
                    p.step(repo.revert(s.deployCommit()))
                     .step(repo.push(s.remote()).branch(s.branch()))
                     .verify(repo.workingTreeClean(), StepOptions.defaults().name("revert committed, tree clean"));
                } else if (s.codeRollback() == CodeRollback.FORCE_PUSH) {     // A2: rewrites history
                    p.capture(repo.safetyTag())
                     .restore(repo.reset(ResetMode.HARD, s.previousReleaseCommit()))
                     .verify(repo.headIs(Revision.of(s.previousReleaseCommit())))
                     .restore(repo.push(s.remote()).branch(s.branch()).force());   // tags the remote's old head first
                }
                p.checkpoint("code-rolled-back");
            })
            .phase("3. Database restore", Duration.ofMinutes(20), p -> {
                if (app != null && s.dbRestore() == DbRestore.LOCAL_DUMP) {
                    p.stopApp(app);
                }
                if (s.dbRestore() == DbRestore.LOCAL_DUMP) {                  // option 1: pg_restore
                    p.restore(pg.restore(s.restoreDump()).verifyWith(Postgres::foreignKeysValid))
                     .verify(pg.foreignKeysValid());
                    if (haveManifest) {
                        p.verify(pg.rowCountsMatch(manifest));
                    }
                } else if (rds) {                                             // option 2: a NEW instance
                    p.step(aws(s, "rds", "restore-db-instance-from-db-snapshot", "--db-instance-identifier", s.rdsRestoreInstanceId(),
                                    "--db-snapshot-identifier", s.rdsSnapshotId()).timeout(Duration.ofMinutes(5))
                                    .named("restore RDS snapshot into a new instance"))
                     .step(aws(s, "rds", "wait", "db-instance-available", "--db-instance-identifier", s.rdsRestoreInstanceId())
                                    .timeout(Duration.ofMinutes(60)).named("wait for the new RDS instance"))
                     .step(aws(s, "rds", "describe-db-instances", "--db-instance-identifier", s.rdsRestoreInstanceId(),
                                    "--query", "DBInstances[0].Endpoint.Address", "--output", "text")
                                    .stdoutTo(Path.of(RDS_ENDPOINT_FILE)).named("show the new instance endpoint"))
                     .notify(team, "RDS snapshot " + s.rdsSnapshotId() + " restored into NEW instance " + s.rdsRestoreInstanceId()
                             + ": update DATABASE_URL, DNS/load balancer, then restart the application services",
                                     Targets.notice("tell the team: update connection strings"));
                    if (s.rdsEnvFile() != null) {                             // "update DATABASE_URL", "restart application services"
                        p.capture(EnvFile.at(s.rdsEnvFile()).backup())
                         .step(pointAtNewInstance(s.rdsEnvFile(), s.rdsRestoreInstanceId()));
                        if (app != null) {
                            p.stopApp(app).startApp(app);
                        }
                    }
                }
                if (app != null && s.dbRestore() == DbRestore.LOCAL_DUMP) {
                    p.startApp(app);
                }
                p.checkpoint("database-restored");
            })
            .phase("4. Feature flag toggle", Duration.ofMinutes(1), p -> {
                if (s.flagUrl() != null) {
                    p.step(FeatureFlagToggle.at(s.flagUrl(), s.flagApiKey()).method(s.flagMethod()).keyHeader(s.flagKeyHeader())
                            .body(s.flagBody()).contentType(s.flagContentType()));
                }
            })
            .phase("5. Post-rollback verification", Duration.ofMinutes(5).plus(s.watch().window()), p -> {
                p.verify(Http.get(s.healthUrl()).expectStatus(200), StepOptions.defaults().retry(healthPolls).name("health endpoint returns 200"))
                 .notify(team, "Rollback done (run ${runId}). Immediate (0-15 min): monitor application logs, check the error "
                        + "tracking dashboard, verify critical user flows, confirm health endpoints return 200, update the team"
                        + (s.watch().on() ? "; this run watches the health endpoint for " + Durations.human(s.watch().window()) + " now." : "."),
                                Targets.notice("checklist: immediate actions"));
                if (s.watch().on()) {                                       // "Confirm health endpoints returning 200", 0-15 min
                    p.monitorFor(s.watch().window(), s.watch().of(team,
                            Http.get(s.healthUrl()).expectStatus(200).named("health endpoint returns 200")));
                }
                p.notify(team, "Short-term (15 min - 2 h): " + (rds ? "update DATABASE_URL to instance " + s.rdsRestoreInstanceId()
                        + ", update DNS/load balancer, restart application services, verify database connectivity; " : "")
                        + "monitor key business metrics, check customer support channels, document the incident timeline.",
                                Targets.notice("checklist: short-term actions"))
                 .notify(team, "Medium-term (2 h+): " + (s.databaseDown() ? "no pre-rollback dump was taken (the database was down), "
                        : "keep the pre-rollback dump ${" + OUTPUT_PRE_ROLLBACK_DUMP + "} until stability is confirmed, ")
                        + "clean up temporary git branches, " + (rds ? "plan the old instance's cleanup, " : "")
                        + "conduct the post-incident review, update the rollback procedures.",
                                Targets.notice("checklist: medium-term actions"));
            });
        if (s.databaseDown()) {                                             // the dump left out: nothing else to capture first
            plan.withoutCapture("the database is down (its connection check waived by the operator): there is nothing to dump "
                    + "before the rollback; the RDS snapshot restores into a new instance and the old one is not touched");
        }
        // end::plan[]
        return plan.build();
    }

    /**
     * The program front: the flags, this seed's settings and {@code --decide} with its decision table
     * ({@code SeedDecisionTables.seed004()}; see {@link Decide} for the signals it reads).
     *
     * @param name how the program is started, for usage and resume commands
     * @return the front, ready to {@code execute}
     */
    public static RollbackProgram program(String name) {
        return RollbackProgram.named(name).settings(SETTINGS).settings(Decide.SETTINGS)
                .decisions(Decide.with(SeedDecisionTables.seed004(), "HEALTH_URL", "DATABASE_URL"));
    }

    /**
     * @param args the usual rollback flags; settings by {@code --set NAME=VALUE} or environment
     */
    public static void main(String[] args) {
        System.exit(program("seed-004-rollback-script").execute(args, o -> plan(Settings.from(o))));
    }

    private static Command aws(Settings s, String... args) {
        List<String> argv = new ArrayList<>(List.of("aws"));
        argv.addAll(List.of(args));
        if (!args[0].equals("--version") && s.awsRegion() != null) {   // otherwise the profile's region, as the script does
            argv.addAll(List.of("--region", s.awsRegion()));
        }
        Command c = Command.of(argv).searchPath(s.toolsPath());
        return s.awsProfile() == null ? c : c.env("AWS_PROFILE", s.awsProfile());
    }

    /**
     * The checklist's "update DATABASE_URL" after an RDS restore: the host of {@code DATABASE_URL} in
     * the app's env file becomes the new instance's endpoint (printed by {@code describe-db-instances});
     * user, password, port and database stay. The file is backed up first.
     */
    private static Step pointAtNewInstance(Path envFile, String instance) {
        String name = "point DATABASE_URL at instance " + instance;
        return DescribedStep.of(name, StepDescription.of(name).param("file", envFile)
                .param("host", "the endpoint in <run folder>/" + RDS_ENDPOINT_FILE), ctx -> {
            String endpoint = Files.readString(ctx.runDirectory().resolve(RDS_ENDPOINT_FILE)).strip();
            if (!endpoint.matches("[A-Za-z0-9.-]+")) {
                throw new IllegalStateException("describe-db-instances printed '" + endpoint + "', not a host name; "
                        + "DATABASE_URL in " + envFile + " was not changed. Set it by hand to the new instance.");
            }
            EnvFile env = EnvFile.at(envFile);
            String url = env.get("DATABASE_URL").orElseThrow(() -> new IllegalStateException(envFile + " has no DATABASE_URL to point at "
                    + endpoint + "; nothing was changed"));
            URI u = URI.create(url);
            String moved = new URI(u.getScheme(), u.getRawUserInfo() == null ? null : u.getUserInfo(), endpoint, u.getPort(),
                    u.getPath(), u.getQuery(), null).toString();
            env.set("DATABASE_URL", Secret.of(moved)).execute(ctx);
            ctx.progress("DATABASE_URL in " + envFile + " now points at " + endpoint);
        });
    }

    /**
     * The script's "are you sure?": a step that does nothing but must be approved, so that the code
     * rollback (not destructive in the library's sense, but a production change) waits for the operator.
     */
    private static Step confirmation(String database, Settings s) {
        String what = "roll back production: code " + s.codeRollback().name().toLowerCase(Locale.ROOT).replace('_', '-') + " on "
                + s.remote() + "/" + s.branch() + ", database " + database + " " + s.dbRestore().name().toLowerCase(Locale.ROOT).replace('_', '-')
                + (s.flagUrl() != null ? ", feature flag off" : "");
        return DescribedStep.of(CONFIRMATION_STEP, StepDescription.of(what).param("type to approve", database),
                context -> context.progress("operator confirmed: " + what)).destructive(true).confirmationTarget(database);
    }
}
