package dev.rollback.core.decision;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A decision table as the seeds write them — MUST / SHOULD / CONSIDER / fix forward — as typed,
 * testable rules.
 *
 * <pre>{@code
 * DecisionTable table = DecisionTable.of(
 *     Rule.must("health failing for 5+ minutes",
 *         Condition.signal("health.failing").atLeast(1).sustainedFor(Duration.ofMinutes(5))),
 *     Rule.must("error rate above 10% for 10+ minutes",
 *         Condition.signal("error.rate").above(0.10).sustainedFor(Duration.ofMinutes(10))),
 *     Rule.should("error rate above 5%", Condition.signal("error.rate").above(0.05)));
 *
 * Decision d = table.decide(Map.of("error.rate", 0.07, "health.failing", 0.0));   // SHOULD
 * }</pre>
 *
 * A signal that could not be read raises the level to at least {@link Level#CONSIDER}: a broken
 * monitoring source is reported, never taken for a healthy system.
 */
public final class DecisionTable {
    private final List<Rule> rules;

    private DecisionTable(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /**
     * @param rules the rules, in any order
     * @return the table
     */
    public static DecisionTable of(Rule... rules) {
        if (rules.length == 0) {
            throw new IllegalArgumentException("a decision table needs at least one rule");
        }
        Set<String> names = new LinkedHashSet<>();
        for (Rule r : rules) {
            Objects.requireNonNull(r, "rule");
            if (!names.add(r.name())) {
                throw new IllegalArgumentException("rule name '" + r.name() + "' is used twice; each rule needs its own name");
            }
        }
        return new DecisionTable(List.of(rules));
    }

    /** @return the rules */
    public List<Rule> rules() {
        return rules;
    }

    /** @return every signal the rules read */
    public Set<String> signals() {
        Set<String> s = new LinkedHashSet<>();
        rules.forEach(r -> s.addAll(r.condition().signals()));
        return s;
    }

    /**
     * Decides from one snapshot of values, taken now. Sustained conditions cannot hold from a
     * single snapshot unless their window is zero: use {@link #decide(SignalHistory, Instant)}.
     *
     * @param values current values by signal name
     * @return the decision
     */
    public Decision decide(Map<String, Double> values) {
        Instant now = Clock.systemUTC().instant();
        SignalHistory h = new SignalHistory(Duration.ofDays(1));
        values.forEach((k, v) -> h.record(Sample.of(k, now, v)));
        return decide(h, now);
    }

    /**
     * Decides from the samples so far.
     *
     * @param history the samples
     * @param now     the time of the decision
     * @return the decision
     */
    public Decision decide(SignalHistory history, Instant now) {
        List<Decision.Fired> fired = new ArrayList<>();
        Level level = Level.NONE;
        for (Rule r : rules) {
            Condition.Evaluation e = r.condition().evaluate(history, now);
            if (e.holds()) {
                fired.add(new Decision.Fired(r.name(), r.level(), e.evidence()));
                level = level.max(r.level());
            }
        }
        fired.sort(Comparator.comparing(Decision.Fired::level).reversed());
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> unavailable = new LinkedHashMap<>();
        for (String s : signals()) {
            history.latest(s).ifPresent(sample -> {
                if (sample.isValue()) {
                    values.put(s, String.valueOf(sample.value()));
                } else {
                    unavailable.put(s, sample.error());
                }
            });
        }
        if (!unavailable.isEmpty()) {
            level = level.max(Level.CONSIDER);
        }
        return new Decision(level, now, fired, values, unavailable);
    }
}
