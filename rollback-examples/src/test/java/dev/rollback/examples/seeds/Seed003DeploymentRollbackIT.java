package dev.rollback.examples.seeds;

import dev.rollback.cli.RollbackProgram;
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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> a = new ArrayList<>(List.of(setup.args(args)));
        a.addAll(List.of("--journal", journal.toString()));
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = RollbackProgram.named("seed-003").settings(Seed003DeploymentRollback.SETTINGS).streams(ps, ps, new ByteArrayInputStream(new byte[0]))
                .environment(setup.env())
                .execute(a.toArray(new String[0]), o -> Seed003DeploymentRollback.plan(Seed003DeploymentRollback.Settings.from(o)));
        return new Run(exit, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    @Order(1)
    void dryRunPrintsEveryStepWithItsCommandsAndChangesNothing() throws Exception {
        String before = state();

        Run r = run("--dry-run", "--set", "BLUE_GREEN_FILE=" + setup.blueGreen(), "--set", "ROLLBACK_TAG=v1.2.3-rollback",
                "--set", "GIT_REMOTE=origin", "--set", "REBUILD=true", "--set", "REDIS_FLUSH=sessions",
                "--set", "REDIS_CONTAINER=pmcrm-redis-prod", "--set", "RAILWAY_ROLLBACK=true", "--set", "RAILWAY_DEPLOYMENT_ID=dep-42",
                "--set", "VERCEL_PROMOTE_URL=pmcrm-frontend-abc123.vercel.app", "--set", "ECS_CLUSTER=pmcrm-cluster",
                "--set", "ECS_SERVICE=pmcrm-backend-service", "--set", "ECS_TASK_DEFINITION=pmcrm-backend:42",
                "--set", "ALB_LISTENER_ARN=arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/lb/x",
                "--set", "ALB_TARGET_GROUP_ARN=arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/blue/y");

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("DRY RUN",
                "tag v1.2.3", "down migration present", "docker compose -f " + setup.composeFile() + " stop backend frontend",
                "down.sql", "npx prisma migrate resolve --rolled-back " + Seed003Lab.MIGRATION, "checkout v1.2.3",
                "set IMAGE_TAG", "docker pull ghcr.io/your-org/pmcrm/backend:v1.2.3",
                "docker compose -f " + setup.composeFile() + " build",
                "docker exec -e REDISCLI_AUTH pmcrm-redis-prod redis-cli -e -h 127.0.0.1 -p ",
                "--scan --pattern 'session:*'", " --rdb '<file>'", "docker cp 'pmcrm-redis-prod:<file>'",
                "docker compose -f " + setup.composeFile() + " up -d backend frontend",
                "version is v1.2.3", "auth endpoint working", "ACTIVE_COLOR",
                "railway rollback --deployment dep-42", "vercel promote pmcrm-frontend-abc123.vercel.app",
                "aws ecs update-service --cluster pmcrm-cluster --service pmcrm-backend-service --task-definition pmcrm-backend:42",
                "aws ecs wait services-stable --cluster pmcrm-cluster --services pmcrm-backend-service",
                "aws elbv2 modify-listener --listener-arn arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/lb/x "
                        + "--default-actions Type=forward,TargetGroupArn=arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/blue/y",
                "v1.2.3-rollback", "push", "[RESOLVED]")
                .doesNotContain("redis-pw-8d2c41").doesNotContain("Lab-pg-pw-5c1e93");
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
        assertThat(noDb.exit()).as(noDb.out()).isEqualTo(2);
        assertThat(noDb.out()).contains("DB_ROLLBACK=restore needs BACKUP_FILE");
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
                "--set", "BLUE_GREEN_FILE=" + setup.blueGreen(), "--set", "ROLLBACK_TAG=v1.2.3-rollback");

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
