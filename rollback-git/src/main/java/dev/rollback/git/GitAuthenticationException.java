package dev.rollback.git;

import java.nio.file.Path;

/** The remote refused the credentials (wrong or expired token, unknown SSH key). The message never holds the secret. */
public final class GitAuthenticationException extends GitException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "git.auth.failed";
    private static final long serialVersionUID = 1L;

    /**
     * @param repository the local repository
     * @param remote     the remote name
     * @param tried      what was tried, without secret values
     * @param cause      the transport failure
     */
    public GitAuthenticationException(Path repository, String remote, String tried, Throwable cause) {
        super(repository, "The remote '" + remote + "' refused the credentials: authentication failed. Tried: " + tried
                + ". Nothing was pushed; the local repository is unchanged. Fix: check that the token is valid, not expired "
                + "and allowed to write to the repository (for SSH: that the key's public half is a deploy key with write access), "
                + "and pass it as GitCredentials.httpToken(...) or GitCredentials.sshKey(...)", cause);
    }

    @Override
    public String code() {
        return CODE;
    }
}
