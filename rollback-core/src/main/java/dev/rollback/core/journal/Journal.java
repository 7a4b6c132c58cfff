package dev.rollback.core.journal;

import java.nio.file.Path;
import java.util.List;

/**
 * Where runs are recorded: append-only, one stream of {@link JournalEvent}s per run. The runner
 * writes every event before the effect it announces, and reads a run back to resume it or to
 * render its incident report.
 *
 * @see FileJournal
 * @see InMemoryJournal
 */
public interface Journal {

    /**
     * Opens a run for appending and takes the plan's lock, so that two runs of one plan cannot
     * overlap.
     *
     * @param planName the plan
     * @param runId    the run, new or resumed
     * @return a writer; closing it releases the lock
     * @throws JournalLockedException naming the holder when another run of the plan is active
     */
    JournalWriter open(String planName, String runId);

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

    /** Appends events of one run; holds the plan's lock until closed. */
    interface JournalWriter extends AutoCloseable {
        /**
         * Appends one event and makes it durable before returning.
         *
         * @param event the event
         */
        void append(JournalEvent event);

        /** Releases the plan's lock. */
        @Override
        void close();
    }
}
