package dev.rollback.git;

import dev.rollback.core.Check;
import dev.rollback.git.internal.GitChecks;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The code half of a rollback: revert, checkout a tag, reset with a safety tag, tag a rollback
 * release and push it, through JGit (no git binary, no shell). Each method returns a step or check
 * for a plan; the repository is opened when the step runs.
 *
 * <pre>{@code
 * Git app = Git.repo(Path.of("/srv/app")).identity("Rollback Bot", "rollback@example.com");
 * RollbackPlan plan = Rollback.plan("app-back-to-previous-release")
 *     .precheck(app.workingTreeClean())
 *     .step(app.previousStableTag("v*"))                                    // publishes git.previousStableTag
 *     .checkpoint("tag-chosen")
 *     .capture(app.safetyTag())                                             // rollback/safety/<runId>/...
 *     .restore(app.reset(ResetMode.HARD, Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG)))
 *     .verify(app.headIs(Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG)))
 *     .step(app.tag("v1.2.3-rollback").message("Rollback to working version"))
 *     .step(app.push("origin").tag("v1.2.3-rollback").credentials(GitCredentials.httpToken(Secret.fromEnv("GIT_TOKEN"))))
 *     .build();
 * }</pre>
 *
 * <p>Instances are immutable; {@link #identity(String, String)} returns a copy.
 */
public final class Git {
    private final Path directory;
    private final String userName;
    private final String userEmail;

    private Git(Path directory, String userName, String userEmail) {
        this.directory = directory;
        this.userName = userName;
        this.userEmail = userEmail;
    }

    /**
     * A repository: the working tree of the deployed checkout (holding {@code .git}) or a bare repository.
     * It is not opened until a step runs, so a plan can be built before the folder exists.
     *
     * @param directory the folder
     * @return the repository's steps and checks
     */
    public static Git repo(Path directory) {
        Objects.requireNonNull(directory, "directory");
        return new Git(directory.toAbsolutePath().normalize(), null, null);
    }

    /**
     * The author and committer of the commits and tags the steps make. Without it, the repository's
     * {@code user.name} and {@code user.email} are used.
     *
     * @param name  the name, such as "Rollback Bot"
     * @param email the e-mail address
     * @return a copy with the identity
     */
    public Git identity(String name, String email) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(email, "email");
        if (name.isBlank()) {
            throw new IllegalArgumentException("The identity's name is blank; pass the name commits and tags should carry");
        }
        return new Git(directory, name, email);
    }

    /** @return the repository folder */
    public Path directory() {
        return directory;
    }

    /**
     * Reverts commits, each as a new commit on HEAD ({@code git revert c3 c2 c1}), newest first whatever
     * order they are given in. A revert that conflicts fails with the conflicting paths and leaves the
     * repository as it was before the step.
     *
     * @param newest the newest commit to revert
     * @param older  older commits, newest first
     * @return the step; {@link RevertStep#mainline(int)} chooses the parent for a merge commit
     */
    public RevertStep revert(Revision newest, Revision... older) {
        List<Revision> all = new ArrayList<>();
        all.add(Objects.requireNonNull(newest, "newest"));
        all.addAll(Arrays.asList(older));
        return new RevertStep(this, all, 0);
    }

    /**
     * Reverts commits given in git's syntax, newest first.
     *
     * @param newest the newest commit: an id, tag or expression such as {@code HEAD~2}
     * @param older  older commits, newest first
     * @return the step
     */
    public RevertStep revert(String newest, String... older) {
        return revert(Revision.of(newest), Arrays.stream(older).map(Revision::of).toArray(Revision[]::new));
    }

    /**
     * Checks out a tag or commit (detached HEAD) or a local branch ({@code git checkout v1.2.3}).
     *
     * @param revision what to check out
     * @return the step
     */
    public CheckoutStep checkout(Revision revision) {
        return new CheckoutStep(this, Objects.requireNonNull(revision, "revision"));
    }

    /**
     * @param revision a tag, commit id or branch
     * @return the step
     */
    public CheckoutStep checkout(String revision) {
        return checkout(Revision.of(revision));
    }

    /**
     * Chooses the previous stable release: the highest version tag matching a pattern
     * ({@code git tag --sort=-v:refname -l 'v*'}) below the release deployed at HEAD, skipping
     * pre-releases, and publishes it as {@value PreviousStableTagStep#OUTPUT_TAG}.
     *
     * @param pattern a {@code git tag -l} glob, such as {@code v*}
     * @return the step
     */
    public PreviousStableTagStep previousStableTag(String pattern) {
        return new PreviousStableTagStep(this, pattern, false, null);
    }

    /**
     * Resets HEAD (and the current branch) to a revision ({@code git reset --hard HEAD~5}). Before it, a
     * safety tag {@code rollback/safety/<runId>/<step>} records HEAD. A hard reset refuses uncommitted changes
     * unless {@link ResetStep#keepUncommittedChanges()} says to stash them first.
     *
     * @param mode     soft, mixed or hard
     * @param revision where to
     * @return the step; destructive when hard
     */
    public ResetStep reset(ResetMode mode, Revision revision) {
        return new ResetStep(this, Objects.requireNonNull(mode, "mode"), Objects.requireNonNull(revision, "revision"), false);
    }

    /**
     * @param mode     soft, mixed or hard
     * @param revision where to, such as {@code HEAD~5} or {@code origin/main}
     * @return the step
     */
    public ResetStep reset(ResetMode mode, String revision) {
        return reset(mode, Revision.of(revision));
    }

    /**
     * A capture step: a safety tag {@code rollback/safety/<runId>/<step>} at HEAD, so that what a later step
     * changes can be found again. Publishes {@value SafetyTagStep#OUTPUT_TAG} and {@value SafetyTagStep#OUTPUT_COMMIT}.
     *
     * @return the step, for {@code .capture(...)}
     */
    public SafetyTagStep safetyTag() {
        return new SafetyTagStep(this);
    }

    /**
     * Creates an annotated tag at HEAD ({@code git tag -a v1.2.3-rollback -m ...}).
     *
     * @param name the tag name
     * @return the step
     */
    public TagStep tag(String name) {
        return new TagStep(this, name, Revision.head(), null);
    }

    /**
     * Pushes a branch or tag to a remote ({@code git push origin main}).
     *
     * @param remote the remote's name ({@code origin}) or URL
     * @return the step; say what to push with {@link PushStep#branch(String)} or {@link PushStep#tag(String)}
     */
    public PushStep push(String remote) {
        Objects.requireNonNull(remote, "remote");
        if (remote.isBlank()) {
            throw new IllegalArgumentException("The remote is blank; pass its name (origin) or URL");
        }
        return new PushStep(this, remote, null, null, null, false);
    }

    /**
     * A check: no uncommitted change to tracked files and no untracked file ({@code git status --porcelain} is empty).
     *
     * @return the check
     */
    public Check workingTreeClean() {
        return GitChecks.workingTreeClean(directory);
    }

    /**
     * A check: HEAD is the commit a revision names.
     *
     * @param revision the expected revision
     * @return the check
     */
    public Check headIs(Revision revision) {
        return GitChecks.headIs(directory, Objects.requireNonNull(revision, "revision"));
    }

    /**
     * A check: a tag exists.
     *
     * @param tag the tag name
     * @return the check
     */
    public Check tagExists(String tag) {
        return GitChecks.tagExists(directory, Objects.requireNonNull(tag, "tag"));
    }

    /**
     * A check: a branch contains a commit ({@code git merge-base --is-ancestor <commit> <branch>}).
     *
     * @param branch the branch, such as {@code main} or {@code origin/main}
     * @param commit the commit
     * @return the check
     */
    public Check branchContains(String branch, Revision commit) {
        return GitChecks.branchContains(directory, Objects.requireNonNull(branch, "branch"), Objects.requireNonNull(commit, "commit"));
    }

    /** The identity for commits and tags. */
    PersonIdent person(Repository repo) {
        return userName != null ? new PersonIdent(userName, userEmail) : new PersonIdent(repo);
    }

    @Override
    public String toString() {
        return "git repository " + directory;
    }
}
