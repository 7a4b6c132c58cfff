package dev.rollback.git;

import dev.rollback.test.TestStepContext;

import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.rollback.core.StepContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Revert on real repositories, cross-checked with the git CLI. */
class RevertIT {
    @TempDir
    Path tmp;
    TestRepo repo;
    String c1;
    String c2;
    String c3;

    @BeforeEach
    void setUp() throws IOException {
        repo = TestRepo.init(tmp.resolve("app"));
        c1 = repo.commit("app/config.txt", "timeout=30\n", "initial release");
        c2 = repo.commit("app/feature.txt", "feature on\n", "add feature");
        c3 = repo.commit("app/config.txt", "timeout=5\n", "lower timeout");
    }

    private TestStepContext ctx(String step) {
        return TestStepContext.in(tmp.resolve("run")).runId("20260101-000000-abcd").stepName(step);
    }

    @Test
    void revertsOneCommitExactlyAsTheGitCliDoes() throws IOException {
        TestRepo twin = cloneOf(repo, "twin");
        twin.git("revert", "--no-edit", c3);

        TestStepContext ctx = ctx("revert");
        Git.repo(repo.dir()).identity("Rollback Bot", "bot@example.com").revert(c3).execute(ctx);

        assertThat(repo.read("app/config.txt")).isEqualTo("timeout=30\n");
        assertThat(repo.status()).isEmpty();
        assertThat(repo.git("rev-parse", "HEAD^{tree}")).isEqualTo(twin.git("rev-parse", "HEAD^{tree}"));
        assertThat(repo.git("log", "-1", "--format=%B")).isEqualTo(twin.git("log", "-1", "--format=%B"));
        assertThat(repo.git("log", "-1", "--format=%an <%ae>")).isEqualTo("Rollback Bot <bot@example.com>");
        assertThat(repo.git("rev-parse", "HEAD~1")).isEqualTo(c3);
        assertThat(repo.git("symbolic-ref", "HEAD")).isEqualTo("refs/heads/main");
        assertThat(ctx.outputs()).containsEntry(RevertStep.OUTPUT_HEAD, repo.head()).containsEntry(RevertStep.OUTPUT_REVERTED, c3);
        repo.assertSound();
    }

    @Test
    void revertsSeveralCommitsNewestFirstEachAsOneCommit() throws IOException {
        TestStepContext ctx = ctx("revert");
        Git.repo(repo.dir()).revert(c3, c2).execute(ctx);

        assertThat(repo.git("log", "--format=%s", "-2").lines()).containsExactly("Revert \"add feature\"", "Revert \"lower timeout\"");
        assertThat(repo.git("rev-parse", "HEAD^{tree}")).isEqualTo(repo.git("rev-parse", c1 + "^{tree}"));
        assertThat(repo.dir().resolve("app/feature.txt")).doesNotExist();
        assertThat(repo.status()).isEmpty();
        assertThat(ctx.outputs().get(RevertStep.OUTPUT_REVERTED)).isEqualTo(c3 + "," + c2);
        repo.assertSound();
    }

    @Test
    void commitsGivenOldestFirstAreStillRevertedNewestFirst() {
        Git.repo(repo.dir()).revert(c2, c3).execute(ctx("revert"));

        assertThat(repo.git("log", "--format=%s", "-2").lines()).containsExactly("Revert \"add feature\"", "Revert \"lower timeout\"");
        assertThat(repo.git("rev-parse", "HEAD^{tree}")).isEqualTo(repo.git("rev-parse", c1 + "^{tree}"));
        repo.assertSound();
    }

    @Test
    void runningAgainAfterAResumeDoesNotRevertTwice() {
        RevertStep step = Git.repo(repo.dir()).revert(c3);
        step.execute(ctx("revert"));
        String afterFirst = repo.head();

        TestStepContext again = ctx("revert");
        step.execute(again);

        assertThat(repo.head()).isEqualTo(afterFirst);
        assertThat(again.progress()).anyMatch(p -> p.contains("already reverted"));
        assertThat(repo.git("rev-list", "--count", "HEAD")).isEqualTo("4");
    }

    @Test
    void revertsAMergeCommitKeepingTheChosenMainline() throws IOException {
        repo.git("checkout", "-q", "-b", "topic", c1);
        repo.commit("app/topic.txt", "topic\n", "topic work");
        repo.git("checkout", "-q", "main");
        repo.git("merge", "-q", "--no-ff", "-m", "merge topic", "topic");
        String merge = repo.head();

        Git.repo(repo.dir()).revert(merge).mainline(1).execute(ctx("revert"));

        assertThat(repo.git("rev-parse", "HEAD^{tree}")).isEqualTo(repo.git("rev-parse", merge + "^1^{tree}"));
        assertThat(repo.git("log", "-1", "--format=%B")).contains("This reverts commit " + merge + ", reversing")
                .contains("changes made to " + repo.revParse(merge + "^1"));
        assertThat(repo.status()).isEmpty();
        repo.assertSound();
    }

