package dev.rollback.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a step will do, for dry runs, fingerprints and reports: a summary, its parameters and
 * the exact commands it would run. Parameter values are rendered with {@link Redactor}, and a
 * {@link Secret} parameter is shown masked.
 *
 * <pre>{@code
 * StepDescription.of("restore nextcrm from backup")
 *     .param("backup", path)
 *     .param("password", secret)            // shown as ******
 *     .command(List.of("pg_restore", "--clean", "--if-exists", "-d", "nextcrm", path));
 * }</pre>
 */
public final class StepDescription {
    private final String summary;
    private final Map<String, String> parameters;
    private final List<String> commands;

    private StepDescription(String summary, Map<String, String> parameters, List<String> commands) {
        this.summary = Objects.requireNonNull(summary, "summary");
        this.parameters = Collections.unmodifiableMap(parameters);
        this.commands = Collections.unmodifiableList(commands);
    }

    /**
     * @param summary one line saying what the step does
     * @return a description with no parameters
     */
    public static StepDescription of(String summary) {
        return new StepDescription(Redactor.redact(summary), new LinkedHashMap<>(), new ArrayList<>());
    }

    /**
     * Returns a copy with one more parameter. Secrets are masked; other values are redacted.
     *
     * @param name  parameter name
     * @param value its value (a {@link Secret} is masked)
     * @return the new description
     */
    public StepDescription param(String name, Object value) {
        Map<String, String> p = new LinkedHashMap<>(parameters);
        p.put(name, render(value));
        return new StepDescription(summary, p, new ArrayList<>(commands));
    }

    /**
     * Returns a copy with one more command that the step would run.
     *
     * @param argv the argument list, as it would be executed
     * @return the new description
     */
    public StepDescription command(List<String> argv) {
        List<String> c = new ArrayList<>(commands);
        c.add(Redactor.redact(renderCommand(argv)));
        return new StepDescription(summary, new LinkedHashMap<>(parameters), c);
    }

    /**
     * Returns a copy with a command given as text (a SQL statement, an API call).
     *
     * @param text what would run
     * @return the new description
     */
    public StepDescription command(String text) {
        List<String> c = new ArrayList<>(commands);
        c.add(Redactor.redact(text));
        return new StepDescription(summary, new LinkedHashMap<>(parameters), c);
    }

    /** @return the one-line summary */
    public String summary() {
        return summary;
    }

    /** @return the parameters, rendered and redacted */
    public Map<String, String> parameters() {
        return parameters;
    }

    /** @return the commands the step would run, rendered and redacted */
    public List<String> commands() {
        return commands;
    }

    private static String render(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Secret) {
            return Secret.MASK;
        }
        return Redactor.redact(String.valueOf(value));
    }

    /**
     * Renders an argument list the way a person would paste it into a shell: plain arguments as
     * they are, others in single quotes. For messages and dry runs only; commands never run
     * through a shell.
     *
     * @param argv the arguments
     * @return the text (not redacted)
     */
    public static String renderCommand(List<String> argv) {
        StringBuilder b = new StringBuilder();
        for (String arg : argv) {
            if (b.length() > 0) {
                b.append(' ');
            }
            if (!arg.isEmpty() && arg.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || "-_./=:,@%+".indexOf(ch) >= 0)) {
                b.append(arg);
            } else {
                b.append('\'').append(arg.replace("'", "'\\''")).append('\'');
            }
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepDescription d && d.summary.equals(summary)
                && d.parameters.equals(parameters) && d.commands.equals(commands);
    }

    @Override
    public int hashCode() {
        return Objects.hash(summary, parameters, commands);
    }

    @Override
    public String toString() {
        return summary + (parameters.isEmpty() ? "" : " " + parameters) + (commands.isEmpty() ? "" : " " + commands);
    }
}
