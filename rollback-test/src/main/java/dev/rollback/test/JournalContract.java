package dev.rollback.test;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunRefusedException;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.StepKind;
import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalCodec;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.JournalEvent.PlanDecision.Decision;
import dev.rollback.core.journal.JournalException;
import dev.rollback.core.journal.JournalLockedException;
import dev.rollback.core.journal.LeaseLostException;
import dev.rollback.core.journal.LockNotBreakableException;
import dev.rollback.core.journal.PlanLock;
import dev.rollback.core.journal.PlanStatus;
import dev.rollback.core.journal.RunSummary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The contract every {@link Journal} keeps, as JUnit 5 tests: extend it with a class that makes a
 * fresh, empty journal of yours, and it checks that events come back exactly as a
 * {@link dev.rollback.core.journal.FileJournal} gives them back, in order, per run; that the plan's
 * lock refuses a second holder and names it; that decisions go to the plan's log; that the plan's
 * state follows its runs; that a broken lock fences its former holder (or that breaking is refused);
 * and that the runner's refusals, resume and abandon work on it. The library runs it against
 * {@code FileJournal}, {@code InMemoryJournal} and {@code PostgresJournal}.
 *
 * <pre>{@code
 * class MyJournalContractTest extends JournalContract {
 *     protected Journal createJournal(Path folder) {
 *         return MyJournal.at(testServerUrl(), folder);   // a new, empty journal each time
 *     }
 * }
 * }</pre>
 */
public abstract class JournalContract {
    private static final Instant T = Instant.parse("2026-11-25T03:15:00.123Z");

    /** A fresh folder for each test, for the journal's files and run folders. */
    @TempDir
    protected Path folder;

    /** The journal under test, made fresh for each test. */
    protected Journal journal;

    private final List<Journal.JournalWriter> open = new ArrayList<>();

    /**
     * Makes a new, empty journal. Called once before each test.
     *
     * @param folder a fresh folder the journal may use (for files, run folders)
     * @return the journal
     * @throws Exception when it cannot be made
     */
    protected abstract Journal createJournal(Path folder) throws Exception;

    /**
     * Called after each test; close what {@link #createJournal(Path)} opened.
     *
     * @param journal the journal of the test
     * @throws Exception when closing fails
     */
    protected void closeJournal(Journal journal) throws Exception {
    }

    @BeforeEach
    void createTheJournal() throws Exception {
        journal = createJournal(folder);
    }

    @AfterEach
    void closeTheJournal() throws Exception {
        for (Journal.JournalWriter w : open) {
            try {
                w.close();
            } catch (RuntimeException ignored) {
                // a writer fenced or closed by the test
            }
        }
        closeJournal(journal);
    }

    /**
     * Opens a plan for a test, closing it after the test.
     *
     * @param plan     the plan
     * @param runId    the run
     * @param operator the operator
     * @return the writer
     */
    protected Journal.JournalWriter open(String plan, String runId, String operator) {
        Journal.JournalWriter w = journal.open(plan, new Holder("host-" + operator, 4242, runId, operator));
        open.add(w);
        return w;
    }

