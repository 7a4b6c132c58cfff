package dev.rollback.core;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * What a running step sees of its run: identity, the run folder for captured forensics, outputs
 * published by earlier steps (also after a resume), a durable memory of its own decisions, and a
 * progress channel for long work.
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
     * Remembers a value for this step in this run, durably: it is journaled before this method
     * returns, and {@link #recall(String)} hands it back on every later attempt and every resume of
     * the run, on any machine that reads the same journal. Use it for what must be decided once per
     * run (the commit {@code HEAD} named when the run began, the backup "latest" chose, "now") and
     * for the state of multi-part work about to happen (the next rename of a swap), so that a resume
     * after a kill completes the work instead of starting it over.
     *
     * <pre>{@code
     * String head = ctx.recall("git.head").orElseGet(() -> {
     *     String resolved = repo.resolve("HEAD");
     *     ctx.remember("git.head", resolved);   // durable before the step acts on it
     *     return resolved;
     * });
     * }</pre>
     *
     * @param key   the key, by convention {@code "<area>.<name>"}
     * @param value the value; never a secret (it is redacted, like everything journaled)
     */
    void remember(String key, String value);

    /**
     * A value this step remembered earlier in this run: in this attempt, an earlier attempt, or an
     * earlier invocation before a resume.
     *
     * @param key the key
     * @return the value last remembered under the key, if any
     */
    Optional<String> recall(String key);

    /**
     * Everything this step has remembered in this run, in the order it was remembered (a key
     * remembered twice keeps its first position and its last value).
     *
     * @return an unmodifiable copy
     */
    Map<String, String> memory();

    /**
     * Resolves a moving input once per run: the first call resolves and remembers it, every later
     * call in the run (after a retry or a resume) returns the remembered value without resolving.
     *
     * @param key      the key
     * @param resolver resolves the value the first time
     * @return the value, resolved once per run
     * @throws Exception what the resolver throws
     */
    default String resolveOnce(String key, Callable<String> resolver) throws Exception {
        Optional<String> known = recall(key);
        if (known.isPresent()) {
            return known.get();
        }
        String value = Objects.requireNonNull(resolver.call(), () -> "resolver of '" + key + "' returned null");
        remember(key, value);
        return value;
    }

    /**
     * Reports progress of long work ("restored 400 000 of 1 000 000 documents"); listeners show
     * it, and it is logged.
     *
     * @param message the progress, without secrets
     */
    void progress(String message);

    /**
     * Records a check this step ran on its own work, such as the checks a restore runs on the new
     * database before it swaps it in ({@code verifyWith}). The runner journals it with the step's
     * result, passed or failed, so that it is listed under the incident report's "Verification
     * results" like any verify step; recording a failed result does not fail the step (the step
     * decides that, usually by throwing).
     *
     * @param result the check's result
     */
    default void checkResult(CheckResult result) {
        progress("check: " + result.summary());
    }

    /** @return the clock of the run (a manual clock in tests) */
    Clock clock();

    /**
     * Why the run stopped, for a handler that runs after a failure ({@link StepsBuilder#onFailure onFailure} and
     * an {@link StepsBuilder#always always} handler after a failure): the step, the message, the state
     * left behind, the error code. Empty for every other step.
     *
     * @return the failure the run stopped on, if this step is a handler running after one
     */
    default Optional<RunReport.Failure> failure() {
        return Optional.empty();
    }
}
