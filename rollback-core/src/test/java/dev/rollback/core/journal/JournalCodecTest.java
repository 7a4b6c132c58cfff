package dev.rollback.core.journal;

import dev.rollback.core.CheckResult;
import dev.rollback.core.StepKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalCodecTest {
    private static final Instant T = Instant.parse("2026-11-25T03:15:00.123Z");

    @Test
    void everyEventTypeSurvivesARoundTripOnOneLine() {
        List<JournalEvent> events = List.of(
                new JournalEvent.RunStarted("r1", T, "plan", "0123456789abcdef", "alice", "error rate 12%", "host-a", 4242, 7),
                new JournalEvent.RunResumed("r1", T, "0123456789abcdef", "bob", "host-b", 77, "app-stopped"),
                new JournalEvent.RunResumed("r1", T, "0123456789abcdef", "bob", "host-b", 77, null),
                new JournalEvent.StepStarted("r1", T, 3, "restore \"nextcrm\"\nnow", StepKind.RESTORE, 2),
                new JournalEvent.StepFinished("r1", T, 3, "restore", StepKind.RESTORE, 2, 1234,
                        Map.of("backup.path", "/backups/p-1"), List.of(CheckResult.passed("rows", 10, ">= 5"))),
                new JournalEvent.StepFailed("r1", T, 4, "verify", StepKind.VERIFY, 1, 55, "check failed", true,
                        List.of(CheckResult.failed("rows", 1, ">= 5", "too few")), Map.of("postgres.fk.orphans", "3"),
                        "dev.rollback.core.CheckFailedException", "check.failed"),
                new JournalEvent.StepSkipped("r1", T, 1, "stop", "finished before checkpoint"),
                new JournalEvent.StepMemory("r1", T, 2, "revert", "git.head", "4f1c0de"),
                new JournalEvent.ApprovalGranted("r1", T, "restore", "ops@example.com", "auto-approve"),
                new JournalEvent.ApprovalRefused("r1", T, "restore", "console", "typed 'no'"),
                new JournalEvent.CheckpointReached("r1", T, 5, "data-restored", Map.of("k", "v")),
                new JournalEvent.RunFinished("r1", T, "FAILED", "verify", "check failed", 99),
                new JournalEvent.FileCaptured("r1", T, 2, "schema dump", "forensics/schema.sql", 12_345,
                        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
                new JournalEvent.CapturedFilesMissing("r1", T, "host-b", List.of("forensics/schema.sql: missing (12345 bytes captured)")),
                new JournalEvent.StepCleanedUp("r1", T, 4, "restore", List.of("database shop_rollback_1", "collection rbtmp_1_a"), null),
                new JournalEvent.StepCleanedUp("r1", T, 5, "swap", List.of(), "connection refused"),
                new JournalEvent.RunAbandoned("r1", T, "carol", "superseded by a fix-forward", "host-c", 99, 1),
                new JournalEvent.PlanDecision("r1", T, "plan", JournalEvent.PlanDecision.Decision.REFUSED_INTERRUPTED, "dave", "",
                        "host-d", 12, "run r1 stopped at step 4"),
                new JournalEvent.PlanDecision("r2", T, "plan", JournalEvent.PlanDecision.Decision.AGAIN, "erin", "the bug came back",
                        "host-e", 13, "after run r1 succeeded"),
                new JournalEvent.RunFinished("r1", T, "SUCCEEDED", null, null, 99));
        for (JournalEvent e : events) {
            String line = JournalCodec.encode(e);
            assertThat(line).doesNotContain("\n").startsWith("{\"v\":1,\"type\":\"" + e.getClass().getSimpleName() + "\"");
            assertThat(JournalCodec.decode(line)).isEqualTo(e);
        }
    }

    @Test
    void aStepFailedLineWrittenBeforeErrorTypesAndCodesStillReads() {
        // As written by version 1 of the format before errorType and errorCode were added.
        String old = "{\"v\":1,\"type\":\"StepFailed\",\"runId\":\"r1\",\"time\":\"2026-11-25T03:15:00.123Z\",\"index\":4,"
                + "\"step\":\"restore\",\"kind\":\"RESTORE\",\"attempt\":1,\"durationMs\":55,\"error\":\"pg_restore exited 1\","
                + "\"willRetry\":false,\"checks\":[],\"outputs\":{\"postgres.restore.target\":\"shop_rollback_1\"}}";
        JournalEvent.StepFailed e = (JournalEvent.StepFailed) JournalCodec.decode(old);
        assertThat(e.error()).isEqualTo("pg_restore exited 1");
        assertThat(e.outputs()).containsEntry("postgres.restore.target", "shop_rollback_1");
        assertThat(e.errorType()).isNull();
        assertThat(e.errorCode()).isNull();
    }

    @Test
    void aStepFailedLineCarriesTheErrorTypeAndCode() {
        String line = JournalCodec.encode(new JournalEvent.StepFailed("r1", T, 4, "restore", StepKind.RESTORE, 1, 55, "restore failed",
                false, List.of(), Map.of(), "dev.rollback.postgres.PostgresRestoreFailedException", "postgres.restore.failed"));
        assertThat(line).contains("\"errorType\":\"dev.rollback.postgres.PostgresRestoreFailedException\"")
                .contains("\"errorCode\":\"postgres.restore.failed\"");
    }

    @Test
    void badLinesGiveClearErrors() {
        assertThatThrownBy(() -> JournalCodec.decode("{\"v\":1,\"type\":\"RunStar")).hasMessageContaining("Not a journal line (invalid JSON)");
        assertThatThrownBy(() -> JournalCodec.decode("{\"v\":1}")).hasMessageContaining("no type");
        assertThatThrownBy(() -> JournalCodec.decode("{\"v\":9,\"type\":\"Teleported\",\"runId\":\"r\",\"time\":\"2026-01-01T00:00:00Z\"}"))
                .hasMessageContaining("Unknown journal event type 'Teleported'");
        assertThatThrownBy(() -> JournalCodec.decode("{\"v\":1,\"type\":\"PlanDecision\",\"runId\":\"r\",\"time\":\"2026-01-01T00:00:00Z\",\"decision\":\"TELEPORTED\"}"))
                .hasMessageContaining("Unknown plan decision 'TELEPORTED'");
    }
}
