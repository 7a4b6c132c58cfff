package dev.rollback.git;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.git.internal.DoneOnce;
import dev.rollback.git.internal.Repos;
import dev.rollback.git.internal.RevertTree;
import dev.rollback.git.internal.TreeSwitch;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryState;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reverts commits, newest first (whatever order they are given in), each as a new commit on HEAD, like
 * {@code git revert --no-edit}. The
 * reverts are merged in memory first; only when all of them apply cleanly are the index, working tree
 * and branch moved, so a conflict leaves the repository exactly as it was.
 *
 * <p>Safe to run again: each revision ({@code HEAD}, {@code HEAD~1}, a branch) is resolved to a
 * commit once per run and kept in the step's durable memory, so a re-run after a resume, on any
 * machine, reverts the same commits, not the revert that {@code HEAD} names by then; and a commit
 * whose revert is already in HEAD's history ("This reverts commit &lt;id&gt;.") is skipped.
 * Publishes {@value #OUTPUT_HEAD} and {@value #OUTPUT_REVERTED}.
 *
 * <pre>{@code
 * .step(Git.repo(dir).revert("4f2a91c"))
 * .step(Git.repo(dir).revert("HEAD").mainline(1))     // a merge commit, keeping its first parent
 * }</pre>
 */
public final class RevertStep implements Step {
    /** Output: HEAD after the step. */
    public static final String OUTPUT_HEAD = "git.revert.head";
    /** Output: the commits reverted, comma separated, newest first. */
    public static final String OUTPUT_REVERTED = "git.revert.commits";

    private static final Logger LOG = LoggerFactory.getLogger(RevertStep.class);
    // How far back HEAD's history is searched for an earlier revert of the same commit.
    private static final int ALREADY_REVERTED_SEARCH_LIMIT = 10_000;

    private final Git git;
    private final List<Revision> commits;
    private final int mainline;

    RevertStep(Git git, List<Revision> commits, int mainline) {
        this.git = git;
        if (commits.isEmpty()) {
            throw new IllegalArgumentException("revert needs at least one commit, newest first");
        }
        commits.forEach(c -> Objects.requireNonNull(c, "commit"));
        this.commits = List.copyOf(commits);
        this.mainline = mainline;
    }

    /**
     * For a merge commit: the parent whose side is kept ({@code git revert -m 1}); 1 is the branch merged into.
     *
     * @param parent the parent number, from 1
     * @return a copy of this step
     */
    public RevertStep mainline(int parent) {
        if (parent < 1) {
            throw new IllegalArgumentException("mainline parent " + parent + " is not a parent number; parents count from 1");
        }
        return new RevertStep(git, commits, parent);
    }

    @Override
    public String name() {
        return "git revert " + commits.stream().map(Revision::toString).collect(Collectors.joining(" "));
    }

    @Override
    public StepDescription describe() {
        List<String> argv = new ArrayList<>(List.of("git", "-C", git.directory().toString(), "revert", "--no-edit"));
        if (mainline > 0) {
            argv.add("-m");
            argv.add(String.valueOf(mainline));
        }
        commits.forEach(c -> argv.add(c.toString()));
        StepDescription d = StepDescription.of("revert " + commits.size() + " commit(s) in " + git.directory() + ", newest first")
                .param("repository", git.directory()).param("commits", commits);
        if (mainline > 0) {
            d = d.param("mainline", mainline);
        }
        return d.command(argv);
    }

    @Override
    public void execute(StepContext context) {
        Path dir = git.directory();
        if (DoneOnce.replayed(context, "the revert of " + commits)) {
            return;
        }
        try (org.eclipse.jgit.api.Git jgit = Repos.open(dir)) {
            Repository repo = jgit.getRepository();
            if (repo.isBare()) {
                throw new GitOperationException(dir, "Cannot revert in " + dir + ": it is a bare repository without a working tree. "
                        + "Nothing was changed. Fix: point Git.repo(...) at a checkout", null);
            }
            if (repo.getRepositoryState() != RepositoryState.SAFE) {
                throw new GitOperationException(dir, "Cannot revert in " + dir + ": a " + repo.getRepositoryState().getDescription()
                        + " is in progress. Nothing was changed. Fix: finish or abort it ('git merge --abort', "
                        + "'git revert --abort', 'git rebase --abort') and resume", null);
            }
            // The index read once, unlocked, for the dirty check and, unless it changes meanwhile, for the switch: the
            // lock is taken after the commits to revert are journaled, so a kill while journaling leaves no index.lock.
            DirCache index = repo.readDirCache();
            List<String> dirty = Repos.uncommitted(jgit, dir, false, index);
            if (!dirty.isEmpty()) {
                throw dirty(dir, dirty);
            }
            ObjectId origHead = Repos.head(repo, dir);
            // HEAD, HEAD~1 or a branch name the first time: on a re-run HEAD is the revert itself
            Set<RevCommit> targets = new LinkedHashSet<>();
            for (Revision r : commits) {
                targets.add(Repos.commitOnce(context, repo, dir, r, "revert it"));
            }
            revert(context, jgit, dir, origHead, new ArrayList<>(targets), index);
        } catch (IOException e) {
            throw Repos.io(dir, "revert " + commits, e);
        }
    }

    private DirtyWorkingTreeException dirty(Path dir, List<String> dirty) {
        return new DirtyWorkingTreeException(dir, "revert " + commits, dirty,
                "commit, stash or reset the changes so that the revert commits hold only the revert, then resume");
    }

    private void revert(StepContext context, org.eclipse.jgit.api.Git jgit, Path dir, ObjectId origHead, List<RevCommit> targets,
                        DirCache index) throws IOException {
        Repository repo = jgit.getRepository();
        List<String> reverted = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo); ObjectInserter inserter = repo.newObjectInserter()) {
            RevCommit head = walk.parseCommit(origHead);
            RevCommit tip = head;
            PersonIdent person = git.person(repo);
            for (RevCommit target : newestFirst(walk, targets)) {
                RevCommit c = walk.parseCommit(target);
                walk.reset();
                if (!walk.isMergedInto(c, head)) {
                    throw new GitOperationException(dir, "Commit " + c.name() + " is not in the history of HEAD (" + head.name()
                            + ") in " + dir + "; reverting it would undo changes that were never deployed. Nothing was changed. "
                            + "Fix: check the commit id against 'git log --oneline'", null);
                }
                walk.reset();
                if (alreadyReverted(walk, tip, c)) {
                    context.progress("commit " + c.abbreviate(10).name() + " is already reverted in HEAD's history; skipped");
                    continue;
                }
                RevCommit parent = parentToKeep(dir, c);
                walk.parseHeaders(parent);
                // the paths the commit changed and nobody touched since: only their trees are rewritten; else a real merge
                ObjectId tree = RevertTree.of(repo, inserter, tip.getTree(), c.getTree(), parent.getTree());
                if (tree == null) {
                    ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repo, true);
                    merger.setBase(c.getTree());
                    if (!merger.merge(tip, parent)) {
                        Set<String> paths = new LinkedHashSet<>(merger.getUnmergedPaths());
                        if (merger.getFailingPaths() != null) {
                            paths.addAll(merger.getFailingPaths().keySet());
                        }
                        throw new RevertConflictException(dir, c.name(), new ArrayList<>(paths));
                    }
                    tree = merger.getResultTreeId();
                }
                CommitBuilder cb = new CommitBuilder();
                cb.setTreeId(tree);
                cb.setParentId(tip);
                cb.setAuthor(person);
                cb.setCommitter(person);
                cb.setMessage(message(c, parent));
                ObjectId id = inserter.insert(cb);
                inserter.flush();
                tip = walk.parseCommit(id);
                reverted.add(c.name());
                context.progress("reverted " + c.abbreviate(10).name() + " as " + tip.abbreviate(10).name());
            }
            if (!tip.equals(head)) {
                moveTo(jgit, dir, head, tip, index);
            }
            context.output(OUTPUT_HEAD, tip.name());
            context.output(OUTPUT_REVERTED, String.join(",", reverted));
            // done, durably: a re-run later in the run does not revert again, wherever HEAD is by then
            DoneOnce.record(context, Map.of(OUTPUT_HEAD, tip.name(), OUTPUT_REVERTED, String.join(",", reverted)));
            LOG.info("Reverted {} commit(s) in {}; HEAD is {}", reverted.size(), dir, tip.name());
        }
    }

    /**
     * Orders the commits so that none comes before one of its descendants, as reverting must go (newest
     * first); unrelated commits keep the order given.
     */
    private static List<RevCommit> newestFirst(RevWalk walk, List<RevCommit> commits) throws IOException {
        List<RevCommit> remaining = new ArrayList<>();
        for (RevCommit c : commits) {
            remaining.add(walk.parseCommit(c));
        }
        List<RevCommit> ordered = new ArrayList<>();
        while (!remaining.isEmpty()) {
            RevCommit pick = remaining.get(0);
            for (RevCommit candidate : remaining) {
                boolean olderThanAnother = false;
                for (RevCommit other : remaining) {
                    walk.reset();
                    if (other != candidate && walk.isMergedInto(candidate, other)) {
                        olderThanAnother = true;
                        break;
                    }
                }
                if (!olderThanAnother) {
                    pick = candidate;
                    break;
                }
            }
            ordered.add(pick);
            remaining.remove(pick);
        }
        walk.reset();
        return ordered;
    }

    /**
     * Locks the index (checked again if it changed since it was read), updates it and the working tree from HEAD's
     * tree to the result (only the paths that differ: the tree is known to be clean), then moves the branch.
     */
    private void moveTo(org.eclipse.jgit.api.Git jgit, Path dir, RevCommit head, RevCommit tip, DirCache index) throws IOException {
        Repository repo = jgit.getRepository();
        try {
            // locked only for the switch, which writes the index and unlocks it: no journal write while it is held
            TreeSwitch.switchTrees(repo, Repos.lockUnchanged(jgit, dir, index, false, d -> dirty(dir, d)), head.getTree(),
                    tip.getTree(), true);
        } catch (TreeSwitch.InTheWayException e) {
            throw new GitOperationException(dir, "Could not write the revert into the working tree of " + dir + ": files are in "
                    + "the way (" + e.getMessage() + "). State left behind: HEAD, index and working tree unchanged. Fix: move "
                    + "the untracked files away and resume", e);
        }
        RefUpdate u = repo.updateRef(Constants.HEAD);
        u.setExpectedOldObjectId(head);
        u.setNewObjectId(tip);
        u.setRefLogMessage("revert: rollback", false);
        RefUpdate.Result result = u.update();
        if (result != RefUpdate.Result.FAST_FORWARD && result != RefUpdate.Result.FORCED && result != RefUpdate.Result.NEW) {
            // put the working tree back where HEAD is
            TreeSwitch.switchTrees(repo, tip.getTree(), head.getTree(), false);
            throw new GitOperationException(dir, "Could not move HEAD of " + dir + " to the revert commit " + tip.name() + " ("
                    + result + "; another process may have changed the branch). State left behind: working tree and HEAD back "
                    + "at " + head.name() + ". Fix: check 'git log -1' and resume", null);
        }
    }

    private RevCommit parentToKeep(Path dir, RevCommit c) {
        int parents = c.getParentCount();
        if (parents == 0) {
            throw new GitOperationException(dir, "Commit " + c.name() + " is the root commit of " + dir + "; it has no parent to "
                    + "revert to. Nothing was changed. Fix: revert a later commit", null);
        }
        if (parents > 1) {
            if (mainline == 0) {
                throw new GitOperationException(dir, "Commit " + c.name() + " is a merge with " + parents + " parents; git cannot "
                        + "tell which side to keep. Nothing was changed. Fix: choose the mainline parent, usually 1 (the branch "
                        + "merged into): revert(...).mainline(1)", null);
            }
            if (mainline > parents) {
                throw new GitOperationException(dir, "Commit " + c.name() + " has " + parents + " parents; mainline " + mainline
                        + " does not exist. Nothing was changed. Fix: pass a mainline between 1 and " + parents, null);
            }
            return c.getParent(mainline - 1);
        }
        if (mainline > 1) {
            throw new GitOperationException(dir, "Commit " + c.name() + " is not a merge, but mainline " + mainline + " was given. "
                    + "Nothing was changed. Fix: drop .mainline(...) for ordinary commits", null);
        }
        return c.getParent(0);
    }

    private String message(RevCommit c, RevCommit parent) {
        StringBuilder m = new StringBuilder("Revert \"").append(c.getShortMessage()).append("\"\n\nThis reverts commit ")
                .append(c.name());
        if (c.getParentCount() > 1) {
            m.append(", reversing\nchanges made to ").append(parent.name());
        }
        return m.append(".\n").toString();
    }

    /** Whether HEAD's first-parent history since the commit holds a revert of it (a re-run after a resume). */
    private static boolean alreadyReverted(RevWalk walk, RevCommit from, RevCommit target) throws IOException {
        String marker = "This reverts commit " + target.name();
        RevCommit c = walk.parseCommit(from);
        for (int i = 0; i < ALREADY_REVERTED_SEARCH_LIMIT && c != null && !c.equals(target); i++) {
            walk.parseBody(c);
            if (c.getFullMessage().contains(marker)) {
                return true;
            }
            c = c.getParentCount() == 0 ? null : walk.parseCommit(c.getParent(0));
        }
        return false;
    }
}
