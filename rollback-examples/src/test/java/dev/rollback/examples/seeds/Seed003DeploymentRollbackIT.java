package dev.rollback.examples.seeds;

import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.report.IncidentReport;
import dev.rollback.examples.lab.Lab;
import dev.rollback.examples.lab.LabPostgres;
import dev.rollback.examples.lab.Seed003Lab;
import dev.rollback.test.StandIns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.rollback.test.RollbackAssertions.assertThatJournal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 003 drilled for real, as the guide's quarterly drill: the bad release v1.3.0 deployed
 * (compose stack of two real processes, migration applied), rolled back to v1.2.3, verified.
 * One lab for the class: the tests that must change nothing run first, the rollback last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Seed003DeploymentRollbackIT {
    private static Lab lab;
    private static Seed003Lab.Setup setup;
    @TempDir
    static Path work;
    @TempDir
    Path journal;

    @BeforeAll
    static void prepare() {
        lab = Lab.in(work.resolve("lab"));
        setup = Seed003Lab.prepare(lab);
    }

    @AfterAll
    static void stopLab() throws Exception {
        lab.close();
    }

    @AfterEach
    void everyFileThePlanWroteIsOwnerOnly() {
        SeedDrills.assertOwnerOnly(journal);
        SeedDrills.assertOwnerOnlyFiles(SeedDrills.envBackups(lab.envFile()));
    }

    private record Run(int exit, String out) {
    }

    private Run run(String... args) {
        return run(setup.env(), args);
    }

    private Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> a = new ArrayList<>(List.of(setup.args(args)));
        a.addAll(List.of("--journal", journal.toString()));
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = Seed003DeploymentRollback.program("seed-003").streams(ps, ps, new ByteArrayInputStream(new byte[0]))
                .environment(env)
                .execute(a.toArray(new String[0]), o -> Seed003DeploymentRollback.plan(Seed003DeploymentRollback.Settings.from(o)));
        return new Run(exit, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    @Order(1)
    void dryRunsPrintEveryStepWithItsCommandsAndChangeNothing() throws Exception {
        String before = state();

        Run r = run("--dry-run", "--set", "BLUE_GREEN_FILE=" + setup.blueGreen(), "--set", "ROLLBACK_COLOR_HEALTH_URL=" + setup.blueUrl() + "/api/health",
                "--set", "ROLLBACK_TAG=v1.2.3-rollback", "--set", "GIT_REMOTE=origin", "--set", "REBUILD=true", "--set", "REDIS_FLUSH=sessions",
                "--set", "REDIS_CONTAINER=pmcrm-redis-prod");
        Run ecs = run("--dry-run", "--set", "PLATFORM=ecs", "--set", "ECS_CLUSTER=pmcrm-cluster", "--set", "ECS_SERVICE=pmcrm-backend-service",
                "--set", "ECS_TASK_DEFINITION=" + Seed003Lab.ECS_GOOD, "--set", "ALB_LISTENER_ARN=arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/lb/x",
                "--set", "ALB_TARGET_GROUP_ARN=" + Seed003Lab.TG_BLUE);
        Run vercel = run("--dry-run", "--set", "PLATFORM=vercel", "--set", "VERCEL_PROMOTE_URL=" + Seed003Lab.VERCEL_GOOD);
        Run railway = run("--dry-run", "--set", "PLATFORM=railway", "--set", "RAILWAY_DEPLOYMENT_ID=" + Seed003Lab.RAILWAY_GOOD);

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("DRY RUN",
                "tag v1.2.3", "down migration present", "docker compose -f " + setup.composeFile() + " stop backend frontend",
                "down.sql", "npx prisma migrate resolve --rolled-back " + Seed003Lab.MIGRATION, "checkout v1.2.3",
                "set IMAGE_TAG", "docker pull ghcr.io/your-org/pmcrm/backend:v1.2.3",
                "docker compose -f " + setup.composeFile() + " build",
                "docker exec -e REDISCLI_AUTH pmcrm-redis-prod redis-cli -e -h 127.0.0.1 -p ",
                "--scan --pattern 'session:*'", " --rdb '<file>'", "docker cp 'pmcrm-redis-prod:<file>'",
                "docker compose -f " + setup.composeFile() + " up -d backend frontend",
                "version is v1.2.3", "auth endpoint working", "ACTIVE_COLOR", "v1.2.3-rollback", "push", "[RESOLVED]")
                .doesNotContain("redis-pw-8d2c41").doesNotContain("Lab-pg-pw-5c1e93")
                .doesNotContain("railway", "vercel", "aws ecs");
        // blue-green: the traffic flip comes before anything is stopped
        assertThat(r.out().indexOf("set ACTIVE_COLOR")).isPositive().isLessThan(r.out().indexOf("[stop app]"));
        // each platform alone, with its own verification, no compose step
        assertThat(ecs.exit()).as(ecs.out()).isZero();
        assertThat(ecs.out()).contains("aws ecs update-service --cluster pmcrm-cluster --service pmcrm-backend-service --task-definition "
                        + Seed003Lab.ECS_GOOD, "aws ecs wait services-stable --cluster pmcrm-cluster --services pmcrm-backend-service",
                "aws ecs describe-services", "ECS service runs " + Seed003Lab.ECS_GOOD,
                "aws elbv2 modify-listener --listener-arn arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/lb/x "
                        + "--default-actions Type=forward,TargetGroupArn=" + Seed003Lab.TG_BLUE, "listener forwards to blue")
                .doesNotContain("docker compose", "[stop app]");
        assertThat(ecs.out().indexOf("aws elbv2 modify-listener")).isLessThan(ecs.out().indexOf("aws ecs update-service"));
        assertThat(vercel.exit()).as(vercel.out()).isZero();
        assertThat(vercel.out()).contains("vercel promote " + Seed003Lab.VERCEL_GOOD, "frontend healthy", "version is v1.2.3")
                .doesNotContain("docker compose", "backend healthy");
        assertThat(railway.exit()).as(railway.out()).isZero();
        assertThat(railway.out()).contains("railway rollback --deployment " + Seed003Lab.RAILWAY_GOOD, "backend healthy", "version is v1.2.3")
                .doesNotContain("docker compose");
        assertThat(state()).isEqualTo(before);
        assertThat(journal).isEmptyDirectory();
    }

    @Test
    @Order(2)
    void anUnknownTagOrAMissingDownMigrationStopsBeforeAnythingIsTouched() throws Exception {
        String before = state();

        Run noTag = run("--set", "PREVIOUS_TAG=v9.9.9", "--yes", "ops@example.com");
        Run noDown = run("--set", "MIGRATION_NAME=20240202_missing", "--yes", "ops@example.com");
        Run noDb = run("--set", "DB_ROLLBACK=restore", "--yes", "ops@example.com");

        assertThat(noTag.exit()).as(noTag.out()).isEqualTo(1);
        assertThat(noTag.out()).contains("v9.9.9");
        assertThat(noDown.exit()).as(noDown.out()).isEqualTo(1);
        assertThat(noDown.out()).contains("down migration present").contains("20240202_missing/down.sql does not exist");
        Run ecsIncomplete = run("--set", "PLATFORM=ecs", "--set", "ECS_CLUSTER=pmcrm-cluster", "--yes", "ops@example.com");
        Run blueGreenNoHealth = run("--set", "BLUE_GREEN_FILE=" + setup.blueGreen(), "--yes", "ops@example.com");
        Run damagedGz = run("--set", "PLATFORM=railway", "--set", "DB_ROLLBACK=restore", "--set", "BACKUP_FILE=" + truncatedCopy(setup.gzBackup()),
                "--set", "REDIS_FLUSH=none", "--yes", "ops@example.com");
        assertThat(noDb.exit()).as(noDb.out()).isEqualTo(2);
        assertThat(noDb.out()).contains("DB_ROLLBACK=restore needs BACKUP_FILE");
        assertThat(ecsIncomplete.exit()).as(ecsIncomplete.out()).isEqualTo(2);
        assertThat(ecsIncomplete.out()).contains("PLATFORM=ecs needs ECS_CLUSTER, ECS_SERVICE, ECS_TASK_DEFINITION; missing: ECS_SERVICE, ECS_TASK_DEFINITION");
        assertThat(blueGreenNoHealth.exit()).as(blueGreenNoHealth.out()).isEqualTo(2);
        assertThat(blueGreenNoHealth.out()).contains("BLUE_GREEN_FILE needs ROLLBACK_COLOR_HEALTH_URL");
        assertThat(damagedGz.exit()).as(damagedGz.out()).isEqualTo(1);
        assertThat(damagedGz.out()).contains("is a complete gzip", "cannot be decompressed");
        assertThat(setup.platformVersion("railway")).isEqualTo("v1.3.0");
        assertThat(state()).isEqualTo(before);
        assertThat(lab.standIns().calls()).noneMatch(c -> c.startsWith("stop"));
    }

    @Test
    @Order(3)
    void rollsBackImageTagCodeMigrationAndStateThenVerifies() throws Exception {
        long backendPid = pid("backend");
        long frontendPid = pid("frontend");
        LabPostgres pg = lab.postgres();
        assertThat(pg.queryLong(Seed003Lab.DB, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'role'"))
                .isEqualTo(1);

        Run r = run("--yes", "ops@example.com", "--reason", "v1.3.0: login broken for all users",
                "--set", "BLUE_GREEN_FILE=" + setup.blueGreen(), "--set", "ROLLBACK_COLOR_HEALTH_URL=" + setup.blueUrl() + "/api/health",
                "--set", "ROLLBACK_TAG=v1.2.3-rollback");

        assertThat(r.exit()).as(r.out()).isZero();
        // database: the down migration ran, the migration is marked rolled back through prisma (stand-in), rows kept
        assertThat(pg.queryLong(Seed003Lab.DB, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'role'"))
                .isZero();
        assertThat(pg.queryLong(Seed003Lab.DB, "SELECT count(*) FROM pg_type WHERE typname = 'user_role'")).isZero();
        assertThat(pg.queryLong(Seed003Lab.DB, "SELECT count(*) FROM users")).isEqualTo(25);
        assertThat(setup.toolsBin().resolve("npx.log")).content()
                .isEqualTo("npx prisma migrate resolve --rolled-back " + Seed003Lab.MIGRATION + " | DATABASE_URL=set\n");
        // code: the deployed checkout is at v1.2.3, clean; the rollback tag points there (git CLI)
        Path deploy = lab.deployDirectory();
        assertThat(git(deploy, "rev-parse", "HEAD")).isEqualTo(setup.releases().get("v1.2.3"));
        assertThat(git(deploy, "status", "--porcelain")).isEmpty();
        assertThat(git(deploy, "rev-parse", "v1.2.3-rollback^{commit}")).isEqualTo(setup.releases().get("v1.2.3"));
        assertThat(git(deploy, "tag", "-l", "rollback/safety/*")).isNotEmpty();
        // image: IMAGE_TAG back, the image pulled; blue-green switched
        assertThat(Files.readAllLines(lab.envFile())).contains("IMAGE_TAG=v1.2.3").anyMatch(l -> l.startsWith("DATABASE_URL="));
        assertThat(setup.toolsBin().resolve("docker.log")).content().isEqualTo("docker pull ghcr.io/your-org/pmcrm/backend:v1.2.3\n");
        assertThat(Files.readAllLines(setup.blueGreen())).contains("ACTIVE_COLOR=blue");
        // redis: snapshot then FLUSHDB, the password only in REDISCLI_AUTH
        if (setup.redis() != null) {
            assertThat(setup.redis().cli("DBSIZE")).as("the real Redis was flushed").isEqualTo("0");
        } else {
            assertThat(Files.readAllLines(setup.toolsBin().resolve("redis-cli.log")))
                    .anySatisfy(l -> assertThat(l).contains("--rdb ").endsWith("| auth=set"))
                    .anySatisfy(l -> assertThat(l).endsWith("-n 0 FLUSHDB | auth=set"));
        }
        // the stack: both services restarted (new processes), healthy, serving v1.2.3
        assertThat(pid("backend")).isNotEqualTo(backendPid).isPositive();
        assertThat(pid("frontend")).isNotEqualTo(frontendPid).isPositive();
        assertThat(get(setup.backendUrl() + "/api/version")).isEqualTo("v1.2.3");
        assertThat(lab.standIns().calls()).containsSubsequence("stop compose-backend", "start compose-backend");

        String runId = FileJournal.in(journal).runIds(Seed003DeploymentRollback.PLAN).get(0);
        // blue-green: traffic went to blue, and was verified there, before the stack was stopped
        List<String> order = stepOrder(runId);
        assertThat(order).containsSubsequence("finished set ACTIVE_COLOR in active-color.env", "finished traffic on blue healthy",
                "started stop docker compose " + setup.composeFile() + " [backend, frontend]");
        assertThatJournal(FileJournal.in(journal).read(Seed003DeploymentRollback.PLAN, runId))
                .hasApprovalBy("ops@example.com", "run down.sql on pmcrm")
                .hasApprovalBy("ops@example.com", "flush redis")
                .containsNoText("redis-pw-8d2c41").containsNoText("Lab-pg-pw-5c1e93");
        Path runDir = FileJournal.in(journal).runDirectory(Seed003DeploymentRollback.PLAN, runId);
        assertThat(runDir.resolve(IncidentReport.FILE_NAME)).content().contains("SUCCEEDED").contains("login broken")
                .contains("Rollback verification").doesNotContain("redis-pw-8d2c41");
        Path rdb = Path.of(FileJournal.in(journal).read(Seed003DeploymentRollback.PLAN, runId).stream()
                .filter(e -> e instanceof dev.rollback.core.journal.JournalEvent.StepFinished f && f.outputs().containsKey("redis.snapshot"))
                .map(e -> ((dev.rollback.core.journal.JournalEvent.StepFinished) e).outputs().get("redis.snapshot")).findFirst().orElseThrow());
        assertThat(rdb).startsWith(runDir);
        assertThat(new String(Files.readAllBytes(rdb), StandardCharsets.ISO_8859_1)).startsWith("REDIS")
                .contains(setup.redis() != null ? "session:alice" : "standin");   // what the flush removed, kept
        assertThat(runDir.resolve("pre-rollback/database.dump")).isNotEmptyFile();
        // "Monitor for 30 minutes", in seconds: both services watched to the end of the window before "[RESOLVED]"
        List<dev.rollback.core.journal.JournalEvent> events = FileJournal.in(journal).read(Seed003DeploymentRollback.PLAN, runId);
        assertThat(events).filteredOn(e -> e instanceof dev.rollback.core.journal.JournalEvent.StepFinished f && f.step().equals("monitor for 2.0 s"))
                .singleElement().satisfies(e -> assertThat(((dev.rollback.core.journal.JournalEvent.StepFinished) e).outputs())
                        .containsEntry("monitor.result", "no MUST rule fired in 2.0 s"));
        List<String> started = events.stream().filter(e -> e instanceof dev.rollback.core.journal.JournalEvent.StepStarted)
                .map(e -> ((dev.rollback.core.journal.JournalEvent.StepStarted) e).step()).toList();
        assertThat(started.indexOf("monitor for 2.0 s")).as("watched once the stack is back: %s", started)
                .isGreaterThan(started.indexOf(started.stream().filter(n -> n.startsWith("start ")).findFirst().orElseThrow()));
        assertThat(started.indexOf("tell the team: resolved")).as("the team hears [RESOLVED] after the window: %s", started)
                .isGreaterThan(started.indexOf("monitor for 2.0 s"));
        assertThat(runDir.resolve(dev.rollback.core.report.PostMortem.FILE_NAME)).content()
                .contains("monitoring window 'monitor for 2.0 s' passed").contains("ops@example.com approved 'run down.sql on pmcrm'")
                .contains("- [ ] Read the forensics the run captured").doesNotContain("redis-pw-8d2c41").doesNotContain("Lab-pg-pw-5c1e93");
    }

    @Test
    @Order(4)
    void anEcsTaskDefinitionThatDoesNotExistFailsTheRunWithTheServiceUnchanged() throws Exception {
        String untouched = composeAndCheckout();
        RecordingServer hooks = RecordingServer.start();
        Run wrong;
        try {
            wrong = runWith(Map.of("SLACK_WEBHOOK_URL", hooks.url("/hooks/ops")), "--set", "PLATFORM=ecs", "--set", "ECS_CLUSTER=pmcrm-cluster", "--set", "ECS_SERVICE=pmcrm-backend-service",
                "--set", "ECS_TASK_DEFINITION=pmcrm-backend:7", "--set", "BACKEND_HEALTH_URL=" + setup.platforms().get("ecs") + "/api/health",
                "--set", "DB_ROLLBACK=none", "--set", "REDIS_FLUSH=none", "--yes", "ops@example.com");
            assertThat(hooks.requests("/hooks/ops")).last().extracting(RecordingServer.Request::body).asString()
                    .contains("ROLLBACK FAILED: deployment rollback to v1.2.3", "stopped at ecs update-service", "Not run: ");
        } finally {
            hooks.close();
        }
        assertThat(wrong.exit()).as(wrong.out()).isEqualTo(1);
        assertThat(wrong.out()).contains("TaskDefinition not found: pmcrm-backend:7");
        assertThat(setup.platformVersion("ecs")).isEqualTo("v1.3.0");
        assertThat(setup.toolsBin().resolve("ecs-state/taskdef")).content().isEqualToIgnoringNewLines(Seed003Lab.ECS_BAD);
        assertThat(composeAndCheckout()).isEqualTo(untouched);
    }

    @Test
    @Order(5)
    void ecsAloneRollsTheServiceBackToThePreviousTaskDefinitionAndVerifiesIt() throws Exception {
        String untouched = composeAndCheckout();

        Run r = run("--set", "PLATFORM=ecs", "--set", "ECS_CLUSTER=pmcrm-cluster", "--set", "ECS_SERVICE=pmcrm-backend-service",
                "--set", "ECS_TASK_DEFINITION=" + Seed003Lab.ECS_GOOD, "--set", "BACKEND_HEALTH_URL=" + setup.platforms().get("ecs") + "/api/health",
                "--set", "DB_ROLLBACK=none", "--set", "REDIS_FLUSH=none", "--reason", "drill: ECS", "--yes", "ops@example.com");

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(get(setup.platforms().get("ecs") + "/api/version")).isEqualTo("v1.2.3");   // the service runs the previous revision
        assertThat(setup.toolsBin().resolve("ecs-state/taskdef")).content().isEqualToIgnoringNewLines(Seed003Lab.ECS_GOOD);
        assertThat(Files.readAllLines(setup.toolsBin().resolve("aws.log"))).containsSubsequence(
                "aws ecs update-service --cluster pmcrm-cluster --service pmcrm-backend-service --task-definition " + Seed003Lab.ECS_GOOD,
                "aws ecs wait services-stable --cluster pmcrm-cluster --services pmcrm-backend-service",
                "aws ecs describe-services --cluster pmcrm-cluster --services pmcrm-backend-service --query services[0].taskDefinition --output text");
        assertThat(stepOrder(latestRun())).contains("finished ECS service runs " + Seed003Lab.ECS_GOOD, "finished version is v1.2.3");
        assertThat(composeAndCheckout()).as("the compose stack and the checkout are not this platform's").isEqualTo(untouched);
    }

    @Test
    @Order(6)
    void vercelAlonePromotesThePreviousDeploymentWithTheTokenInItsEnvironment() throws Exception {
        String untouched = composeAndCheckout();
        String frontend = setup.platforms().get("vercel");

        Run r = runWith(Map.of("VERCEL_TOKEN", "vercel-token-77a1"), "--set", "PLATFORM=vercel", "--set", "VERCEL_PROMOTE_URL=" + Seed003Lab.VERCEL_GOOD,
                "--set", "FRONTEND_URL=" + frontend + "/", "--set", "DB_ROLLBACK=none", "--set", "REDIS_FLUSH=none",
                "--reason", "drill: Vercel", "--yes", "ops@example.com");

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(get(frontend + "/api/version")).isEqualTo("v1.2.3");
        assertThat(setup.toolsBin().resolve("vercel.log")).content().contains("vercel promote " + Seed003Lab.VERCEL_GOOD + " | VERCEL_TOKEN=set");
        assertThat(r.out()).doesNotContain("vercel-token-77a1");
        assertThatJournal(FileJournal.in(journal).read(Seed003DeploymentRollback.PLAN, latestRun())).containsNoText("vercel-token-77a1");
        assertThat(stepOrder(latestRun())).contains("finished frontend healthy", "finished version is v1.2.3").noneMatch(e -> e.contains("backend"));
        assertThat(composeAndCheckout()).isEqualTo(untouched);
    }

    @Test
    @Order(7)
    void railwayAloneRollsBackToTheNamedDeployment() throws Exception {
        String untouched = composeAndCheckout();
        String backend = setup.platforms().get("railway");

        Run r = runWith(Map.of("RAILWAY_TOKEN", "railway-token-3b9e"), "--set", "PLATFORM=railway", "--set", "RAILWAY_DEPLOYMENT_ID=" + Seed003Lab.RAILWAY_GOOD,
                "--set", "BACKEND_HEALTH_URL=" + backend + "/api/health", "--set", "DB_ROLLBACK=none", "--set", "REDIS_FLUSH=none",
                "--reason", "drill: Railway", "--yes", "ops@example.com");

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(get(backend + "/api/version")).isEqualTo("v1.2.3");
        assertThat(setup.toolsBin().resolve("railway.log")).content()
                .contains("railway rollback --deployment " + Seed003Lab.RAILWAY_GOOD + " | RAILWAY_TOKEN=set");
        assertThat(r.out()).doesNotContain("railway-token-3b9e");
        assertThat(stepOrder(latestRun())).contains("finished backend healthy", "finished auth endpoint working", "finished version is v1.2.3");
        assertThat(composeAndCheckout()).isEqualTo(untouched);
    }

    @Test
    @Order(8)
    void aBlueGreenFlipOnTheLoadBalancerAloneStopsNothing() throws Exception {
        String untouched = composeAndCheckout();
        int callsBefore = lab.standIns().calls().size();

        Run r = run("--set", "PLATFORM=none", "--set", "ALB_LISTENER_ARN=arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/pmcrm/x",
                "--set", "ALB_TARGET_GROUP_ARN=" + Seed003Lab.TG_BLUE, "--set", "DB_ROLLBACK=none", "--set", "REDIS_FLUSH=none",
                "--reason", "drill: blue-green", "--yes", "ops@example.com");

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(setup.toolsBin().resolve("alb.targetgroup")).content().isEqualToIgnoringNewLines(Seed003Lab.TG_BLUE);
        assertThat(stepOrder(latestRun())).contains("finished alb switch traffic back", "finished listener forwards to blue");
        assertThat(lab.standIns().calls().subList(callsBefore, lab.standIns().calls().size())).noneMatch(c -> c.startsWith("stop"));
        assertThat(composeAndCheckout()).isEqualTo(untouched);
    }

    @Test
    @Order(9)
    void aGzippedDumpIsRestoredAndTheRedisSnapshotComesOutOfItsContainer() throws Exception {
        LabPostgres pg = lab.postgres();
        pg.execute(Seed003Lab.DB, "INSERT INTO users (email) VALUES ('written-after-the-backup@pmcrm.example')");
        if (setup.redis() != null) {
            setup.redis().cli("MSET", "session:carol", "c3", "session:dave", "d4", "cache:home", "<html>");
        }
        long databasesBefore = pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'pmcrm_before_%'");

        Run r = run("--set", "PLATFORM=railway", "--set", "RAILWAY_DEPLOYMENT_ID=" + Seed003Lab.RAILWAY_GOOD,
                "--set", "BACKEND_HEALTH_URL=" + setup.platforms().get("railway") + "/api/health",
                "--set", "DB_ROLLBACK=restore", "--set", "BACKUP_FILE=" + setup.gzBackup(),
                "--set", "REDIS_FLUSH=sessions", "--set", "REDIS_CONTAINER=" + Seed003Lab.REDIS_CONTAINER,
                "--reason", "drill: restore from .dump.gz", "--yes", "ops@example.com");

        assertThat(r.exit()).as(r.out()).isZero();
        // the database is the backup's (25 users, the row written since gone); the replaced one kept
        assertThat(pg.queryLong(Seed003Lab.DB, "SELECT count(*) FROM users")).isEqualTo(25);
        assertThat(pg.queryLong(Seed003Lab.DB, "SELECT count(*) FROM users WHERE email LIKE 'written-after%'")).isZero();
        assertThat(pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'pmcrm_before_%'")).isEqualTo(databasesBefore + 1);
        Path runDir = FileJournal.in(journal).runDirectory(Seed003DeploymentRollback.PLAN, latestRun());
        assertThat(runDir.resolve("restore/backup_before_migration.dump")).isNotEmptyFile();
        // redis: the snapshot written inside the container, copied out with docker cp, removed inside; sessions deleted
        List<String> docker = Files.readAllLines(setup.toolsBin().resolve("docker.log"));
        assertThat(docker).anySatisfy(l -> assertThat(l).startsWith("docker exec " + Seed003Lab.REDIS_CONTAINER + " redis-cli ")
                        .contains("--rdb /tmp/rollback-").endsWith("| auth=set"))
                .anySatisfy(l -> assertThat(l).startsWith("docker cp " + Seed003Lab.REDIS_CONTAINER + ":/tmp/rollback-").contains(runDir.toString()))
                .anySatisfy(l -> assertThat(l).startsWith("docker exec " + Seed003Lab.REDIS_CONTAINER + " rm -f /tmp/rollback-"));
        assertThat(docker).noneMatch(l -> l.contains(Seed003Lab.REDIS_PASSWORD));
        try (var left = Files.list(setup.toolsBin().resolve("container-root/" + Seed003Lab.REDIS_CONTAINER + "/tmp"))) {
            assertThat(left).as("nothing left inside the container").isEmpty();
        }
        Path rdb = Path.of(FileJournal.in(journal).read(Seed003DeploymentRollback.PLAN, latestRun()).stream()
                .filter(e -> e instanceof dev.rollback.core.journal.JournalEvent.StepFinished f && f.outputs().containsKey("redis.snapshot"))
                .map(e -> ((dev.rollback.core.journal.JournalEvent.StepFinished) e).outputs().get("redis.snapshot")).findFirst().orElseThrow());
        assertThat(rdb).startsWith(runDir);
        if (setup.redis() != null) {
            assertThat(new String(Files.readAllBytes(rdb), StandardCharsets.ISO_8859_1)).startsWith("REDIS").contains("session:carol");
            assertThat(setup.redis().cli("EXISTS", "session:carol")).isEqualTo("0");
            assertThat(setup.redis().cli("EXISTS", "cache:home")).as("only the sessions are deleted").isEqualTo("1");
        }
        assertThatJournal(FileJournal.in(journal).read(Seed003DeploymentRollback.PLAN, latestRun()))
                .hasApprovalBy("ops@example.com", "restore pmcrm from backup_before_migration.dump.gz")
                .containsNoText(Seed003Lab.REDIS_PASSWORD).containsNoText("Lab-pg-pw-5c1e93");
    }

    @Test
    @Order(10)
    void githubActionsAloneRevertsTheBadCommitAndPushesItForThePipeline() throws Exception {
        Path remote = work.resolve("github.git");
        Path checkout = work.resolve("github-checkout");
        cli(work, "git", "clone", "-q", "--bare", lab.deployDirectory().toString(), remote.toString());
        cli(work, "git", "clone", "-q", remote.toString(), checkout.toString());
        cli(checkout, "git", "checkout", "-q", "main");
        String bad = setup.releases().get("v1.3.0");
        assertThat(git(checkout, "rev-parse", "HEAD")).as("main is the bad release").isEqualTo(bad);

        Run r = run("--set", "PLATFORM=github-actions", "--set", "REVERT_COMMIT=" + bad, "--set", "GIT_REMOTE=origin",
                "--set", "DEPLOY_DIR=" + checkout, "--set", "BACKEND_HEALTH_URL=" + setup.platforms().get("railway") + "/api/health",
                "--set", "DB_ROLLBACK=none", "--set", "REDIS_FLUSH=none", "--yes", "ops@example.com");

        assertThat(r.exit()).as(r.out()).isZero();
        String head = git(checkout, "rev-parse", "HEAD");
        assertThat(git(checkout, "rev-parse", "HEAD^")).isEqualTo(bad);
        assertThat(git(checkout, "log", "-1", "--format=%s")).startsWith("Revert");
        assertThat(Files.readString(checkout.resolve("VERSION")).strip()).isEqualTo("v1.2.3");
        assertThat(git(remote, "rev-parse", "refs/heads/main")).as("pushed for the pipeline").isEqualTo(head);
        Path runDir = FileJournal.in(journal).runDirectory(Seed003DeploymentRollback.PLAN, latestRun());
        assertThat(runDir.resolve("recent-commits.txt")).content().contains(bad.substring(0, 7));
        assertThat(stepOrder(latestRun())).contains("finished backend healthy", "finished auth endpoint working");
    }

    private static void cli(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    private Run runWith(Map<String, String> extraEnv, String... args) {
        Map<String, String> env = new java.util.HashMap<>(setup.env());
        env.putAll(extraEnv);
        return run(env, args);
    }

    private String latestRun() {
        List<String> ids = FileJournal.in(journal).runIds(Seed003DeploymentRollback.PLAN);
        return ids.get(ids.size() - 1);
    }

    /** "started NAME" / "finished NAME" in journal order. */
    private List<String> stepOrder(String runId) {
        List<String> out = new ArrayList<>();
        for (var e : FileJournal.in(journal).read(Seed003DeploymentRollback.PLAN, runId)) {
            if (e instanceof dev.rollback.core.journal.JournalEvent.StepStarted st) {
                out.add("started " + st.step());
            } else if (e instanceof dev.rollback.core.journal.JournalEvent.StepFinished f) {
                out.add("finished " + f.step());
            }
        }
        return out;
    }

    /** The compose services' processes and the deployed checkout, which a platform rollback must leave alone. */
    private static String composeAndCheckout() throws Exception {
        return pid("backend") + "/" + pid("frontend") + "/" + git(lab.deployDirectory(), "rev-parse", "HEAD") + "/" + Files.readString(lab.envFile());
    }

    private static Path truncatedCopy(Path gz) throws Exception {
        byte[] all = Files.readAllBytes(gz);
        Path cut = work.resolve("truncated-" + gz.getFileName());
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        return cut;
    }

    /** Everything a run that must change nothing could touch. */
    private String state() throws Exception {
        LabPostgres pg = lab.postgres();
        return git(lab.deployDirectory(), "rev-parse", "HEAD") + git(lab.deployDirectory(), "status", "--porcelain")
                + git(lab.deployDirectory(), "tag", "-l") + Files.readString(lab.envFile()) + Files.readString(setup.blueGreen())
                + pg.queryLong(Seed003Lab.DB, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'")
                + pg.queryLong(Seed003Lab.DB, "SELECT count(*) FROM users") + pid("backend") + pid("frontend")
                + Files.exists(setup.toolsBin().resolve("redis-cli.log")) + (setup.redis() == null ? "" : setup.redis().cli("DBSIZE")) + Files.exists(setup.toolsBin().resolve("npx.log"))
                + Files.exists(setup.toolsBin().resolve("docker.log"));
    }

    private static long pid(String service) {
        return lab.standIns().process(StandIns.compose(service)).map(ProcessHandle::pid).orElse(-1L);
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }
}
