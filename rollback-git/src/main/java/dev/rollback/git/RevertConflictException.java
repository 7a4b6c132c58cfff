package dev.rollback.git;

import java.nio.file.Path;
import java.util.List;

/** Reverting a commit conflicts with later changes; the repository was left as it was before the step. */
public final class RevertConflictException extends GitException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "git.revert.conflict";
    private static final long serialVersionUID = 1L;

    private final String commit;
    private final List<String> conflictingPaths;

    /**
     * @param repository       the repository
     * @param commit           the commit whose revert conflicts
     * @param conflictingPaths the paths that conflict
     */
    public RevertConflictException(Path repository, String commit, List<String> conflictingPaths) {
        super(repository, "Reverting commit " + commit + " in " + repository + " conflicts in " + conflictingPaths.size()
                + " path(s): " + String.join(", ", conflictingPaths) + ". Tried: merge the inverse of the commit onto HEAD "
                + "(in memory). State left behind: the repository is as it was before the step (HEAD, index and working tree "
                + "untouched). Fix: revert by hand and resolve the conflicts, or revert the later commits that touch "
                + "these paths first (newest first)", null);
        this.commit = commit;
        this.conflictingPaths = List.copyOf(conflictingPaths);
    }

    /** @return the commit whose revert conflicts */
    public String commit() {
        return commit;
    }

    /** @return the paths that conflict */
    public List<String> conflictingPaths() {
        return conflictingPaths;
    }

    @Override
    public String code() {
        return CODE;
    }
}
