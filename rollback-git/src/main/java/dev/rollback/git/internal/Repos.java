package dev.rollback.git.internal;

import dev.rollback.core.StepContext;
import dev.rollback.git.GitOperationException;
import dev.rollback.git.GitRepositoryNotFoundException;
import dev.rollback.git.Revision;
import dev.rollback.git.UnknownRevisionException;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.LockFailedException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FS;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/** Opening repositories, resolving revisions and naming safety refs, with failures wrapped once. */
public final class Repos {
    /** Prefix of every safety tag the module creates. */
    public static final String SAFETY_PREFIX = "rollback/safety/";

    private Repos() {
    }

    /**
     * Opens the repository at a working tree or bare folder.
     *
     * @param dir the folder
     * @return JGit's porcelain on it; close it
     */
    public static Git open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new GitRepositoryNotFoundException(dir, null);
        }
        File gitDir = RepositoryCache.FileKey.resolve(dir.toFile(), FS.DETECTED);
        if (gitDir == null) {
            throw new GitRepositoryNotFoundException(dir, null);
        }
        try {
            Repository repo = new FileRepositoryBuilder().setGitDir(gitDir).setMustExist(true).build();
            return new Git(repo, true);
        } catch (IOException e) {
            throw new GitOperationException(dir, "Could not open the git repository at " + dir + " (" + e.getMessage()
                    + "). Nothing was changed. Fix: check that the folder is readable and the repository is not corrupt "
                    + "('git fsck')", e);
        }
    }

    /**
     * Resolves a revision to a commit, peeling annotated tags.
     *
     * @param repo the repository
     * @param dir  its folder, for messages
     * @param rev  the revision text
     * @param what what the caller will do with it, for messages
     * @return the commit
     */
    public static RevCommit commit(Repository repo, Path dir, String rev, String what) {
        ObjectId id;
        try {
            id = repo.resolve(rev + "^{commit}");
        } catch (RevisionSyntaxException | AmbiguousObjectException | IncorrectObjectTypeException | MissingObjectException e) {
            throw new UnknownRevisionException(dir, rev, what);
        } catch (IOException e) {
            throw io(dir, "resolve revision '" + rev + "'", e);
        }
        if (id == null) {
            throw new UnknownRevisionException(dir, rev, what);
        }
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(id);
            walk.parseBody(c);
            return c;
        } catch (MissingObjectException | IncorrectObjectTypeException e) {
            throw new UnknownRevisionException(dir, rev, what);
        } catch (IOException e) {
            throw io(dir, "read commit " + id.name(), e);
        }
    }

    /**
     * Resolves a revision to a commit once per run. The first call resolves it and remembers the
     * commit id in the step's durable memory ({@link StepContext#remember}, journaled before the step
     * goes on); every later call in the run, after a retry, a resume or a resume on another machine,
     * gets that commit again, although {@code HEAD}, the branch or {@code HEAD~2} names another one
     * by then. So a re-run never reverts the revert it made, nor resets two commits further back.
     *
     * @param context  the running step
     * @param repo     the repository
     * @param dir      its folder, for messages
     * @param revision the revision
     * @param what     what the step will do with it, for messages
     * @return the commit, the same on every call of the run
     */
    public static RevCommit commitOnce(StepContext context, Repository repo, Path dir, Revision revision, String what) {
        String key = "git.commit." + revision;
        Optional<String> known = context.recall(key);
        if (known.isEmpty()) {
            RevCommit c = commit(repo, dir, revision.in(context), what);
            context.remember(key, c.name());
            return c;
        }
        String id = known.get();
        RevCommit c;
        try {
            c = commit(repo, dir, id, what);
        } catch (UnknownRevisionException e) {
            throw new GitOperationException(dir, "Commit " + id + ", which " + revision + " named when this run first ran the step, "
                    + "is not in " + dir + " (a resume on another machine, or a clone without it). Nothing was changed. Fix: fetch it "
                    + "('git fetch origin " + id + "'), then resume", e);
        }
        if (!revision.isFromOutput()) {
            String now = currentName(repo, revision.toString());
            if (now != null && !now.equals(id)) {
                context.progress("re-run: " + revision + " was " + c.abbreviate(10).name() + " when this run first ran the step; "
                        + "keeping it (it names " + now.substring(0, 10) + " now)");
            }
        }
        return c;
    }

    /**
     * A value decided once per run, as {@link StepContext#resolveOnce}, with failures wrapped for git.
     *
     * @param context the running step
     * @param dir     the repository, for messages
     * @param key     the memory key
     * @param value   decides the value the first time
     * @return the value, the same on every call of the run
     */
    public static String once(StepContext context, Path dir, String key, Decider value) {
        try {
            return context.resolveOnce(key, value::decide);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw io(dir, "decide " + key + " (read the repository)", e);
        }
    }

    /** A decision a step takes once per run. */
    @FunctionalInterface
    public interface Decider {
        /**
         * @return the decision, never null
         * @throws IOException when the repository cannot be read
         */
        String decide() throws IOException;
    }

    private static String currentName(Repository repo, String rev) {
        try {
            ObjectId id = repo.resolve(rev + "^{commit}");
            return id == null ? null : id.name();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The HEAD commit id.
     *
     * @param repo the repository
     * @param dir  its folder, for messages
     * @return HEAD's commit
     */
    public static ObjectId head(Repository repo, Path dir) {
        try {
            ObjectId id = repo.resolve(Constants.HEAD + "^{commit}");
            if (id == null) {
                throw new GitOperationException(dir, "The repository at " + dir + " has no commit yet (HEAD is unborn). "
                        + "Nothing was changed. Fix: point the plan at the deployed checkout, which has history", null);
            }
            return id;
        } catch (IOException e) {
            throw io(dir, "resolve HEAD", e);
        }
    }

    /**
     * The paths with uncommitted changes.
     *
     * @param git              the repository
     * @param dir              its folder, for messages
     * @param includeUntracked whether untracked (not ignored) files count
     * @return the paths, sorted
     */
    public static List<String> uncommitted(Git git, Path dir, boolean includeUntracked) {
        return uncommitted(git, dir, includeUntracked, null);
    }

    /**
     * The paths with uncommitted changes, on an index already read.
     *
     * @param git              the repository
     * @param dir              its folder, for messages
     * @param includeUntracked whether untracked (not ignored) files count
     * @param index            the index, or null to read it
     * @return the paths, sorted
     */
    public static List<String> uncommitted(Git git, Path dir, boolean includeUntracked, DirCache index) {
        try {
            return index == null ? Uncommitted.paths(git, includeUntracked) : Uncommitted.paths(git, index, includeUntracked);
        } catch (GitAPIException | IOException | RuntimeException e) {
            throw new GitOperationException(dir, "Could not read the status of the working tree of " + dir + " ("
                    + e.getMessage() + "). Nothing was changed. Fix: run 'git status' there and repair what it reports", e);
        }
    }

    /**
     * Locks the index a dirty check read, for the write that follows. The lock is taken only now, after the step
     * journaled what it decided: a step killed while it journals then leaves no {@code index.lock} behind for its
     * resume (or any git command) to trip over. When another process changed the index since the check, it is read
     * and checked again (nothing is written over a change made meanwhile).
     *
     * @param git              the repository
     * @param dir              its folder, for messages
     * @param checked          the index the check read, unlocked
     * @param includeUntracked whether untracked (not ignored) files count as changes, as in the check
     * @param dirty            the error for the changes found on the second check
     * @return the index, locked; the caller unlocks it (or commits it)
     * @throws IOException when the index cannot be locked or read (another git process holds index.lock)
     */
    public static DirCache lockUnchanged(Git git, Path dir, DirCache checked, boolean includeUntracked,
                                         Function<List<String>, RuntimeException> dirty) throws IOException {
        if (checked.lock()) {
            if (!checked.isOutdated()) {
                return checked;
            }
            checked.unlock();
        }
        DirCache now = git.getRepository().lockDirCache();
        List<String> changes;
        try {
            changes = uncommitted(git, dir, includeUntracked, now);
        } catch (RuntimeException e) {
            now.unlock();
            throw e;
        }
        if (!changes.isEmpty()) {
            now.unlock();
            throw dirty.apply(changes);
        }
        return now;
    }

    /**
     * Points a lightweight tag at a commit, unless the tag exists already (a re-run keeps the first one).
     *
     * @param repo the repository
     * @param dir  its folder, for messages
     * @param name the tag name without {@code refs/tags/}
     * @param id   the commit
     * @return the commit the tag points at after the call
     */
    public static ObjectId keepTag(Repository repo, Path dir, String name, ObjectId id) {
        try {
            Ref existing = repo.exactRef(Constants.R_TAGS + name);
            if (existing != null) {
                return existing.getObjectId();
            }
            RefUpdate u = repo.updateRef(Constants.R_TAGS + name);
            u.setNewObjectId(id);
            u.setExpectedOldObjectId(ObjectId.zeroId());
            u.setRefLogMessage("rollback: safety tag", false);
            RefUpdate.Result r = u.update();
            if (r != RefUpdate.Result.NEW) {
                throw new GitOperationException(dir, "Could not create safety tag " + name + " at " + id.name() + " in " + dir
                        + " (" + r + "). Nothing was changed. Fix: check that refs/tags is writable and not locked "
                        + "(a stale .lock file under .git/refs)", null);
            }
            return id;
        } catch (IOException e) {
            throw io(dir, "create safety tag " + name, e);
        }
    }

    /**
     * The safety tag of a step of a run: {@code rollback/safety/<runId>/<step>}, the same on every re-run.
     *
     * @param runId    the run id
     * @param stepName the step name
     * @return the tag name
     */
    public static String safetyTag(String runId, String stepName) {
        return SAFETY_PREFIX + slug(runId) + "/" + slug(stepName);
    }

    /**
     * Makes text safe as one component of a ref name.
     *
     * @param text any text
     * @return lower case letters, digits, '.', '_' and '-'
     */
    public static String slug(String text) {
        String s = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("-{2,}", "-").replaceAll("\\.{2,}", ".")
                .replaceAll("^[-.]+", "").replaceAll("[-.]+$", "");
        if (s.endsWith(".lock")) {
            s = s.substring(0, s.length() - 5) + "-lock";
        }
        return s.isEmpty() ? "step" : s;
    }

    /**
     * Wraps an I/O failure.
     *
     * @param dir   the repository
     * @param tried what was tried
     * @param e     the failure
     * @return the exception to throw
     */
    public static GitOperationException io(Path dir, String tried, Exception e) {
        if (e instanceof LockFailedException lock) {
            String file = lock.getFile() + ".lock";
            return new GitOperationException(dir, "Git in " + dir + " is locked: tried to " + tried + ", but " + file + " exists "
                    + "(another git process is working there, or one was killed before it let go). Fix: make sure no git process "
                    + "runs in " + dir + ", delete " + file + ", check 'git status' there, then resume", e);
        }
        return new GitOperationException(dir, "Git I/O failed in " + dir + ": tried to " + tried + " (" + e.getMessage()
                + "). Fix: check disk space and permissions, then 'git fsck' and 'git status' there before resuming", e);
    }
}
