package dev.rollback.git;

import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.test.CrashDrill;
import dev.rollback.test.CrashDrillReport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Git steps resolve moving revisions once per run: a plan with {@code previousStableTag},
 * {@code revert("HEAD")}, {@code reset(HARD, "HEAD~2")}, a checkout of the chosen tag and a tag, with no
 * checkpoint until the end (so every kill re-runs every git step), is killed with SIGKILL at every step
 * boundary, inside every step and right after every value a step journals in its memory (the revert once held
 * {@code .git/index.lock} there, and the resume failed on the lock left behind), resumed in a new JVM, and must end
 * exactly as an uninterrupted run.
 * The same plan with a revert that forgets what it resolved shows the failure this prevents: killed
 * between the revert and the checkpoint, the resume reverts the revert.
 */
class GitCrashDrillIT {
    static final String REPO = "drill.git.repo";

    @TempDir
    static Path root;
    static Path template;
    static Map<String, String> commits;

    @BeforeAll
    static void history() throws IOException {
        // c1 v1.0.0, c2 v1.1.0, c3 v1.2.0, c4, c5, c6 v1.3.0 = HEAD on main
        TestRepo repo = TestRepo.init(root.resolve("template"));
        repo.commit("VERSION", "1.0.0\n", "release 1.0.0");
        repo.git("tag", "-a", "v1.0.0", "-m", "1.0.0");
        repo.commit("VERSION", "1.1.0\n", "release 1.1.0");
        repo.git("tag", "-a", "v1.1.0", "-m", "1.1.0");
        repo.commit("VERSION", "1.2.0\n", "release 1.2.0");
        repo.git("tag", "-a", "v1.2.0", "-m", "1.2.0");
        repo.commit("feature.txt", "part one\n", "feature part one");
        repo.commit("feature.txt", "part one\npart two\n", "feature part two");
        repo.commit("VERSION", "1.3.0\n", "release 1.3.0 (bad)");
        repo.git("tag", "-a", "v1.3.0", "-m", "1.3.0");
        template = repo.dir();
        commits = Map.of("c3", repo.revParse("v1.2.0"), "c5", repo.revParse("HEAD~1"), "c6", repo.head());
    }

    /** The plan every drill runs, from the repository named by a system property. */
    public static final class CodeRollback implements Supplier<RollbackPlan> {
        @Override
        public RollbackPlan get() {
            return plan(Git.repo(Path.of(System.getProperty(REPO))).identity("Drill", "drill@example.com"), false);
        }
    }

    /** The same plan with a revert that cannot remember: what every git step was before step memory. */
    public static final class ForgetfulCodeRollback implements Supplier<RollbackPlan> {
        @Override
        public RollbackPlan get() {
            return plan(Git.repo(Path.of(System.getProperty(REPO))).identity("Drill", "drill@example.com"), true);
        }
    }

