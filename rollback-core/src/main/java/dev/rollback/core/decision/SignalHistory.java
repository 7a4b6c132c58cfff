package dev.rollback.core.decision;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The recent samples of every signal, oldest first, bounded in count and age. Thread-safe.
 */
public final class SignalHistory {
    private static final int MAX_SAMPLES = 10_000;
    private final Duration retention;
    private final Map<String, Deque<Sample>> samples = new LinkedHashMap<>();

    /**
     * @param retention how long samples are kept (at least the longest sustain window of the rules)
     */
    public SignalHistory(Duration retention) {
        this.retention = retention;
    }

    /** @return a history that keeps a day of samples */
    public static SignalHistory create() {
        return new SignalHistory(Duration.ofDays(1));
    }

    /**
     * @param sample a new reading
     * @return this
     */
    public synchronized SignalHistory record(Sample sample) {
        Deque<Sample> d = samples.computeIfAbsent(sample.signal(), k -> new ArrayDeque<>());
        d.addLast(sample);
        Instant horizon = sample.time().minus(retention);
        while (d.size() > MAX_SAMPLES || (!d.isEmpty() && d.peekFirst().time().isBefore(horizon))) {
            d.removeFirst();
        }
        return this;
    }

    /**
     * @param signal a signal name
     * @return its samples, oldest first
     */
    public synchronized List<Sample> samples(String signal) {
        Deque<Sample> d = samples.get(signal);
        return d == null ? List.of() : new ArrayList<>(d);
    }

    /**
     * @param signal a signal name
     * @return its newest sample
     */
    public synchronized Optional<Sample> latest(String signal) {
        Deque<Sample> d = samples.get(signal);
        return d == null || d.isEmpty() ? Optional.empty() : Optional.of(d.peekLast());
    }

    /** @return the names of every signal with samples */
    public synchronized List<String> signals() {
        return List.copyOf(samples.keySet());
    }
}
