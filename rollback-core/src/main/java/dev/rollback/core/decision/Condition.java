package dev.rollback.core.decision;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link Rule} looks for in the signals: a threshold on one signal, optionally sustained
 * for a duration or a number of consecutive samples (as Argo Rollouts' failure limits), or a
 * combination of conditions.
 *
 * <pre>{@code
 * Condition.signal("error.rate").above(0.10).sustainedFor(Duration.ofMinutes(10))
 * Condition.signal("integrity.ratio").below(0.95)
 * Condition.signal("health.failing").atLeast(1).forConsecutiveSamples(5)
 * Condition.allOf(Condition.signal("latency.ratio").above(10), Condition.signal("error.rate").above(0.01))
 * }</pre>
 */
public interface Condition {

    /**
     * @param history the samples so far
     * @param now     the time of the decision
     * @return whether it holds, and the values behind the answer
     */
    Evaluation evaluate(SignalHistory history, Instant now);

    /** @return the signals it reads */
    Set<String> signals();

    /** @return the condition in words: "error.rate > 0.1 for 10 min 00 s" */
    String describe();

    /**
     * @param signal a signal name
     * @return a builder for a threshold on it
     */
    static SignalCondition.Builder signal(String signal) {
        return new SignalCondition.Builder(signal);
    }

    /**
     * @param conditions conditions
     * @return a condition that holds when all of them hold
     */
    static Condition allOf(Condition... conditions) {
        return new Combination(List.of(conditions), true);
    }

    /**
     * @param conditions conditions
     * @return a condition that holds when any of them holds
     */
    static Condition anyOf(Condition... conditions) {
        return new Combination(List.of(conditions), false);
    }

    /**
     * The answer of a condition.
     *
     * @param holds    whether it holds
     * @param evidence the values behind the answer, one sentence each
     */
    record Evaluation(boolean holds, List<String> evidence) {
        /** Copies the evidence. */
        public Evaluation {
            evidence = List.copyOf(evidence);
        }
    }

    /** All of, or any of, several conditions. */
    final class Combination implements Condition {
        private final List<Condition> parts;
        private final boolean all;

        Combination(List<Condition> parts, boolean all) {
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("a combination needs at least one condition");
            }
            parts.forEach(p -> Objects.requireNonNull(p, "condition"));
            this.parts = List.copyOf(parts);
            this.all = all;
        }

        @Override
        public Evaluation evaluate(SignalHistory history, Instant now) {
            List<String> evidence = new ArrayList<>();
            boolean result = all;
            for (Condition c : parts) {
                Evaluation e = c.evaluate(history, now);
                evidence.addAll(e.evidence());
                result = all ? result && e.holds() : result || e.holds();
            }
            return new Evaluation(result, evidence);
        }

        @Override
        public Set<String> signals() {
            Set<String> s = new LinkedHashSet<>();
            parts.forEach(p -> s.addAll(p.signals()));
            return s;
        }

        @Override
        public String describe() {
            List<String> d = parts.stream().map(Condition::describe).toList();
            return "(" + String.join(all ? " and " : " or ", d) + ")";
        }

        @Override
        public String toString() {
            return describe();
        }
    }
}
