package dev.rollback.git;

import java.nio.file.Path;

/** A revision (tag, branch, commit id, {@code HEAD~5}) names nothing in the repository. */
public final class UnknownRevisionException extends GitException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "git.revision.unknown";
    private static final long serialVersionUID = 1L;

    private final String revision;

    /**
     * @param repository the repository
     * @param revision   the revision that was not found
     * @param what       what the step was about to do with it
     */
    public UnknownRevisionException(Path repository, String revision, String what) {
        super(repository, "Unknown revision '" + revision + "' in " + repository + ": tried to resolve it to a commit to "
                + what + ". Nothing was changed. Fix: check the name with 'git rev-parse --verify " + revision
                + "^{commit}' (for a tag made elsewhere, fetch tags first)", null);
        this.revision = revision;
    }

    /** @return the revision that was not found */
    public String revision() {
        return revision;
    }

    @Override
    public String code() {
        return CODE;
    }
}
