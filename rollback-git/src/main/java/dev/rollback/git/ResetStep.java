package dev.rollback.git;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.git.internal.Repos;
import dev.rollback.git.internal.RunMemory;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.StashCreateCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * Resets HEAD and the current branch to a revision, like {@code git reset --soft/--mixed/--hard}. Nothing
 * is lost:
 * <ul>
 *   <li>before the reset a safety tag {@code rollback/safety/<runId>/<step>} records HEAD;</li>
 *   <li>a hard reset refuses uncommitted changes (tracked or untracked), unless
 *       {@link #keepUncommittedChanges()} is set, in which case they are stashed (untracked files
 *       included) and the stash is tagged {@code rollback/safety/<runId>/<step>-uncommitted}.</li>
 * </ul>
 * The commit the revision resolves to is recorded in the run folder before the reset, so that a
 * re-run after a resume resets to the same commit even for a relative revision such as {@code HEAD~5}.
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
        RunMemory memory = RunMemory.of(context, dir);
        try (org.eclipse.jgit.api.Git jgit = Repos.open(dir)) {
            Repository repo = jgit.getRepository();
            if (repo.isBare() && mode != ResetMode.SOFT) {
                throw new GitOperationException(dir, "Cannot reset " + mode.flag() + " in " + dir + ": it is a bare repository. "
                        + "Nothing was changed. Fix: point Git.repo(...) at a checkout", null);
            }
            ObjectId head = Repos.head(repo, dir);
            // the first attempt decides; a re-run after a resume reuses its decisions although HEAD has moved
            String before = memory.recall("previousHead").orElse(head.name());
            String target = memory.recall("target").orElse(null);
            if (target == null) {
                String rev = revision.in(context);
                RevCommit resolved = Repos.commit(repo, dir, rev, "reset " + mode.flag() + " to it");
                target = resolved.name();
            }
            List<String> dirty = mode == ResetMode.HARD ? Repos.uncommitted(jgit, dir, true) : List.of();
            if (!dirty.isEmpty() && !keepUncommitted) {
                throw new DirtyWorkingTreeException(dir, "reset --hard to " + revision, dirty,
                        "commit or stash them, or let the plan keep them with reset(...).keepUncommittedChanges() (they are then "
                                + "stashed and tagged rollback/safety/<runId>/<step>-uncommitted before the reset)");
            }
            memory.remember("previousHead", before);
            memory.remember("target", target);
            String safetyTag = Repos.safetyTag(context.runId(), context.stepName());
            Repos.keepTag(repo, dir, safetyTag, ObjectId.fromString(before));
            context.output(OUTPUT_SAFETY_TAG, safetyTag);
            context.output(OUTPUT_PREVIOUS_HEAD, before);
            if (!dirty.isEmpty()) {
                RevCommit stash = new StashCreateCommand(repo).setIncludeUntracked(true).setPerson(git.person(repo))
                        .setWorkingDirectoryMessage("rollback " + context.runId() + ": uncommitted changes before reset --hard")
                        .call();
                if (stash != null) {
                    Repos.keepTag(repo, dir, safetyTag + "-uncommitted", stash);
                    context.output(OUTPUT_STASH, stash.name());
                    context.progress("kept " + dirty.size() + " uncommitted change(s) in stash " + stash.abbreviate(10).name()
                            + ", tagged " + safetyTag + "-uncommitted");
                }
            }
            jgit.reset().setMode(ResetCommand.ResetType.valueOf(mode.name())).setRef(target).call();
            context.output(OUTPUT_HEAD, target);
            LOG.info("Reset {} {} to {} (was {}, safety tag {})", dir, mode.flag(), target, before, safetyTag);
        } catch (GitAPIException e) {
            throw new GitOperationException(dir, "Could not reset " + dir + " " + mode.flag() + " to " + revision + " ("
                    + e.getMessage() + "). State left behind: the previous HEAD is tagged rollback/safety/" + context.runId()
                    + "/...; check 'git status'. Fix: repair what it reports, then resume", e);
        }
    }
}
