package dev.rollback.core;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A password, token or secret URL. Its {@code toString} is masked, and its value is registered
 * with the {@link Redactor}, so that it is scrubbed from journal entries, logs, reports and
 * exception messages even where it leaks into free text.
 *
 * <pre>{@code
 * Secret pw = Secret.fromEnv("PGPASSWORD");
 * pw.toString();   // "******"
 * pw.reveal();     // the value: pass it to an environment variable, never to an argument list
 * }</pre>
 */
public final class Secret {
    /** What a secret looks like in text. */
    public static final String MASK = "******";

    private final Supplier<String> value;

    private Secret(Supplier<String> value) {
        this.value = value;
    }

    /**
     * @param value the secret value
     * @return a secret holding it
     */
    public static Secret of(String value) {
        Objects.requireNonNull(value, "value");
        Redactor.register(value);
        return new Secret(() -> value);
    }

    /**
     * A secret read from an environment variable when the plan is built.
     *
     * @param name the variable
     * @return the secret
     * @throws IllegalArgumentException naming the variable when it is not set
     */
    public static Secret fromEnv(String name) {
        String v = System.getenv(name);
        if (v == null) {
            throw new IllegalArgumentException("Environment variable " + name + " is not set; export it before running the plan");
        }
        return of(v);
    }

    /** @return the value; pass it to an environment variable or a 0600 file, never to argv */
    public String reveal() {
        return value.get();
    }

    /** @return whether the value is empty */
    public boolean isEmpty() {
        return value.get().isEmpty();
    }

    @Override
    public String toString() {
        return MASK;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.reveal().equals(reveal());
    }

    @Override
    public int hashCode() {
        return reveal().hashCode();
    }
}