    @Test
    void aMergeCommitWithoutMainlineIsRefusedAndNothingChanges() throws IOException {
        repo.git("checkout", "-q", "-b", "topic", c1);
        repo.commit("app/topic.txt", "topic\n", "topic work");
        repo.git("checkout", "-q", "main");
        repo.git("merge", "-q", "--no-ff", "-m", "merge topic", "topic");
        String before = repo.snapshot();

        assertThatThrownBy(() -> Git.repo(repo.dir()).revert("HEAD").execute(ctx("revert")))
                .isInstanceOf(GitOperationException.class)
                .hasMessageContaining("is a merge with 2 parents").hasMessageContaining(".mainline(1)");
        assertThat(repo.snapshot()).isEqualTo(before);
    }

    @Test
    void aConflictFailsWithThePathsAndLeavesTheRepositoryAsItWas() throws IOException {
        repo.commit("app/config.txt", "timeout=7\n", "tune timeout again");
        String before = repo.snapshot();

        assertThatThrownBy(() -> Git.repo(repo.dir()).revert(c3).execute(ctx("revert")))
                .isInstanceOfSatisfying(RevertConflictException.class, e -> {
                    assertThat(e.conflictingPaths()).containsExactly("app/config.txt");
                    assertThat(e.commit()).isEqualTo(c3);
                })
                .hasMessageContaining("app/config.txt").hasMessageContaining("as it was before the step");
        assertThat(repo.snapshot()).isEqualTo(before);
        assertThat(repo.read("app/config.txt")).isEqualTo("timeout=7\n");
        repo.assertSound();
    }

    @Test
    void aConflictOnTheSecondOfTwoCommitsLeavesNothingOfTheFirst() throws IOException {
        String c4 = repo.commit("app/other.txt", "x\n", "other");
        repo.commit("app/config.txt", "timeout=7\n", "tune timeout again");
        String before = repo.snapshot();

        assertThatThrownBy(() -> Git.repo(repo.dir()).revert(c4, c3).execute(ctx("revert")))
                .isInstanceOf(RevertConflictException.class);
        assertThat(repo.snapshot()).isEqualTo(before);
        assertThat(repo.dir().resolve("app/other.txt")).exists();
    }

    @Test
    void uncommittedChangesAreRefusedAndKept() throws IOException {
        repo.write("app/feature.txt", "local edit\n");
        String before = repo.snapshot();

        assertThatThrownBy(() -> Git.repo(repo.dir()).revert(c3).execute(ctx("revert")))
                .isInstanceOfSatisfying(DirtyWorkingTreeException.class, e -> assertThat(e.changedPaths()).containsExactly("app/feature.txt"))
                .hasMessageContaining("uncommitted").hasMessageContaining("Nothing was changed");
        assertThat(repo.snapshot()).isEqualTo(before);
        assertThat(repo.read("app/feature.txt")).isEqualTo("local edit\n");
    }

    @Test
    void anUnknownRevisionIsAClearErrorAndNothingChanges() {
        String before = repo.snapshot();
        assertThatThrownBy(() -> Git.repo(repo.dir()).revert("no-such-tag").execute(ctx("revert")))
                .isInstanceOfSatisfying(UnknownRevisionException.class, e -> assertThat(e.revision()).isEqualTo("no-such-tag"))
                .hasMessageContaining("Unknown revision 'no-such-tag'").hasMessageContaining("git rev-parse --verify");
        assertThatThrownBy(() -> Git.repo(repo.dir()).revert("0123456789abcdef0123456789abcdef01234567").execute(ctx("revert")))
                .isInstanceOf(UnknownRevisionException.class);
        assertThat(repo.snapshot()).isEqualTo(before);
    }

    @Test
    void aCommitOutsideHeadsHistoryIsRefused() throws IOException {
        repo.git("checkout", "-q", "-b", "elsewhere", c1);
        String other = repo.commit("app/x.txt", "x\n", "never deployed");
        repo.git("checkout", "-q", "main");
        String before = repo.snapshot();

        assertThatThrownBy(() -> Git.repo(repo.dir()).revert(other).execute(ctx("revert")))
                .isInstanceOf(GitOperationException.class).hasMessageContaining("is not in the history of HEAD");
        assertThat(repo.snapshot()).isEqualTo(before);
    }

    @Test
    void aMissingRepositoryIsAClearError() {
        Path nowhere = tmp.resolve("no-repo");
        assertThatThrownBy(() -> Git.repo(nowhere).revert("HEAD").execute(ctx("revert")))
                .isInstanceOf(GitRepositoryNotFoundException.class)
                .hasMessageContaining("No git repository at " + nowhere).hasMessageContaining("Fix:");
        assertThatThrownBy(() -> Git.repo(tmp).revert("HEAD").execute(ctx("revert")))
                .isInstanceOf(GitRepositoryNotFoundException.class);
    }

