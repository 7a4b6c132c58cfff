package dev.rollback.git;

import dev.rollback.test.TestStepContext;

import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.StepContext;
import dev.rollback.core.RunReport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reset soft, mixed and hard with a safety tag, on real repositories, cross-checked with the git CLI. */
class ResetIT {
    static final String RUN = "20260101-000000-beef";

    @TempDir
    Path tmp;
    TestRepo repo;
    final List<String> commits = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        repo = TestRepo.init(tmp.resolve("app"));
        for (int i = 0; i < 7; i++) {
            commits.add(repo.commit("src/file" + i + ".txt", "phase " + i + "\n", "phase 4 change " + i));
        }
    }

    private TestStepContext ctx(String step) {
        return TestStepContext.in(tmp.resolve("run")).runId(RUN).stepName(step);
    }

    @Test
    void hardResetMovesTheBranchAfterASafetyTagOnTheOldHead() {
        String old = repo.head();
        TestStepContext ctx = ctx("reset hard");

        Git.repo(repo.dir()).reset(ResetMode.HARD, "HEAD~5").execute(ctx);

        String tag = "rollback/safety/" + RUN + "/reset-hard";
        assertThat(repo.head()).isEqualTo(commits.get(1));
        assertThat(repo.git("symbolic-ref", "HEAD")).isEqualTo("refs/heads/main");
        assertThat(repo.status()).isEmpty();
        assertThat(repo.dir().resolve("src/file2.txt")).doesNotExist();
        assertThat(repo.revParse("refs/tags/" + tag)).isEqualTo(old);
        assertThat(repo.git("rev-list", "--count", "refs/tags/" + tag)).isEqualTo("7");
        assertThat(ctx.outputs()).containsEntry(ResetStep.OUTPUT_SAFETY_TAG, tag).containsEntry(ResetStep.OUTPUT_PREVIOUS_HEAD, old)
                .containsEntry(ResetStep.OUTPUT_HEAD, commits.get(1));
        repo.assertSound();
    }

    @Test
    void aReRunAfterAResumeResetsToTheSameCommitNotFiveFurther() {
        ResetStep step = Git.repo(repo.dir()).reset(ResetMode.HARD, "HEAD~5");
        String old = repo.head();
        TestStepContext first = ctx("reset hard");
        step.execute(first);

        step.execute(first.resumed());   // the same run after a resume: HEAD~5 names another commit now

        assertThat(repo.head()).isEqualTo(commits.get(1));
        assertThat(repo.revParse("refs/tags/rollback/safety/" + RUN + "/reset-hard")).isEqualTo(old);
    }

    @Test
    void softResetKeepsTheChangesStaged() {
        Git.repo(repo.dir()).reset(ResetMode.SOFT, "HEAD~2").execute(ctx("reset soft"));

        assertThat(repo.head()).isEqualTo(commits.get(4));
        assertThat(repo.status().lines()).containsExactly("A  src/file5.txt", "A  src/file6.txt");
        repo.assertSound();
    }

    @Test
    void mixedResetKeepsTheChangesInTheWorkingTree() {
        Git.repo(repo.dir()).reset(ResetMode.MIXED, Revision.of(commits.get(5))).execute(ctx("reset mixed"));

        assertThat(repo.head()).isEqualTo(commits.get(5));
        assertThat(repo.status().lines()).containsExactly("?? src/file6.txt");
    }

    @Test
    void aDirtyTreeIsRefusedBeforeAHardResetAndNothingChanges() throws IOException {
        repo.write("src/file6.txt", "hotfix made on the server\n");
        repo.write("notes/untracked.txt", "operator notes\n");
        String before = repo.snapshot();

        assertThatThrownBy(() -> Git.repo(repo.dir()).reset(ResetMode.HARD, "HEAD~5").execute(ctx("reset hard")))
                .isInstanceOfSatisfying(DirtyWorkingTreeException.class,
                        e -> assertThat(e.changedPaths()).containsExactly("notes/untracked.txt", "src/file6.txt"))
                .hasMessageContaining("refused to reset --hard").hasMessageContaining("keepUncommittedChanges()");
        assertThat(repo.snapshot()).isEqualTo(before);
        assertThat(repo.read("src/file6.txt")).isEqualTo("hotfix made on the server\n");
    }

    @Test
    void aChangeStagedBetweenTheDirtyCheckAndTheResetIsRefusedAndKept() throws IOException {
        // the index is read once, unlocked, for the dirty check; another process stages a change while the step
        // journals what it resolved: the reset reads the index again under its lock, checks again, and refuses
        TestStepContext ctx = ctx("reset hard");
        StepContext interfering = new DelegatingContext(ctx) {
            @Override
            public void remember(String key, String value) {
                super.remember(key, value);
                if (key.startsWith("git.commit.")) {
                    try {
                        repo.write("src/file6.txt", "hotfix staged while the rollback ran\n");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    repo.git("add", "src/file6.txt");
                }
            }
        };

        assertThatThrownBy(() -> Git.repo(repo.dir()).reset(ResetMode.HARD, "HEAD~5").execute(interfering))
                .isInstanceOfSatisfying(DirtyWorkingTreeException.class, e -> assertThat(e.changedPaths()).containsExactly("src/file6.txt"));
        assertThat(repo.head()).isEqualTo(commits.get(6));
        assertThat(repo.read("src/file6.txt")).isEqualTo("hotfix staged while the rollback ran\n");
        assertThat(repo.git("diff", "--cached", "--name-only")).isEqualTo("src/file6.txt");
        assertThat(repo.dir().resolve(".git/index.lock")).doesNotExist();
    }

    @Test
    void whenThePlanForcesItUncommittedChangesAreStashedAndTaggedFirst() throws IOException {
        repo.write("src/file6.txt", "hotfix made on the server\n");
        repo.write("notes/untracked.txt", "operator notes\n");
        TestStepContext ctx = ctx("reset hard");

        Git.repo(repo.dir()).reset(ResetMode.HARD, "HEAD~5").keepUncommittedChanges().execute(ctx);

        String kept = "refs/tags/rollback/safety/" + RUN + "/reset-hard-uncommitted";
        assertThat(repo.head()).isEqualTo(commits.get(1));
        assertThat(repo.status()).isEmpty();
        assertThat(repo.git("show", kept + ":src/file6.txt")).isEqualTo("hotfix made on the server");
        // a stash with untracked files keeps them in its third parent
        assertThat(repo.git("show", kept + "^3:notes/untracked.txt")).isEqualTo("operator notes");
        assertThat(repo.git("stash", "list")).contains("uncommitted changes before reset --hard");
        assertThat(ctx.outputs().get(ResetStep.OUTPUT_STASH)).isEqualTo(repo.git("rev-parse", kept));
        repo.assertSound();
    }

    @Test
    void anUnknownRevisionIsAClearErrorAndNothingChanges() {
        String before = repo.snapshot();
        assertThatThrownBy(() -> Git.repo(repo.dir()).reset(ResetMode.HARD, "HEAD~50").execute(ctx("reset hard")))
                .isInstanceOf(UnknownRevisionException.class).hasMessageContaining("HEAD~50").hasMessageContaining("Nothing was changed");
        assertThat(repo.snapshot()).isEqualTo(before);
    }

    @Test
    void runsInAPlanAfterACaptureWithApproval() {
        Git app = Git.repo(repo.dir());
        RollbackPlan plan = Rollback.plan("phase4-code-rollback")
                .precheck(app.workingTreeClean())
                .capture(app.safetyTag())
                .restore(app.reset(ResetMode.HARD, "HEAD~5"))
                .verify(app.headIs(Revision.of(commits.get(1))))
                .build();

        RunReport report = Rollback.runner().confirmations(Confirmations.autoApprove("ops@example.com")).run(plan).orThrow();

        String safety = report.outputs().get(SafetyTagStep.OUTPUT_TAG);
        assertThat(safety).startsWith("rollback/safety/" + report.runId() + "/");
        assertThat(repo.revParse("refs/tags/" + safety)).isEqualTo(commits.get(6));
        assertThat(repo.revParse("refs/tags/" + report.outputs().get(ResetStep.OUTPUT_SAFETY_TAG))).isEqualTo(commits.get(6));
        assertThat(repo.head()).isEqualTo(commits.get(1));
    }

    @Test
    void withoutApprovalTheHardResetDoesNotRun() {
        Git app = Git.repo(repo.dir());
        RollbackPlan plan = Rollback.plan("phase4-code-rollback")
                .capture(app.safetyTag())
                .restore(app.reset(ResetMode.HARD, "HEAD~5"))
                .build();

        RunReport report = Rollback.runner().confirmations(Confirmations.none()).run(plan);

        assertThat(report.isSuccess()).isFalse();
        assertThat(repo.head()).isEqualTo(commits.get(6));
    }
}
