package dev.rollback.git;

import dev.rollback.test.TestStepContext;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Previous stable tag, checkout, annotated tags and checks on real repositories, cross-checked with the git CLI. */
class CheckoutAndTagIT {
    @TempDir
    Path tmp;
    TestRepo repo;

    @BeforeEach
    void setUp() throws IOException {
        repo = TestRepo.init(tmp.resolve("app"));
        // released in this order; v1.10.0 must sort after v1.9.0 and v1.10.1-rc1 is a pre-release
        for (String v : List.of("v1.2.0", "v1.9.0", "v1.10.0", "v1.10.1-rc1", "v1.11.0")) {
            repo.commit("VERSION", v + "\n", "release " + v);
            repo.git("tag", "-a", v, "-m", "release " + v);
        }
        repo.git("tag", "build-17");
        repo.commit("VERSION", "v1.11.0+hotfix\n", "hotfix after v1.11.0");
        repo.git("tag", "-a", "v1.12.0", "-m", "release v1.12.0");
    }

    private TestStepContext ctx(String step) {
        return TestStepContext.in(tmp.resolve("run")).runId("20260101-000000-cafe").stepName(step);
    }

    @Test
    void choosesTheHighestStableVersionBelowTheReleaseOnHeadAsGitSortsThem() {
        TestStepContext ctx = ctx("previous");
        Git.repo(repo.dir()).previousStableTag("v*").execute(ctx);

        // the CLI's order, minus pre-releases and the release on HEAD
        Set<String> onHead = Set.copyOf(repo.git("tag", "--points-at", "HEAD").lines().toList());
        String expected = repo.git("tag", "--sort=-v:refname", "-l", "v*").lines()
                .filter(t -> !t.contains("-") && !onHead.contains(t)).findFirst().orElseThrow();
        assertThat(expected).isEqualTo("v1.11.0");
        assertThat(ctx.outputs()).containsEntry(PreviousStableTagStep.OUTPUT_TAG, expected)
                .containsEntry(PreviousStableTagStep.OUTPUT_COMMIT, repo.revParse(expected));
    }

    @Test
    void preReleasesCountOnlyWhenAskedAndBelowNamesTheCurrentRelease() {
        TestStepContext below = ctx("below");
        Git.repo(repo.dir()).previousStableTag("v*").below("v1.11.0").execute(below);
        assertThat(below.outputs().get(PreviousStableTagStep.OUTPUT_TAG)).isEqualTo("v1.10.0");

        TestStepContext pre = ctx("pre");
        Git.repo(repo.dir()).previousStableTag("v1.10*").includePreReleases().below("v1.11.0").execute(pre);
        assertThat(pre.outputs().get(PreviousStableTagStep.OUTPUT_TAG)).isEqualTo("v1.10.1-rc1");
    }

    @Test
    void checksOutTheChosenTagDetachedAndAReRunKeepsTheSameChoice() {
        Git app = Git.repo(repo.dir());
        TestStepContext ctx = ctx("previous");
        PreviousStableTagStep choose = app.previousStableTag("v*");
        choose.execute(ctx);
        TestStepContext co = ctx.forStep("checkout");
        app.checkout(Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG)).execute(co);

        assertThat(repo.head()).isEqualTo(repo.revParse("v1.11.0"));
        assertThat(GitCli.tryGit(repo.dir(), "symbolic-ref", "-q", "HEAD").exitCode()).as("detached HEAD").isEqualTo(1);
        assertThat(repo.status()).isEmpty();
        assertThat(co.outputs()).containsEntry(CheckoutStep.OUTPUT_COMMIT, repo.head());

