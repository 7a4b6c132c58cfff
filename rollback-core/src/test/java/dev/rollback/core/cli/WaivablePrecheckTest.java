package dev.rollback.core.cli;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.PlanBuilder;
import dev.rollback.core.PlanValidationException;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RollbackRunner;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.StepOptions;
import dev.rollback.core.StepResult;
import dev.rollback.core.WaiverRefusedException;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalCodec;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Waivable prechecks: a precheck the plan marks waivable is skipped with {@code --waive NAME --reason
 * TEXT} (or {@code RollbackRunner.waive}), journaled with the operator and shown in the report; any
 * other waiver stops the run before anything runs, and a capture a destructive step depends on is
 * waived only when the plan allows it.
 */
class WaivablePrecheckTest {
    private static final String OLD_DB = "old database reachable";

    @TempDir
    Path dir;

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private RollbackPlan plan(UnaryOperator<PlanBuilder> extra) {
        return extra.apply(Rollback.plan("emergency"))
                .precheck(OLD_DB, c -> {
                    ran.add(OLD_DB);
                    return CheckResult.failed(OLD_DB, "connection refused", "a connection", "the old database is down");
                }, StepOptions.defaults().waivable(true))
                .precheck("backup readable", c -> {
                    ran.add("backup readable");
                    return CheckResult.passed("backup readable", "ok", "ok");
                })
                .capture(dev.rollback.core.Step.of("dump the old database", c -> ran.add("dump")), StepOptions.defaults().waivable(true))
                .restore(dev.rollback.core.Step.of("restore", c -> ran.add("restore")))
                .build();
    }

    private RollbackPlan plan() {
        return plan(p -> p);
    }

    private RollbackRunner runner() {
        return Rollback.runner().journal(FileJournal.in(dir)).operator("alice").confirmations(Confirmations.autoApprove("bob"));
    }

    private List<JournalEvent> events(RunReport report) {
        return FileJournal.in(dir).read("emergency", report.runId());
    }

    @Test
    void withoutAWaiverTheFailingPrecheckStopsTheRunBeforeAnythingChanges() {
        RunReport report = runner().run(plan());

        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(ran).containsExactly(OLD_DB);
        assertThat(report.failure().stateLeftBehind()).as("the failure names the way out")
                .contains("'" + OLD_DB + "' is waivable: if the team accepts going on without it, run again with --waive '" + OLD_DB
                        + "' --reason TEXT");
    }

    @Test
    void aWaivedPrecheckIsNotRunAndTheWaiverIsJournaledAndReported() throws Exception {
        RunReport report = runner().waive(OLD_DB, "the old database is down; we restore it from the backup").run(plan());

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(ran).containsExactly("backup readable", "dump", "restore");
        assertThat(events(report)).filteredOn(JournalEvent.StepWaived.class::isInstance).singleElement().satisfies(e -> {
            JournalEvent.StepWaived w = (JournalEvent.StepWaived) e;
            assertThat(w.step()).isEqualTo(OLD_DB);
            assertThat(w.index()).isEqualTo(1);
            assertThat(w.operator()).isEqualTo("alice");
            assertThat(w.reason()).isEqualTo("the old database is down; we restore it from the backup");
        });
        StepResult waived = report.steps().get(0);
        assertThat(waived.status()).isEqualTo(StepResult.Status.SKIPPED);
        assertThat(waived.error()).isEqualTo("waived by alice: the old database is down; we restore it from the backup");
        assertThat(Files.readString(report.runDirectory().resolve("incident-report.md")))
                .contains("**WAIVED** by alice: the old database is down; we restore it from the backup");
    }

    @Test
    void aPrecheckThePlanDoesNotMarkWaivableCannotBeWaivedAndNothingRuns() {
        assertThatThrownBy(() -> runner().waive("backup readable", "in a hurry").run(plan()))
                .isInstanceOf(WaiverRefusedException.class)
                .hasMessageContaining("step 'backup readable' may not be waived")
                .hasMessageContaining("the waivable ones are '" + OLD_DB + "', 'dump the old database'");
        assertThat(ran).isEmpty();
        assertThat(FileJournal.in(dir).runIds("emergency")).as("nothing journaled").isEmpty();
    }

