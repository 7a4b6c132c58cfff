package dev.rollback.core;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * What a running step sees of its run: identity, the run folder for captured forensics, outputs
 * published by earlier steps (also after a resume), and a progress channel for long work.
 * Implementations are thread-safe: a step may publish outputs and progress from several threads
 * (a fleet stopping hosts in parallel).
 */
public interface StepContext {

    /** @return the run's id, stable across resumes */
    String runId();

    /** @return the plan's name */
    String planName();

    /** @return the name of the step being run */
    String stepName();

    /**
     * A folder that belongs to this run, for forensics and captured state. It exists, and is
     * readable by the owner only when the journal is a file journal.
     *
     * @return the run folder
     */
    Path runDirectory();

    /**
     * Publishes an output of this step (the backup it chose, the tag it created). Outputs are
     * journaled with the step and given back to later steps, also after a resume.
     *
     * @param key   the key, by convention {@code "<area>.<name>"}, such as {@code "backup.path"}
     * @param value the value; never a secret
     */
    void output(String key, String value);

    /**
     * An output published by this run so far, including steps finished before a resume.
     *
     * @param key the key
     * @return its value, if published
     */
    Optional<String> output(String key);

    /**
     * An output that a later step cannot do without.
     *
     * @param key the key
     * @return its value
     * @throws MissingOutputException naming the key and the outputs there are
     */
    default String requireOutput(String key) {
        return output(key).orElseThrow(() -> new MissingOutputException(key, outputs().keySet()));
    }

    /** @return every output published so far, in publication order */
    Map<String, String> outputs();

    /**
     * Reports progress of long work ("restored 400 000 of 1 000 000 documents"); listeners show
     * it, and it is logged.
     *
     * @param message the progress, without secrets
     */
    void progress(String message);

    /** @return the clock of the run (a manual clock in tests) */
    Clock clock();
}
