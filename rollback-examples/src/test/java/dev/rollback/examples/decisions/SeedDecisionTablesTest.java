package dev.rollback.examples.decisions;

import dev.rollback.core.decision.Decision;
import dev.rollback.core.decision.DecisionTable;
import dev.rollback.core.decision.Level;
import dev.rollback.core.decision.Sample;
import dev.rollback.core.decision.SignalHistory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The seeds' decision tables decide the seeds' own examples, on a manual timeline. */
class SeedDecisionTablesTest {
    private static final Instant T0 = Instant.parse("2026-11-25T03:00:00Z");

    /** Signals at a healthy baseline; tests change what the scenario is about. */
    private static Map<String, Double> healthy() {
        Map<String, Double> m = new HashMap<>();
        for (String s : new String[]{"data.corruption", "data.loss", "security.breach", "critical.broken", "auth.broken",
                "db.unrecoverable", "migration.failed", "critical.bugs", "moderate.issues", "minor.issues", "health.failing", "db.connection.failures",
                "error.rate", "users.failing.ratio", "fix.eta.minutes"}) {
            m.put(s, 0.0);
        }
        m.put("latency.ratio", 1.0);
        m.put("integrity.ratio", 1.0);
        m.put("memory.ratio", 0.4);
        m.put("cpu.ratio", 0.3);
        return m;
    }

    private static Decision decide(DecisionTable table, Map<String, Double> values) {
        return table.decide(values);
    }

    /** Records the same values every minute for a while and decides at the end. */
    private static Decision sustained(DecisionTable table, Map<String, Double> values, int minutes) {
        SignalHistory h = SignalHistory.create();
        for (int m = 0; m <= minutes; m++) {
            Instant t = T0.plus(Duration.ofMinutes(m));
            values.forEach((k, v) -> h.record(Sample.of(k, t, v)));
        }
        return table.decide(h, T0.plus(Duration.ofMinutes(minutes)));
    }

    @Test
    void seed000() {
        DecisionTable t = SeedDecisionTables.seed000();
        assertThat(decide(t, healthy()).level()).isEqualTo(Level.NONE);

        Map<String, Double> integrity = healthy();
        integrity.put("integrity.ratio", 0.93);
        Decision d = decide(t, integrity);
        assertThat(d.level()).isEqualTo(Level.MUST);
        assertThat(d.fired()).extracting(Decision.Fired::rule).contains("validation script fails with <95% data integrity",
                "uncertainty about data integrity");

        Map<String, Double> errors = healthy();
        errors.put("error.rate", 0.07);
        assertThat(decide(t, errors).level()).isEqualTo(Level.SHOULD);

        Map<String, Double> brokenLongFix = healthy();
        brokenLongFix.put("critical.broken", 1.0);
        assertThat(decide(t, brokenLongFix).level()).as("critical functionality broken is a MUST on its own").isEqualTo(Level.MUST);

        Map<String, Double> piling = healthy();
        piling.put("moderate.issues", 3.0);
        assertThat(decide(t, piling).level()).isEqualTo(Level.CONSIDER);

        Map<String, Double> single = healthy();
        single.put("moderate.issues", 1.0);
        assertThat(decide(t, single).level()).isEqualTo(Level.FIX_FORWARD);
    }

    @Test
    void seed001AutomatedTriggersNeedTheirSustainedWindows() {
        DecisionTable t = SeedDecisionTables.seed001();
        Map<String, Double> failing = healthy();
        failing.put("health.failing", 1.0);
        assertThat(sustained(t, failing, 4).level()).as("4 minutes of failing health").isEqualTo(Level.NONE);
        Decision five = sustained(t, failing, 5);
        assertThat(five.level()).isEqualTo(Level.MUST);
        assertThat(five.fired()).extracting(Decision.Fired::rule).containsExactly("health check failures for 5+ minutes");

        Map<String, Double> errors = healthy();
        errors.put("error.rate", 0.12);
        assertThat(sustained(t, errors, 9).level()).isEqualTo(Level.NONE);
        assertThat(sustained(t, errors, 10).level()).isEqualTo(Level.MUST);

        Map<String, Double> db = healthy();
        db.put("db.connection.failures", 4.0);
        assertThat(sustained(t, db, 1).level()).as("two polls").isEqualTo(Level.NONE);
        assertThat(sustained(t, db, 2).level()).as("three consecutive polls").isEqualTo(Level.MUST);

        Map<String, Double> slow = healthy();
        slow.put("latency.ratio", 3.0);
        assertThat(decide(t, slow).level()).isEqualTo(Level.CONSIDER);
        Map<String, Double> ui = healthy();
        ui.put("minor.issues", 2.0);
        assertThat(decide(t, ui).level()).isEqualTo(Level.FIX_FORWARD);
        assertThat(decide(t, healthy()).level()).isEqualTo(Level.NONE);
    }

    @Test
    void seed003() {
        DecisionTable t = SeedDecisionTables.seed003();
        Map<String, Double> slow = healthy();
        slow.put("latency.ratio", 1.6);
        assertThat(decide(t, slow).level()).as("performance degradation > 50%").isEqualTo(Level.SHOULD);

        Map<String, Double> migration = healthy();
        migration.put("migration.failed", 1.0);
        assertThat(decide(t, migration).summary()).contains("SHOULD 'failed migration: rollback + restore DB'");

        Map<String, Double> everyone = healthy();
        everyone.put("users.failing.ratio", 1.0);
        assertThat(decide(t, everyone).level()).isEqualTo(Level.MUST);

        Map<String, Double> ui = healthy();
        ui.put("minor.issues", 1.0);
        assertThat(decide(t, ui).level()).isEqualTo(Level.FIX_FORWARD);
        assertThat(decide(t, healthy()).level()).isEqualTo(Level.NONE);
    }
}
