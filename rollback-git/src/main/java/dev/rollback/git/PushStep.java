package dev.rollback.git;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.git.internal.RemoteAccess;
import dev.rollback.git.internal.Repos;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefLeaseSpec;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Pushes a branch or tag to a remote, like {@code git push origin main}. A push the remote rejects (not
 * a fast-forward) fails with a {@link PushRejectedException}; a refused token with a
 * {@link GitAuthenticationException} that never holds the token.
 *
 * <p>{@link #force()} rewrites the remote branch, as the seeds' "force push previous commit" does, but
 * first fetches the remote's old head, tags it {@code rollback/safety/<runId>/<step>} and pushes that tag to
 * the remote, then pushes with a lease on the old head, so that nobody's commits are lost.
 * Publishes {@value #OUTPUT_REF}, {@value #OUTPUT_COMMIT} and, when forced, {@value #OUTPUT_SAFETY_TAG}.
 *
 * <pre>{@code
 * .step(app.push("origin").branch("main").credentials(GitCredentials.httpToken(Secret.fromEnv("GIT_TOKEN"))))
 * .step(app.push("origin").tag("v1.2.3-rollback"))
 * .restore(app.push("origin").branch("main").force())       // destructive: asks for approval
 * }</pre>
 */
public final class PushStep implements Step {
    /** Output: the remote ref updated. */
    public static final String OUTPUT_REF = "git.push.ref";
    /** Output: the commit (or tag object) pushed. */
    public static final String OUTPUT_COMMIT = "git.push.commit";
    /** Output: the safety tag on the remote's old head, for a forced push. */
    public static final String OUTPUT_SAFETY_TAG = "git.push.safetyTag";

    private static final Logger LOG = LoggerFactory.getLogger(PushStep.class);
    private static final String MEMORY_REMOTE_OLD_HEAD = "git.push.remoteOldHead";
    private static final String NO_REF = "none";

    private final Git git;
    private final String remote;
    private final String localRef;
    private final String remoteRef;
    private final GitCredentials credentials;
    private final boolean force;

    PushStep(Git git, String remote, String localRef, String remoteRef, GitCredentials credentials, boolean force) {
        this.git = git;
        this.remote = remote;
        this.localRef = localRef;
        this.remoteRef = remoteRef;
        this.credentials = credentials;
        this.force = force;
    }

    /**
     * @param branch the local branch to push to the branch of the same name
     * @return a copy of this step
     */
    public PushStep branch(String branch) {
        String ref = Constants.R_HEADS + checkName(branch, "branch");
        return new PushStep(git, remote, ref, ref, credentials, force);
    }

    /**
     * @param tag the tag to push
     * @return a copy of this step
     */
    public PushStep tag(String tag) {
        String ref = Constants.R_TAGS + checkName(tag, "tag");
        return new PushStep(git, remote, ref, ref, credentials, force);
    }

    /**
     * @param local  the full local ref, such as {@code refs/heads/release}
     * @param target the full remote ref, such as {@code refs/heads/main}
     * @return a copy of this step
     */
    public PushStep ref(String local, String target) {
        for (String r : List.of(Objects.requireNonNull(local, "local"), Objects.requireNonNull(target, "target"))) {
            if (!r.startsWith(Constants.R_REFS) || !Repository.isValidRefName(r)) {
                throw new IllegalArgumentException("'" + r + "' is not a full ref name; pass one such as refs/heads/main");
            }
        }
        return new PushStep(git, remote, local, target, credentials, force);
    }

    /**
     * @param credentials the credentials for an HTTP(S) remote
     * @return a copy of this step
     */
    public PushStep credentials(GitCredentials credentials) {
        return new PushStep(git, remote, localRef, remoteRef, Objects.requireNonNull(credentials, "credentials"), force);
    }

    /**
     * Rewrites the remote ref even when it is not a fast-forward, after a safety tag on the remote's old
     * head has been pushed to the remote; the push holds a lease on that old head. Makes the step destructive.
     *
     * @return a copy of this step
     */
    public PushStep force() {
        return new PushStep(git, remote, localRef, remoteRef, credentials, true);
    }

    @Override
    public String name() {
        requireRef();
        return "git push " + (force ? "--force-with-lease " : "") + remote + " " + shortName(remoteRef);
    }

    /** @return true for a forced push, which rewrites the remote's history */
    @Override
    public boolean destructive() {
        return force;
    }

    @Override
    public String confirmationTarget() {
        requireRef();
        return shortName(remoteRef);
    }

    @Override
    public StepDescription describe() {
        requireRef();
        List<String> argv = new ArrayList<>(List.of("git", "-C", git.directory().toString(), "push"));
        if (force) {
            argv.add("--force-with-lease=" + remoteRef);
        }
        argv.add(remote);
        argv.add(localRef + ":" + remoteRef);
        StepDescription d = StepDescription.of("push " + shortName(localRef) + " to " + remote + (force ? ", forced after a safety tag on the remote's old head" : ""))
                .param("repository", git.directory()).param("remote", remote).param("ref", localRef + ":" + remoteRef)
                .param("credentials", credentials == null ? "none" : credentials.toString()).param("force", force);
        if (force) {
            d = d.command(List.of("git", "-C", git.directory().toString(), "push", remote,
                    "<remote old head>:refs/tags/rollback/safety/<runId>/<step>"));
        }
        return d.command(argv);
    }

    @Override
    public void execute(StepContext context) {
        requireRef();
        Path dir = git.directory();
        try (org.eclipse.jgit.api.Git jgit = Repos.open(dir); RemoteAccess access = RemoteAccess.of(credentials, dir)) {
            Repository repo = jgit.getRepository();
            Ref local = repo.exactRef(localRef);
            if (local == null) {
                throw new UnknownRevisionException(dir, localRef, "push it to " + remote);
            }
            RefSpec spec = new RefSpec((force ? "+" : "") + localRef + ":" + remoteRef);
            var push = access.apply(jgit.push()).setRemote(remote).setRefSpecs(spec);
            boolean pushed = false;
            if (force) {
                ObjectId current = remoteHead(jgit, access, remoteRef);
                // the remote's old head, decided once per run: a re-run after the push finds its own commit there,
                // keeps the lease on the head it replaced, and never takes someone else's push for the old head
                Optional<String> remembered = context.recall(MEMORY_REMOTE_OLD_HEAD);
                String oldName = remembered.orElse(current == null ? NO_REF : current.name());
                if (remembered.isEmpty()) {
                    context.remember(MEMORY_REMOTE_OLD_HEAD, oldName);
                }
                pushed = current != null && current.equals(local.getObjectId());
                if (!oldName.equals(NO_REF) && !oldName.equals(local.getObjectId().name())) {
                    String safetyTag = Repos.safetyTag(context.runId(), context.stepName());
                    protectOldHead(jgit, access, dir, safetyTag, oldName);
                    context.output(OUTPUT_SAFETY_TAG, safetyTag);
                    push.setRefLeaseSpecs(new RefLeaseSpec(remoteRef, oldName));
                }
            }
            if (!pushed) {
                check(dir, push.call());
            }
            context.output(OUTPUT_REF, remoteRef);
            context.output(OUTPUT_COMMIT, local.getObjectId().name());
            LOG.info("Pushed {} to {} {}{}", localRef, remote, remoteRef, force ? " (forced)" : "");
        } catch (IOException e) {
            throw Repos.io(dir, "push " + localRef + " to " + remote, e);
        } catch (GitAPIException e) {
            throw transportFailure(dir, e);
        }
    }

    /** The remote's current value of a ref, or null when it does not exist there. */
    private ObjectId remoteHead(org.eclipse.jgit.api.Git jgit, RemoteAccess access, String ref) throws GitAPIException {
        for (Ref r : access.apply(jgit.lsRemote()).setRemote(remote).call()) {
            if (r.getName().equals(ref)) {
                return r.getObjectId();
            }
        }
        return null;
    }

    /**
     * Puts the remote's old head in a local safety tag and pushes that tag, unless a re-run did it already: from the
     * remote's ref on the first attempt, from the remote's copy of the tag on a re-run on another machine.
     */
    private void protectOldHead(org.eclipse.jgit.api.Git jgit, RemoteAccess access, Path dir, String safetyTag, String oldHead)
            throws GitAPIException, IOException {
        String tagRef = Constants.R_TAGS + safetyTag;
        Repository repo = jgit.getRepository();
        boolean fetched = false;
        if (repo.exactRef(tagRef) == null) {
            String source = remoteHead(jgit, access, tagRef) != null ? tagRef : remoteRef;
            access.apply(jgit.fetch()).setRemote(remote).setRefSpecs(new RefSpec(source + ":" + tagRef)).call();
            fetched = true;
        }
        Ref tag = repo.exactRef(tagRef);
        if (tag == null) {
            throw new GitOperationException(dir, "Could not fetch the old head of " + remoteRef + " from " + remote + " into safety tag "
                    + safetyTag + ". Nothing was pushed. Fix: check that the remote is reachable and the ref exists, then resume", null);
        }
        if (!tag.getObjectId().name().equals(oldHead)) {
            if (fetched) {   // not the old head: no safety tag is better than a wrong one
                RefUpdate drop = repo.updateRef(tagRef);
                drop.setForceUpdate(true);
                drop.delete();
            }
            throw new GitOperationException(dir, "The remote's " + remoteRef + " is at " + tag.getObjectId().name() + ", not at "
                    + oldHead + " as when this run recorded it: someone pushed meanwhile. Nothing was pushed. Fix: look at what was "
                    + "pushed ('git fetch " + remote + "'), then start a new run", null);
        }
        check(dir, access.apply(jgit.push()).setRemote(remote).setRefSpecs(new RefSpec(tagRef + ":" + tagRef)).call());
    }

    private void check(Path dir, Iterable<PushResult> results) {
        for (PushResult result : results) {
            for (RemoteRefUpdate u : result.getRemoteUpdates()) {
                switch (u.getStatus()) {
                    case OK, UP_TO_DATE -> {
                    }
                    case REJECTED_NONFASTFORWARD -> throw new PushRejectedException(dir, remote, u.getRemoteName(), u.getStatus().name(),
                            "the remote has commits that " + shortName(u.getSrcRef()) + " does not contain (not a fast-forward). "
                                    + "Nothing was changed on the remote. Fix: push a revert instead of rewritten history, or, "
                                    + "if rewriting is intended, let the plan say push(...).force() (a safety tag then records the "
                                    + "remote's old head)");
                    case REJECTED_REMOTE_CHANGED -> throw new PushRejectedException(dir, remote, u.getRemoteName(), u.getStatus().name(),
                            "the remote ref moved after its old head was recorded (someone pushed meanwhile); the lease refused "
                                    + "the forced push. Nothing was changed on the remote. Fix: look at what was pushed, then resume");
                    case REJECTED_NODELETE -> throw new PushRejectedException(dir, remote, u.getRemoteName(), u.getStatus().name(),
                            "the remote does not allow deleting refs. Nothing was changed on the remote");
                    default -> throw new PushRejectedException(dir, remote, u.getRemoteName(), u.getStatus().name(),
                            "the remote said: " + (u.getMessage() == null ? "no reason given" : u.getMessage())
                                    + ". Nothing was changed on the remote. Fix: check the remote's branch protection and hooks");
                }
            }
        }
    }

    private RuntimeException transportFailure(Path dir, GitAPIException e) {
        if (e instanceof InvalidRemoteException) {
            return new GitOperationException(dir, "No remote '" + remote + "' in " + dir + ". Nothing was pushed. Fix: pass a "
                    + "remote name from 'git remote -v' or the remote's URL", e);
        }
        if (e instanceof TransportException && isHostKeyFailure(e)) {
            return new GitOperationException(dir, "The server of remote '" + remote + "' could not be verified: its host key is "
                    + "not in " + (credentials == null ? "the known_hosts file" : credentials.knownHosts()) + " or does not match it. "
                    + "Nothing was pushed. Fix: check the server's host key fingerprint with its administrator and add it to the "
                    + "known_hosts file; never accept an unknown key blindly", e);
        }
        if (e instanceof TransportException && isAuthFailure(e)) {
            return new GitAuthenticationException(dir, remote, credentials == null ? "no credentials (none were given)"
                    : credentials.toString(), e);
        }
        return new GitOperationException(dir, "Could not push " + localRef + " to '" + remote + "' (" + e.getMessage()
                + "). Nothing was changed on the remote. Fix: check that the remote is reachable and the URL is right, then resume", e);
    }

    private static boolean isAuthFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("not authorized") || m.contains("authentication is required") || m.contains("auth fail")
                    || m.contains("authentication failed") || m.contains("no more authentication methods")
                    || m.contains("401") || m.contains("403") || m.contains("forbidden")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isHostKeyFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("server key did not validate") || m.contains("host key") || m.contains("known_hosts")
                    || m.contains("server key") && m.contains("reject")) {
                return true;
            }
        }
        return false;
    }

    private void requireRef() {
        if (localRef == null) {
            throw new IllegalStateException("push(\"" + remote + "\") does not say what to push; add .branch(\"main\"), "
                    + ".tag(\"v1.2.3-rollback\") or .ref(local, remote)");
        }
    }

    private static String checkName(String name, String what) {
        Objects.requireNonNull(name, what);
        String prefix = what.equals("tag") ? Constants.R_TAGS : Constants.R_HEADS;
        if (name.isBlank() || !Repository.isValidRefName(prefix + name)) {
            throw new IllegalArgumentException("'" + name + "' is not a valid " + what + " name");
        }
        return name;
    }

    private static String shortName(String ref) {
        return Repository.shortenRefName(ref);
    }
}
