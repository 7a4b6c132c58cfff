package dev.rollback.core.decision;

import dev.rollback.core.Durations;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A threshold on one signal, optionally sustained for a duration or a number of consecutive
 * samples. Failed reads (samples with an error) neither break nor extend a sustained breach; the
 * decision lists them as unavailable signals.
 */
public final class SignalCondition implements Condition {
    private final String signal;
    private final Operator operator;
    private final double threshold;
    private final Duration sustain;
    private final int consecutive;

    /** A comparison. */
    public enum Operator {
        /** greater than */
        ABOVE(">"),
        /** greater than or equal */
        AT_LEAST(">="),
        /** less than */
        BELOW("<"),
        /** less than or equal */
        AT_MOST("<="),
        /** equal */
        EQUAL("==");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        boolean test(double value, double threshold) {
            switch (this) {
                case ABOVE:
                    return value > threshold;
                case AT_LEAST:
                    return value >= threshold;
                case BELOW:
                    return value < threshold;
                case AT_MOST:
                    return value <= threshold;
                default:
                    return value == threshold;
            }
        }

        /** @return the operator as a symbol */
        public String symbol() {
            return symbol;
        }
    }

    private SignalCondition(String signal, Operator operator, double threshold, Duration sustain, int consecutive) {
        this.signal = signal;
        this.operator = operator;
        this.threshold = threshold;
        this.sustain = sustain;
        this.consecutive = consecutive;
    }

    /**
     * @param duration how long the threshold must have been breached
     * @return a copy that must hold for that long
     */
    public SignalCondition sustainedFor(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a sustain window cannot be negative");
        }
        return new SignalCondition(signal, operator, threshold, duration, consecutive);
    }

    /**
     * @param samples how many consecutive readings must breach it
     * @return a copy that must hold for that many samples
     */
    public SignalCondition forConsecutiveSamples(int samples) {
        if (samples < 1) {
            throw new IllegalArgumentException("consecutive samples must be at least 1, got " + samples);
        }
        return new SignalCondition(signal, operator, threshold, sustain, samples);
    }

    /** @return the sustain window, if any */
    public Optional<Duration> sustain() {
        return Optional.ofNullable(sustain);
    }

    @Override
    public Evaluation evaluate(SignalHistory history, Instant now) {
        List<Sample> values = history.samples(signal).stream().filter(Sample::isValue).toList();
        if (values.isEmpty()) {
            String why = history.latest(signal).map(s -> " (last read failed: " + s.error() + ")").orElse("");
            return new Evaluation(false, List.of(signal + ": no value yet" + why));
        }
        Sample latest = values.get(values.size() - 1);
        if (!operator.test(latest.value(), threshold)) {
            return new Evaluation(false, List.of(signal + " = " + num(latest.value()) + ", not " + operator.symbol() + " " + num(threshold)));
        }
        int streak = 0;
        Instant since = latest.time();
        for (int i = values.size() - 1; i >= 0 && operator.test(values.get(i).value(), threshold); i--) {
            streak++;
            since = values.get(i).time();
        }
        Duration lasted = Duration.between(since, now);
        boolean holds = (sustain == null || lasted.compareTo(sustain) >= 0) && (consecutive == 0 || streak >= consecutive);
        String evidence = signal + " = " + num(latest.value()) + " " + operator.symbol() + " " + num(threshold)
                + " for " + Durations.human(lasted) + " (" + streak + (streak == 1 ? " sample" : " samples") + " since " + since + ")"
                + (holds ? "" : ", needs " + need());
        return new Evaluation(holds, List.of(evidence));
    }

    @Override
    public Set<String> signals() {
        return Set.of(signal);
    }

    @Override
    public String describe() {
        return signal + " " + operator.symbol() + " " + num(threshold) + (sustain != null ? " for " + Durations.human(sustain) : "")
                + (consecutive > 0 ? " for " + consecutive + " consecutive samples" : "");
    }

    @Override
    public String toString() {
        return describe();
    }

    private String need() {
        StringBuilder b = new StringBuilder();
        if (sustain != null) {
            b.append(Durations.human(sustain));
        }
        if (consecutive > 0) {
            b.append(b.length() > 0 ? " and " : "").append(consecutive).append(" consecutive samples");
        }
        return b.toString();
    }

    private static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.format(Locale.ROOT, "%s", d);
    }

    /** Chooses the comparison. */
    public static final class Builder {
        private final String signal;

        Builder(String signal) {
            this.signal = Objects.requireNonNull(signal, "signal");
        }

        /**
         * @param threshold the threshold
         * @return holds while the value is greater
         */
        public SignalCondition above(double threshold) {
            return new SignalCondition(signal, Operator.ABOVE, threshold, null, 0);
        }

        /**
         * @param threshold the threshold
         * @return holds while the value is greater or equal
         */
        public SignalCondition atLeast(double threshold) {
            return new SignalCondition(signal, Operator.AT_LEAST, threshold, null, 0);
        }

        /**
         * @param threshold the threshold
         * @return holds while the value is smaller
         */
        public SignalCondition below(double threshold) {
            return new SignalCondition(signal, Operator.BELOW, threshold, null, 0);
        }

        /**
         * @param threshold the threshold
         * @return holds while the value is smaller or equal
         */
        public SignalCondition atMost(double threshold) {
            return new SignalCondition(signal, Operator.AT_MOST, threshold, null, 0);
        }

        /**
         * @param value the value
         * @return holds while the value equals it
         */
        public SignalCondition equalTo(double value) {
            return new SignalCondition(signal, Operator.EQUAL, value, null, 0);
        }
    }
}
