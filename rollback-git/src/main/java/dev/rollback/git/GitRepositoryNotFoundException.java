package dev.rollback.git;

import java.nio.file.Path;

/** There is no git repository at the folder a step was given. */
public final class GitRepositoryNotFoundException extends GitException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "git.repository.missing";
    private static final long serialVersionUID = 1L;

    /**
     * @param repository the folder that was tried
     * @param cause      the underlying failure, or null
     */
    public GitRepositoryNotFoundException(Path repository, Throwable cause) {
        super(repository, "No git repository at " + repository + ": tried to open it as a working tree (with a .git folder) "
                + "or a bare repository. Nothing was changed. Fix: pass the folder that holds the .git folder of the "
                + "deployed checkout to Git.repo(...)", cause);
    }

    @Override
    public String code() {
        return CODE;
    }
}
