package dev.rollback.core;

import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A step's failure keeps its exception, its type and its stable code, from the step to the report, the journal and the caller. */
class TypedFailuresTest {
    private final InMemoryJournal journal = InMemoryJournal.create();

    @Test
    void aStepsOwnExceptionIsKeptAsTheCauseOfAStepFailedExceptionWithARedactedMessage() {
        SQLException sql = new SQLException("could not connect to postgresql://app:S3cret-pw@db/app");
        RollbackPlan plan = Rollback.plan("lambda").step("migrate down", c -> { throw new IOException("prisma failed", sql); }).build();
        RunReport report = Rollback.runner().journal(journal).run(plan);

        RunReport.Failure f = report.failure();
        assertThat(f.code()).isEqualTo(StepFailedException.CODE).isEqualTo("step.failed");
        assertThat(f.errorType()).isEqualTo("java.io.IOException");
        assertThat(f.exception()).isInstanceOf(StepFailedException.class).hasCauseInstanceOf(IOException.class).hasRootCause(sql);
        assertThat(f.exception().getMessage()).contains("IOException: prisma failed", "SQLException").doesNotContain("S3cret-pw");
        assertThat(f.message()).doesNotContain("S3cret-pw");
        assertThat(f.is(IOException.class)).isTrue();
        assertThat(f.is(SQLException.class)).isTrue();
        assertThat(f.is(StepFailedException.class)).isTrue();
        assertThat(f.is(CheckFailedException.class)).isFalse();
        StepResult step = report.step("migrate down").orElseThrow();
        assertThat(step.exception()).isSameAs(f.exception());
        assertThat(step.errorCode()).contains("step.failed");
    }

    @Test
    void aLibraryExceptionIsKeptAsItIsWithItsCode() {
        MissingOutputException missing = new MissingOutputException("backup.path", List.of());
        RollbackPlan plan = Rollback.plan("library").step("restore", c -> { throw missing; }).build();
        RunReport.Failure f = Rollback.runner().journal(journal).run(plan).failure();
        assertThat(f.exception()).isSameAs(missing);
        assertThat(f.code()).isEqualTo("step.output.missing");
        assertThat(f.errorType()).isEqualTo(MissingOutputException.class.getName());
    }

    @Test
    void aFailedCheckIsACheckFailedExceptionHoldingTheResult() {
        RollbackPlan plan = Rollback.plan("health")
                .verify("health", c -> CheckResult.failed("health", 503, 200, "not ready"))
                .build();
        RunReport.Failure f = Rollback.runner().journal(journal).run(plan).failure();
        assertThat(f.code()).isEqualTo("check.failed");
        assertThat(f.exception()).isInstanceOfSatisfying(CheckFailedException.class, e -> {
            assertThat(e.result().measured()).isEqualTo("503");
            assertThat(e.result().expected()).isEqualTo("200");
        });
    }

    @Test
    void approvalsNotGivenHaveTheirOwnCodes() {
        RollbackPlan plan = Rollback.plan("approve").withoutCapture("drill")
                .restore(Step.of("restore", c -> { })).build();
        RunReport refused = Rollback.runner().journal(journal)
                .confirmations(request -> Confirmations.Approval.refused("console", "typed 'no'")).run(plan);
        assertThat(refused.outcome()).isEqualTo(RunOutcome.REFUSED);
        assertThat(refused.failure().code()).isEqualTo(ApprovalRefusedException.CODE).isEqualTo("approval.refused");
        assertThat(refused.failure().exception()).isInstanceOfSatisfying(ApprovalRefusedException.class, e -> {
            assertThat(e.step()).isEqualTo("restore");
            assertThat(e.method()).isEqualTo("console");
        });

        RollbackPlan other = Rollback.plan("approve-none").withoutCapture("drill").restore(Step.of("restore", c -> { })).build();
        RunReport unavailable = Rollback.runner().journal(journal).confirmations(Confirmations.none()).run(other);
        assertThat(unavailable.outcome()).isEqualTo(RunOutcome.NEEDS_APPROVAL);
        assertThat(unavailable.failure().code()).isEqualTo("approval.unavailable");
    }

    @Test
    void orThrowCarriesTheFailureAsItsCause() {
        IllegalStateException boom = new IllegalStateException("boom");
        RollbackPlan plan = Rollback.plan("throws").step("s", c -> { throw boom; }).build();
        RunReport report = Rollback.runner().journal(journal).run(plan);
        assertThatThrownBy(report::orThrow).isInstanceOfSatisfying(RunFailedException.class, e -> {
            assertThat(e.code()).isEqualTo("run.failed");
            assertThat(e.getCause()).isSameAs(report.failure().exception());
            assertThat(e.getCause().getCause()).isSameAs(boom);
            assertThat(e.failure().code()).isEqualTo("step.failed");
        });
    }