    @Test
    void runsInAPlanAndPublishesTheNewHead() {
        Git app = Git.repo(repo.dir());
        RollbackPlan plan = Rollback.plan("revert-bad-commit")
                .precheck(app.workingTreeClean())
                .step(app.revert(c3))
                .verify(app.branchContains("main", Revision.fromOutput(RevertStep.OUTPUT_HEAD)))
                .build();

        RunReport report = Rollback.runner().confirmations(Confirmations.none()).run(plan).orThrow();

        assertThat(report.outputs()).containsEntry(RevertStep.OUTPUT_HEAD, repo.head());
        assertThat(repo.read0("app/config.txt")).isEqualTo("timeout=30\n");
        repo.assertSound();
    }

    private TestRepo cloneOf(TestRepo source, String name) throws IOException {
        Path target = tmp.resolve(name);
        GitCli.git(tmp, "clone", "-q", source.dir().toString(), target.toString());
        GitCli.git(target, "config", "user.name", "Test");
        GitCli.git(target, "config", "user.email", "test@example.com");
        return TestRepo.open(target);
    }

    @Test
    void aReRunOfRevertHeadRevertsTheSameCommitNotTheRevert() throws IOException {
        RevertStep step = Git.repo(repo.dir()).revert("HEAD");
        TestStepContext first = ctx("revert head");
        step.execute(first);
        String revert = repo.head();
        assertThat(repo.git("log", "-1", "--format=%s")).isEqualTo("Revert \"lower timeout\"");

        TestStepContext again = first.resumed();   // HEAD is the revert now
        step.execute(again);

        assertThat(repo.head()).as("the revert was not reverted").isEqualTo(revert);
        assertThat(repo.read("app/config.txt")).isEqualTo("timeout=30\n");
        assertThat(again.memory()).containsEntry("git.commit.HEAD", c3);
        assertThat(again.outputs()).containsEntry(RevertStep.OUTPUT_HEAD, revert).containsEntry(RevertStep.OUTPUT_REVERTED, c3);

        // a later step of the run moved HEAD back before the revert: the re-run still does not revert again
        repo.git("reset", "-q", "--hard", c2);
        step.execute(first.resumed());
        assertThat(repo.head()).isEqualTo(c2);
        repo.assertSound();
    }

    @Test
    void neitherRevertNorResetHoldsTheIndexLockWhileTheyJournal() {
        Path lock = repo.dir().resolve(".git/index.lock");
        List<String> journaledUnderLock = new ArrayList<>();
        TestStepContext revertCtx = ctx("revert head");
        StepContext watching = watching(revertCtx, lock, journaledUnderLock);
        Git.repo(repo.dir()).revert("HEAD").execute(watching);
        TestStepContext resetCtx = ctx("reset");
        Git.repo(repo.dir()).reset(ResetMode.HARD, "HEAD~2").execute(watching(resetCtx, lock, journaledUnderLock));

        assertThat(revertCtx.memory()).containsKeys("git.commit.HEAD", "git.done");
        assertThat(resetCtx.memory()).containsKeys("git.reset.previousHead", "git.commit.HEAD~2", "git.done");
        assertThat(journaledUnderLock).as("memory journaled while .git/index.lock existed: a kill there leaves the lock").isEmpty();
        assertThat(repo.head()).isEqualTo(c2);
        repo.assertSound();
    }

    /** A context that notes every value remembered while the index lock exists. */
    private static StepContext watching(StepContext context, Path lock, List<String> journaledUnderLock) {
        return new DelegatingContext(context) {
            @Override
            public void remember(String key, String value) {
                if (Files.exists(lock)) {
                    journaledUnderLock.add(key);
                }
                super.remember(key, value);
            }
        };
    }

    @Test
    void anIndexLockHeldByAnotherProcessIsNamedWithTheFixAndLeftAlone() throws IOException {
        Path lock = repo.dir().resolve(".git/index.lock");
        Files.writeString(lock, "");

        assertThatThrownBy(() -> Git.repo(repo.dir()).revert("HEAD").execute(ctx("revert head")))
                .isInstanceOf(GitOperationException.class)
                .hasMessageContaining(lock.toString() + " exists")
                .hasMessageContaining("make sure no git process runs in " + repo.dir())
                .hasMessageContaining("delete " + lock);
        assertThat(lock).as("another process's lock is not removed").exists();
        assertThat(repo.head()).isEqualTo(c3);
        assertThat(repo.read("app/config.txt")).isEqualTo("timeout=5\n");

        Files.delete(lock);   // the fix the message gives; the resume then reverts
        Git.repo(repo.dir()).revert("HEAD").execute(ctx("revert head"));
        assertThat(repo.read("app/config.txt")).isEqualTo("timeout=30\n");
        repo.assertSound();
    }
}
