package dev.rollback.git;

import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RollbackRunner;
import dev.rollback.core.RunReport;
import dev.rollback.core.StepResult;
import dev.rollback.core.journal.FileJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run that fails after the git steps changed the repository, resumed with the real runner and a file
 * journal: the git steps run again and must take the same decisions, not new ones from the moved HEAD.
 */
class ResumeIT {
    @TempDir
    Path tmp;

    @Test
    void aResumedRunChecksOutAndResetsToTheSameTagAndCommit() throws IOException {
        TestRepo repo = TestRepo.init(tmp.resolve("app"));
        for (String v : List.of("v1.0.0", "v1.1.0", "v1.2.0")) {
            repo.commit("VERSION", v + "\n", "release " + v);
            repo.git("tag", "-a", v, "-m", "release " + v);
        }
        for (int i = 0; i < 3; i++) {
            repo.commit("extra" + i + ".txt", "x\n", "after v1.2.0 #" + i);
        }
        repo.git("tag", "-a", "v1.3.0", "-m", "release v1.3.0");
        String badHead = repo.head();

        Git app = Git.repo(repo.dir());
        AtomicInteger smokeTests = new AtomicInteger();
        // no checkpoint between the git steps and the failure: on resume they all run again
        RollbackPlan plan = Rollback.plan("code-rollback")
                .precheck(app.workingTreeClean())
                .step(app.previousStableTag("v*"))
                .capture(app.safetyTag())
                .restore(app.reset(ResetMode.HARD, "HEAD~2"))
                .step("smoke test", ctx -> {
                    if (smokeTests.incrementAndGet() == 1) {
                        throw new IllegalStateException("health endpoint not up yet");
                    }
                })
                .build();
        RollbackRunner runner = Rollback.runner().journal(FileJournal.in(tmp.resolve("journal")))
                .confirmations(Confirmations.autoApprove("ops@example.com"));

        RunReport first = runner.run(plan);
        assertThat(first.isSuccess()).isFalse();
        assertThat(first.outputs()).containsEntry("git.previousStableTag", "v1.2.0");
        String afterFirst = repo.head();
        assertThat(afterFirst).isEqualTo(repo.revParse(badHead + "~2"));

        RunReport resumed = runner.resume(plan, first.runId());

        assertThat(resumed.isSuccess()).isTrue();
        assertThat(resumed.steps(StepResult.Status.SUCCEEDED)).extracting(StepResult::name)
                .contains("git previous stable tag v*", "git reset --hard HEAD~2");
        // HEAD~2 was not applied twice, and the "previous" tag did not slide down to v1.1.0
        assertThat(repo.head()).isEqualTo(afterFirst);
        assertThat(resumed.outputs()).containsEntry("git.previousStableTag", "v1.2.0")
                .containsEntry(ResetStep.OUTPUT_PREVIOUS_HEAD, badHead);
        assertThat(repo.revParse("refs/tags/" + resumed.outputs().get(ResetStep.OUTPUT_SAFETY_TAG))).isEqualTo(badHead);
        assertThat(repo.revParse("refs/tags/" + resumed.outputs().get(SafetyTagStep.OUTPUT_TAG))).isEqualTo(badHead);
        assertThat(repo.git("tag", "-l", "rollback/safety/*").lines()).hasSize(2);
        repo.assertSound();
    }

    @Test
    void aResumeOnAnotherMachineKeepsGitsDecisionsFromTheJournalAlone() throws IOException {
        TestRepo repo = TestRepo.init(tmp.resolve("app"));
        for (String v : List.of("v1.0.0", "v1.1.0", "v1.2.0")) {
            repo.commit("VERSION", v + "\n", "release " + v);
            repo.git("tag", "-a", v, "-m", "release " + v);
        }
        repo.commit("extra.txt", "x\n", "after v1.2.0");
        repo.git("tag", "-a", "v1.3.0", "-m", "release v1.3.0");
        String badHead = repo.head();
        Git app = Git.repo(repo.dir());
        AtomicInteger smokeTests = new AtomicInteger();
        RollbackPlan plan = Rollback.plan("code-rollback-elsewhere")
                .step(app.previousStableTag("v*"))
                .capture(app.safetyTag())
                .step(app.revert("HEAD"))
                .restore(app.reset(ResetMode.HARD, "HEAD~2"))
                .step("smoke test", ctx -> {
                    if (smokeTests.incrementAndGet() == 1) {
                        throw new IllegalStateException("health endpoint not up yet");
                    }
                })
                .build();
        FileJournal journal = FileJournal.in(tmp.resolve("journal"));
        RollbackRunner runner = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ops@example.com"));
        RunReport first = runner.run(plan);
        assertThat(first.isSuccess()).isFalse();
        String afterFirst = repo.head();
        assertThat(afterFirst).isEqualTo(repo.revParse(badHead + "~1"));   // revert on top, then two back

        // the other machine has the shared journal and the repository, not this machine's run folder
        Path runFolder = journal.runDirectory(plan.name(), first.runId());
        try (var s = java.nio.file.Files.walk(runFolder)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        RunReport resumed = runner.resume(plan, first.runId());

        assertThat(resumed.isSuccess()).isTrue();
        assertThat(repo.head()).as("neither reverted again nor reset two further").isEqualTo(afterFirst);
        assertThat(resumed.outputs()).containsEntry("git.previousStableTag", "v1.2.0")
                .containsEntry(SafetyTagStep.OUTPUT_COMMIT, badHead)
                .containsEntry(RevertStep.OUTPUT_REVERTED, badHead);
        // the capture is not taken again after the reset started (it would record the moved HEAD); its file is named missing
        assertThat(journal.read(plan.name(), first.runId())).anySatisfy(e -> assertThat(e)
                .isInstanceOfSatisfying(dev.rollback.core.journal.JournalEvent.CapturedFilesMissing.class,
                        m -> assertThat(String.join(" ", m.problems())).contains("git-safety-tag-app-state.txt")));
        repo.assertSound();
    }
}
