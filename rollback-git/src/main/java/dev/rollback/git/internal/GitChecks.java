package dev.rollback.git.internal;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.core.spi.DescribedCheck;
import dev.rollback.git.Revision;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The checks {@code Git} hands out. */
public final class GitChecks {
    private GitChecks() {
    }

    /** The body of a check run on an open repository. */
    @FunctionalInterface
    private interface Body {
        CheckResult run(Git git, StepContext context) throws IOException;
    }

    /** A check that opens the repository, runs its body on it, and reads an I/O error as a {@code GitException}. */
    private static Check inRepository(String name, StepDescription description, Path dir, Body body) {
        return DescribedCheck.of(name, description, context -> {
            try (Git git = Repos.open(dir)) {
                return body.run(git, context);
            } catch (IOException e) {
                throw Repos.io(dir, "evaluate check '" + name + "'", e);
            }
        });
    }

    /**
     * @param dir the repository
     * @return a check that the working tree has no uncommitted or untracked path
     */
    public static Check workingTreeClean(Path dir) {
        String name = "git working tree clean " + dir.getFileName();
        return inRepository(name, StepDescription.of("working tree of " + dir + " has no uncommitted change")
                .command(List.of("git", "-C", dir.toString(), "status", "--porcelain")), dir, (git, ctx) -> {
            List<String> dirty = Repos.uncommitted(git, dir, true);
            return dirty.isEmpty() ? CheckResult.passed(name, "0 uncommitted paths", "0 uncommitted paths")
                    : CheckResult.failed(name, dirty.size() + " uncommitted paths", "0 uncommitted paths",
                    "uncommitted: " + String.join(", ", dirty.subList(0, Math.min(10, dirty.size())))
                            + (dirty.size() > 10 ? " and " + (dirty.size() - 10) + " more" : ""));
        });
    }

    /**
     * @param dir      the repository
     * @param revision the expected revision
     * @return a check that HEAD is that revision's commit
     */
    public static Check headIs(Path dir, Revision revision) {
        String name = "git HEAD is " + revision;
        return inRepository(name, StepDescription.of("HEAD of " + dir + " is " + revision)
                .command(List.of("git", "-C", dir.toString(), "rev-parse", "HEAD", revision + "^{commit}")), dir, (git, ctx) -> {
            Repository repo = git.getRepository();
            String rev = revision.toString();
            ObjectId expected = Repos.commitOnce(ctx, repo, dir, revision, "compare HEAD with it").getId();
            ObjectId head = repo.resolve(Constants.HEAD + "^{commit}");
            String measured = head == null ? "no commit" : head.name();
            return expected.equals(head) ? CheckResult.passed(name, measured, rev + " = " + expected.name())
                    : CheckResult.failed(name, measured, rev + " = " + expected.name(), "HEAD is not at " + rev);
        });
    }

    /**
     * @param dir the repository
     * @param tag the tag
     * @return a check that the tag exists
     */
    public static Check tagExists(Path dir, String tag) {
        String name = "git tag exists " + tag;
        return inRepository(name, StepDescription.of("tag " + tag + " exists in " + dir)
                .command(List.of("git", "-C", dir.toString(), "rev-parse", "--verify", "refs/tags/" + tag)), dir, (git, ctx) -> {
            var ref = git.getRepository().exactRef(Constants.R_TAGS + tag);
            return ref != null ? CheckResult.passed(name, "refs/tags/" + tag + " = " + ref.getObjectId().name(), "tag exists")
                    : CheckResult.failed(name, "no such tag", "tag exists", "tag " + tag + " does not exist; fetch tags or create it");
        });
    }

    /**
     * @param dir    the repository
     * @param branch the branch
     * @param commit the commit
     * @return a check that the branch's history contains the commit
     */
    public static Check branchContains(Path dir, String branch, Revision commit) {
        String name = "git " + branch + " contains " + commit;
        return inRepository(name, StepDescription.of("branch " + branch + " of " + dir + " contains " + commit)
                .command(List.of("git", "-C", dir.toString(), "merge-base", "--is-ancestor", commit.toString(), branch)), dir, (git, ctx) -> {
            Repository repo = git.getRepository();
            String rev = commit.toString();
            RevCommit c = Repos.commitOnce(ctx, repo, dir, commit, "look for it in " + branch);
            RevCommit b = Repos.commit(repo, dir, branch, "look for " + rev + " in it");
            try (RevWalk walk = new RevWalk(repo)) {
                boolean contains = walk.isMergedInto(walk.parseCommit(c), walk.parseCommit(b));
                return contains ? CheckResult.passed(name, branch + " contains " + c.name(), "contains " + rev)
                        : CheckResult.failed(name, branch + " at " + b.name() + " does not contain " + c.name(), "contains " + rev,
                        rev + " is not in the history of " + branch);
            }
        });
    }
}
