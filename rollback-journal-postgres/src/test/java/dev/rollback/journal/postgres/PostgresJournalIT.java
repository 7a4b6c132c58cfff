package dev.rollback.journal.postgres;

import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.StepKind;
import dev.rollback.core.cli.RollbackCommand;
import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.JournalEvent.PlanDecision.Decision;
import dev.rollback.core.journal.JournalException;
import dev.rollback.core.journal.JournalLockedException;
import dev.rollback.core.journal.LeaseLostException;
import dev.rollback.core.journal.PlanLock;
import dev.rollback.core.journal.PlanStatus;
import dev.rollback.test.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The PostgreSQL journal against a real server: its tables and version, the lease and its fencing
 * token, takeover and break-lock, a hand-edited table, wrong passwords and unreachable servers,
 * and the command line.
 */
class PostgresJournalIT {
    private static final Instant T = Instant.parse("2026-11-25T03:15:00Z");
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static TestPostgres pg;
    private static String database;

    @TempDir
    Path dir;

    @BeforeAll
    static void server() throws Exception {
        pg = TestPostgres.shared();
        database = pg.createDatabase("journal_it");
    }

    private String schema() {
        return "it_" + SCHEMAS.incrementAndGet();
    }

    private PostgresJournal journal(String schema) {
        return PostgresJournal.at(pg.url(database), pg.password()).schema(schema).runFolder(dir.resolve("runs"));
    }

    private static Holder holder(String run, String operator) {
        return new Holder("host-" + operator, 4242, run, operator);
    }

