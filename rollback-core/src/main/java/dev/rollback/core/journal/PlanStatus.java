package dev.rollback.core.journal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A plan's state as its journal knows it: idle, running (and by whom), interrupted (a run that
 * failed or died after changing something, which must be resumed or abandoned before a new run),
 * or succeeded (when, which run; a new run then needs {@code --again}). Every journal derives it
 * the same way, from the runs it holds and its lock.
 *
 * <pre>{@code
 * PlanStatus status = journal.status("nextcrm-back-to-mongo");
 * if (status.state() == PlanStatus.State.INTERRUPTED) {
 *     System.out.println(status.describe());
 * }
 * }</pre>
 *
 * @param planName    the plan
 * @param state       how it stands
 * @param lock        its lock or lease, if one is recorded (a lease may have expired)
 * @param runs        every run, oldest first
 * @param interrupted the runs that block a new run, newest first
 * @param lastSuccess the run that succeeded last, unless a later abandon made the plan idle
 */
public record PlanStatus(String planName, State state, Optional<PlanLock> lock, List<RunSummary> runs, List<RunSummary> interrupted,
                         Optional<RunSummary> lastSuccess) {

    /** How a plan stands. */
    public enum State {
        /** No run holds it, none is interrupted, and it has not succeeded (or its last run was abandoned). */
        IDLE,
        /** A run holds its lock, or its lease has not expired. */
        RUNNING,
        /** A run failed or died after changing something: resume it or abandon it. */
        INTERRUPTED,
        /** Its last run succeeded: a new run needs {@code --again} (or the plan's window to pass). */
        SUCCEEDED
    }

    /** Copies the lists. */
    public PlanStatus {
        Objects.requireNonNull(planName, "planName");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lock, "lock");
        runs = List.copyOf(runs);
        interrupted = List.copyOf(interrupted);
        Objects.requireNonNull(lastSuccess, "lastSuccess");
    }

    /**
     * Reads a plan's state from a journal: every run's events and the lock.
     *
     * @param journal  the journal
     * @param planName the plan
     * @return its state
     */
    public static PlanStatus of(Journal journal, String planName) {
        List<RunSummary> runs = new ArrayList<>();
        for (String id : journal.runIds(planName)) {
            List<JournalEvent> events = journal.read(planName, id);
            if (!events.isEmpty()) {
                runs.add(RunSummary.of(id, events));
            }
        }
        return of(planName, runs, journal.lock(planName));
    }

    /**
     * @param planName the plan
     * @param runs     its runs, in any order
     * @param lock     its lock, if one is recorded
     * @return the state they make
     */
    public static PlanStatus of(String planName, List<RunSummary> runs, Optional<PlanLock> lock) {
        List<RunSummary> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparing(RunSummary::startedAt).thenComparing(RunSummary::runId));
        List<RunSummary> interrupted = new ArrayList<>(sorted.stream().filter(r -> r.state() == RunSummary.State.INTERRUPTED).toList());
        Collections.reverse(interrupted);
        // The plan's last "closing" event decides between succeeded and idle: a success, or an abandon after it.
        RunSummary lastClosed = sorted.stream().filter(r -> r.endedAt() != null)
                .max(Comparator.comparing(RunSummary::endedAt)).orElse(null);
        Optional<RunSummary> lastSuccess = lastClosed != null && lastClosed.state() == RunSummary.State.SUCCEEDED
                ? Optional.of(lastClosed) : Optional.empty();
        State state;
        if (lock.isPresent() && !lock.get().expired()) {
            state = State.RUNNING;
        } else if (!interrupted.isEmpty()) {
            state = State.INTERRUPTED;
        } else if (lastSuccess.isPresent()) {
            state = State.SUCCEEDED;
        } else {
            state = State.IDLE;
        }
        return new PlanStatus(planName, state, lock, sorted, interrupted, lastSuccess);
    }

    /**
     * @param runId a run
     * @return its summary, if the journal holds it
     */
    public Optional<RunSummary> run(String runId) {
        return runs.stream().filter(r -> r.runId().equals(runId)).findFirst();
    }

    /** @return the run started last, if any */
    public Optional<RunSummary> latestRun() {
        return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(runs.size() - 1));
    }

    /**
     * Whether a new run is let in without {@code --again}, given the plan's window: there is no
     * success, or the last one is older than the window.
     *
     * @param window how long after a success a new run needs {@code --again}; null for always
     * @param now    the time now
     * @return whether the success still blocks a new run
     */
    public boolean successBlocksNewRun(Duration window, Instant now) {
        if (lastSuccess.isEmpty()) {
            return false;
        }
        return window == null || !lastSuccess.get().endedAt().plus(window).isBefore(now);
    }

    /** @return several lines for people: the state, the lock, the runs that matter */
    public String describe() {
        StringBuilder b = new StringBuilder("plan '").append(planName).append("': ").append(state);
        lock.ifPresent(l -> b.append("\n  lock: ").append(l.describe()));
        interrupted.forEach(r -> b.append("\n  interrupted: ").append(r.describe()));
        lastSuccess.ifPresent(r -> b.append("\n  last success: ").append(r.describe()));
        if (runs.isEmpty()) {
            b.append("\n  no runs recorded");
        } else {
            b.append("\n  runs: ").append(runs.size()).append(", latest ").append(runs.get(runs.size() - 1).describe());
        }
        return b.toString();
    }
}
