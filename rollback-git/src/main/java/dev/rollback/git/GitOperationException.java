package dev.rollback.git;

import java.nio.file.Path;

/** A git operation failed for a reason without its own type (I/O, locked refs, invalid names, unreachable remote). */
public final class GitOperationException extends GitException {
    private static final long serialVersionUID = 1L;

    /**
     * @param repository the repository
     * @param message    problem, what was tried, state left behind, fix
     * @param cause      the underlying failure, or null
     */
    public GitOperationException(Path repository, String message, Throwable cause) {
        super(repository, message, cause);
    }
}