        // resumed run: HEAD is now on v1.11.0, but the step keeps the tag it chose in this run
        TestStepContext again = ctx.resumed();
        choose.execute(again);
        assertThat(again.outputs().get(PreviousStableTagStep.OUTPUT_TAG)).isEqualTo("v1.11.0");
        repo.assertSound();
    }

    @Test
    void checksOutABranchAttached() throws IOException {
        String main = repo.head();
        repo.git("branch", "release-1.9", "v1.9.0");
        Git.repo(repo.dir()).checkout("release-1.9").execute(ctx("co"));

        assertThat(repo.git("symbolic-ref", "HEAD")).isEqualTo("refs/heads/release-1.9");
        assertThat(repo.read("VERSION")).isEqualTo("v1.9.0\n");
        Git.repo(repo.dir()).checkout(main).execute(ctx("co2"));
        assertThat(repo.head()).isEqualTo(main);
    }

    @Test
    void noMatchingTagIsAClearError() {
        assertThatThrownBy(() -> Git.repo(repo.dir()).previousStableTag("release-*").execute(ctx("p")))
                .isInstanceOf(GitOperationException.class)
                .hasMessageContaining("No stable tag matching 'release-*'").hasMessageContaining("git fetch --tags");
        assertThatThrownBy(() -> Git.repo(repo.dir()).previousStableTag("v*").below("v1.0.0").execute(ctx("p")))
                .hasMessageContaining("below v1.0.0").hasMessageContaining("v1.12.0, v1.11.0");
    }

    @Test
    void checkoutOfAnUnknownTagOrWithADirtyTreeChangesNothing() throws IOException {
        String before = repo.snapshot();
        assertThatThrownBy(() -> Git.repo(repo.dir()).checkout("v9.9.9").execute(ctx("co")))
                .isInstanceOf(UnknownRevisionException.class).hasMessageContaining("'v9.9.9'");
        assertThat(repo.snapshot()).isEqualTo(before);

        repo.write("VERSION", "edited on the server\n");
        String dirty = repo.snapshot();
        assertThatThrownBy(() -> Git.repo(repo.dir()).checkout("v1.9.0").execute(ctx("co")))
                .isInstanceOf(DirtyWorkingTreeException.class).hasMessageContaining("VERSION");
        assertThat(repo.snapshot()).isEqualTo(dirty);
    }

    @Test
    void createsAnAnnotatedTagAndKeepsItOnReRun() {
        TagStep tag = Git.repo(repo.dir()).identity("Rollback Bot", "bot@example.com").tag("v1.11.0-rollback")
                .at(Revision.of("v1.11.0")).message("Rollback to working version");
        TestStepContext ctx = ctx("tag");
        tag.execute(ctx);
        tag.execute(ctx("tag"));

        assertThat(repo.git("cat-file", "-t", "refs/tags/v1.11.0-rollback")).isEqualTo("tag");
        assertThat(repo.revParse("v1.11.0-rollback")).isEqualTo(repo.revParse("v1.11.0"));
        assertThat(repo.git("tag", "-l", "--format=%(contents:subject)|%(taggername)", "v1.11.0-rollback"))
                .isEqualTo("Rollback to working version|Rollback Bot");
        assertThat(ctx.outputs()).containsEntry(TagStep.OUTPUT_TAG, "v1.11.0-rollback");
        repo.assertSound();
    }

    @Test
    void anExistingTagIsNeverMoved() {
        String before = repo.snapshot();
        assertThatThrownBy(() -> Git.repo(repo.dir()).tag("v1.9.0").execute(ctx("tag")))
                .isInstanceOf(GitOperationException.class).hasMessageContaining("Tag v1.9.0 already exists")
                .hasMessageContaining("refused to move");
        assertThat(repo.snapshot()).isEqualTo(before);
    }

    @Test
    void checksReportWhatTheCliShows() throws Exception {
        Git app = Git.repo(repo.dir());
        TestStepContext ctx = ctx("check");
        assertThat(app.workingTreeClean().check(ctx).isPassed()).isTrue();
        assertThat(app.headIs(Revision.of("v1.12.0")).check(ctx).isPassed()).isTrue();
        CheckResult notHead = app.headIs(Revision.of("v1.9.0")).check(ctx);
        assertThat(notHead.isPassed()).isFalse();
        assertThat(notHead.measured()).isEqualTo(repo.head());
        assertThat(app.tagExists("v1.9.0").check(ctx).isPassed()).isTrue();
        assertThat(app.tagExists("v7").check(ctx).isPassed()).isFalse();
        assertThat(app.branchContains("main", Revision.of("v1.2.0")).check(ctx).isPassed()).isTrue();
        repo.git("branch", "old", "v1.2.0");
        CheckResult notContained = app.branchContains("old", Revision.of("v1.9.0")).check(ctx);
        assertThat(notContained.isPassed()).isFalse();
        assertThat(GitCli.tryGit(repo.dir(), "merge-base", "--is-ancestor", "v1.9.0", "old").exitCode()).isEqualTo(1);

        repo.write("stray.txt", "x");
        CheckResult dirty = app.workingTreeClean().check(ctx);
        assertThat(dirty.isPassed()).isFalse();
        assertThat(dirty.message()).contains("stray.txt");
        assertThat(repo.status()).isEqualTo("?? stray.txt");
    }

    @Test
    void thePlanFromTheSeedsRunsEndToEnd() {
        Git app = Git.repo(repo.dir());
        RollbackPlan plan = Rollback.plan("back-to-previous-tag")
                .precheck(app.workingTreeClean())
                .step(app.previousStableTag("v*"))
                .checkpoint("tag-chosen")
                .step(app.checkout(Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG)))
                .verify(app.headIs(Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG)))
                .step(app.tag("v1.11.0-rollback").message("Rollback to working version"))
                .verify(app.tagExists("v1.11.0-rollback"))
                .build();

        RunReport report = Rollback.runner().confirmations(Confirmations.none()).run(plan).orThrow();

        assertThat(report.outputs()).containsEntry(PreviousStableTagStep.OUTPUT_TAG, "v1.11.0");
        assertThat(repo.revParse("v1.11.0-rollback")).isEqualTo(repo.revParse("v1.11.0"));
        assertThat(repo.read0("VERSION")).isEqualTo("v1.11.0\n");
    }

    @Test
    void aTagOfHeadReRunAfterHeadMovedKeepsTheTagItMadeInsteadOfFailing() throws IOException {
        TagStep tag = Git.repo(repo.dir()).tag("v9.0.0-rollback");
        TestStepContext first = ctx("tag");
        tag.execute(first);
        String tagged = repo.head();
        repo.commit("later.txt", "a later step committed\n", "later step");

        TestStepContext again = first.resumed();
        tag.execute(again);

        assertThat(repo.revParse("v9.0.0-rollback")).isEqualTo(tagged);
        assertThat(again.outputs()).containsEntry(TagStep.OUTPUT_COMMIT, tagged);
    }

    @Test
    void aBranchRewrittenSinceTheRunChoseItIsRefused() throws IOException {
        repo.git("branch", "release", "v1.9.0");
        CheckoutStep step = Git.repo(repo.dir()).checkout("release");
        TestStepContext first = ctx("co");
        first.remember("git.commit.release", repo.revParse("v1.9.0"));
        repo.git("branch", "-f", "release", "v1.2.0");   // someone pointed it back, not forward
        String head = repo.head();

        assertThatThrownBy(() -> step.execute(first.resumed())).isInstanceOf(GitOperationException.class)
                .hasMessageContaining("Branch release").hasMessageContaining("does not contain it").hasMessageContaining("Nothing was changed");
        assertThat(repo.head()).isEqualTo(head);
    }
}
