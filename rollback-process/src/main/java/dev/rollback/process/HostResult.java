package dev.rollback.process;

import java.time.Duration;
import java.util.Objects;

/**
 * What one action (stop, start, a playbook) did on one host of a fleet: the same record whether
 * the hosts were handled by {@link Fleet} over ssh or by {@link Ansible}. Each is journaled as the
 * step's output {@code fleet.<action>.<host>} and, once the host is done, in the step's memory, so
 * that a resumed run does not run it there again.
 *
 * @param host     the host
 * @param action   "stop", "start", or the Ansible step's action name
 * @param status   what happened there
 * @param message  empty when it succeeded, else why it failed or was not tried (redacted)
 * @param duration how long it took on this host (zero when not run)
 */
public record HostResult(String host, String action, Status status, String message, Duration duration) {

    /** What happened on a host. */
    public enum Status {
        /** It ran and succeeded. */
        OK,
        /** It succeeded in an earlier attempt or before a resume of this run; not run again. */
        DONE_EARLIER,
        /** It ran and failed, or the host could not be reached. */
        FAILED,
        /** It was not run: the failure budget was spent before its batch. */
        NOT_TRIED
    }

    /** Validates. */
    public HostResult {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(status, "status");
        message = message == null ? "" : message;
        duration = duration == null ? Duration.ZERO : duration;
    }

    /** @return whether the action is done on this host (now or earlier) */
    public boolean ok() {
        return status == Status.OK || status == Status.DONE_EARLIER;
    }

    /** @return how it is journaled: {@code ok}, {@code done earlier}, {@code FAILED: why}, {@code not tried: why} */
    public String summary() {
        return switch (status) {
            case OK -> "ok";
            case DONE_EARLIER -> "done earlier";
            case FAILED -> "FAILED: " + message;
            case NOT_TRIED -> "not tried" + (message.isEmpty() ? "" : ": " + message);
        };
    }
}
