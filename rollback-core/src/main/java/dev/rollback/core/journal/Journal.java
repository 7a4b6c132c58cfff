package dev.rollback.core.journal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where runs are recorded: append-only, one stream of {@link JournalEvent}s per run and one log of
 * {@link JournalEvent.PlanDecision decisions} per plan, with one lock per plan so that two runs of
 * a plan never overlap. The runner takes the lock, writes every event before the effect it
 * announces, and reads runs back to know the plan's state, to resume a run, and to render its
 * incident report.
 *
 * <p>A journal of your own passes the contract tests in {@code rollback-test}
 * ({@code dev.rollback.test.JournalContract}).
 *
 * @see FileJournal
 * @see InMemoryJournal
 */
public interface Journal {

    /**
     * Takes the plan's lock and opens the plan for appending, for one invocation of the runner (a
     * run, a resume, an abandon).
     *
     * @param planName the plan
     * @param holder   who asks: host, process, run and operator, recorded with the lock
     * @return a writer; closing it releases the lock
     * @throws JournalLockedException naming the holder when another process holds the plan
     * @throws JournalException       when the lock cannot be taken (permissions, a read-only file
     *                                system, an unreachable server), naming the cause and the fix
     */
    JournalWriter open(String planName, Holder holder);

    /**
     * Reads a run's events in order. A torn last line (the process died while writing) is ignored.
     *
     * @param planName the plan
     * @param runId    the run
     * @return the events; empty when there is no such run
     */
    List<JournalEvent> read(String planName, String runId);

    /**
     * @param planName the plan
     * @return the ids of its recorded runs, oldest first
     */
    List<String> runIds(String planName);

    /**
     * @param planName the plan
     * @return its decisions ({@link JournalEvent.PlanDecision}), oldest first
     */
    List<JournalEvent> planLog(String planName);

    /** @return the names of the plans this journal holds runs or decisions of */
    List<String> planNames();

    /**
     * The plan's lock as recorded now, without taking it: a live holder, or (for a journal with
     * leases) a holder whose lease expired.
     *
     * @param planName the plan
     * @return the lock, or empty when no one holds it
     */
    Optional<PlanLock> lock(String planName);

    /**
     * Breaks a plan's lock before its lease expired, so that another runner can take over
     * ({@code --break-lock --reason TEXT}); the former holder can never append again. Journaled as
     * a {@link JournalEvent.PlanDecision.Decision#LOCK_BROKEN} decision with the former holder.
     * Only journals with leases can do this; the default refuses.
     *
     * @param planName the plan
     * @param by       who breaks it
     * @param reason   why
     * @return the lock that was broken, or empty when no one held it
     * @throws LockNotBreakableException when this journal's locks cannot be broken, saying what to do instead
     */
    default Optional<PlanLock> breakLock(String planName, Holder by, String reason) {
        throw new LockNotBreakableException(planName, this + " holds no leases: a live holder's lock is released only when that "
                + "process exits, and a process that died has released it already."
                + lock(planName).map(l -> " The holder is " + l.describe() + "; stop that process if it must not go on.").orElse(""));
    }

    /**
     * The plan's state: idle, running, interrupted or succeeded, derived from its runs and lock.
     *
     * @param planName the plan
     * @return its state
     */
    default PlanStatus status(String planName) {
        return PlanStatus.of(this, planName);
    }

    /**
     * A folder that belongs to the run, for captured forensics and reports; created on demand.
     *
     * @param planName the plan
     * @param runId    the run
     * @return the folder
     */
    Path runDirectory(String planName, String runId);

    /**
     * Where the run is recorded, for messages ("journal: /var/lib/rollback/x/20261125-...jsonl").
     *
     * @param planName the plan
     * @param runId    the run
     * @return a location people can open
     */
    String describeLocation(String planName, String runId);

    /**
     * Appends a plan's events while holding its lock. Each event goes to the stream of its run
     * ({@link JournalEvent#runId()}), and a {@link JournalEvent.PlanDecision} to the plan's log.
     */
    interface JournalWriter extends AutoCloseable {
        /**
         * Appends one event and makes it durable before returning.
         *
         * @param event the event
         * @throws JournalException   when it could not be made durable: the runner must stop at once
         * @throws LeaseLostException when another runner took the plan's lease over: the runner must stop at once
         */
        void append(JournalEvent event);

        /** Releases the plan's lock. */
        @Override
        void close();
    }
}