    static RollbackPlan plan(Git app, boolean forgetfulRevert) {
        Step revert = app.revert("HEAD");
        return Rollback.plan("code-rollback")
                .precheck(app.workingTreeClean())
                .step(app.previousStableTag("v*"))                                         // v1.2.0, below the v1.3.0 on HEAD
                .capture(app.safetyTag())
                .step(forgetfulRevert ? new Forgetful(revert) : revert)                    // reverts v1.3.0's commit
                .restore(app.reset(ResetMode.HARD, "HEAD~2"))                              // from the revert: c5
                .step(app.checkout(Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG)))  // detached at v1.2.0
                .step(app.tag("v1.2.0-rollback"))
                .checkpoint("code-rolled-back")
                .verify(app.headIs(Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG)))
                .build();
    }

    private CrashDrill drill(Class<? extends Supplier<RollbackPlan>> plan, Path repo) {
        return CrashDrill.of(plan).systemProperty(REPO, repo.toString()).workDirectory(root.resolve("drills"))
                .beforeEachRun(() -> copy(template, repo));
    }

    @Test
    void revertHeadResetHeadTildeTwoAndThePreviousStableTagSurviveAKillAtEveryPoint() {
        Path repo = root.resolve("repo");
        CrashDrillReport report = drill(CodeRollback.class, repo).killAtEveryStepBoundary().killInsideEveryStep()
                .killAfterEveryStepMemory().verify(() -> state(repo));

        assertThat(report.baselineState()).contains("main=" + commits.get("c5")).contains("HEAD=" + commits.get("c3") + " detached")
                .contains("tag v1.2.0-rollback=" + commits.get("c3"))
                .contains("safety tags=2: Revert \"release 1.3.0 (bad)\" | release 1.3.0 (bad)")
                .contains("status=clean");
        // 9 steps: 8 inside points (the checkpoint excepted), 9 after-step points, 1 after-checkpoint point, and 14 points
        // right after a step journaled a value it remembered
        assertThat(report.points()).hasSize(32).allSatisfy(p -> assertThat(p.passed()).isTrue());
        // killed while the revert journals the commit HEAD named: it held .git/index.lock there once, and the resume
        // (like any git command) failed on the lock left behind; now the index is locked only after the journal write
        CrashDrillReport.PointResult revertJournals = report.points().stream()
                .filter(p -> p.point().equals("after-memory:4:git.commit.HEAD")).findFirst().orElseThrow(() -> new AssertionError(report.summary()));
        assertThat(revertJournals.resumes()).isEqualTo(1);
        assertThat(revertJournals.journalExcerpt()).contains("RunResumed").doesNotContain("index.lock");
        assertThat(report.points()).extracting(CrashDrillReport.PointResult::point)
                .contains("after-memory:5:git.reset.previousHead", "after-memory:5:git.commit.HEAD~2", "after-memory:5:git.done");
        assertThat(report.points()).extracting(CrashDrillReport.PointResult::point).contains("after-step:4", "after-step:5", "after-step:6");
        // killed after the revert: the resume ran it again, and it knew what it had reverted
        CrashDrillReport.PointResult afterRevert = report.points().stream().filter(p -> p.point().equals("after-step:4")).findFirst()
                .orElseThrow();
        assertThat(afterRevert.journalExcerpt()).contains("RunResumed").contains("StepMemory 4 'git revert HEAD' git.commit.HEAD=" + commits.get("c6"));
    }

    @Test
    void withoutStepMemoryAKillBetweenTheRevertAndTheCheckpointRevertsTheRevert() {
        Path repo = root.resolve("forgetful");
        CrashDrillReport report = drill(ForgetfulCodeRollback.class, repo).killAtEveryStepBoundary().run(() -> state(repo));

        assertThat(report.passed()).isFalse();
        CrashDrillReport.PointResult afterRevert = report.failures().stream().filter(p -> p.point().equals("after-step:4")).findFirst()
                .orElseThrow(() -> new AssertionError(report.summary()));
        // HEAD on resume is the revert: reverting "HEAD" again reverts the revert, and HEAD~2 is then c6, the bad release
        assertThat(afterRevert.finalState()).contains("main=" + commits.get("c6")).doesNotContain("main=" + commits.get("c5"));
        assertThat(afterRevert.problems()).anySatisfy(p -> assertThat(p).contains("end state differs"));
    }

    /** What the plan leaves: main, HEAD, tags, safety tags, working tree. Commit ids of new commits vary, so they are left out. */
    static String state(Path repo) {
        TestRepo r = TestRepo.open(repo);
        String symbolic = GitCli.tryGit(repo, "symbolic-ref", "-q", "HEAD").out();
        // what each safety tag points at, by subject: the reset's tag is on the revert commit, whose id varies
        List<String> safety = r.git("for-each-ref", "--format=%(subject)", "refs/tags/rollback/safety/").lines().sorted().toList();
        return "main=" + r.revParse("main") + "\nHEAD=" + r.head() + (symbolic.isBlank() ? " detached" : " on " + symbolic)
                + "\ntag v1.2.0-rollback=" + GitCli.tryGit(repo, "rev-parse", "-q", "--verify", "v1.2.0-rollback^{commit}").out()
                + "\nsafety tags=" + safety.size() + ": " + String.join(" | ", safety)
                + "\nstatus=" + (r.status().isBlank() ? "clean" : r.status())
                + "\nVERSION=" + r.read0("VERSION").strip();
    }

    static void copy(Path from, Path to) {
        try {
            if (Files.exists(to)) {
                try (Stream<Path> s = Files.walk(to)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            try (Stream<Path> s = Files.walk(from)) {
                for (Path p : s.toList()) {
                    Files.copy(p, to.resolve(from.relativize(p).toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a step with a context that remembers nothing: the git steps as they were before step memory. */
    private record Forgetful(Step step) implements Step {
        @Override
        public String name() {
            return step.name();
        }

        @Override
        public StepDescription describe() {
            return step.describe();
        }

        @Override
        public void execute(StepContext context) throws Exception {
            step.execute(new DelegatingContext(context) {
                @Override
                public void remember(String key, String value) {
                }

                @Override
                public Optional<String> recall(String key) {
                    return Optional.empty();
                }

                @Override
                public Map<String, String> memory() {
                    return Map.of();
                }
            });
        }
    }
}