    @Test
    void anUnknownStepOrABlankReasonIsRefused() {
        assertThatThrownBy(() -> runner().waive("old db reachable", "down").run(plan()))
                .isInstanceOf(WaiverRefusedException.class).hasMessageContaining("the plan has no step of that name");
        assertThatThrownBy(() -> runner().waive(OLD_DB, " ").run(plan()))
                .isInstanceOf(WaiverRefusedException.class).hasMessageContaining("needs --reason TEXT");
        assertThat(ran).isEmpty();
    }

    @Test
    void aCaptureADestructiveStepDependsOnIsWaivedOnlyWhenThePlanAllowsIt() {
        assertThatThrownBy(() -> runner().waive(OLD_DB, "down").waive("dump the old database", "down").run(plan()))
                .isInstanceOf(WaiverRefusedException.class)
                .hasMessageContaining("capture 'dump the old database' may not be waived: destructive step 'restore' depends on it")
                .hasMessageContaining("PlanBuilder.allowWaivingCaptures(why)");
        assertThat(ran).isEmpty();

        RunReport report = runner().waive(OLD_DB, "down").waive("dump the old database", "nothing to dump: the server is down")
                .run(plan(p -> p.allowWaivingCaptures("the broken database may be down; the backup is the only copy")));

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(ran).containsExactly("backup readable", "restore");
        assertThat(events(report)).filteredOn(JournalEvent.StepWaived.class::isInstance).hasSize(2);
    }

    @Test
    void onlyPrechecksAndCapturesMayBeMarkedWaivable() {
        assertThatThrownBy(() -> Rollback.plan("p").capture("dump", c -> { })
                .restore(dev.rollback.core.Step.of("restore", c -> { }), StepOptions.defaults().waivable(true)).build())
                .isInstanceOf(PlanValidationException.class)
                .hasMessageContaining("step 'restore' is marked waivable, but only prechecks and captures may be waived");
    }

    @Test
    void theDryRunSaysWhichStepsMayBeWaivedAndWhetherCapturesMay() {
        assertThat(plan().describe()).contains("[precheck] " + OLD_DB + "  waivable (--waive '" + OLD_DB + "' --reason TEXT)")
                .doesNotContain("[precheck] backup readable  waivable");
    }

    @Test
    void aWaiverLineRoundTrips() {
        JournalEvent.StepWaived w = new JournalEvent.StepWaived("r1", Instant.parse("2026-11-30T02:00:00Z"), 1, OLD_DB, "alice", "down");
        String line = JournalCodec.encode(w);
        assertThat(line).startsWith("{\"v\":1,\"type\":\"StepWaived\"").contains("\"operator\":\"alice\"", "\"reason\":\"down\"");
        assertThat(JournalCodec.decode(line)).isEqualTo(w);
    }

    // The command line: --waive NAME --reason TEXT.

    private int command(String... args) {
        return RollbackCommand.named("emergency-rollback")
                .streams(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                        new ByteArrayInputStream(new byte[0]))
                .environment(Map.of())
                .execute(args, o -> plan());
    }

    @Test
    void onTheCommandLineWaiveSkipsThePrecheckAndTheConsoleSaysSo() {
        int code = command("--waive", OLD_DB, "--reason", "old database down", "--yes", "bob", "--operator", "alice",
                "--journal", dir.toString());

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("WAIVED       " + OLD_DB + " (by alice: old database down)");
        assertThat(ran).containsExactly("backup readable", "dump", "restore");
    }

    @Test
    void onTheCommandLineABadWaiverIsAUsageErrorAndNothingRuns() {
        assertThat(command("--waive", OLD_DB, "--yes", "bob", "--journal", dir.toString())).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--waive needs --reason TEXT");
        assertThat(command("--waive", "backup readable", "--reason", "hurry", "--yes", "bob", "--journal", dir.toString()))
                .isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("step 'backup readable' may not be waived");
        assertThat(ran).isEmpty();
    }
}
