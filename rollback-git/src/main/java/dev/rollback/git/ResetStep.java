package dev.rollback.git;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.git.internal.DoneOnce;
import dev.rollback.git.internal.Repos;
import dev.rollback.git.internal.TreeSwitch;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.StashCreateCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryState;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resets HEAD and the current branch to a revision, like {@code git reset --soft/--mixed/--hard}. Nothing
 * is lost:
 * <ul>
 *   <li>before the reset a safety tag {@code rollback/safety/<runId>/<step>} records HEAD;</li>
 *   <li>a hard reset refuses uncommitted changes (tracked or untracked), unless
 *       {@link #keepUncommittedChanges()} is set, in which case they are stashed (untracked files
 *       included) and the stash is tagged {@code rollback/safety/<runId>/<step>-uncommitted}.</li>
 * </ul>
 * The commit the revision resolves to, and HEAD before the reset, are decided once per run and kept in
 * the step's durable memory (journaled before the reset), so that a re-run after a resume, also on
 * another machine, resets to the same commit and tags the same old HEAD even for a relative revision
 * such as {@code HEAD~5}.
 * Publishes {@value #OUTPUT_SAFETY_TAG}, {@value #OUTPUT_PREVIOUS_HEAD}, {@value #OUTPUT_HEAD} and, when
 * changes were kept, {@value #OUTPUT_STASH}.
 *
 * <pre>{@code
 * .restore(app.reset(ResetMode.HARD, "HEAD~5"))
 * .restore(app.reset(ResetMode.HARD, "v1.2.3").keepUncommittedChanges())
 * }</pre>
 */
public final class ResetStep implements Step {
    /** Output: the safety tag recording HEAD before the reset. */
    public static final String OUTPUT_SAFETY_TAG = "git.reset.safetyTag";
    /** Output: HEAD before the reset. */
    public static final String OUTPUT_PREVIOUS_HEAD = "git.reset.previousHead";
    /** Output: HEAD after the reset. */
    public static final String OUTPUT_HEAD = "git.reset.head";
    /** Output: the stash commit holding the uncommitted changes kept before a hard reset. */
    public static final String OUTPUT_STASH = "git.reset.stash";

    private static final Logger LOG = LoggerFactory.getLogger(ResetStep.class);
    private static final String MEMORY_PREVIOUS_HEAD = "git.reset.previousHead";

    private final Git git;
    private final ResetMode mode;
    private final Revision revision;
    private final boolean keepUncommitted;

    ResetStep(Git git, ResetMode mode, Revision revision, boolean keepUncommitted) {
        this.git = git;
        this.mode = mode;
        this.revision = revision;
        this.keepUncommitted = keepUncommitted;
    }

    /**
     * Lets a hard reset go on over uncommitted changes after stashing them (untracked files included) and
     * tagging the stash, instead of refusing. The plan's way of saying "force".
     *
     * @return a copy of this step
     */
    public ResetStep keepUncommittedChanges() {
        return new ResetStep(git, mode, revision, true);
    }

    @Override
    public String name() {
        return "git reset " + mode.flag() + " " + revision;
    }

    /** @return true for a hard reset, which replaces the working tree */
    @Override
    public boolean destructive() {
        return mode == ResetMode.HARD;
    }

    @Override
    public String confirmationTarget() {
        Path name = git.directory().getFileName();
        return name == null ? git.directory().toString() : name.toString();
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of("reset " + git.directory() + " " + mode.flag() + " to " + revision
                        + " after tagging HEAD as rollback/safety/<runId>/<step>")
                .param("repository", git.directory()).param("mode", mode).param("revision", revision)
                .param("uncommitted changes", mode != ResetMode.HARD ? "kept in place" : keepUncommitted ? "stashed and tagged" : "refused")
                .command(List.of("git", "-C", git.directory().toString(), "tag", "rollback/safety/<runId>/<step>", "HEAD"))
                .command(List.of("git", "-C", git.directory().toString(), "reset", mode.flag(), revision.toString()));
    }

    @Override
    public void execute(StepContext context) {
        Path dir = git.directory();
        if (DoneOnce.replayed(context, "the reset to " + revision)) {
            return;
        }
        try (org.eclipse.jgit.api.Git jgit = Repos.open(dir)) {
            Repository repo = jgit.getRepository();
            if (repo.isBare() && mode != ResetMode.SOFT) {
                throw new GitOperationException(dir, "Cannot reset " + mode.flag() + " in " + dir + ": it is a bare repository. "
                        + "Nothing was changed. Fix: point Git.repo(...) at a checkout", null);
            }
            // the index read once, unlocked, for the dirty check and, unless it changes meanwhile, for the switch
            DirCache index = mode == ResetMode.HARD ? repo.readDirCache() : null;
            List<String> dirty = mode == ResetMode.HARD ? Repos.uncommitted(jgit, dir, true, index) : List.of();
            if (!dirty.isEmpty() && !keepUncommitted) {
                throw dirty(dir, dirty);
            }
            // Decided once per run, journaled before anything moves: a re-run after a resume (on any machine) resets
            // to the same commit and tags the same old HEAD, although HEAD~2 names another commit by then.
            String before = Repos.once(context, dir, MEMORY_PREVIOUS_HEAD, () -> Repos.head(repo, dir).name());
            String target = Repos.commitOnce(context, repo, dir, revision, "reset " + mode.flag() + " to it").name();
            String safetyTag = Repos.safetyTag(context.runId(), context.stepName());
            Repos.keepTag(repo, dir, safetyTag, ObjectId.fromString(before));
            context.output(OUTPUT_SAFETY_TAG, safetyTag);
            context.output(OUTPUT_PREVIOUS_HEAD, before);
            String stashed = null;
            if (!dirty.isEmpty()) {
                RevCommit stash = new StashCreateCommand(repo).setIncludeUntracked(true).setPerson(git.person(repo))
                        .setWorkingDirectoryMessage("rollback " + context.runId() + ": uncommitted changes before reset --hard")
                        .call();
                if (stash != null) {
                    Repos.keepTag(repo, dir, safetyTag + "-uncommitted", stash);
                    stashed = stash.name();
                    context.output(OUTPUT_STASH, stashed);
                    context.progress("kept " + dirty.size() + " uncommitted change(s) in stash " + stash.abbreviate(10).name()
                            + ", tagged " + safetyTag + "-uncommitted");
                }
            }
            if (mode == ResetMode.HARD && repo.getRepositoryState() == RepositoryState.SAFE) {
                hardReset(repo, dir, target, stashed == null ? Repos.lockUnchanged(jgit, dir, index, true, d -> dirty(dir, d)) : repo.lockDirCache());
            } else {   // soft, mixed, or a merge in progress to clear: JGit's reset
                jgit.reset().setMode(ResetCommand.ResetType.valueOf(mode.name())).setRef(target).call();
            }
            context.output(OUTPUT_HEAD, target);
            // done, durably: a re-run later in the run (after a resume) does not reset the branch HEAD is on by then
            Map<String, String> outputs = new LinkedHashMap<>(Map.of(OUTPUT_SAFETY_TAG, safetyTag, OUTPUT_PREVIOUS_HEAD, before,
                    OUTPUT_HEAD, target));
            if (stashed != null) {
                outputs.put(OUTPUT_STASH, stashed);
            }
            DoneOnce.record(context, outputs);
            LOG.info("Reset {} {} to {} (was {}, safety tag {})", dir, mode.flag(), target, before, safetyTag);
        } catch (IOException e) {
            throw Repos.io(dir, "reset " + mode.flag() + " to " + revision + " (the previous HEAD is tagged rollback/safety/"
                    + context.runId() + "/...)", e);
        } catch (GitAPIException e) {
            throw new GitOperationException(dir, "Could not reset " + dir + " " + mode.flag() + " to " + revision + " ("
                    + e.getMessage() + "). State left behind: the previous HEAD is tagged rollback/safety/" + context.runId()
                    + "/...; check 'git status'. Fix: repair what it reports, then resume", e);
        }
    }

    private DirtyWorkingTreeException dirty(Path dir, List<String> dirty) {
        return new DirtyWorkingTreeException(dir, "reset --hard to " + revision, dirty,
                "commit or stash them, or let the plan keep them with reset(...).keepUncommittedChanges() (they are then "
                        + "stashed and tagged rollback/safety/<runId>/<step>-uncommitted before the reset)");
    }

    /**
     * {@code git reset --hard} on a tree known to be clean (checked, or stashed just before): only the paths that
     * differ between HEAD and the target are written, instead of a checkout that walks every file; then HEAD (its
     * branch) moves, with a reflog entry and ORIG_HEAD, as the CLI leaves them.
     */
    private static void hardReset(Repository repo, Path dir, String target, DirCache index) throws IOException {
        RevCommit from;
        RevCommit to;
        try (RevWalk walk = new RevWalk(repo)) {
            from = walk.parseCommit(Repos.head(repo, dir));
            to = walk.parseCommit(ObjectId.fromString(target));
            if (!from.getTree().equals(to.getTree())) {
                TreeSwitch.switchTrees(repo, index, from.getTree(), to.getTree(), false);
            }
        } finally {
            index.unlock();   // the switch unlocks it too; this is for equal trees and failures before it
        }
        RefUpdate u = repo.updateRef(Constants.HEAD);
        u.setNewObjectId(to);
        u.setRefLogMessage("reset: moving to " + target, false);
        RefUpdate.Result r = u.forceUpdate();
        if (r != RefUpdate.Result.FORCED && r != RefUpdate.Result.NO_CHANGE && r != RefUpdate.Result.NEW
                && r != RefUpdate.Result.FAST_FORWARD) {
            TreeSwitch.switchTrees(repo, to.getTree(), from.getTree(), false);
            throw new GitOperationException(dir, "Could not move HEAD of " + dir + " to " + target + " (" + r + "; another "
                    + "process may hold the branch). State left behind: working tree and HEAD back at " + from.name()
                    + ". Fix: check 'git status' and resume", null);
        }
        repo.writeOrigHead(from);
    }
}
