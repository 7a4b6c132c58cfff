package dev.rollback.process;

import dev.rollback.core.RollbackException;

import java.util.List;

/** An app control failed on one or more hosts of a {@link Fleet}; every host was tried. */
public class FleetException extends RollbackException {
    private static final long serialVersionUID = 1L;

    private final transient List<FleetControl.HostResult> results;

    /**
     * @param message each host's result and the fix
     * @param results each host's result
     */
    public FleetException(String message, List<FleetControl.HostResult> results) {
        super(message);
        this.results = List.copyOf(results);
    }

    /** @return each host's result, in host order */
    public List<FleetControl.HostResult> results() {
        return results;
    }
}
