package dev.rollback.core.decision;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecisionTableTest {
    private static final Instant T0 = Instant.parse("2026-11-25T03:00:00Z");
    private final SignalHistory history = SignalHistory.create();

    private void sample(String signal, int minute, double value) {
        history.record(Sample.of(signal, T0.plus(Duration.ofMinutes(minute)), value));
    }

    private Decision at(DecisionTable table, int minute) {
        return table.decide(history, T0.plus(Duration.ofMinutes(minute)));
    }

    @Test
    void aThresholdFiresOnTheLatestValue() {
        DecisionTable table = DecisionTable.of(Rule.must("integrity below 95%", Condition.signal("integrity.ratio").below(0.95)));
        sample("integrity.ratio", 0, 0.99);
        assertThat(at(table, 0).level()).isEqualTo(Level.NONE);
        sample("integrity.ratio", 1, 0.93);
        Decision d = at(table, 1);
        assertThat(d.level()).isEqualTo(Level.MUST);
        assertThat(d.fired()).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo("integrity below 95%");
            assertThat(f.evidence()).singleElement().asString().startsWith("integrity.ratio = 0.93 < 0.95");
        });
        assertThat(d.values()).containsEntry("integrity.ratio", "0.93");
    }

    @Test
    void aSustainedConditionHoldsOnlyAfterItsWindow() {
        DecisionTable table = DecisionTable.of(Rule.must("health failing for 5+ minutes",
                Condition.signal("health.failing").atLeast(1).sustainedFor(Duration.ofMinutes(5))));
        sample("health.failing", 0, 0);
        for (int m = 1; m <= 5; m++) {
            sample("health.failing", m, 1);
            assertThat(at(table, m).level()).as("minute %d", m).isEqualTo(Level.NONE);
        }
        sample("health.failing", 6, 1);
        Decision d = at(table, 6);
        assertThat(d.level()).isEqualTo(Level.MUST);
        assertThat(d.fired().get(0).evidence().get(0)).contains("for 5 min 00 s").contains("6 samples since 2026-11-25T03:01:00Z");
    }

    @Test
    void aHealthySampleResetsTheWindow() {
        DecisionTable table = DecisionTable.of(Rule.must("errors 10 min",
                Condition.signal("error.rate").above(0.10).sustainedFor(Duration.ofMinutes(10))));
        for (int m = 0; m <= 8; m++) {
            sample("error.rate", m, 0.2);
        }
        sample("error.rate", 9, 0.01);
        for (int m = 10; m <= 18; m++) {
            sample("error.rate", m, 0.2);
        }
        assertThat(at(table, 18).level()).isEqualTo(Level.NONE);
        assertThat(at(table, 18).fired()).isEmpty();
        sample("error.rate", 20, 0.2);
        assertThat(at(table, 20).level()).isEqualTo(Level.MUST);
    }

    @Test
    void consecutiveSamplesCountReadingsNotTime() {
        DecisionTable table = DecisionTable.of(Rule.should("3 bad polls", Condition.signal("error.rate").above(0.05).forConsecutiveSamples(3)));
        sample("error.rate", 0, 0.06);
        sample("error.rate", 0, 0.07);
        assertThat(at(table, 0).level()).isEqualTo(Level.NONE);
        sample("error.rate", 0, 0.08);
        assertThat(at(table, 0).level()).isEqualTo(Level.SHOULD);
        assertThatThrownBy(() -> Condition.signal("x").above(1).forConsecutiveSamples(0)).hasMessageContaining("at least 1");
    }

    @Test
    void combinationsAndTheStrongestLevelWins() {
        DecisionTable table = DecisionTable.of(
                Rule.consider("latency up", Condition.signal("latency.ratio").above(3)),
                Rule.should("10x slower and erroring", Condition.allOf(Condition.signal("latency.ratio").above(10),
                        Condition.signal("error.rate").above(0.01))),
                Rule.must("users locked out", Condition.anyOf(Condition.signal("users.failing.ratio").above(0.5),
                        Condition.signal("auth.failing").atLeast(1))));
        Map<String, Double> slowOnly = Map.of("latency.ratio", 12.0, "error.rate", 0.0, "users.failing.ratio", 0.0, "auth.failing", 0.0);
        assertThat(table.decide(slowOnly).level()).isEqualTo(Level.CONSIDER);
        Decision both = table.decide(Map.of("latency.ratio", 12.0, "error.rate", 0.02, "users.failing.ratio", 0.0, "auth.failing", 0.0));
        assertThat(both.level()).isEqualTo(Level.SHOULD);
        assertThat(both.fired()).extracting(Decision.Fired::rule).containsExactly("10x slower and erroring", "latency up");
        Decision auth = table.decide(Map.of("latency.ratio", 1.0, "error.rate", 0.0, "users.failing.ratio", 0.1, "auth.failing", 1.0));
        assertThat(auth.level()).isEqualTo(Level.MUST);
        assertThat(auth.summary()).contains("MUST 'users locked out'").contains("auth.failing = 1 >= 1");
        assertThat(table.signals()).containsExactly("latency.ratio", "error.rate", "users.failing.ratio", "auth.failing");
    }

    @Test
    void anUnreadableSignalIsNeverHealthy() {
        DecisionTable table = DecisionTable.of(Rule.must("errors", Condition.signal("error.rate").above(0.1)));
        history.record(Sample.failed("error.rate", T0, "IOException: metrics server refused the connection"));
        Decision d = table.decide(history, T0);
        assertThat(d.level()).isEqualTo(Level.CONSIDER);
        assertThat(d.unavailable()).containsEntry("error.rate", "IOException: metrics server refused the connection");
        assertThat(d.summary()).contains("signal error.rate unavailable");
    }

    @Test
    void failedReadsNeitherBreakNorExtendASustainedBreach() {
        DecisionTable table = DecisionTable.of(Rule.must("errors 3 min", Condition.signal("e").above(1).sustainedFor(Duration.ofMinutes(3))));
        sample("e", 0, 5);
        history.record(Sample.failed("e", T0.plus(Duration.ofMinutes(1)), "timeout"));
        sample("e", 2, 5);
        sample("e", 3, 5);
        assertThat(at(table, 3).level()).isEqualTo(Level.MUST);
    }

    @Test
    void tablesNeedRulesWithDistinctNames() {
        assertThatThrownBy(DecisionTable::of).hasMessageContaining("at least one rule");
        Condition c = Condition.signal("x").above(1);
        assertThatThrownBy(() -> DecisionTable.of(Rule.must("a", c), Rule.should("a", c))).hasMessageContaining("rule name 'a' is used twice");
        assertThatThrownBy(() -> new Rule("x", Level.NONE, c)).hasMessageContaining("other than NONE");
    }

    @Test
    void conditionsDescribeThemselves() {
        assertThat(Condition.signal("error.rate").above(0.1).sustainedFor(Duration.ofMinutes(10)).describe())
                .isEqualTo("error.rate > 0.1 for 10 min 00 s");
        assertThat(Condition.allOf(Condition.signal("a").atMost(2), Condition.signal("b").equalTo(0).forConsecutiveSamples(2)).describe())
                .isEqualTo("(a <= 2 and b == 0 for 2 consecutive samples)");
    }
}
