package dev.rollback.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One setting a rollback program reads, declared so that {@code --help} lists it, a misspelled
 * {@code --set} name is caught with the closest name suggested, a bad value is refused naming the
 * setting and the form it expects, and a secret is never suggested on the command line.
 *
 * <pre>{@code
 * Setting.text("DATABASE_URL", "the PostgreSQL database to restore").secret().required()
 * Setting.duration("HEALTH_RETRY_DELAY", "pause between health polls").defaultValue("PT5S")
 * Setting.choice("RESTORE_MODE", "how to restore", "safe", "in-place").defaultValue("safe")
 * }</pre>
 *
 * @param name         the name, as for {@code --set NAME=VALUE} and the environment variable
 * @param description  what it is, for {@code --help}
 * @param type         its type, which decides how a value is checked
 * @param isSecret     whether it is a secret: given through the environment only, never printed
 * @param isRequired   whether the program cannot run without it
 * @param defaultValue the value when it is not given, or null
 * @param choices      the allowed values of a {@link Type#CHOICE}
 */
public record Setting(String name, String description, Type type, boolean isSecret, boolean isRequired, String defaultValue,
                      List<String> choices) {

    /** What kind of value a setting takes, and how it is checked. */
    public enum Type {
        /** Any text. */
        TEXT("text"),
        /** A whole number. */
        INTEGER("a whole number, such as 26"),
        /** A duration: ISO-8601 ({@code PT5S}, {@code PT30M}) or a number with a unit ({@code 5s}, {@code 30m}, {@code 2h}, {@code 500ms}). */
        DURATION("a duration such as PT5S, 30s, 5m or 2h"),
        /** An instant in UTC, ISO-8601. */
        INSTANT("a UTC time such as 2026-11-24T02:00:00Z"),
        /** A file or folder path. */
        PATH("a path"),
        /** true or false. */
        BOOLEAN("true or false"),
        /** One of the declared choices. */
        CHOICE("one of the choices");

        private final String form;

        Type(String form) {
            this.form = form;
        }

        /** @return the form a value takes, for error messages and help */
        public String form() {
            return form;
        }
    }

    /** Validates the fields. */
    public Setting {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(type, "type");
        choices = List.copyOf(choices);
        if (name.isBlank() || name.contains("=")) {
            throw new IllegalArgumentException("a setting's name must be a non-blank word without '=': '" + name + "'");
        }
        if (type == Type.CHOICE && choices.isEmpty()) {
            throw new IllegalArgumentException("the choice setting " + name + " has no choices");
        }
    }

    /**
     * @param name        the name
     * @param description what it is
     * @return a text setting
     */
    public static Setting text(String name, String description) {
        return new Setting(name, description, Type.TEXT, false, false, null, List.of());
    }

    /**
     * @param name        the name
     * @param description what it is
     * @return a whole-number setting
     */
    public static Setting integer(String name, String description) {
        return new Setting(name, description, Type.INTEGER, false, false, null, List.of());
    }

    /**
     * @param name        the name
     * @param description what it is
     * @return a duration setting
     */
    public static Setting duration(String name, String description) {
        return new Setting(name, description, Type.DURATION, false, false, null, List.of());
    }

    /**
     * @param name        the name
     * @param description what it is
     * @return a UTC time setting
     */
    public static Setting instant(String name, String description) {
        return new Setting(name, description, Type.INSTANT, false, false, null, List.of());
    }

    /**
     * @param name        the name
     * @param description what it is
     * @return a path setting
     */
    public static Setting path(String name, String description) {
        return new Setting(name, description, Type.PATH, false, false, null, List.of());
    }

    /**
     * @param name        the name
     * @param description what it is
     * @return a true/false setting
     */
    public static Setting bool(String name, String description) {
        return new Setting(name, description, Type.BOOLEAN, false, false, null, List.of());
    }

    /**
     * @param name        the name
     * @param description what it is
     * @param choices     the allowed values (compared without case)
     * @return a choice setting
     */
    public static Setting choice(String name, String description, String... choices) {
        return new Setting(name, description, Type.CHOICE, false, false, null, List.of(choices));
    }

    /**
     * A choice among an enum's constants, written in lower case with dashes ({@code IN_PLACE} is {@code in-place}).
     *
     * @param name        the name
     * @param description what it is
     * @param values      the enum
     * @return a choice setting
     */
    public static Setting choice(String name, String description, Class<? extends Enum<?>> values) {
        return choice(name, description, Arrays.stream(values.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toArray(String[]::new));
    }

    /** @return a copy that is a secret: environment only, never printed, never suggested on the command line */
    public Setting secret() {
        return new Setting(name, description, type, true, isRequired, defaultValue, choices);
    }

    /** @return a copy the program cannot run without */
    public Setting required() {
        return new Setting(name, description, type, isSecret, true, defaultValue, choices);
    }

    /**
     * @param value the value when the setting is not given; it must be of the setting's form
     * @return a copy with it
     */
    public Setting defaultValue(String value) {
        Setting s = new Setting(name, description, type, isSecret, isRequired, Objects.requireNonNull(value, "value"), choices);
        s.problem(value).ifPresent(p -> {
            throw new IllegalArgumentException("default of " + name + ": " + p);
        });
        return s;
    }

    /**
     * @param value a value given for this setting
     * @return what is wrong with it, naming the setting and the form expected; empty when it is good
     */
    public Optional<String> problem(String value) {
        String shown = isSecret ? "(the value given)" : "'" + value + "'";
        try {
            switch (type) {
                case INTEGER -> Long.parseLong(value.trim());
                case DURATION -> parseDuration(value);
                case INSTANT -> Instant.parse(value.trim());
                case PATH -> checkPath(value);
                case BOOLEAN -> {
                    if (!value.trim().equalsIgnoreCase("true") && !value.trim().equalsIgnoreCase("false")) {
                        throw new IllegalArgumentException();
                    }
                }
                case CHOICE -> {
                    if (choices.stream().noneMatch(c -> c.equalsIgnoreCase(value.trim()))) {
                        return Optional.of(name + " takes one of " + String.join(", ", choices) + "; got " + shown);
                    }
                }
                case TEXT -> {
                }
                default -> throw new IllegalStateException(type.name());
            }
            return Optional.empty();
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return Optional.of(name + " takes " + type.form() + "; got " + shown);
        }
    }

    /** Path.of refuses (InvalidPathException) a path the file system cannot hold, such as one with a NUL character. */
    @SuppressWarnings("ReturnValueIgnored") // called for the exception it throws on a bad path, not for its value
    private static void checkPath(String value) {
        Path.of(value);
    }

    /**
     * Parses a duration: ISO-8601 ({@code PT5S}) or a number with a unit ({@code 500ms}, {@code 5s}, {@code 30m}, {@code 2h}, {@code 1d}).
     *
     * @param value the text
     * @return the duration
     * @throws IllegalArgumentException when it is neither
     */
    public static Duration parseDuration(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("pt") || v.startsWith("p")) {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        }
        Matcher m = Pattern.compile("(\\d+)\\s*(ms|s|m|min|h|d)").matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: " + value);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
