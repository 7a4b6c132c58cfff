package dev.rollback.git;

import java.nio.file.Path;

/** The remote refused to update a ref: not a fast-forward, changed under a lease, or refused by a hook. */
public final class PushRejectedException extends GitException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "git.push.rejected";
    private static final long serialVersionUID = 1L;

    private final String remoteRef;
    private final String status;

    /**
     * @param repository the local repository
     * @param remote     the remote name or URL
     * @param remoteRef  the remote ref that was refused
     * @param status     JGit's status of the update
     * @param detail     what the status means and the fix
     */
    public PushRejectedException(Path repository, String remote, String remoteRef, String status, String detail) {
        super(repository, "Push of " + remoteRef + " to remote '" + remote + "' was rejected (" + status + "): " + detail, null);
        this.remoteRef = remoteRef;
        this.status = status;
    }

    /** @return the remote ref that was refused */
    public String remoteRef() {
        return remoteRef;
    }

    /** @return the update's status as JGit reports it, such as {@code REJECTED_NONFASTFORWARD} */
    public String status() {
        return status;
    }

    @Override
    public String code() {
        return CODE;
    }
}
