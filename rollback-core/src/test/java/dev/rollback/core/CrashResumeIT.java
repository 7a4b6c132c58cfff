package dev.rollback.core;

import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.testing.ChildJvm;
import dev.rollback.core.testing.CrashDrillMain;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a rollback program with SIGKILL at three kinds of points and resumes it in a new JVM:
 * the run finishes, and no step that finished before the last checkpoint reached runs twice.
 */
class CrashResumeIT {
    private static final List<String> STEPS = List.of("s1", "s2", "s3", "s4", "s5", "s6");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "killed {0}")
    @CsvSource({
            // block point,        last checkpoint reached, steps before it
            "after-step:s3,        cp1, 's1 s2'",
            "inside-step:s5,       cp2, 's1 s2 s3 s4'",
            "after-checkpoint:cp2, cp2, 's1 s2 s3 s4'",
            "inside-step:s1,       '',  ''",
    })
    void resumeAfterSigkillFinishesThePlanWithoutRepeatingCheckpointedSteps(String block, String checkpoint, String before) throws Exception {
        Path journalDir = dir.resolve("journal");
        Path effects = dir.resolve("effects.txt");
        Path marker = dir.resolve("marker");

        ChildJvm first = ChildJvm.start(dir, CrashDrillMain.class, List.of("drill.block=" + block, "drill.marker=" + marker),
                List.of(effects.toString(), "--journal", journalDir.toString(), "--reason", "drill"));
        first.awaitFile(marker, Duration.ofSeconds(60));
        first.kill9();

        FileJournal journal = FileJournal.in(journalDir);
        String runId = journal.runIds("crash-drill").get(0);
        assertThat(journal.read("crash-drill", runId)).noneMatch(JournalEvent.RunFinished.class::isInstance);

        ChildJvm second = ChildJvm.start(dir, CrashDrillMain.class, List.of(),
                List.of(effects.toString(), "--journal", journalDir.toString(), "--resume", runId));
        int code = second.waitFor(Duration.ofSeconds(60));
        assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", second.stdout(), second.stderr()).isZero();
        assertThat(second.stdout()).contains("Resuming run " + runId)
                .contains(checkpoint.isEmpty() ? "restarting after the start" : "restarting after checkpoint '" + checkpoint + "'");

        List<String> done = Files.readAllLines(effects).stream().filter(l -> !l.endsWith(" start")).toList();
        List<String> beforeCheckpoint = before.isBlank() ? List.of() : List.of(before.split(" "));
        for (String s : STEPS) {
            int times = Collections.frequency(done, s);
            if (beforeCheckpoint.contains(s)) {
                assertThat(times).as("step %s finished before checkpoint %s and must not run again", s, checkpoint).isEqualTo(1);
            } else {
                assertThat(times).as("step %s must have finished", s).isGreaterThanOrEqualTo(1);
            }
        }
        List<JournalEvent> events = journal.read("crash-drill", runId);
        JournalEvent last = events.get(events.size() - 1);
        assertThat(last).isInstanceOfSatisfying(JournalEvent.RunFinished.class, f -> assertThat(f.outcome()).isEqualTo("SUCCEEDED"));
        assertThat(events).filteredOn(JournalEvent.StepSkipped.class::isInstance).extracting(e -> ((JournalEvent.StepSkipped) e).step())
                .containsExactlyElementsOf(checkpoint.isEmpty() ? List.of() : checkpoint.equals("cp1")
                        ? List.of("s1", "s2", "cp1") : List.of("s1", "s2", "cp1", "s3", "s4", "cp2"));
        // outputs published before the checkpoint are given back after the resume
        if (!checkpoint.isEmpty()) {
            JournalEvent.CheckpointReached cp = events.stream().filter(JournalEvent.CheckpointReached.class::isInstance)
                    .map(JournalEvent.CheckpointReached.class::cast).filter(c -> c.name().equals(checkpoint)).findFirst().orElseThrow();
            assertThat(cp.outputs()).containsEntry("drill.s1", "done");
        }
        String md = Files.readString(journal.runDirectory("crash-drill", runId).resolve("incident-report.md"));
        assertThat(md).contains("| Resumed | 1 time |").containsPattern("1\\. pid \\d+ on .*: \\*\\*DIED\\*\\*")
                .containsPattern("- `/` gap: process \\d+ on .* died");
        if (block.startsWith("inside-step")) {
            String step = block.substring("inside-step:".length());
            assertThat(md).as("the killed attempt is not counted as step time").containsPattern("'" + step + "', attempt 1: interrupted, its process died");
        }
    }

    @org.junit.jupiter.api.Test
    void resumingWithAChangedPlanIsRefused() throws Exception {
        Path journalDir = dir.resolve("journal");
        FileJournal journal = FileJournal.in(journalDir);
        RunReport failed = Rollback.runner().journal(journal)
                .run(Rollback.plan("changing").step("a", c -> { }).step("b", c -> { throw new IllegalStateException("boom"); }).build());
        RollbackPlan changed = Rollback.plan("changing").step("a", c -> { }).step("b2", c -> { }).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Rollback.runner().journal(journal).resume(changed, failed.runId()))
                .isInstanceOf(PlanChangedException.class)
                .hasMessageContaining("the plan changed since the run started");
        RollbackPlan same = Rollback.plan("changing").step("a", c -> { }).step("b", c -> { }).build();
        assertThat(Rollback.runner().journal(journal).resume(same, failed.runId()).outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Rollback.runner().journal(journal).resume(same, failed.runId()))
                .isInstanceOf(RunNotResumableException.class).hasMessageContaining("already finished SUCCEEDED");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Rollback.runner().journal(journal).resume(same, "20990101-000000-0000"))
                .isInstanceOf(RunNotResumableException.class).hasMessageContaining("No run 20990101-000000-0000").hasMessageContaining(failed.runId());
    }
}
