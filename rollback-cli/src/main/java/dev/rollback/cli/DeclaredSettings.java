package dev.rollback.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks what an operator gave against the settings a program declares, before the plan is
 * built: every problem at once, each naming the setting and the fix.
 */
final class DeclaredSettings {
    private final Map<String, Setting> byName = new LinkedHashMap<>();

    DeclaredSettings(List<Setting> settings) {
        for (Setting s : settings) {
            if (byName.put(s.name(), s) != null) {
                throw new IllegalArgumentException("the setting " + s.name() + " is declared twice");
            }
        }
    }

    boolean isEmpty() {
        return byName.isEmpty();
    }

    List<Setting> all() {
        return List.copyOf(byName.values());
    }

    Optional<Setting> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * @param given the {@code --set} values
     * @param env   the environment
     * @return the problems, one line each; empty when all is well
     */
    List<String> problems(Map<String, String> given, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        if (byName.isEmpty()) {
            return problems;
        }
        given.forEach((name, value) -> {
            Setting s = byName.get(name);
            if (s == null) {
                problems.add("unknown setting --set " + name + Suggestions.closest(name, byName.keySet())
                        .map(c -> "; did you mean " + c + "?").orElse("; the settings are " + String.join(", ", byName.keySet())));
            } else if (s.isSecret()) {
                problems.add(name + " is a secret: give it through the environment (export " + name
                        + "=...), never on the command line, where ps shows it to everyone on the machine");
            } else {
                s.problem(value).ifPresent(problems::add);
            }
        });
        for (Setting s : byName.values()) {
            String value = given.containsKey(s.name()) ? null : env.get(s.name());
            if (value != null) {
                s.problem(value).map(p -> p + " (from the environment variable " + s.name() + ")").ifPresent(problems::add);
            }
            if (s.isRequired() && s.defaultValue() == null && !given.containsKey(s.name()) && !env.containsKey(s.name())) {
                problems.add(s.name() + " is not set; " + (s.isSecret() ? "it is a secret, so export " + s.name()
                        + " in the environment (never on the command line)" : "export " + s.name() + "=... or pass --set " + s.name() + "=..."));
            }
        }
        return problems;
    }

    /**
     * @param given the {@code --set} values, checked
     * @return them with each duration written the ISO-8601 way ({@code 30s} becomes {@code PT30S}), so
     *         that a plan reading it with {@code Duration.parse} gets what the operator meant
     */
    Map<String, String> normalized(Map<String, String> given) {
        Map<String, String> out = new LinkedHashMap<>();
        given.forEach((k, v) -> {
            Setting s = byName.get(k);
            out.put(k, s != null && s.type() == Setting.Type.DURATION ? Setting.parseDuration(v).toString() : v);
        });
        return out;
    }
}
