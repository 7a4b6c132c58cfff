package dev.rollback.examples.deploy;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Retry;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RollbackRunner;
import dev.rollback.core.Step;
import dev.rollback.core.StepOptions;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.examples.deploy.DeploymentTool.Next;
import dev.rollback.examples.deploy.DeploymentTool.Reaction;
import dev.rollback.postgres.Postgres;
import dev.rollback.process.Http;
import dev.rollback.test.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deployment tool branches on the failure's error code, with real components: a restore that fails
 * on a real PostgreSQL, a health check against a real HTTP server that answers 503, an approval an
 * operator refuses at a console, a plan another run holds.
 */
class DeploymentToolIT {
    @TempDir
    Path tmp;

    private RollbackRunner runner(Journal journal, Confirmations confirmations) {
        return Rollback.runner().journal(journal).confirmations(confirmations).operator("deploy-bot").reason("release 2.3.1 broke checkout");
    }

    @Test
    void aRestoreThatFailsPagesTheDbaWithTheDatabaseItLeftBehindAndTheLiveOneUntouched() throws Exception {
        TestPostgres server = TestPostgres.shared();
        String db = server.createDatabase("deploy");
        server.execute(db, "CREATE TABLE users (id int PRIMARY KEY, email text); INSERT INTO users VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        Postgres pg = Postgres.at(server.jdbcUrl(db)).user(server.user()).password(server.password());
        Path dump = tmp.resolve("before-release.dump");
        RollbackPlan plan = Rollback.plan("restore-shop")
                .capture(pg.dump(dump))
                .restore(pg.restore(dump).verifyWith(restored -> restored.rowCountAtLeast("users", 1000)))   // the backup is too small
                .build();
        FileJournal journal = FileJournal.in(tmp.resolve("journal"));

        Reaction r = new DeploymentTool(runner(journal, Confirmations.autoApprove("dba-on-call"))).rollback(plan);

        assertThat(r.next()).isEqualTo(Next.PAGE_DBA);
        assertThat(r.code()).isEqualTo("postgres.restore.failed");
        assertThat(r.detail()).startsWith("kept for forensics: " + db);
        assertThat(server.queryLong(db, "SELECT count(*) FROM users")).isEqualTo(3);   // the live database was not touched
        String leftBehind = r.detail().substring("kept for forensics: ".length());
        assertThat(server.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + leftBehind + "'")).isEqualTo(1);
        server.execute("postgres", "DROP DATABASE \"" + leftBehind + "\"");

        String runId = journal.runIds("restore-shop").get(0);
        JournalEvent.StepFailed failed = journal.read("restore-shop", runId).stream().filter(JournalEvent.StepFailed.class::isInstance)
                .map(JournalEvent.StepFailed.class::cast).findFirst().orElseThrow();
        assertThat(failed.errorCode()).isEqualTo("postgres.restore.failed");
        assertThat(failed.errorType()).isEqualTo("dev.rollback.postgres.PostgresRestoreFailedException");
    }

    @Test
    void aHealthCheckThatFailsPagesTheAppTeamWithWhatWasMeasured() throws Exception {
        HttpServer app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        app.createContext("/api/health", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        app.start();
        try {
            String health = "http://127.0.0.1:" + app.getAddress().getPort() + "/api/health";
            RollbackPlan plan = Rollback.plan("revert-config")
                    .step("switch the config back", c -> c.output("config", "previous"))
                    .verify(Http.get(health).expectStatus(200), StepOptions.defaults().retry(Retry.times(2).delay(Duration.ofMillis(50))))
                    .build();

            Reaction r = new DeploymentTool(runner(FileJournal.in(tmp), Confirmations.none())).rollback(plan);

            assertThat(r.next()).isEqualTo(Next.PAGE_APP_TEAM);
            assertThat(r.code()).isEqualTo("check.failed");
            assertThat(r.detail()).contains("503").contains("200");
        } finally {
            app.stop(0);
        }
    }

    @Test
    void anApprovalTheOperatorRefusesIsRecordedAndNothingIsChanged() {
        AtomicBoolean restored = new AtomicBoolean();
        RollbackPlan plan = Rollback.plan("restore-orders")
                .capture("keep the orders", c -> c.output("kept", "orders.csv"))
                .restore(Step.of("restore orders", c -> restored.set(true)))
                .build();
        Confirmations console = Confirmations.console(new BufferedReader(new StringReader("no\n")),
                new PrintStream(new ByteArrayOutputStream()));

        Reaction r = new DeploymentTool(runner(FileJournal.in(tmp), console)).rollback(plan);

        assertThat(r.next()).isEqualTo(Next.RECORD_REFUSAL);
        assertThat(r.code()).isEqualTo("approval.refused");
        assertThat(r.detail()).isEqualTo("restore orders");
        assertThat(restored).isFalse();
    }

    @Test
    void aPlanAnotherRunHoldsIsWaitedForNotStartedTwice() {
        RollbackPlan plan = Rollback.plan("held").step("s", c -> { }).build();
        FileJournal journal = FileJournal.in(tmp);
        try (Journal.JournalWriter other = journal.open("held", Holder.thisProcess("20261125-031500-0a0b", "alice"))) {
            Reaction r = new DeploymentTool(runner(journal, Confirmations.none())).rollback(plan);

            assertThat(r.next()).isEqualTo(Next.WAIT_FOR_HOLDER);
            assertThat(r.code()).isEqualTo("journal.locked");
            assertThat(r.detail()).contains("alice");
        }
        assertThat(journal.runIds("held")).isEmpty();   // nothing ran
    }

    @Test
    void aSuccessMarksTheReleaseRolledBack() {
        RollbackPlan plan = Rollback.plan("fine").verify("ok", c -> CheckResult.passed("ok", 1, 1)).build();
        Reaction r = new DeploymentTool(runner(FileJournal.in(tmp), Confirmations.none())).rollback(plan);
        assertThat(r.next()).isEqualTo(Next.MARK_ROLLED_BACK);
        assertThat(r.code()).isNull();
        assertThat(List.of(r.detail())).isNotEmpty();
    }
}
