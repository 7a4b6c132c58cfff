package dev.rollback.git;

import java.nio.file.Path;

/** A git operation failed for a reason without its own type (I/O, locked refs, invalid names, unreachable remote). */
public final class GitOperationException extends GitException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "git.operation.failed";
    private static final long serialVersionUID = 1L;

    /**
     * @param repository the repository
     * @param message    problem, what was tried, state left behind, fix
     * @param cause      the underlying failure, or null
     */
    public GitOperationException(Path repository, String message, Throwable cause) {
        super(repository, message, cause);
    }

    @Override
    public String code() {
        return CODE;
    }
}
