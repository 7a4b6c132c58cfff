package dev.rollback.git;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.git.internal.DoneOnce;
import dev.rollback.git.internal.Repos;
import org.eclipse.jgit.api.errors.CheckoutConflictException;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Checks out a tag or commit (detached HEAD) or a local branch, like {@code git checkout v1.2.3}.
 * Uncommitted changes to tracked files are refused, so that the deployed tree is exactly the
 * revision. Safe to run again: the revision is resolved to a commit once per run and kept in the
 * step's durable memory, so a re-run after a resume checks out the same commit although a tag or
 * {@code HEAD~1} names another by then; a local branch is switched to while it still holds that commit. Publishes {@value #OUTPUT_COMMIT} and {@value #OUTPUT_PREVIOUS_HEAD}.
 *
 * <pre>{@code
 * .step(app.checkout("v1.2.3"))
 * .step(app.checkout(Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG)))
 * }</pre>
 */
public final class CheckoutStep implements Step {
    /** Output: the commit checked out. */
    public static final String OUTPUT_COMMIT = "git.checkout.commit";
    /** Output: HEAD's commit before the step. */
    public static final String OUTPUT_PREVIOUS_HEAD = "git.checkout.previousHead";

    private static final Logger LOG = LoggerFactory.getLogger(CheckoutStep.class);
    private static final String MEMORY_PREVIOUS_HEAD = "git.checkout.previousHead";

    private final Git git;
    private final Revision revision;

    CheckoutStep(Git git, Revision revision) {
        this.git = git;
        this.revision = revision;
    }

    @Override
    public String name() {
        return "git checkout " + revision;
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of("check out " + revision + " in " + git.directory())
                .param("repository", git.directory()).param("revision", revision)
                .command(List.of("git", "-C", git.directory().toString(), "checkout", revision.toString()));
    }

    @Override
    public void execute(StepContext context) {
        Path dir = git.directory();
        if (DoneOnce.replayed(context, "the checkout of " + revision)) {
            return;
        }
        String rev = revision.in(context);
        try (org.eclipse.jgit.api.Git jgit = Repos.open(dir)) {
            Repository repo = jgit.getRepository();
            if (repo.isBare()) {
                throw new GitOperationException(dir, "Cannot check out in " + dir + ": it is a bare repository. Nothing was "
                        + "changed. Fix: point Git.repo(...) at a checkout", null);
            }
            List<String> dirty = Repos.uncommitted(jgit, dir, false);
            if (!dirty.isEmpty()) {
                throw new DirtyWorkingTreeException(dir, "check out " + rev, dirty,
                        "commit or stash the changes (or capture them with a hard reset step that keeps them), then resume");
            }
            // decided once per run: a re-run checks out the same commit and reports the same previous HEAD
            RevCommit target = Repos.commitOnce(context, repo, dir, revision, "check it out");
            String before = Repos.once(context, dir, MEMORY_PREVIOUS_HEAD, () -> Repos.head(repo, dir).name());
            boolean branch = repo.exactRef(Constants.R_HEADS + rev) != null;
            if (branch) {
                requireBranchStillHolds(repo, dir, rev, target);
            }
            // a tag or an id is checked out detached at its commit, as git does; a local branch is switched to
            jgit.checkout().setName(branch ? rev : target.name()).call();
            context.output(OUTPUT_PREVIOUS_HEAD, before);
            context.output(OUTPUT_COMMIT, target.name());
            DoneOnce.record(context, Map.of(OUTPUT_PREVIOUS_HEAD, before, OUTPUT_COMMIT, target.name()));
            LOG.info("Checked out {} ({}) in {}", rev, target.name(), dir);
        } catch (CheckoutConflictException e) {
            throw new DirtyWorkingTreeException(dir, "check out " + rev, e.getConflictingPaths(),
                    "move away the files that are in the way, then resume");
        } catch (GitAPIException e) {
            throw new GitOperationException(dir, "Could not check out " + rev + " in " + dir + " (" + e.getMessage()
                    + "). State left behind: check 'git status'. Fix: repair what it reports, then resume", e);
        } catch (IOException e) {
            throw Repos.io(dir, "check out " + rev, e);
        }
    }

    /**
     * A branch checked out by name may have moved forward since the run chose it (later steps of the
     * run commit to it); moved back or sideways, someone rewrote it, and the run refuses to follow.
     */
    private static void requireBranchStillHolds(Repository repo, Path dir, String branch, RevCommit chosen) throws IOException {
        RevCommit now = Repos.commit(repo, dir, Constants.R_HEADS + branch, "check it out");
        if (now.equals(chosen)) {
            return;
        }
        try (RevWalk walk = new RevWalk(repo)) {
            if (!walk.isMergedInto(walk.parseCommit(chosen), walk.parseCommit(now))) {
                throw new GitOperationException(dir, "Branch " + branch + " of " + dir + " was at " + chosen.name() + " when this run "
                        + "chose it and is at " + now.name() + " now, which does not contain it: someone reset or rewrote the branch. "
                        + "Nothing was changed. Fix: check 'git log " + branch + "'; check out the commit you mean, or start a new run", null);
            }
        }
    }
}
