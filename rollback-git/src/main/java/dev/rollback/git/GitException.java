package dev.rollback.git;

import dev.rollback.core.RollbackException;

import java.nio.file.Path;

/**
 * The root of the exceptions of the git module. Each message names the problem, what was tried,
 * the state the repository was left in, and the fix.
 */
public abstract class GitException extends RollbackException {
    private static final long serialVersionUID = 1L;

    private final transient Path repository;

    /**
     * @param repository the repository the step worked on
     * @param message    the message: problem, what was tried, state left behind, fix
     * @param cause      the underlying failure, or null
     */
    protected GitException(Path repository, String message, Throwable cause) {
        super(message, cause);
        this.repository = repository;
    }

    /** @return the repository the failing step worked on */
    public Path repository() {
        return repository;
    }
}
