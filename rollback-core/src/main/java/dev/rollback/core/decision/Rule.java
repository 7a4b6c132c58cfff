package dev.rollback.core.decision;

import java.util.Objects;

/**
 * One line of a decision table: a level, a name people recognise ("error rate above 10% for 10
 * minutes"), and the condition that makes it fire.
 *
 * <pre>{@code
 * Rule.must("integrity below 95%", Condition.signal("integrity.ratio").below(0.95));
 * Rule.should("error rate above 5%", Condition.signal("error.rate").above(0.05).forConsecutiveSamples(3));
 * }</pre>
 *
 * @param name      the rule's name
 * @param level     what it calls for when it holds
 * @param condition when it holds
 */
public record Rule(String name, Level level, Condition condition) {
    /** Validates the fields. */
    public Rule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(condition, "condition");
        if (level == Level.NONE) {
            throw new IllegalArgumentException("a rule needs a level other than NONE");
        }
    }

    /**
     * @param name      name
     * @param condition condition
     * @return a MUST rule
     */
    public static Rule must(String name, Condition condition) {
        return new Rule(name, Level.MUST, condition);
    }

    /**
     * @param name      name
     * @param condition condition
     * @return a SHOULD rule
     */
    public static Rule should(String name, Condition condition) {
        return new Rule(name, Level.SHOULD, condition);
    }

    /**
     * @param name      name
     * @param condition condition
     * @return a CONSIDER rule
     */
    public static Rule consider(String name, Condition condition) {
        return new Rule(name, Level.CONSIDER, condition);
    }

    /**
     * @param name      name
     * @param condition condition
     * @return a FIX_FORWARD rule
     */
    public static Rule fixForward(String name, Condition condition) {
        return new Rule(name, Level.FIX_FORWARD, condition);
    }
}
