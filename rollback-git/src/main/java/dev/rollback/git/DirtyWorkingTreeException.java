package dev.rollback.git;

import java.nio.file.Path;
import java.util.List;

/** The working tree has uncommitted changes that a step would lose or mix into its result. */
public final class DirtyWorkingTreeException extends GitException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "git.worktree.dirty";
    private static final long serialVersionUID = 1L;

    private final List<String> changedPaths;

    /**
     * @param repository   the repository
     * @param what         what the step was about to do
     * @param changedPaths the uncommitted paths
     * @param fix          how to go on
     */
    public DirtyWorkingTreeException(Path repository, String what, List<String> changedPaths, String fix) {
        super(repository, "The working tree of " + repository + " has " + changedPaths.size() + " uncommitted change(s) ("
                + abbreviate(changedPaths) + "); refused to " + what + ". Nothing was changed. Fix: " + fix, null);
        this.changedPaths = List.copyOf(changedPaths);
    }

    /** @return the uncommitted paths */
    public List<String> changedPaths() {
        return changedPaths;
    }

    private static String abbreviate(List<String> paths) {
        return paths.size() <= 10 ? String.join(", ", paths)
                : String.join(", ", paths.subList(0, 10)) + " and " + (paths.size() - 10) + " more";
    }

    @Override
    public String code() {
        return CODE;
    }
}
