package dev.rollback.core.decision;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One signal against a threshold: each comparison at its boundary, how long and how often it must hold, and what it says. */
class SignalConditionTest {
    private static final Instant T0 = Instant.parse("2026-11-25T03:00:00Z");

    private static SignalHistory readings(double... values) {
        SignalHistory h = SignalHistory.create();
        for (int i = 0; i < values.length; i++) {
            h.record(Sample.of("error.rate", T0.plus(Duration.ofMinutes(i)), values[i]));
        }
        return h;
    }

    private static boolean holds(SignalCondition c, double value) {
        return c.evaluate(readings(value), T0).holds();
    }

    @Test
    void eachComparisonAtItsBoundary() {
        assertThat(holds(Condition.signal("error.rate").above(0.1), 0.1)).isFalse();
        assertThat(holds(Condition.signal("error.rate").above(0.1), 0.11)).isTrue();
        assertThat(holds(Condition.signal("error.rate").atLeast(0.1), 0.1)).isTrue();
        assertThat(holds(Condition.signal("error.rate").atLeast(0.1), 0.09)).isFalse();
        assertThat(holds(Condition.signal("error.rate").below(0.1), 0.1)).isFalse();
        assertThat(holds(Condition.signal("error.rate").below(0.1), 0.09)).isTrue();
        assertThat(holds(Condition.signal("error.rate").atMost(0.1), 0.1)).isTrue();
        assertThat(holds(Condition.signal("error.rate").atMost(0.1), 0.11)).isFalse();
        assertThat(holds(Condition.signal("error.rate").equalTo(3), 3)).isTrue();
        assertThat(holds(Condition.signal("error.rate").equalTo(3), 3.5)).isFalse();
        assertThat(holds(Condition.signal("error.rate").equalTo(3), 2.5)).isFalse();
    }

    @Test
    void whatItSaysWhenItHoldsAndWhenItDoesNot() {
        SignalCondition c = Condition.signal("error.rate").above(0.5);
        assertThat(c.describe()).isEqualTo("error.rate > 0.5").isEqualTo(c.toString());
        assertThat(c.signals()).containsExactly("error.rate");
        assertThat(c.sustain()).isEmpty();
        assertThat(c.evaluate(readings(0.2), T0).evidence()).containsExactly("error.rate = 0.2, not > 0.5");
        assertThat(c.evaluate(readings(0.7, 0.8), T0.plus(Duration.ofMinutes(3))).evidence())
                .containsExactly("error.rate = 0.8 > 0.5 for 3 min 00 s (2 samples since 2026-11-25T03:00:00Z)");
        assertThat(Condition.signal("errors").atLeast(3).evaluate(readings(0, 4), T0.plus(Duration.ofMinutes(1))).evidence())
                .as("no signal of that name").containsExactly("errors: no value yet");

        SignalHistory failing = SignalHistory.create().record(Sample.failed("error.rate", T0, "connection refused"));
        Condition.Evaluation none = c.evaluate(failing, T0);
        assertThat(none.holds()).isFalse();
        assertThat(none.evidence()).containsExactly("error.rate: no value yet (last read failed: connection refused)");
    }

    @Test
    void aBreachMustLastAsLongAndAsOftenAsAsked() {
        SignalCondition both = Condition.signal("error.rate").atLeast(1).sustainedFor(Duration.ofMinutes(2)).forConsecutiveSamples(3);
        assertThat(both.describe()).isEqualTo("error.rate >= 1 for 2 min 00 s for 3 consecutive samples");
        assertThat(both.sustain()).contains(Duration.ofMinutes(2));

        // three breaching samples, 0 to 2 minutes: exactly long enough and often enough
        Condition.Evaluation exactly = both.evaluate(readings(0, 1, 1, 1), T0.plus(Duration.ofMinutes(3)));
        assertThat(exactly.holds()).isTrue();
        assertThat(exactly.evidence()).containsExactly("error.rate = 1 >= 1 for 2 min 00 s (3 samples since 2026-11-25T03:01:00Z)");
        // two samples: long enough, not often enough
        Condition.Evaluation twoSamples = both.evaluate(readings(0, 0, 1, 1), T0.plus(Duration.ofMinutes(5)));
        assertThat(twoSamples.holds()).isFalse();
        assertThat(twoSamples.evidence()).singleElement().asString().endsWith(", needs 2 min 00 s and 3 consecutive samples");
        // three samples, a second short of two minutes
        assertThat(both.evaluate(readings(0, 1, 1, 1), T0.plus(Duration.ofSeconds(179))).holds()).isFalse();

        SignalCondition onlyOften = Condition.signal("error.rate").above(0).forConsecutiveSamples(1);
        assertThat(onlyOften.describe()).isEqualTo("error.rate > 0 for 1 consecutive samples");
        Condition.Evaluation one = onlyOften.evaluate(readings(2), T0);
        assertThat(one.holds()).isTrue();
        assertThat(one.evidence()).containsExactly("error.rate = 2 > 0 for 0 ms (1 sample since 2026-11-25T03:00:00Z)");
        assertThat(Condition.signal("error.rate").above(5).sustainedFor(Duration.ofMinutes(1)).evaluate(readings(6), T0).evidence())
                .singleElement().asString().endsWith(", needs 1 min 00 s");
    }

    @Test
    void badLimitsAreRefused() {
        assertThatThrownBy(() -> Condition.signal("x").above(1).forConsecutiveSamples(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("consecutive samples must be at least 1, got 0");
        assertThatThrownBy(() -> Condition.signal("x").above(1).sustainedFor(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a sustain window cannot be negative");
        assertThat(Condition.signal("x").above(1).sustainedFor(Duration.ZERO).sustain()).contains(Duration.ZERO);
    }
}
