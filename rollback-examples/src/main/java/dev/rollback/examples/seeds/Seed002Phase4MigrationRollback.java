package dev.rollback.examples.seeds;

import dev.rollback.cli.RollbackProgram;
import dev.rollback.cli.Setting;
import dev.rollback.core.AppControl;
import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Notifier;
import dev.rollback.core.PhaseBuilder;
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
import dev.rollback.core.decision.DecisionTable;
import dev.rollback.core.spi.DescribedCheck;
import dev.rollback.examples.decisions.SeedDecisionTables;
import dev.rollback.examples.seeds.Targets.FreeSpace;
import dev.rollback.examples.seeds.Targets.RestoreOrder;
import dev.rollback.git.Git;
import dev.rollback.git.ResetMode;
import dev.rollback.git.Revision;
import dev.rollback.postgres.Postgres;
import dev.rollback.postgres.PreparedRestore;
import dev.rollback.postgres.RestoreStep;
import dev.rollback.postgres.RowCountManifest;
import dev.rollback.postgres.SwapInStep;
import dev.rollback.process.Ansible;
import dev.rollback.process.Command;
import dev.rollback.process.DockerCompose;
import dev.rollback.process.Fleet;
import dev.rollback.process.Http;
import dev.rollback.process.HttpCheck;
import dev.rollback.process.Kubernetes;
import dev.rollback.process.LogNotifier;
import dev.rollback.process.Systemd;
import dev.rollback.process.Webhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Seed 002: the Phase 4 PostgreSQL migration rollback (views, indexes and the removal of
 * denormalized columns went wrong), with its two executable scenarios.
 *
 * <h2>When to run it: the runbook's decision tree and escalation levels</h2>
 * The runbook decides by severity: a <b>critical</b> issue (data corruption, loss of
 * connectivity, foreign-key violations) means an immediate full rollback (scenario 1); a minor
 * issue means go on and fix it; an unclear one means pause and ask the DBA. Its escalation levels:
 * <ul>
 *   <li><b>Level 1, issue detection</b> (first 5 minutes: query running over 2 minutes, connection
 *       timeouts, constraint violations with a clear cause): assess, tell the DBA, no rollback yet;</li>
 *   <li><b>Level 2, partial failure</b> (5–15 minutes in: some migrations applied, views created but
 *       the column removal failed): continue, partial rollback (scenario 2), or — the default —
 *       full rollback;</li>
 *   <li><b>Level 3, critical failure</b> (widespread corruption, major FK violations, database
 *       unreachable, unplanned application errors): immediate full rollback, no discussion.</li>
 * </ul>
 * Those rules are signals for a decision table and watchdog (rollback-core's {@code decision}
 * package); this program is what such a decision runs. {@code SCENARIO=full} (default) or
 * {@code SCENARIO=partial} chooses the scenario.
 *
 * <h2>Scenario 1, immediate full rollback</h2>
 * Declare the incident and notify; check that the most recent backup
 * ({@code BACKUP_ROOT/<folder>/staging_full_backup.dump}, newest first as {@code ls -t}) exists and
 * that {@code pg_restore} reads all of it — <em>before</em> stopping anything, where the runbook
 * stops the servers first; stop <em>all</em> application servers (a {@link Fleet} over ssh for
 * systemd, or Kubernetes, or docker compose) and terminate the sessions left; keep forensics
 * (schema, the running queries and locks of contingency 1); restore.
 *
 * <p>The runbook drops {@code crm_staging}, creates it empty and runs {@code pg_restore} into it:
 * from {@code DROP DATABASE} on, a failed or hung restore leaves no database at all, and the failed
 * state is gone for the root-cause analysis. The library instead restores into a new database,
 * runs the integrity checks <em>on it</em> (foreign-key orphans, the denormalized columns, no
 * Phase 4 views, the row counts recorded with the dump), and only then swaps it in by renaming;
 * the failed database is kept as {@code crm_staging_before_rollback_<time>}. The confirmation the
 * runbook asks ("type YES") is the library's approval of the destructive step (type the database
 * name, or {@code --yes NAME}). Then the runbook's step-7 SQL on the live database, {@code ANALYZE},
 * restart, health and smoke tests ({@code /api/sales}, {@code /api/tickets} with
 * {@code TEST_TOKEN}), a post-rollback backup (part 10) and the resolution notice (part 9). The
 * incident report of step 10 is written by the run itself ({@code incident-report.md}: timeline,
 * approvals, checks).
 *
 * <h2>Scenario 2, partial rollback</h2>
 * The same prechecks, stop and forensics (plus a dump of the tables about to be replaced), then in
 * one transaction: drop the Phase 4 views and indexes and add the denormalized columns back (part
 * 7's SQL); then restore only {@code PARTIAL_TABLES} from the backup in place
 * with their primary keys, indexes, foreign keys, defaults and sequences
 * ({@code RestoreStep.tables(..).withConstraints()}: the tables' entries of the dump's table of
 * contents through {@code pg_restore --clean --if-exists --use-list}, in one transaction; the
 * runbook's {@code pg_restore -t} alone would bring back a table and its rows without them). Then
 * the integrity checks, restart and smoke tests.
 *
 * <h2>Contingencies</h2>
 * A hung restore (contingency 1) is bounded by {@code RESTORE_TIMEOUT}, which kills
 * {@code pg_restore}'s process tree; the running queries and locks are captured before the rollback.
 * A lost connection (contingency 2) is retried with backoff ({@code RETRIES}, {@code RETRY_DELAY})
 * for the checks, and a resumed run restores again into a fresh database. FK violations
 * (contingency 4) fail the orphan check, before the swap in scenario 1. Not expressible here: the
 * free-disk check of contingency 3 (it is the database server's disk) and the performance
 * analysis of contingency 5 (an {@code ANALYZE} step is included). Scenarios 3 (re-run one
 * migration) and 4 (application code) are forward fixes, not rollbacks of this plan.
 *
 * <p>Not run by the library: {@code npm test -- --testPathPattern=smoke} (step 9), added as a
 * {@link Command} with that argv when {@code NPM_SMOKE_DIR} names the application's source folder.
 * E-mail and PagerDuty alerts are not sent; the notifications go to {@code SLACK_WEBHOOK_URL}, or
 * to the log.
 *
 * <p>Settings ({@code --set NAME=VALUE} or environment): {@code DATABASE_URL} (required,
 * {@code postgresql://postgres:...@staging-host:5432/crm_staging}), {@code SCENARIO} (full),
 * {@code BACKUP_ROOT} (_backups/staging), {@code BACKUP_NAME} (staging_full_backup.dump),
 * {@code BACKUP_FILE} (instead of the newest), {@code APP_CONTROL} (systemd | kubernetes | compose),
 * {@code APP_SERVERS} (localhost; others through ssh), {@code APP_UNIT} (crm-application),
 * {@code K8S_DEPLOYMENT} (crm-api), {@code K8S_REPLICAS} (3), {@code COMPOSE_FILE}
 * (docker-compose.yml), {@code HEALTH_URLS} (http://localhost:3000/api/health), {@code APP_URL}
 * (http://localhost:3000), {@code TEST_TOKEN}, {@code SLACK_WEBHOOK_URL}, {@code PARTIAL_TABLES}
 * (products,sales,tickets), {@code PHASE4_VIEWS}, {@code PHASE4_INDEXES} (the runbook's lists),
 * {@code INTEGRITY_TABLES} (the six tables of step 7), {@code EXPECTED_VIEWS} (0),
 * {@code RESTORE_TIMEOUT} (PT30M), {@code RETRIES} (3), {@code RETRY_DELAY} (PT5S),
 * {@code HEALTH_RETRY_DELAY} (PT5S), {@code NPM_SMOKE_DIR}, {@code TOOLS_PATH}; with
 * {@code APP_CONTROL=ansible}: {@code ANSIBLE_INVENTORY} (required), {@code ANSIBLE_HOSTS}
 * (app_servers), {@code ANSIBLE_PLAYBOOK}, {@code ANSIBLE_FORKS} (20), {@code ANSIBLE_BECOME_PASSWORD}.
 */
public final class Seed002Phase4MigrationRollback {
    /** The plan's name for scenario 1. */
    public static final String PLAN_FULL = "phase4-full-rollback";
    /** The plan's name for scenario 2. */
    public static final String PLAN_PARTIAL = "phase4-partial-rollback";
    /** The plan's name for part 7's "quick rollback - views only". */
    public static final String PLAN_VIEWS = "phase4-views-rollback";
    /** The plan's name for part 7's "quick rollback - indexes only". */
    public static final String PLAN_INDEXES = "phase4-indexes-rollback";
    /** The plan's name for scenario 3, re-running one failed migration. */
    public static final String PLAN_RECOVERY = "phase4-migration-recovery";
    /** The plan's name for scenario 4, the application's code. */
    public static final String PLAN_APPLICATION = "phase4-application-rollback";

    /** The views Phase 4 created (part 7, "Quick Rollback - Views Only"). */
    public static final List<String> PHASE4_VIEWS = List.of("sales_with_details", "sale_items_with_details",
            "product_sales_with_details", "customers_with_stats", "tickets_with_details", "ticket_comments_with_details",
            "contracts_with_details", "contract_approval_records_with_details", "job_works_with_details",
            "job_work_specifications_with_details", "service_contracts_with_details", "complaints_with_details");
    /** The indexes Phase 4 created (part 7, "Quick Rollback - Indexes Only"). */
    public static final List<String> PHASE4_INDEXES = List.of("idx_sales_tenant_customer", "idx_sales_tenant_assigned_to",
            "idx_sales_stage_status", "idx_sales_expected_close_date", "idx_job_works_engineer_tenant");

    /**
     * The denormalized columns of part 7 ("Restore Denormalized Columns"), per table, with their types: the 23 the
     * runbook lists of its "45+"; the default of {@code DENORMALIZED_COLUMNS}, which takes the whole list of yours.
     */
    public static final Map<String, List<String>> DENORMALIZED_COLUMNS = denormalizedColumns();

    private Seed002Phase4MigrationRollback() {
    }

    /** Which of the runbook's scenarios to run. */
    public enum Scenario {
        /** Scenario 1: restore the whole database. */
        FULL,
        /** Scenario 2: undo the Phase 4 objects and restore chosen tables. */
        PARTIAL,
        /** Part 7, "quick rollback - views only": drop the Phase 4 views. */
        VIEWS,
        /** Part 7, "quick rollback - indexes only": drop the Phase 4 indexes. */
        INDEXES,
        /** Scenario 3, recovery: drop one failed migration's views and run it again. */
        RECOVERY,
        /** Scenario 4, application-level rollback: the code back to before Phase 4, rebuilt, redeployed, tested. */
        APPLICATION
    }

    /** How the application servers are stopped and started (runbook step 2 and 8). */
    public enum AppControlKind {
        /** {@code systemctl stop crm-application}, on every server of {@code APP_SERVERS}. */
        SYSTEMD,
        /** {@code kubectl scale deployment crm-api --replicas=0}, back to the count found. */
        KUBERNETES,
        /** {@code docker compose stop} / {@code up -d}. */
        COMPOSE,
        /**
         * Ansible, for fleets that outgrow an ssh loop: {@code ANSIBLE_PLAYBOOK} run with
         * {@code -e app_action=stop|start -e app_unit=APP_UNIT}, or the ad-hoc
         * {@code ansible.builtin.systemd name=APP_UNIT state=stopped|started} with {@code --become},
         * against {@code ANSIBLE_HOSTS} of {@code ANSIBLE_INVENTORY}.
         */
        ANSIBLE
    }

    /** The settings this program reads, for --help, typo suggestions and value checks ({@code RollbackProgram}). */
    public static final List<Setting> SETTINGS = List.of(
            Setting.text("DATABASE_URL", "the PostgreSQL database (postgresql://user:password@host/db)").secret().required(),
            Setting.choice("SCENARIO", "full restore of the backup (scenario 1), partial undo of the Phase 4 objects (scenario 2), "
                    + "views or indexes only (part 7), recovery of one migration (scenario 3) or the application's code (scenario 4)",
                    Scenario.class).defaultValue("full"),
            Targets.RESTORE_ORDER,
            Targets.FREE_SPACE_CHECK,
            Targets.DB_DATA_DIR,
            Targets.DB_HOST_SSH,
            Setting.text("DENORMALIZED_COLUMNS", "the denormalized columns Phase 4 removed, 'table.column TYPE' separated by ; "
                    + "(default: the 23 the runbook lists of its 45+; give yours)"),
            Setting.path("DENORMALIZED_COLUMNS_FILE", "the same list in a file, one 'table.column TYPE' per line (instead of DENORMALIZED_COLUMNS)"),
            Setting.path("FAILED_MIGRATION", "with recovery: the migration to run again (supabase/migrations/<name>.sql)"),
            Setting.text("RECOVERY_VIEWS", "with recovery: the views it creates, dropped before it runs again")
                    .defaultValue("job_works_with_details,job_work_specifications_with_details"),
            Setting.path("DEPLOY_DIR", "with application: the application's git checkout").defaultValue("."),
            Setting.choice("APP_RESET", "with application: git reset --soft (keep the changes) or --hard", "soft", "hard").defaultValue("hard"),
            Setting.text("APP_RESET_TO", "with application: the commit before Phase 4 (origin/main, or HEAD~5 with a soft reset)").defaultValue("origin/main"),
            Setting.text("BUILD_COMMAND", "with application: how the app is built").defaultValue("npm run build"),
            Setting.text("DEPLOY_COMMAND", "with application: how the app is deployed").defaultValue("npm run deploy:staging"),
            Setting.text("TEST_COMMAND", "with application: the tests that verify it").defaultValue("npm test"),
            Setting.path("BACKUP_ROOT", "the folder that holds the backups").defaultValue("_backups/staging"),
            Setting.text("BACKUP_NAME", "the dump's file name in the newest backup folder").defaultValue("staging_full_backup.dump"),
            Setting.path("BACKUP_FILE", "the dump to restore"),
            Setting.choice("APP_CONTROL", "how the app servers are stopped and started", AppControlKind.class).defaultValue("systemd"),
            Setting.text("APP_SERVERS", "the app servers (comma-separated; localhost runs locally)").defaultValue("localhost"),
            Setting.text("APP_UNIT", "the app's systemd unit").defaultValue("crm-application"),
            Setting.text("K8S_DEPLOYMENT", "the Kubernetes deployment").defaultValue("crm-api"),
            Setting.integer("K8S_REPLICAS", "replicas to scale back to").defaultValue("3"),
            Setting.path("COMPOSE_FILE", "the docker compose file").defaultValue("docker-compose.yml"),
            Setting.text("HEALTH_URLS", "health endpoints to check (comma-separated)").defaultValue("http://localhost:3000/api/health"),
            Setting.text("APP_URL", "the app's base URL, for smoke tests").defaultValue("http://localhost:3000"),
            Setting.text("TEST_TOKEN", "API token for the smoke tests").secret(),
            Targets.SLACK_WEBHOOK_URL,
            Setting.text("PARTIAL_TABLES", "tables a partial rollback restores (comma-separated)").defaultValue("products,sales,tickets"),
            Setting.text("PHASE4_VIEWS", "Phase 4 views to drop (comma-separated)"),
            Setting.text("PHASE4_INDEXES", "Phase 4 indexes to drop (comma-separated)"),
            Setting.text("INTEGRITY_TABLES", "tables the integrity checks cover (comma-separated)").defaultValue("products,sales,customers,tickets,contracts,job_works"),
            Setting.integer("EXPECTED_VIEWS", "views the restored database must hold").defaultValue("0"),
            Setting.duration("RESTORE_TIMEOUT", "how long the restore may take").defaultValue("PT30M"),
            Setting.integer("RETRIES", "attempts of retried steps").defaultValue("3"),
            Setting.duration("RETRY_DELAY", "pause between attempts").defaultValue("PT5S"),
            Targets.HEALTH_RETRY_DELAY,
            Setting.path("NPM_SMOKE_DIR", "folder whose npm smoke-test script runs after the rollback"),
            Targets.TOOLS_PATH,
            Setting.path("ANSIBLE_INVENTORY", "with APP_CONTROL=ansible: the inventory of the app servers"),
            Setting.text("ANSIBLE_HOSTS", "with APP_CONTROL=ansible: the group or pattern of the app servers").defaultValue("app_servers"),
            Setting.path("ANSIBLE_PLAYBOOK", "with APP_CONTROL=ansible: a playbook run with -e app_action=stop|start -e app_unit=APP_UNIT "
                    + "(default: the ad-hoc ansible.builtin.systemd module with --become)"),
            Setting.integer("ANSIBLE_FORKS", "with APP_CONTROL=ansible: hosts handled at once").defaultValue("20"),
            Setting.text("ANSIBLE_BECOME_PASSWORD", "with APP_CONTROL=ansible: the become (sudo) password").secret());

    /**
     * What the plan needs to know.
     *
     * @param databaseUrl      {@code DATABASE_URL}
     * @param scenario         {@code SCENARIO}
     * @param backupRoot       {@code BACKUP_ROOT}
     * @param backupName       {@code BACKUP_NAME}
     * @param backupFile       {@code BACKUP_FILE}, or null for the newest under the root
     * @param appControl       {@code APP_CONTROL}
     * @param appServers       {@code APP_SERVERS}
     * @param appUnit          {@code APP_UNIT}
     * @param k8sDeployment    {@code K8S_DEPLOYMENT}
     * @param k8sReplicas      {@code K8S_REPLICAS}, used when the count cannot be read
     * @param composeFile      {@code COMPOSE_FILE}
     * @param healthUrls       {@code HEALTH_URLS}
     * @param appUrl           {@code APP_URL}
     * @param testToken        {@code TEST_TOKEN}, or null
     * @param slackWebhook     {@code SLACK_WEBHOOK_URL}, or null for the log
     * @param partialTables    {@code PARTIAL_TABLES}
     * @param phase4Views      {@code PHASE4_VIEWS}
     * @param phase4Indexes    {@code PHASE4_INDEXES}
     * @param integrityTables  {@code INTEGRITY_TABLES}
     * @param expectedViews    {@code EXPECTED_VIEWS}
     * @param restoreTimeout   {@code RESTORE_TIMEOUT}
     * @param retries          {@code RETRIES}
     * @param retryDelay       {@code RETRY_DELAY}
     * @param healthRetryDelay {@code HEALTH_RETRY_DELAY}
     * @param npmSmokeDir      {@code NPM_SMOKE_DIR}, or null
     * @param toolsPath        {@code TOOLS_PATH}
     * @param ansible          the Ansible settings, used when {@code APP_CONTROL=ansible}
     * @param restoreOrder     {@code RESTORE_ORDER}: the full restore's copy prepared while the app serves, or stop first
     * @param freeSpace        the free-space check before a second copy (contingency 3)
     * @param denormalizedColumns the denormalized columns Phase 4 removed, per table ({@code DENORMALIZED_COLUMNS})
     * @param failedMigration  {@code FAILED_MIGRATION}, for recovery, or null
     * @param recoveryViews    {@code RECOVERY_VIEWS}
     * @param deployDir        {@code DEPLOY_DIR}, for the application rollback
     * @param hardReset        {@code APP_RESET=hard}
     * @param resetTo          {@code APP_RESET_TO}
     * @param buildCommand     {@code BUILD_COMMAND}
     * @param deployCommand    {@code DEPLOY_COMMAND}
     * @param testCommand      {@code TEST_COMMAND}
     */
    public record Settings(String databaseUrl, Scenario scenario, Path backupRoot, String backupName, Path backupFile,
                           AppControlKind appControl, List<String> appServers, String appUnit, String k8sDeployment,
                           int k8sReplicas, Path composeFile, List<String> healthUrls, String appUrl, String testToken,
                           String slackWebhook, List<String> partialTables, List<String> phase4Views, List<String> phase4Indexes,
                           List<String> integrityTables, int expectedViews, Duration restoreTimeout, int retries,
                           Duration retryDelay, Duration healthRetryDelay, Path npmSmokeDir, List<Path> toolsPath,
                           AnsibleSettings ansible, RestoreOrder restoreOrder, FreeSpace freeSpace,
                           Map<String, List<String>> denormalizedColumns, Path failedMigration, List<String> recoveryViews, Path deployDir,
                           boolean hardReset, String resetTo, List<String> buildCommand, List<String> deployCommand, List<String> testCommand) {

        /**
         * @param o the program's options
         * @return the settings, with the runbook's defaults
         */
        public static Settings from(CommandLineOptions o) {
            return new Settings(o.require("DATABASE_URL"),
                    Seed001NextjsProductionRollback.enumSetting(Scenario.class, "SCENARIO", o.setting("SCENARIO", "full")),
                    Path.of(o.setting("BACKUP_ROOT", "_backups/staging")), o.setting("BACKUP_NAME", "staging_full_backup.dump"),
                    o.setting("BACKUP_FILE").map(Path::of).orElse(null),
                    AppControlKind.valueOf(choice(o, "APP_CONTROL", "systemd", "systemd", "kubernetes", "compose", "ansible")),
                    Targets.list(o.setting("APP_SERVERS", "localhost")), o.setting("APP_UNIT", "crm-application"),
                    o.setting("K8S_DEPLOYMENT", "crm-api"), Integer.parseInt(o.setting("K8S_REPLICAS", "3")),
                    Path.of(o.setting("COMPOSE_FILE", "docker-compose.yml")),
                    Targets.list(o.setting("HEALTH_URLS", "http://localhost:3000/api/health")), o.setting("APP_URL", "http://localhost:3000"),
                    o.setting("TEST_TOKEN").orElse(null), o.setting("SLACK_WEBHOOK_URL").orElse(null),
                    Targets.list(o.setting("PARTIAL_TABLES", "products,sales,tickets")),
                    Targets.list(o.setting("PHASE4_VIEWS", String.join(",", PHASE4_VIEWS))),
                    Targets.list(o.setting("PHASE4_INDEXES", String.join(",", PHASE4_INDEXES))),
                    Targets.list(o.setting("INTEGRITY_TABLES", "products,sales,customers,tickets,contracts,job_works")),
                    Integer.parseInt(o.setting("EXPECTED_VIEWS", "0")),
                    Duration.parse(o.setting("RESTORE_TIMEOUT", "PT30M")), Integer.parseInt(o.setting("RETRIES", "3")),
                    Duration.parse(o.setting("RETRY_DELAY", "PT5S")), Duration.parse(o.setting("HEALTH_RETRY_DELAY", "PT5S")),
                    o.setting("NPM_SMOKE_DIR").map(Path::of).orElse(null), Targets.searchPath(o.setting("TOOLS_PATH").orElse(null)),
                    AnsibleSettings.from(o),
                    Seed001NextjsProductionRollback.enumSetting(RestoreOrder.class, "RESTORE_ORDER", o.setting("RESTORE_ORDER", "prepare-first")),
                    FreeSpace.from(o), denormalizedColumns(o), o.setting("FAILED_MIGRATION").filter(f -> !f.isBlank()).map(Path::of).orElse(null),
                    Targets.list(o.setting("RECOVERY_VIEWS", "job_works_with_details,job_work_specifications_with_details")),
                    Path.of(o.setting("DEPLOY_DIR", ".")), choice(o, "APP_RESET", "hard", "soft", "hard").equals("HARD"),
                    o.setting("APP_RESET_TO", "origin/main"),
                    Seed001NextjsProductionRollback.argv("BUILD_COMMAND", o.setting("BUILD_COMMAND", "npm run build")),
                    Seed001NextjsProductionRollback.argv("DEPLOY_COMMAND", o.setting("DEPLOY_COMMAND", "npm run deploy:staging")),
                    Seed001NextjsProductionRollback.argv("TEST_COMMAND", o.setting("TEST_COMMAND", "npm test")));
        }

        /**
         * The denormalized columns: {@code DENORMALIZED_COLUMNS}, {@code DENORMALIZED_COLUMNS_FILE}, or the runbook's list.
         *
         * @param o the program's options
         * @return table to column definitions, in the order given
         */
        static Map<String, List<String>> denormalizedColumns(CommandLineOptions o) {
            Optional<String> inline = o.setting("DENORMALIZED_COLUMNS").filter(v -> !v.isBlank());
            Optional<Path> file = o.setting("DENORMALIZED_COLUMNS_FILE").filter(v -> !v.isBlank()).map(Path::of);
            if (inline.isPresent() && file.isPresent()) {
                throw new UsageException("give DENORMALIZED_COLUMNS or DENORMALIZED_COLUMNS_FILE, not both");
            }
            List<String> entries;
            if (file.isPresent()) {
                try {
                    entries = Files.readAllLines(file.get());
                } catch (IOException e) {
                    throw new UsageException("DENORMALIZED_COLUMNS_FILE " + file.get() + " cannot be read: " + e.getMessage());
                }
            } else if (inline.isPresent()) {
                entries = List.of(inline.get().split(";"));
            } else {
                return DENORMALIZED_COLUMNS;
            }
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (String entry : entries) {
                String e = entry.strip();
                if (e.isEmpty() || e.startsWith("#")) {
                    continue;
                }
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\.([A-Za-z_][A-Za-z0-9_]*)\\s+(.+)").matcher(e);
                if (!m.matches()) {
                    throw new UsageException("denormalized column '" + e + "' is not 'table.column TYPE', such as "
                            + "'sales.customer_name VARCHAR(255)'");
                }
                out.computeIfAbsent(m.group(1), t -> new ArrayList<>()).add(m.group(2) + " " + m.group(3));
            }
            out.replaceAll((t, cols) -> List.copyOf(cols));
            return Collections.unmodifiableMap(out);
        }
    }

    /**
     * How the app servers are reached with {@code APP_CONTROL=ansible}.
     *
     * @param inventory      {@code ANSIBLE_INVENTORY} (required for ansible): hosts, their ssh keys and variables
     * @param hosts          {@code ANSIBLE_HOSTS} (app_servers): the group or pattern of the app servers
     * @param playbook       {@code ANSIBLE_PLAYBOOK}, or null for the ad-hoc systemd module
     * @param forks          {@code ANSIBLE_FORKS} (20)
     * @param becomePassword {@code ANSIBLE_BECOME_PASSWORD} (a secret, from the environment), or null
     */
    public record AnsibleSettings(Path inventory, String hosts, Path playbook, int forks, String becomePassword) {
        /**
         * @param o the program's options
         * @return the settings
         */
        public static AnsibleSettings from(CommandLineOptions o) {
            return new AnsibleSettings(o.setting("ANSIBLE_INVENTORY").map(Path::of).orElse(null), o.setting("ANSIBLE_HOSTS", "app_servers"),
                    o.setting("ANSIBLE_PLAYBOOK").map(Path::of).orElse(null), Integer.parseInt(o.setting("ANSIBLE_FORKS", "20")),
                    o.setting("ANSIBLE_BECOME_PASSWORD").orElse(null));
        }
    }

    /**
     * @param s the settings
     * @return the plan of the chosen scenario
     */
    public static RollbackPlan plan(Settings s) {
        return switch (s.scenario()) {
            case FULL -> fullRollback(s);
            case PARTIAL -> partialRollback(s);
            case VIEWS -> viewsOnly(s);
            case INDEXES -> indexesOnly(s);
            case RECOVERY -> recovery(s);
            case APPLICATION -> applicationRollback(s);
        };
    }

    /**
     * The runbook's decision tree and escalation levels as one decision table, for {@code --decide} and a
     * watchdog; see {@link SeedDecisionTables#seed002()}.
     *
     * @return the decision table
     */
    public static DecisionTable triggers() {
        return SeedDecisionTables.seed002();
    }

    /**
     * What scenarios 1 and 2 work on: the database, its backup and row-count manifest, the app
     * servers, the team, and the runbook's reconnect policy (contingency 2).
     */
    private record Restore(Postgres pg, String db, Path backup, Path manifest, AppControl app, Notifier team, Retry reconnect) {
        static Restore of(Settings s) {
            Postgres pg = Targets.postgres(s.databaseUrl());
            Path backup = backupFile(s);
            return new Restore(pg, pg.databaseName(), backup, RowCountManifest.forDump(backup), appServers(s), Seed002Phase4MigrationRollback.team(s),
                    Retry.times(s.retries()).delay(s.retryDelay()).backoff(2.0));
        }
    }

    /**
     * Scenario 1. By default ({@code RESTORE_ORDER=prepare-first}) the backup is restored into a new
     * database and checked while the app servers still serve; they are stopped only for the swap.
     *
     * @param s the settings
     * @return the plan
     */
    public static RollbackPlan fullRollback(Settings s) {
        Restore r = Restore.of(s);
        boolean prepareFirst = s.restoreOrder() == RestoreOrder.PREPARE_FIRST;
        PreparedRestore prepared = withIntegrityChecks(r.pg().restore(r.backup()), s, r.manifest()).prepare();
        SwapInStep swap = r.pg().swapIn(prepared).countDataLossLater();   // its count runs once the app is healthy, off the downtime

        // tag::plan[]
        PlanBuilder plan = Rollback.plan(PLAN_FULL)
            .description("Phase 4 migration failed: restore " + r.db() + " to its pre-migration backup (seed 002, scenario 1)")
            .onFailure(Targets.tellTheTeamOnFailure(r.team(), "full restore of " + r.db()))
            .phase("Step 1 and 3: declare incident, verify backup", Duration.ofMinutes(5), p -> {
                verifyBackup(p.notify(r.team(), "CRITICAL INCIDENT: Phase 4 migration failure. Action: IMMEDIATE FULL ROLLBACK of " + r.db()
                        + " (plan ${plan}, run ${runId})",
                                Targets.notice("declare incident")), s, r.pg(), r.backup(), r.reconnect());   // "CRITICAL: No backup found!"
                s.freeSpace().prechecks(r.pg(), s.toolsPath()).forEach(p::precheck);         // contingency 3: room for a second copy
                p.capture(r.pg().schemaDump(Path.of("forensics/failed_migration_schema.sql")))
                 .capture(r.pg().exportCsv(runningQueries(r.db()), Path.of("forensics/pg_stat_activity.csv")))   // contingency 1
                 .capture(r.pg().exportCsv(locks(r.db()), Path.of("forensics/pg_locks.csv")));
            });
        if (prepareFirst) {
            plan.phase("Step 5-6 ahead: restore into a new database while the app serves", Duration.ofMinutes(20), p -> p
                .step(prepared, StepOptions.defaults().timeout(s.restoreTimeout())));   // checked before anything stops
        }
        plan.phase("Step 2: stop all activity", Duration.ofMinutes(2), p -> stopAllActivity(p, s, r.app(), r.pg()))
            .phase("Step 4-6: restore from backup", Duration.ofMinutes(prepareFirst ? 1 : 20), p -> {
                if (prepareFirst) {
                    p.restore(swap);                                         // renames: milliseconds; failed database kept
                } else {
                    p.restore(withIntegrityChecks(r.pg().restore(r.backup()), s, r.manifest()),   // new database, checked, swapped in
                            StepOptions.defaults().timeout(s.restoreTimeout()));     // a hung restore is killed
                }
                p.checkpoint("database-restored");
            })
            .phase("Step 7: verify database integrity", Duration.ofMinutes(5), p -> {
                // prepare-first: the prepare ran the row counts and the foreign keys on this very database before the stop, and
                // the swap only renamed it in; reading every row again would make the downtime grow with the data
                integrityChecks(p, r.pg(), s, r.manifest(), s.integrityTables(), r.reconnect(), !prepareFirst);
                if (!prepareFirst) {
                    p.step(r.pg().sql("analyze " + r.db(), "ANALYZE"));             // contingency 5: fresh planner statistics
                }
            })
            .phase("Step 8 and 9: restart and verify application", Duration.ofMinutes(5), p -> {
                p.startApp(r.app());
                healthUp(p, s);
                smokeTests(p, s);
                if (prepareFirst) {
                    p.step(r.pg().sql("analyze " + r.db(), "ANALYZE"))      // contingency 5, once the app serves: ANALYZE blocks no query
                     .step(swap.dataLossWindow());                          // rows of the kept original beyond the backup's, as at the swap
                }
            })
            .phase("Step 10: document incident, post-incident actions", Duration.ofMinutes(5), p -> p
                .step(r.pg().dump(Path.of("post-rollback/" + r.db() + ".dump")),      // part 10: backup of the current state
                        StepOptions.defaults().name("back up the restored " + r.db()))
                .notify(r.team(), "INCIDENT RESOLVED: " + r.db() + " restored to its pre-migration state from ${postgres.restore.database}; "
                        + "failed database kept as ${postgres.forensicDatabase}; application restarted and verified (run ${runId}). "
                        + "Next: root cause analysis within 24 hours, incident report, remediation plan",
                                Targets.notice("incident resolved")));
        // end::plan[]
        return plan.build();
    }

    /**
     * Scenario 2: drop the Phase 4 views and indexes, restore the chosen tables with their
     * constraints, put the denormalized columns back on the others. Each is its own step, in that
     * order, so that a failure leaves a state the report names: after the first, the views and
     * indexes are gone and the tables untouched; the restore is one transaction (all tables or none);
     * the columns step is one transaction too.
     *
     * @param s the settings
     * @return the plan
     */
    public static RollbackPlan partialRollback(Settings s) {
        Restore r = Restore.of(s);
        String[] tables = s.partialTables().toArray(new String[0]);

        // tag::partial[]
        PlanBuilder plan = Rollback.plan(PLAN_PARTIAL)
            .description("Phase 4 migration partly failed: undo its views, indexes and column removal in " + r.db()
                    + ", restore " + String.join(", ", s.partialTables()) + " (seed 002, scenario 2)")
            .onFailure(Targets.tellTheTeamOnFailure(r.team(), "partial rollback of " + r.db()))
            .phase("Declare incident, verify backup", Duration.ofMinutes(5), p -> verifyBackup(p
                .notify(r.team(), "INCIDENT: Phase 4 migration partly failed. Action: PARTIAL ROLLBACK of " + r.db()
                        + " tables " + String.join(", ", s.partialTables()) + " (plan ${plan}, run ${runId})",
                                Targets.notice("declare incident")), s, r.pg(), r.backup(), r.reconnect()))
            .phase("Stop all activity", Duration.ofMinutes(2), p -> stopAllActivity(p, s, r.app(), r.pg()))
            .phase("Undo Phase 4 objects, restore tables", Duration.ofMinutes(10), p -> p
                .capture(r.pg().schemaDump(Path.of("forensics/failed_migration_schema.sql")))
                .capture(r.pg().dump(Path.of("forensics/tables_before_partial_rollback.dump")).tables(tables))
                .step(r.pg().sql("drop Phase 4 views and indexes", dropPhase4ObjectsSql(s)), StepOptions.defaults().destructive(true))
                .checkpoint("phase4-views-and-indexes-dropped")          // a failure after this: objects gone, tables as they were
                .restore(r.pg().restore(r.backup()).tables(tables).withConstraints(),   // one transaction: their keys, indexes and foreign keys too
                        StepOptions.defaults().timeout(s.restoreTimeout()))
                .checkpoint("tables-restored")                           // a failure after this: the tables are the backup's
                .step(r.pg().sql("add denormalized columns back", addColumnsSql(s)))   // on the tables not restored
                .checkpoint("denormalized-columns-back"))
            .phase("Verify database integrity", Duration.ofMinutes(5), p -> {
                integrityChecks(p, r.pg(), s, r.manifest(), s.partialTables(), r.reconnect(), true);
                p.step(r.pg().sql("analyze " + r.db(), "ANALYZE"));
            })
            .phase("Restart and verify application", Duration.ofMinutes(5), p -> {
                p.startApp(r.app());
                healthUp(p, s);
                smokeTests(p, s);
                p.step(r.pg().dump(Path.of("post-rollback/" + r.db() + ".dump")), StepOptions.defaults().name("back up the restored " + r.db()))
                 .notify(r.team(), "INCIDENT RESOLVED: Phase 4 objects removed and " + String.join(", ", s.partialTables())
                        + " restored in " + r.db() + "; application restarted and verified (run ${runId})",
                                Targets.notice("incident resolved"));
            });
        // end::partial[]
        return plan.build();
    }

    /**
     * Part 7, "Quick Rollback - Views Only": the Phase 4 views dropped (the runbook's {@code DROP VIEW
     * IF EXISTS}, without CASCADE: a view something else depends on stops the step, in one
     * transaction), after a schema dump that keeps their definitions. The application keeps running.
     *
     * @param s the settings
     * @return the plan
     */
    public static RollbackPlan viewsOnly(Settings s) {
        Postgres pg = Targets.postgres(s.databaseUrl());
        return quickDrop(s, pg, PLAN_VIEWS, "views", "VIEW", s.phase4Views(), pg.viewCount(s.expectedViews()));
    }

    /**
     * Part 7, "Quick Rollback - Indexes Only": the Phase 4 indexes dropped when they cause
     * performance issues, after a schema dump that keeps their definitions, then {@code ANALYZE}.
     *
     * @param s the settings
     * @return the plan
     */
    public static RollbackPlan indexesOnly(Settings s) {
        Postgres pg = Targets.postgres(s.databaseUrl());
        return quickDrop(s, pg, PLAN_INDEXES, "indexes", "INDEX", s.phase4Indexes(), pg.indexesAbsent(s.phase4Indexes().toArray(new String[0])));
    }

    /**
     * Part 7's quick rollbacks: the Phase 4 views or indexes dropped ({@code DROP ... IF EXISTS}, one
     * transaction) after a schema dump that keeps their definitions, then checked gone; the indexes
     * are followed by {@code ANALYZE}.
     */
    private static RollbackPlan quickDrop(Settings s, Postgres pg, String planName, String objects, String kind, List<String> names,
                                          Check dropped) {
        String db = pg.databaseName();
        StringBuilder sql = new StringBuilder();
        names.forEach(n -> sql.append("DROP ").append(kind).append(" IF EXISTS ").append(ident(n)).append(";\n"));
        return Rollback.plan(planName)
            .description("Phase 4 " + objects + " only: drop them in " + db + " (seed 002, part 7)")
            .onFailure(Targets.tellTheTeamOnFailure(team(s), "Phase 4 " + objects + " of " + db))
            .phase("Quick rollback - " + objects + " only", Duration.ofMinutes(2), p -> {
                p.notify(team(s), "Phase 4 " + objects + " in " + db + " are being dropped (plan ${plan}, run ${runId})",
                        Targets.notice("declare incident"))
                 .precheck(pg.canConnect())
                 .capture(pg.schemaDump(Path.of("forensics/schema_before_" + objects + "_dropped.sql")))   // their definitions kept
                 .step(pg.sql("drop Phase 4 " + objects, sql.toString()), StepOptions.defaults().destructive(true))
                 .verify(dropped, StepOptions.defaults().name("all Phase 4 " + objects + " dropped"));
                if (kind.equals("INDEX")) {
                    p.step(pg.sql("analyze " + db, "ANALYZE"));
                }
                p.notify(team(s), "All Phase 4 " + objects + " dropped in " + db + " (run ${runId})", Targets.notice("incident resolved"));
            })
            .build();
    }

    /**
     * Scenario 3, recovery: the failed migration's views dropped ({@code CASCADE}, as the runbook)
     * and the migration run again in one transaction, then its views verified.
     *
     * @param s the settings
     * @return the plan
     */
    public static RollbackPlan recovery(Settings s) {
        if (s.failedMigration() == null) {
            throw new UsageException("SCENARIO=recovery runs one migration again: set FAILED_MIGRATION=supabase/migrations/<name>.sql");
        }
        Postgres pg = Targets.postgres(s.databaseUrl());
        String db = pg.databaseName();
        StringBuilder drop = new StringBuilder();
        s.recoveryViews().forEach(v -> drop.append("DROP VIEW IF EXISTS ").append(ident(v)).append(" CASCADE;\n"));
        return Rollback.plan(PLAN_RECOVERY)
            .description("Recovery: run " + s.failedMigration().getFileName() + " again in " + db + " (seed 002, scenario 3)")
            .onFailure(Targets.tellTheTeamOnFailure(team(s), "recovery of " + s.failedMigration().getFileName() + " in " + db))
            .phase("Recovery: re-run single migration", Duration.ofMinutes(5), p -> p
                .notify(team(s), "Recovery of " + s.failedMigration().getFileName() + " in " + db + " started (plan ${plan}, run ${runId})",
                        Targets.notice("declare incident"))
                .precheck(pg.canConnect())
                .precheck(fileExists(s.failedMigration()))
                .capture(pg.schemaDump(Path.of("forensics/schema_before_recovery.sql")))
                .step(pg.sql("drop the failed migration's views", drop.toString()), StepOptions.defaults().destructive(true))
                .step(pg.sqlFile(s.failedMigration()))
                .verify(pg.viewsExist(s.recoveryViews().toArray(new String[0])))
                .notify(team(s), "Recovery done: " + s.failedMigration().getFileName() + " ran again in " + db + " (run ${runId})",
                        Targets.notice("incident resolved")))
            .build();
    }

    /**
     * Scenario 4, application-level rollback: the code back to before Phase 4 ({@code git reset},
     * after a safety tag on the current HEAD), rebuilt, redeployed and tested. The database stays.
     *
     * @param s the settings
     * @return the plan
     */
    public static RollbackPlan applicationRollback(Settings s) {
        Git repo = Git.repo(s.deployDir());
        ResetMode mode = s.hardReset() ? ResetMode.HARD : ResetMode.SOFT;
        return Rollback.plan(PLAN_APPLICATION)
            .description("Application-level rollback to " + s.resetTo() + " (seed 002, scenario 4)")
            .onFailure(Targets.tellTheTeamOnFailure(team(s), "application rollback to " + s.resetTo()))
            .phase("Revert application code", Duration.ofMinutes(15), p -> {
                p.notify(team(s), "Application rollback to the pre-Phase 4 version started (plan ${plan}, run ${runId})",
                        Targets.notice("declare incident"))
                 .capture(Command.of("git", "log", "--oneline", "-10").directory(s.deployDir()).searchPath(s.toolsPath())
                         .stdoutTo(Path.of("recent-commits.txt")).named("list recent commits (git log --oneline -10)"))
                 .capture(repo.safetyTag())                                  // the Phase 4 HEAD stays reachable
                 .restore(repo.reset(mode, s.resetTo()))
                 .verify(repo.headIs(Revision.of(s.resetTo())));
                p.step(Command.of(s.buildCommand()).directory(s.deployDir()).searchPath(s.toolsPath())
                         .timeout(Duration.ofMinutes(15)).named("rebuild application"))
                 .step(Command.of(s.deployCommand()).directory(s.deployDir()).searchPath(s.toolsPath())
                         .timeout(Duration.ofMinutes(15)).named("redeploy application"))
                 .verify(Command.of(s.testCommand()).directory(s.deployDir()).searchPath(s.toolsPath())
                         .timeout(Duration.ofMinutes(15)).asCheck("application tests pass"))
                 .notify(team(s), "Application rolled back to the pre-Phase 4 version (run ${runId})",
                         Targets.notice("incident resolved"));
            })
            .build();
    }

    /**
     * The program front: the flags, this seed's settings and {@code --decide} with its decision table
     * ({@code SeedDecisionTables.seed002()}; see {@link Decide} for the signals it reads).
     *
     * @param name how the program is started, for usage and resume commands
     * @return the front, ready to {@code execute}
     */
    public static RollbackProgram program(String name) {
        return RollbackProgram.named(name).settings(SETTINGS).settings(Decide.SETTINGS)
                .decisions(Decide.with(SeedDecisionTables.seed002(), null, "DATABASE_URL"));
    }

    /**
     * @param args the usual rollback flags; settings by {@code --set NAME=VALUE} or environment
     */
    public static void main(String[] args) {
        System.exit(program("seed-002-phase4-migration-rollback")
                .execute(args, o -> plan(Settings.from(o))));
    }

    // ------------------------------------------------------------------ pieces of both scenarios

    /** The runbook's {@code ls -t _backups/staging/}{@code *}{@code /staging_full_backup.dump | head -1}. */
    static Path backupFile(Settings s) {
        if (s.backupFile() != null) {
            return s.backupFile();
        }
        if (!Files.isDirectory(s.backupRoot())) {
            return s.backupRoot().resolve(s.backupName());   // does not exist: the precheck says so
        }
        try (Stream<Path> dirs = Files.list(s.backupRoot())) {
            return dirs.map(d -> d.resolve(s.backupName())).filter(Files::isRegularFile)
                    .max(Comparator.comparing(Seed002Phase4MigrationRollback::modified))
                    .orElse(s.backupRoot().resolve(s.backupName()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list backups in " + s.backupRoot(), e);
        }
    }

    private static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    /** Step 3: the backup is there; publishes its path, time and size as the runbook prints them. */
    private static Check backupLocated(Settings s, Path backup) {
        String name = "backup located";
        return DescribedCheck.of(name, StepDescription.of(name).param("backup", backup)
                .param("searched", s.backupFile() != null ? "BACKUP_FILE" : s.backupRoot() + "/*/" + s.backupName() + ", newest first"), ctx -> {
            if (!Files.isRegularFile(backup)) {
                return CheckResult.failed(name, "no backup", "a backup file", "CRITICAL: No backup found ("
                        + (s.backupFile() != null ? backup + " does not exist" : "no " + s.backupRoot() + "/*/" + s.backupName())
                        + "). Cannot rollback without backup; nothing was changed.");
            }
            ctx.output("backup.path", backup.toString());
            ctx.output("backup.created", Files.getLastModifiedTime(backup).toInstant().toString());
            ctx.output("backup.size", Long.toString(Files.size(backup)));
            return CheckResult.passed(name, backup + " (" + Files.size(backup) + " bytes)", "a backup file");
        });
    }

    /** Step 2 and 8: all application servers, as the deployment method does it. */
    static AppControl appServers(Settings s) {
        switch (s.appControl()) {
            case KUBERNETES:
                return Kubernetes.deployment(s.k8sDeployment()).replicasIfUnknown(s.k8sReplicas()).searchPath(s.toolsPath());
            case COMPOSE:
                return DockerCompose.file(s.composeFile()).searchPath(s.toolsPath());
            case ANSIBLE:
                return ansibleServers(s);
            default:
                Systemd unit = Systemd.unit(s.appUnit()).searchPath(s.toolsPath());
                if (s.appServers().equals(List.of("localhost"))) {
                    return unit;
                }
                // "IMMEDIATELY stop all application servers": every host over ssh, each one reported
                return Fleet.of(s.appServers().toArray(new String[0])).parallel(s.appServers().size())
                        .searchPath(s.toolsPath()).control(unit);
        }
    }

    /** Step 2 and 8 through Ansible: one run stops (starts) every app server, each host's result journaled. */
    private static AppControl ansibleServers(Settings s) {
        AnsibleSettings a = s.ansible();
        if (a.inventory() == null) {
            throw new UsageException("APP_CONTROL=ansible needs ANSIBLE_INVENTORY (the inventory of the app servers)");
        }
        Ansible[] runs = new Ansible[2];
        String[] actions = {"stop", "start"};
        String[] states = {"stopped", "started"};
        for (int i = 0; i < 2; i++) {
            Ansible run = a.playbook() != null
                    ? Ansible.playbook(a.playbook()).limit(a.hosts()).extraVar("app_action", actions[i]).extraVar("app_unit", s.appUnit())
                    : Ansible.module("ansible.builtin.systemd", "name=" + s.appUnit() + " state=" + states[i])
                            .hosts(a.hosts()).become();
            run = run.inventory(a.inventory()).forks(a.forks()).searchPath(s.toolsPath());
            runs[i] = a.becomePassword() == null ? run : run.becomePassword(Secret.of(a.becomePassword()));
        }
        return Ansible.app(s.appUnit() + " on " + a.hosts(), runs[0], runs[1]);
    }

    private static Notifier team(Settings s) {
        return s.slackWebhook() != null ? Webhook.slack(Secret.of(s.slackWebhook())) : LogNotifier.create();
    }

    /**
     * Step 3, before anything changes: the backup is there and complete (pg_restore reads all of
     * it), and the server answers (retried with backoff, the lost-connection contingency).
     */
    private static PhaseBuilder verifyBackup(PhaseBuilder p, Settings s, Postgres pg, Path backup, Retry reconnect) {
        return p.precheck(backupLocated(s, backup))
                .precheck(pg.backupReadable(backup))
                .precheck(pg.canConnect(), StepOptions.defaults().retry(reconnect))
                .precheck(pg.toolsMatchServer());
    }

    /** Step 2: every app server stopped and confirmed down, database sessions ended. */
    private static void stopAllActivity(PhaseBuilder p, Settings s, AppControl app, Postgres pg) {
        p.stopApp(app);
        healthDown(p, s);
        p.step(pg.terminateConnections())
         .checkpoint("app-stopped");
    }

    private static void healthDown(PhaseBuilder p, Settings s) {
        for (String url : s.healthUrls()) {
            p.verify(Http.down(url), StepOptions.defaults().name("down: " + url));
        }
    }

    private static void healthUp(PhaseBuilder p, Settings s) {
        for (String url : s.healthUrls()) {
            p.verify(Http.get(url).expectStatus(200), StepOptions.defaults().name("healthy: " + url)
                    .retry(Retry.times(12).delay(s.healthRetryDelay())));
        }
    }

    /** Step 9: the runbook's curls with the test token, and its npm smoke suite when the source folder is given. */
    private static void smokeTests(PhaseBuilder p, Settings s) {
        HttpCheck sales = Http.get(s.appUrl() + "/api/sales").expectStatus(200);
        HttpCheck tickets = Http.get(s.appUrl() + "/api/tickets").expectStatus(200);
        if (s.testToken() != null) {
            sales = sales.bearer(Secret.of(s.testToken()));
            tickets = tickets.bearer(Secret.of(s.testToken()));
        }
        p.verify(Http.smoke("smoke tests", sales, tickets));
        if (s.npmSmokeDir() != null) {
            p.step(Command.of("npm", "test", "--", "--testPathPattern=smoke").directory(s.npmSmokeDir())
                    .searchPath(s.toolsPath()).timeout(Duration.ofMinutes(10)).named("npm smoke tests"));
        }
    }

    /** Checks run on the restored database before it is swapped in. */
    private static RestoreStep withIntegrityChecks(RestoreStep restore, Settings s, Path manifest) {
        RestoreStep r = restore.verifyWith(Postgres::foreignKeysValid)
                .verifyWith(db -> db.viewCount(s.expectedViews()));
        if (Files.isRegularFile(manifest)) {
            r = r.verifyWith(db -> db.rowCountsMatch(manifest));
        }
        for (Map.Entry<String, List<String>> e : s.denormalizedColumns().entrySet()) {
            if (s.integrityTables().contains(e.getKey())) {
                r = r.verifyWith(db -> db.columnsExist(e.getKey(), columnNames(e.getValue())));
            }
        }
        return r;
    }

    /**
     * The runbook's step-7 SQL as checks: row counts, denormalized fields, views, FK orphans, primary keys.
     * Without {@code readRows}, the checks that read every row (counts, orphans) are left out: for a database a
     * prepare checked before it was swapped in.
     */
    private static void integrityChecks(PhaseBuilder p, Postgres pg, Settings s, Path manifest, List<String> tables, Retry reconnect,
                                        boolean readRows) {
        Optional<RowCountManifest> counts = Files.isRegularFile(manifest) ? Optional.of(RowCountManifest.read(manifest)) : Optional.empty();
        StepOptions retrying = StepOptions.defaults().retry(reconnect);
        for (String t : readRows ? tables : List.<String>of()) {
            Long expected = counts.map(m -> m.counts().getOrDefault(t, m.counts().get("public." + t))).orElse(null);
            p.verify(expected != null ? pg.rowCountExactly(t, expected) : pg.rowCountAtLeast(t, 1), retrying);
        }
        for (Map.Entry<String, List<String>> e : s.denormalizedColumns().entrySet()) {
            if (tables.contains(e.getKey()) || s.scenario() == Scenario.PARTIAL) {
                p.verify(pg.columnsExist(e.getKey(), columnNames(e.getValue())), retrying);
            }
        }
        p.verify(pg.viewCount(s.expectedViews()), retrying);
        if (readRows) {
            p.verify(pg.foreignKeysValid(), retrying);
        }
        p.verify(pg.indexesExist(tables.stream().map(t -> t + "_pkey").toArray(String[]::new)), retrying);
    }

    /** Part 7's SQL, quoted: drop the Phase 4 views (with what depends on them) and indexes. */
    static String dropPhase4ObjectsSql(Settings s) {
        StringBuilder sql = new StringBuilder();
        for (String v : s.phase4Views()) {
            sql.append("DROP VIEW IF EXISTS ").append(ident(v)).append(" CASCADE;\n");
        }
        for (String i : s.phase4Indexes()) {
            sql.append("DROP INDEX IF EXISTS ").append(ident(i)).append(";\n");
        }
        return sql.toString();
    }

    /** Part 7's {@code ADD COLUMN IF NOT EXISTS} for every denormalized column (a restored table has them already). */
    static String addColumnsSql(Settings s) {
        StringBuilder sql = new StringBuilder();
        for (Map.Entry<String, List<String>> e : s.denormalizedColumns().entrySet()) {
            for (String col : e.getValue()) {
                sql.append("ALTER TABLE ").append(ident(e.getKey())).append(" ADD COLUMN IF NOT EXISTS ").append(col).append(";\n");
            }
        }
        return sql.toString();
    }

    private static Check fileExists(Path file) {
        String name = "migration " + file.getFileName() + " present";
        return Check.of(name, ctx -> Files.isRegularFile(file) ? CheckResult.passed(name, file, "a file")
                : CheckResult.failed(name, "missing", file, file + " does not exist; nothing was changed. Check FAILED_MIGRATION."));
    }

    private static String runningQueries(String db) {
        return "SELECT pid, query, query_start, state FROM pg_stat_activity WHERE datname = '" + db.replace("'", "''")
                + "' AND state <> 'idle'";
    }

    private static String locks(String db) {
        return "SELECT * FROM pg_locks WHERE pid IN (SELECT pid FROM pg_stat_activity WHERE datname = '" + db.replace("'", "''") + "')";
    }

    private static String[] columnNames(List<String> definitions) {
        return definitions.stream().map(d -> d.substring(0, d.indexOf(' '))).toArray(String[]::new);
    }

    private static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static String choice(CommandLineOptions o, String name, String fallback, String... allowed) {
        String v = o.setting(name, fallback).trim().toLowerCase(Locale.ROOT);
        if (!List.of(allowed).contains(v)) {
            throw new UsageException(name + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
        }
        return v.toUpperCase(Locale.ROOT);
    }

    private static Map<String, List<String>> denormalizedColumns() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("products", List.of("category VARCHAR(255)", "is_active BOOLEAN DEFAULT true", "supplier_name VARCHAR(255)"));
        m.put("sales", List.of("customer_name VARCHAR(255)", "assigned_to_name VARCHAR(255)", "amount DECIMAL(12,2)"));
        m.put("tickets", List.of("customer_name VARCHAR(255)", "customer_email VARCHAR(255)", "customer_phone VARCHAR(20)",
                "assigned_to_name VARCHAR(255)", "reported_by_name VARCHAR(255)"));
        m.put("job_works", List.of("customer_name VARCHAR(255)", "customer_short_name VARCHAR(50)", "customer_contact VARCHAR(255)",
                "customer_email VARCHAR(255)", "customer_phone VARCHAR(20)", "product_name VARCHAR(255)", "product_sku VARCHAR(100)",
                "product_category VARCHAR(255)", "product_unit VARCHAR(50)", "receiver_engineer_name VARCHAR(255)",
                "receiver_engineer_email VARCHAR(255)", "assigned_by_name VARCHAR(255)"));
        return Collections.unmodifiableMap(m);
    }
}
