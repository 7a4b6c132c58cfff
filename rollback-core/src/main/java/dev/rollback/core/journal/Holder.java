package dev.rollback.core.journal;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Who holds, or asks for, a plan's lock: the host and process, the run it works on and the operator.
 *
 * @param host     host name of the process
 * @param pid      its process id
 * @param runId    the run it works on (a new run, a resumed one, or the run being abandoned)
 * @param operator who runs it
 */
public record Holder(String host, long pid, String runId, String operator) {

    /** Validates the fields. */
    public Holder {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(operator, "operator");
    }

    /**
     * This process, working on a run. The host name can be set with the system property
     * {@code rollback.host} (a container's name, or a test posing as another machine).
     *
     * @param runId    the run
     * @param operator who runs it
     * @return the holder
     */
    public static Holder thisProcess(String runId, String operator) {
        return new Holder(localHostName(), ProcessHandle.current().pid(), runId, operator);
    }

    /**
     * @return this machine's name: the system property {@code rollback.host} when set, else the
     *         host name the operating system reports
     */
    public static String localHostName() {
        String configured = System.getProperty("rollback.host");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }

    /** @return "run R by alice, pid 42 on host-a", for messages */
    public String describe() {
        return "run " + runId + " by " + operator + ", pid " + pid + " on " + host;
    }
}