    /**
     * One event of every type, with the awkward values a journal must keep: quotes, line breaks,
     * nulls, non-ASCII, empty collections.
     *
     * @param runId the run they belong to
     * @return the events, in a plausible order
     */
    public static List<JournalEvent> everyEventType(String runId) {
        return List.of(
                new JournalEvent.RunStarted(runId, T, "nextcrm rollback", "0123456789abcdef", "alice", "error rate 12% — \"bad\" release",
                        "host-a", 4242, 7),
                new JournalEvent.RunResumed(runId, T, "0123456789abcdef", "bob", "host-b", 77, "app-stopped"),
                new JournalEvent.RunResumed(runId, T, "0123456789abcdef", "bob", "host-b", 77, null),
                new JournalEvent.StepStarted(runId, T, 3, "restore \"nextcrm\"\nnow", StepKind.RESTORE, 2),
                new JournalEvent.StepFinished(runId, T, 3, "restore", StepKind.RESTORE, 2, 1234,
                        Map.of("backup.path", "/backups/p-1", "kept.postgres.original", "database shop_before_1 (drop once satisfied)"),
                        List.of(CheckResult.passed("rows", 10, ">= 5"))),
                new JournalEvent.StepFailed(runId, T, 4, "verify", StepKind.VERIFY, 1, 55, "check failed", true,
                        List.of(CheckResult.failed("rows", 1, ">= 5", "too few")), Map.of("postgres.fk.orphans", "3"),
                        "dev.rollback.core.CheckFailedException", "check.failed"),
                new JournalEvent.StepFailed(runId, T, 4, "verify", StepKind.VERIFY, 2, 55, "check failed", false, List.of(), Map.of(),
                        "java.io.IOException", "step.failed"),
                new JournalEvent.StepSkipped(runId, T, 1, "stop", "finished before checkpoint"),
                new JournalEvent.StepWaived(runId, T, 2, "old database reachable", "alice", "the old database is down; restoring anyway"),
                new JournalEvent.StepMemory(runId, T, 2, "revert", "git.head", "4f1c0de"),
                new JournalEvent.ApprovalGranted(runId, T, "restore", "ops@example.com", "auto-approve"),
                new JournalEvent.ApprovalRefused(runId, T, "restore", "console", "typed 'no'"),
                new JournalEvent.CheckpointReached(runId, T, 5, "data-restored", Map.of("k", "v")),
                new JournalEvent.FileCaptured(runId, T, 2, "schema dump", "forensics/schema.sql", 12_345,
                        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
                new JournalEvent.CapturedFilesMissing(runId, T, "host-b", List.of("forensics/schema.sql: missing here")),
                new JournalEvent.StepCleanedUp(runId, T, 4, "restore", List.of("database shop_rollback_1"), null),
                new JournalEvent.StepCleanedUp(runId, T, 5, "swap", List.of(), "connection refused"),
                new JournalEvent.RunFinished(runId, T, "FAILED", "verify", "check failed", 99),
                new JournalEvent.RunAbandoned(runId, T, "carol", "superseded by a fix-forward", "host-c", 99, 1));
    }

    @Test
    void everyEventComesBackExactlyAsWrittenInOrder() {
        List<JournalEvent> events = everyEventType("run-1");
        try (Journal.JournalWriter w = journal.open("nextcrm rollback", new Holder("host-a", 1, "run-1", "alice"))) {
            events.forEach(w::append);
        }
        List<JournalEvent> back = journal.read("nextcrm rollback", "run-1");
        assertThat(back).containsExactlyElementsOf(events);
        assertThat(back.stream().map(JournalCodec::encode)).containsExactlyElementsOf(events.stream().map(JournalCodec::encode).toList());
    }

    @Test
    void aRunKeepsItsEventsInOrderAcrossInvocations() {
        try (Journal.JournalWriter w = journal.open("p", new Holder("host-a", 1, "run-1", "alice"))) {
            for (int i = 1; i <= 3; i++) {
                w.append(new JournalEvent.StepStarted("run-1", T.plusMillis(i), i, "s" + i, StepKind.ACTION, 1));
            }
        }
        try (Journal.JournalWriter w = journal.open("p", new Holder("host-b", 2, "run-1", "bob"))) {
            for (int i = 4; i <= 5; i++) {
                w.append(new JournalEvent.StepStarted("run-1", T.plusMillis(i), i, "s" + i, StepKind.ACTION, 1));
            }
        }
        assertThat(journal.read("p", "run-1")).extracting(e -> ((JournalEvent.StepStarted) e).index()).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void runsAreListedOldestFirstAndEachHoldsOnlyItsOwnEvents() {
        for (String run : List.of("20261125-031500-aaaa", "20261125-031501-bbbb", "20261125-031502-cccc")) {
            try (Journal.JournalWriter w = journal.open("p", new Holder("host-a", 1, run, "alice"))) {
                w.append(new JournalEvent.RunStarted(run, T, "p", "f", "alice", "", "host-a", 1, 1));
            }
        }
        assertThat(journal.runIds("p")).containsExactly("20261125-031500-aaaa", "20261125-031501-bbbb", "20261125-031502-cccc");
        assertThat(journal.read("p", "20261125-031501-bbbb")).singleElement().extracting(JournalEvent::runId).isEqualTo("20261125-031501-bbbb");
        assertThat(journal.read("p", "no-such-run")).isEmpty();
        assertThat(journal.runIds("other plan")).isEmpty();
        assertThat(journal.describeLocation("p", "20261125-031501-bbbb")).contains("20261125-031501-bbbb");
    }

    @Test
    void decisionsGoToThePlanLogAndPlansAreListed() {
        JournalEvent.PlanDecision refused = new JournalEvent.PlanDecision("run-1", T, "plan with spaces/ü", Decision.REFUSED_INTERRUPTED,
                "dave", "", "host-d", 12, "new run run-2 refused");
        try (Journal.JournalWriter w = journal.open("plan with spaces/ü", new Holder("host-d", 12, "run-2", "dave"))) {
            w.append(refused);
        }
        try (Journal.JournalWriter w = journal.open("second", new Holder("host-a", 1, "run-9", "alice"))) {
            w.append(new JournalEvent.RunStarted("run-9", T, "second", "f", "alice", "", "host-a", 1, 1));
        }
        assertThat(journal.planLog("plan with spaces/ü")).containsExactly(refused);
        assertThat(journal.runIds("plan with spaces/ü")).isEmpty();
        assertThat(journal.planLog("second")).isEmpty();
        assertThat(journal.planNames()).containsExactlyInAnyOrder("plan with spaces/ü", "second");
    }

    @Test
    void theLockRefusesASecondHolderNamingTheFirstAndIsFreeOnceClosed() {
        assertThat(journal.lock("p")).isEmpty();
        Journal.JournalWriter first = journal.open("p", new Holder("host-a", 4242, "run-1", "alice"));
        Throwable refused = catchThrowable(() -> journal.open("p", new Holder("host-b", 77, "run-2", "bob")));
        assertThat(refused).isInstanceOf(JournalLockedException.class)
                .hasMessageContaining("Another run of plan 'p' is in progress").hasMessageContaining("run-1").hasMessageContaining("alice");
        assertThat(journal.lock("p")).get().satisfies(l -> {
            assertThat(l.holder().runId()).isEqualTo("run-1");
            assertThat(l.holder().operator()).isEqualTo("alice");
            assertThat(l.expired()).isFalse();
        });
        assertThat(journal.status("p").state()).isEqualTo(PlanStatus.State.RUNNING);
        // another plan is not blocked
        journal.open("other", new Holder("host-b", 77, "run-3", "bob")).close();
        first.close();
        assertThat(journal.lock("p")).isEmpty();
        journal.open("p", new Holder("host-b", 77, "run-2", "bob")).close();
    }

    @Test
    void aClosedWriterRefusesToAppend() {
        Journal.JournalWriter w = journal.open("p", new Holder("host-a", 1, "run-1", "alice"));
        w.close();
        w.close(); // twice is harmless
        assertThatThrownBy(() -> w.append(new JournalEvent.StepSkipped("run-1", T, 1, "s", "x"))).isInstanceOf(JournalException.class);
    }

    @Test
    void secretsAreRedactedBeforeTheyAreStored() {
        Secret secret = Secret.of("Contract-S3cret-value-81f2");
        try (Journal.JournalWriter w = journal.open("p", new Holder("host-a", 1, "run-1", "alice"))) {
            w.append(new JournalEvent.StepFailed("run-1", T, 1, "connect", StepKind.ACTION, 1, 5,
                    "auth failed for postgresql://app:" + secret.reveal() + "@db/x", false, List.of(), Map.of("url", "postgresql://app:pw1@db/x"),
                    "org.postgresql.util.PSQLException", "step.failed"));
        }
        String stored = JournalCodec.encode(journal.read("p", "run-1").get(0));
        assertThat(stored).doesNotContain(secret.reveal()).doesNotContain("pw1");
    }

    @Test
    void thePlanStateFollowsItsRuns() {
        assertThat(journal.status("p").state()).isEqualTo(PlanStatus.State.IDLE);
        try (Journal.JournalWriter w = open("p", "run-1", "alice")) {
            w.append(new JournalEvent.RunStarted("run-1", T, "p", "f", "alice", "", "host-a", 1, 2));
            w.append(new JournalEvent.StepStarted("run-1", T.plusSeconds(1), 1, "restore", StepKind.RESTORE, 1));
        }
        PlanStatus interrupted = journal.status("p");
        assertThat(interrupted.state()).isEqualTo(PlanStatus.State.INTERRUPTED);
        assertThat(interrupted.interrupted()).extracting(RunSummary::runId).containsExactly("run-1");
        try (Journal.JournalWriter w = open("p", "run-1", "carol")) {
            w.append(new JournalEvent.RunAbandoned("run-1", T.plusSeconds(2), "carol", "gave up", "host-c", 3, 0));
        }
        assertThat(journal.status("p").state()).isEqualTo(PlanStatus.State.IDLE);
        try (Journal.JournalWriter w = open("p", "run-2", "dave")) {
            w.append(new JournalEvent.RunStarted("run-2", T.plusSeconds(3), "p", "f", "dave", "", "host-d", 4, 1));
            w.append(new JournalEvent.StepStarted("run-2", T.plusSeconds(4), 1, "restore", StepKind.RESTORE, 1));
            w.append(new JournalEvent.StepFinished("run-2", T.plusSeconds(5), 1, "restore", StepKind.RESTORE, 1, 5, Map.of(), List.of()));
            w.append(new JournalEvent.RunFinished("run-2", T.plusSeconds(5), "SUCCEEDED", null, null, 2000));
        }
        PlanStatus succeeded = journal.status("p");
        assertThat(succeeded.state()).isEqualTo(PlanStatus.State.SUCCEEDED);
        assertThat(succeeded.lastSuccess()).get().extracting(RunSummary::runId).isEqualTo("run-2");
        assertThat(succeeded.runs()).extracting(RunSummary::runId).containsExactly("run-1", "run-2");
    }

    @Test
    void aRunFolderBelongsToItsRunAndCanBeWritten() throws Exception {
        Path a = journal.runDirectory("p", "run-1");
        assertThat(journal.runDirectory("p", "run-1")).isEqualTo(a);
        assertThat(journal.runDirectory("p", "run-2")).isNotEqualTo(a);
        Files.writeString(a.resolve("forensics.txt"), "captured");
        assertThat(Files.readString(journal.runDirectory("p", "run-1").resolve("forensics.txt"))).isEqualTo("captured");
    }

    @Test
    void breakingALockIsRefusedOrFencesTheFormerHolder() {
        Journal.JournalWriter first = open("p", "run-1", "alice");
        first.append(new JournalEvent.RunStarted("run-1", T, "p", "f", "alice", "", "host-alice", 4242, 1));
        Optional<PlanLock> broken;
        try {
            broken = journal.breakLock("p", new Holder("host-bob", 77, "(break-lock)", "bob"), "alice's laptop died");
        } catch (LockNotBreakableException e) {
            assertThat(e).hasMessageContaining("Cannot break the lock of plan 'p'");
            return; // a journal without leases: its locks die with their process
        }
        assertThat(broken).get().satisfies(l -> assertThat(l.holder().runId()).isEqualTo("run-1"));
        assertThatThrownBy(() -> first.append(new JournalEvent.StepStarted("run-1", T, 1, "s", StepKind.ACTION, 1)))
                .isInstanceOf(LeaseLostException.class);
        assertThat(journal.read("p", "run-1")).hasSize(1);
        assertThat(journal.planLog("p")).last().isInstanceOfSatisfying(JournalEvent.PlanDecision.class, d -> {
            assertThat(d.decision()).isEqualTo(Decision.LOCK_BROKEN);
            assertThat(d.operator()).isEqualTo("bob");
            assertThat(d.reason()).isEqualTo("alice's laptop died");
            assertThat(d.runId()).isEqualTo("run-1");
        });
        try (Journal.JournalWriter next = journal.open("p", new Holder("host-bob", 77, "run-1", "bob"))) {
            next.append(new JournalEvent.StepStarted("run-1", T, 1, "s", StepKind.ACTION, 1));
        }
        assertThat(journal.read("p", "run-1")).hasSize(2);
    }

    @Test
    void theRunnerRefusesResumesAndAbandonsOnThisJournal() {
        AtomicBoolean fail = new AtomicBoolean(true);
        RollbackPlan plan = Rollback.plan("contract-plan")
                .capture("forensics", c -> { })
                .step("stop app", c -> c.remember("app.pid", "4242"))
                .checkpoint("stopped")
                .step("restore", c -> {
                    if (fail.get()) {
                        throw new IllegalStateException("restore failed");
                    }
                })
                .build();
        RunReport failed = Rollback.runner().journal(journal).operator("alice").run(plan);
        assertThat(failed.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThatThrownBy(() -> Rollback.runner().journal(journal).operator("bob").reason("retry").run(plan))
                .isInstanceOf(RunRefusedException.class).hasMessageContaining(failed.runId());
        assertThat(journal.planLog("contract-plan")).singleElement()
                .satisfies(e -> assertThat(((JournalEvent.PlanDecision) e).decision()).isEqualTo(Decision.REFUSED_INTERRUPTED));
        fail.set(false);
        RunReport resumed = Rollback.runner().journal(journal).operator("bob").confirmations(Confirmations.none()).resume(plan, failed.runId());
        assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(resumed.step("stop app")).get().extracting(s -> s.status().name()).isEqualTo("SKIPPED");
        assertThat(journal.status("contract-plan").state()).isEqualTo(PlanStatus.State.SUCCEEDED);

        fail.set(true);
        RunReport again = Rollback.runner().journal(journal).operator("carol").runAgain(plan, "drill");
        assertThat(again.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(Rollback.runner().journal(journal).operator("carol").abandon(plan, again.runId(), "drill over").isClean()).isTrue();
        assertThat(journal.status("contract-plan").state()).isEqualTo(PlanStatus.State.IDLE);
        assertThat(journal.planLog("contract-plan")).extracting(e -> ((JournalEvent.PlanDecision) e).decision())
                .containsExactly(Decision.REFUSED_INTERRUPTED, Decision.AGAIN, Decision.ABANDONED);
    }
}
