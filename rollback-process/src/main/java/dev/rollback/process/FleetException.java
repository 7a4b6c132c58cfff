package dev.rollback.process;

import java.util.List;

/**
 * An action failed on one or more hosts of a fleet ({@link Fleet} or {@link Ansible}). The
 * message names the hosts done, failed and not tried; a resume of the run retries only the failed
 * and not-tried hosts.
 */
public final class FleetException extends ProcessException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "process.fleet.failed";
    private static final long serialVersionUID = 1L;

    private final transient List<HostResult> results;

    /**
     * @param message each host's result and the fix
     * @param results each host's result
     */
    public FleetException(String message, List<HostResult> results) {
        super(message);
        this.results = List.copyOf(results);
    }

    /** @return each host's result, in host order */
    public List<HostResult> results() {
        return results;
    }

    /**
     * @param status a status
     * @return the hosts with that status, in host order
     */
    public List<String> hosts(HostResult.Status status) {
        return results.stream().filter(r -> r.status() == status).map(HostResult::host).toList();
    }

    @Override
    public String code() {
        return CODE;
    }
}