    @Test
    void theJournalRecordsEachFailedAttemptsTypeAndCodeAndReadsThemBack(@TempDir Path dir) throws IOException {
        RollbackPlan plan = Rollback.plan("journaled")
                .step("flaky", c -> { throw new UncheckedIOException(new IOException("disk full")); },
                        StepOptions.defaults().retry(Retry.times(2)))
                .build();
        FileJournal files = FileJournal.in(dir);
        RunReport report = Rollback.runner().journal(files).run(plan);

        List<JournalEvent.StepFailed> failed = files.read("journaled", report.runId()).stream()
                .filter(JournalEvent.StepFailed.class::isInstance).map(JournalEvent.StepFailed.class::cast).toList();
        assertThat(failed).hasSize(2).allSatisfy(e -> {
            assertThat(e.errorType()).isEqualTo("java.io.UncheckedIOException");
            assertThat(e.errorCode()).isEqualTo("step.failed");
        });
        String lines = Files.readString(dir.resolve("journaled").resolve(report.runId() + ".jsonl"));
        assertThat(lines).contains("\"errorType\":\"java.io.UncheckedIOException\"", "\"errorCode\":\"step.failed\"");
    }

    @Test
    void aJournalWrittenBeforeErrorCodesStillResumes(@TempDir Path dir) throws IOException {
        RollbackPlan plan = Rollback.plan("old").step("s1", c -> c.output("s1", "done")).checkpoint("cp").step("s2", c -> { }).build();
        // A run as version 1 of the format wrote it before StepFailed had errorType and errorCode.
        String run = "20261101-030000-0001";
        String t = "\"time\":\"2026-11-01T03:00:00Z\"";
        Path file = dir.resolve("old").resolve(run + ".jsonl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n",
                "{\"v\":1,\"type\":\"RunStarted\",\"runId\":\"" + run + "\"," + t + ",\"plan\":\"old\",\"fingerprint\":\"" + plan.fingerprint()
                        + "\",\"operator\":\"alice\",\"reason\":\"drill\",\"host\":\"h\",\"pid\":1,\"steps\":3}",
                "{\"v\":1,\"type\":\"StepStarted\",\"runId\":\"" + run + "\"," + t + ",\"index\":1,\"step\":\"s1\",\"kind\":\"ACTION\",\"attempt\":1}",
                "{\"v\":1,\"type\":\"StepFinished\",\"runId\":\"" + run + "\"," + t + ",\"index\":1,\"step\":\"s1\",\"kind\":\"ACTION\",\"attempt\":1,"
                        + "\"durationMs\":1,\"outputs\":{\"s1\":\"done\"},\"checks\":[]}",
                "{\"v\":1,\"type\":\"StepStarted\",\"runId\":\"" + run + "\"," + t + ",\"index\":2,\"step\":\"cp\",\"kind\":\"CHECKPOINT\",\"attempt\":1}",
                "{\"v\":1,\"type\":\"StepFinished\",\"runId\":\"" + run + "\"," + t + ",\"index\":2,\"step\":\"cp\",\"kind\":\"CHECKPOINT\",\"attempt\":1,"
                        + "\"durationMs\":0,\"outputs\":{},\"checks\":[]}",
                "{\"v\":1,\"type\":\"CheckpointReached\",\"runId\":\"" + run + "\"," + t + ",\"index\":2,\"name\":\"cp\",\"outputs\":{\"s1\":\"done\"}}",
                "{\"v\":1,\"type\":\"StepStarted\",\"runId\":\"" + run + "\"," + t + ",\"index\":3,\"step\":\"s2\",\"kind\":\"ACTION\",\"attempt\":1}",
                "{\"v\":1,\"type\":\"StepFailed\",\"runId\":\"" + run + "\"," + t + ",\"index\":3,\"step\":\"s2\",\"kind\":\"ACTION\",\"attempt\":1,"
                        + "\"durationMs\":3,\"error\":\"IOException: disk full\",\"willRetry\":false,\"checks\":[],\"outputs\":{}}",
                "{\"v\":1,\"type\":\"RunFinished\",\"runId\":\"" + run + "\"," + t + ",\"outcome\":\"FAILED\",\"failedStep\":\"s2\","
                        + "\"message\":\"IOException: disk full\",\"durationMs\":9}") + "\n");

        RunReport resumed = Rollback.runner().journal(FileJournal.in(dir)).resume(plan, run);
        assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(resumed.outputs()).containsEntry("s1", "done");
        JournalEvent.StepFailed old = FileJournal.in(dir).read("old", run).stream().filter(JournalEvent.StepFailed.class::isInstance)
                .map(JournalEvent.StepFailed.class::cast).findFirst().orElseThrow();
        assertThat(old.errorType()).isNull();
        assertThat(old.errorCode()).isNull();
        assertThat(Files.readString(resumed.runDirectory().resolve("incident-report.md"))).contains("disk full");
    }
}
