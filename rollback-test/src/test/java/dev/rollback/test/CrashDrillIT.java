package dev.rollback.test;

import dev.rollback.test.drillplans.AppendingPlan;
import dev.rollback.test.drillplans.BrokenPlan;
import dev.rollback.test.drillplans.DrillFiles;
import dev.rollback.test.drillplans.IdempotentFilePlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Crash drills in child JVMs killed with SIGKILL, on plans that write files. */
class CrashDrillIT {
    @TempDir
    Path dir;
    @TempDir
    Path work;

    private CrashDrill drillOf(Class<? extends java.util.function.Supplier<dev.rollback.core.RollbackPlan>> plan) throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        return CrashDrill.of(plan)
                .systemProperty(DrillFiles.DIR_PROPERTY, state.toString())
                .beforeEachRun(() -> DrillFiles.clear(state))
                .workDirectory(work);
    }

    private String state() {
        return DrillFiles.state(dir.resolve("state"));
    }

    @Test
    void aPlanOfIdempotentStepsSurvivesAKillAtEveryBoundaryAndInsideEveryStep() throws Exception {
        CrashDrillReport report = drillOf(IdempotentFilePlan.class).killAtEveryStepBoundary().killInsideEveryStep().verify(this::state);

        assertThat(report.passed()).isTrue();
        assertThat(report.planName()).isEqualTo("idempotent-files");
        assertThat(report.baselineState()).isEqualTo("== config.txt\nversion=1.4\n== data.txt\nrows=1000\n== done.txt\ndone\n"
                + "== log.txt\nrestored 1000\n");
        // 9 steps: 7 inside points (checkpoints excepted), 9 after-step points, 2 after-checkpoint points
        assertThat(report.points()).hasSize(18);
        assertThat(report.points()).extracting(CrashDrillReport.PointResult::point)
                .startsWith("inside-step:1", "after-step:1", "inside-step:2", "after-step:2", "inside-step:3", "after-step:3",
                        "after-step:4", "after-checkpoint:4");
        assertThat(report.points()).allSatisfy(p -> {
            assertThat(p.finalState()).isEqualTo(report.baselineState());
            assertThat(p.resumes()).isEqualTo(1);
            assertThat(p.journalExcerpt()).contains("RunResumed").contains("RunFinished SUCCEEDED");
        });
        // killed after the "data-restored" checkpoint: the resume skipped everything before it
        CrashDrillReport.PointResult afterCheckpoint = report.points().stream().filter(p -> p.point().equals("after-checkpoint:8"))
                .findFirst().orElseThrow();
        assertThat(afterCheckpoint.journalExcerpt()).contains("RunResumed fromCheckpoint=data-restored").contains("StepSkipped 5 'restore data'");
        assertThat(report.summary()).contains("18 of 18 crash points passed").contains("ok     after step 5 'restore data' finished");
    }

    @Test
    void aStepThatIsNotSafeToReRunIsCaughtAndReportedWithItsBoundaryAndJournal() throws Exception {
        CrashDrill drill = drillOf(AppendingPlan.class).killAtEveryStepBoundary();
        CrashDrillReport report = drill.run(this::state);

        assertThat(report.passed()).isFalse();
        assertThat(report.baselineState()).contains("== audit.log\nrolled back to 1.4\n");
        // killed after step 1 or the checkpoint being recorded: nothing after it had run, so nothing ran twice
        assertThat(report.points()).filteredOn(CrashDrillReport.PointResult::passed).extracting(CrashDrillReport.PointResult::point)
                .containsExactly("after-step:1", "after-step:2", "after-checkpoint:2");
        assertThat(report.failures()).extracting(CrashDrillReport.PointResult::point).containsExactly("after-step:3", "after-step:4");
        CrashDrillReport.PointResult afterAppend = report.failures().get(0);
        assertThat(afterAppend.finalState()).contains("rolled back to 1.4\nrolled back to 1.4\n");
        assertThat(afterAppend.problems()).singleElement().asString()
                .contains("the end state differs from the uninterrupted run's; a step after checkpoint 2 ran again and is not safe to re-run")
                .contains("expected: == audit.log\\nrolled back to 1.4\\n==");
        assertThat(afterAppend.journalExcerpt()).contains("StepFinished 3 'append audit line'")
                .contains("RunResumed fromCheckpoint=config-written");

        assertThatThrownBy(() -> drill.verify(this::state))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Crash drill of plan 'appending': 3 of 5 crash points passed")
                .hasMessageContaining("FAILED after step 3 'append audit line' finished")
                .hasMessageContaining("Killed after step 3 'append audit line' finished:")
                .hasMessageContaining("Journal (every invocation):");
    }

    @Test
    void aFactoryThatCannotBuildItsPlanFailsTheDrillWithItsReason() throws Exception {
        assertThatThrownBy(() -> drillOf(BrokenPlan.class).killAtEveryStepBoundary().verify(this::state))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("the plan does not succeed even without a crash; it ended BROKEN")
                .hasMessageContaining("backup folder /backups/crm is missing");
    }
}