    @Test
    void itsTablesAreCreatedOnFirstUseWithAVersionAndANewerVersionIsRefused() throws Exception {
        String schema = schema();
        PostgresJournal journal = journal(schema);
        assertThat(pg.queryLong(database, "SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'")).isZero();
        assertThat(journal.runIds("p")).isEmpty();
        assertThat(pg.queryLong(database, "SELECT max(version) FROM " + schema + ".journal_schema")).isEqualTo(PostgresJournal.SCHEMA_VERSION);
        assertThat(pg.queryLong(database, "SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + schema + "'")).isEqualTo(3);

        pg.execute(database, "INSERT INTO " + schema + ".journal_schema (version) VALUES (7)");
        assertThatThrownBy(() -> journal(schema).runIds("p")).isInstanceOf(JournalException.class)
                .hasMessageContaining("are version 7, newer than this rollback library knows (version 1)")
                .hasMessageContaining("Nothing was read or written")
                .hasMessageContaining("Fix: upgrade dev.rollback:rollback-journal-postgres");
    }

    @Test
    void eventsAreStoredAsTheFileJournalsLinesWithTheirFencingToken() throws Exception {
        String schema = schema();
        PostgresJournal journal = journal(schema);
        try (Journal.JournalWriter w = journal.open("p", holder("run-1", "alice"))) {
            w.append(new JournalEvent.StepStarted("run-1", T, 1, "restore", StepKind.RESTORE, 1));
        }
        assertThat(pg.queryLong(database, "SELECT count(*) FROM " + schema + ".events WHERE plan = 'p' AND stream = 'run-1' AND seq = 1 "
                + "AND type = 'StepStarted' AND token = 1 AND line LIKE '{\"v\":1,\"type\":\"StepStarted\",\"runId\":\"run-1\"%'")).isEqualTo(1);
        try (Journal.JournalWriter w = journal.open("p", holder("run-2", "bob"))) {
            w.append(new JournalEvent.StepStarted("run-2", T, 1, "restore", StepKind.RESTORE, 1));
        }
        assertThat(pg.queryLong(database, "SELECT token FROM " + schema + ".events WHERE stream = 'run-2'"))
                .as("every new holder gets a larger fencing token").isEqualTo(2);
    }

    @Test
    void theHeartbeatRenewsTheLeaseSoThatNoOneElseGetsIt() throws Exception {
        PostgresJournal journal = journal(schema()).lease(Duration.ofMillis(1500), Duration.ofMillis(300));
        try (Journal.JournalWriter w = journal.open("p", holder("run-1", "alice"))) {
            PlanLock first = journal.lock("p").orElseThrow();
            Thread.sleep(2500);
            PlanLock later = journal.lock("p").orElseThrow();
            assertThat(later.expired()).isFalse();
            assertThat(later.lastHeartbeat()).isAfter(first.lastHeartbeat());
            assertThat(later.expiresAt()).isAfter(first.expiresAt());
            assertThatThrownBy(() -> journal.open("p", holder("run-2", "bob"))).isInstanceOf(JournalLockedException.class)
                    .hasMessageContaining("run run-1 by alice, pid 4242 on host-alice").hasMessageContaining("last heartbeat")
                    .hasMessageContaining("--break-lock --reason TEXT");
            w.append(new JournalEvent.StepSkipped("run-1", T, 1, "s", "still mine"));
        }
        assertThat(journal.lock("p")).isEmpty();
    }

    @Test
    void anExpiredLeaseIsTakenOverJournaledAndItsFormerHolderCanNeverAppendAgain() throws Exception {
        String schema = schema();
        PostgresJournal journal = journal(schema);
        Journal.JournalWriter alice = journal.open("p", holder("run-1", "alice"));
        alice.append(new JournalEvent.RunStarted("run-1", T, "p", "f", "alice", "", "host-alice", 4242, 3));
        alice.append(new JournalEvent.StepStarted("run-1", T, 1, "restore", StepKind.RESTORE, 1));
        // alice's machine froze: her heartbeat stopped and the lease ran out
        pg.execute(database, "UPDATE " + schema + ".leases SET expires_at = now() - interval '1 second'");
        assertThat(journal.lock("p")).get().satisfies(l -> assertThat(l.expired()).isTrue());
        assertThat(journal.status("p").state()).isEqualTo(PlanStatus.State.INTERRUPTED);

        try (Journal.JournalWriter bob = journal.open("p", holder("run-1", "bob"))) {
            bob.append(new JournalEvent.RunResumed("run-1", T, "f", "bob", "host-bob", 77, null));
            assertThatThrownBy(() -> alice.append(new JournalEvent.StepFinished("run-1", T, 1, "restore", StepKind.RESTORE, 1, 5,
                    Map.of(), java.util.List.of())))
                    .isInstanceOf(LeaseLostException.class)
                    .hasMessageContaining("The lease of plan 'p' held by run run-1 by alice, pid 4242 on host-alice with fencing token 1 was taken over")
                    .hasMessageContaining("now held by run run-1 by bob").hasMessageContaining("fencing token 2")
                    .hasMessageContaining("The event StepFinished of run run-1 was not written");
        }
        alice.close();
        assertThat(journal.read("p", "run-1")).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("RunStarted", "StepStarted", "RunResumed");
        assertThat(journal.planLog("p")).singleElement().isInstanceOfSatisfying(JournalEvent.PlanDecision.class, d -> {
            assertThat(d.decision()).isEqualTo(Decision.LEASE_TAKEN_OVER);
            assertThat(d.runId()).isEqualTo("run-1");
            assertThat(d.operator()).isEqualTo("bob");
            assertThat(d.detail()).contains("the lease of run run-1 by alice, pid 4242 on host-alice").contains("expired; taken over by run run-1 by bob")
                    .contains("fencing token 2");
        });
    }

    @Test
    void aGapInARunsEventsIsAnErrorThatNamesTheFix() throws Exception {
        String schema = schema();
        PostgresJournal journal = journal(schema);
        try (Journal.JournalWriter w = journal.open("p", holder("run-1", "alice"))) {
            for (int i = 1; i <= 4; i++) {
                w.append(new JournalEvent.StepStarted("run-1", T, i, "s" + i, StepKind.ACTION, 1));
            }
        }
        pg.execute(database, "DELETE FROM " + schema + ".events WHERE stream = 'run-1' AND seq = 3");
        assertThatThrownBy(() -> journal.read("p", "run-1")).isInstanceOf(JournalException.class)
                .hasMessageContaining("The journal's events of run run-1 of plan 'p' in \"" + schema + "\".events")
                .hasMessageContaining("have a gap: event 4 follows event 2, so event 3 is missing")
                .hasMessageContaining("Fix: restore the rows from a backup of the journal database");
        pg.execute(database, "UPDATE " + schema + ".events SET line = '{broken' WHERE stream = 'run-1' AND seq = 2");
        pg.execute(database, "UPDATE " + schema + ".events SET seq = 3 WHERE stream = 'run-1' AND seq = 4");
        assertThatThrownBy(() -> journal.read("p", "run-1")).hasMessageContaining("event 2 of run run-1 of plan 'p'")
                .hasMessageContaining("is corrupt").hasMessageContaining("Fix: restore the row from a backup");
    }

    @Test
    void aWrongPasswordAnUnreachableServerAndAMissingDatabaseNameTheFix() throws Exception {
        assertThatThrownBy(() -> PostgresJournal.at(pg.url(database), Secret.of("not-the-password-6b1")).runIds("p"))
                .isInstanceOf(JournalException.class)
                .hasMessageContaining("the server refused the password for user '" + pg.user() + "'")
                .hasMessageContaining("Fix: set the right password in PGPASSWORD, in a PGPASSFILE entry")
                .hasMessageNotContaining("not-the-password-6b1");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        assertThatThrownBy(() -> PostgresJournal.at("postgresql://rollback@127.0.0.1:" + closedPort + "/ops", null).runIds("p"))
                .isInstanceOf(JournalException.class)
                .hasMessageContaining("the journal server cannot be reached")
                .hasMessageContaining("Fix: check that the server at 127.0.0.1:" + closedPort + " runs and that this machine can reach it");
        assertThatThrownBy(() -> PostgresJournal.at(pg.url("no_such_db_71"), pg.password()).runIds("p"))
                .hasMessageContaining("database 'no_such_db_71' does not exist").hasMessageContaining("Fix: create it");
    }

    @Test
    void theRunnerRunsRefusesAndResumesOnItAndFilesAreRecordedForOtherMachines() throws Exception {
        PostgresJournal journal = journal(schema());
        RollbackPlan plan = Rollback.plan("pg-plan")
                .capture("forensics", c -> java.nio.file.Files.writeString(c.runDirectory().resolve("sample.csv"), "id\n1\n"))
                .step("fails once", c -> {
                    if (c.recall("tried").isEmpty()) {
                        c.remember("tried", "yes");
                        throw new IllegalStateException("connection reset");
                    }
                })
                .build();
        RunReport failed = Rollback.runner().journal(journal).operator("alice").run(plan);
        assertThat(failed.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(journal.read("pg-plan", failed.runId())).filteredOn(JournalEvent.FileCaptured.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((JournalEvent.FileCaptured) e).path()).isEqualTo("sample.csv"));
        assertThat(failed.runDirectory()).startsWith(dir.resolve("runs"));
        // another machine with its own run folder resumes it and says what it cannot see
        PostgresJournal elsewhere = journal.runFolder(dir.resolve("other-machine-runs"));
        RunReport resumed = Rollback.runner().journal(elsewhere).operator("bob").resume(plan, failed.runId());
        assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(elsewhere.read("pg-plan", failed.runId())).filteredOn(JournalEvent.CapturedFilesMissing.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((JournalEvent.CapturedFilesMissing) e).problems()).singleElement().asString()
                        .startsWith("sample.csv: missing here (5 bytes, SHA-256 "));
    }

    @Test
    void theCommandLineTakesTheJournalUrlWithThePasswordFromTheEnvironment() throws Exception {
        String schema = schema();
        String url = pg.url(database) + "?schema=" + schema + "&runFolder=" + dir.resolve("cli-runs");
        Map<String, String> env = new HashMap<>();
        env.put("OPS_JOURNAL_PW", pg.password().reveal());
        Result first = cli(env, "--journal", url, "--journal-password-env", "OPS_JOURNAL_PW", "--operator", "alice");
        assertThat(first.code).as(first.all()).isZero();
        assertThat(first.out).contains("Journal: " + pg.url(database).replace("postgresql://", "postgresql://"));

        Result again = cli(env, "--journal", url, "--journal-password-env", "OPS_JOURNAL_PW");
        assertThat(again.code).isEqualTo(3);
        assertThat(again.err).contains("already succeeded").contains("Run again:  cli-drill --again --reason TEXT --journal '" + url + "'");

        Result status = cli(env, "--status", "--journal", url, "--journal-password-env", "OPS_JOURNAL_PW");
        assertThat(status.code).isZero();
        assertThat(status.out).contains("plan 'cli-plan': SUCCEEDED");

        Result noPassword = cli(Map.of(), "--journal", url);
        assertThat(noPassword.code).isEqualTo(1);
        assertThat(noPassword.err).contains("the server asks user '" + pg.user() + "' for a password, and none was given")
                .contains("Fix: set it in PGPASSWORD").doesNotContain(pg.password().reveal());

        Result inUrl = cli(env, "--journal", pg.url(database).replace("@", ":" + pg.password().reveal() + "@"));
        assertThat(inUrl.code).isEqualTo(2);
        assertThat(inUrl.err).contains("holds a password").doesNotContain(pg.password().reveal());

        // break-lock ends a live holder's lease early, journaled, and fences it
        PostgresJournal journal = journal(schema);
        Journal.JournalWriter stuck = journal.open("cli-plan", holder("run-x", "carol"));
        Result broken = cli(env, "--break-lock", "--reason", "carol's laptop died", "--journal", url, "--journal-password-env", "OPS_JOURNAL_PW",
                "--operator", "dave");
        assertThat(broken.code).as(broken.all()).isZero();
        assertThat(broken.out).contains("Broke the lock of plan 'cli-plan' held by run run-x by carol, pid 4242 on host-carol");
        assertThatThrownBy(() -> stuck.append(new JournalEvent.StepSkipped("run-x", T, 1, "s", "x"))).isInstanceOf(LeaseLostException.class);
        stuck.close();
        assertThat(journal.planLog("cli-plan")).last().isInstanceOfSatisfying(JournalEvent.PlanDecision.class, d -> {
            assertThat(d.decision()).isEqualTo(Decision.LOCK_BROKEN);
            assertThat(d.operator()).isEqualTo("dave");
            assertThat(d.reason()).isEqualTo("carol's laptop died");
        });
        assertThat(journal.lock("cli-plan")).isEqualTo(Optional.empty());
    }

    private record Result(int code, String out, String err) {
        String all() {
            return "exit " + code + "\n" + out + "\n" + err;
        }
    }

    private Result cli(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RollbackCommand.named("cli-drill")
                .streams(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                        new ByteArrayInputStream(new byte[0]))
                .environment(env)
                .execute(args, o -> Rollback.plan("cli-plan").step("a", c -> { }).build());
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
