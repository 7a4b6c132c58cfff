package dev.rollback.process;

import java.nio.file.Path;
import java.util.List;

/** The executable of a {@link Command} is not on the search path; nothing was run. */
public final class ExecutableNotFoundException extends ProcessException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "process.executable.missing";
    private static final long serialVersionUID = 1L;

    private final String executable;
    private final transient List<Path> searched;

    /**
     * @param executable the executable as given
     * @param searched   the directories that were searched, in order
     * @param message    the full message
     */
    public ExecutableNotFoundException(String executable, List<Path> searched, String message) {
        super(message);
        this.executable = executable;
        this.searched = List.copyOf(searched);
    }

    /** @return the executable as given */
    public String executable() {
        return executable;
    }

    /** @return the directories searched, in order */
    public List<Path> searched() {
        return searched;
    }

    @Override
    public String code() {
        return CODE;
    }
}
