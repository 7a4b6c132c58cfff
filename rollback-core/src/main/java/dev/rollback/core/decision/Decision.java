package dev.rollback.core.decision;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the rules say at one moment: the strongest level that fired, every rule that fired with
 * the values behind it, the latest value of every signal, and the signals that could not be read.
 * {@link #summary()} is what goes into the journal (as the run's reason) and the report.
 *
 * @param level       the strongest level that fired ({@link Level#NONE} when none did)
 * @param time        when it was decided
 * @param fired       the rules that fired, strongest first
 * @param values      latest value of every signal the rules read
 * @param unavailable signals whose latest read failed, with the error
 */
public record Decision(Level level, Instant time, List<Fired> fired, Map<String, String> values, Map<String, String> unavailable) {

    /** Copies the collections. */
    public Decision {
        fired = List.copyOf(fired);
        values = Map.copyOf(values);
        unavailable = Map.copyOf(unavailable);
    }

    /**
     * A rule that fired.
     *
     * @param rule     its name
     * @param level    its level
     * @param evidence the values behind it
     */
    public record Fired(String rule, Level level, List<String> evidence) {
        /** Copies the evidence. */
        public Fired {
            evidence = List.copyOf(evidence);
        }
    }

    /** @return one paragraph: the level, each fired rule with its evidence, unavailable signals */
    public String summary() {
        List<String> parts = new ArrayList<>();
        for (Fired f : fired) {
            parts.add(f.level() + " '" + f.rule() + "': " + String.join("; ", f.evidence()));
        }
        unavailable.forEach((k, v) -> parts.add("signal " + k + " unavailable: " + v));
        return "Decision at " + time + ": " + level + (parts.isEmpty() ? " (no rule holds)" : " - " + String.join(" | ", parts));
    }
}
