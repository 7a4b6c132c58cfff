package dev.rollback.test.internal;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** Small text helpers shared by the assertions. Not public API. */
public final class Texts {
    private Texts() {
    }

    /**
     * Where an expected order breaks: {@code earlier} was expected before {@code later}, but
     * {@code later} does not come after it.
     *
     * @param earlier the element expected first
     * @param later   the element expected after it
     * @param <T>     element type
     */
    public record Subsequence<T>(T earlier, T later) {
    }

    /**
     * @param actual   the actual sequence
     * @param expected elements that must appear in this order, possibly with others between
     * @param <T>      element type
     * @return null when {@code expected} is a subsequence of {@code actual}, else the first broken pair
     *         (for an element missing altogether, {@code later} is that element)
     */
    public static <T> Subsequence<T> subsequenceMismatch(List<T> actual, List<T> expected) {
        int pos = 0;
        T previous = null;
        for (T e : expected) {
            int found = -1;
            for (int i = pos; i < actual.size(); i++) {
                if (Objects.equals(actual.get(i), e)) {
                    found = i;
                    break;
                }
            }
            if (found < 0) {
                return new Subsequence<>(previous, e);
            }
            pos = found + 1;
            previous = e;
        }
        return null;
    }

    /**
     * @param text   text that may contain the secret
     * @param secret the secret
     * @return the text with every occurrence masked
     */
    public static String mask(String text, String secret) {
        return text.replace(secret, "******");
    }

    /**
     * Refuses a secret that cannot be searched for meaningfully.
     *
     * @param secret the value
     */
    public static void requireUsableSecret(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("the secret to look for is " + (secret == null ? "null" : "empty")
                    + "; pass the actual secret value (is the environment variable set in this test?)");
        }
    }

    /**
     * @param d a duration
     * @return it as people write it: "90s", "12m", "1h30m", "250ms"
     */
    public static String human(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        long s = d.getSeconds();
        StringBuilder b = new StringBuilder();
        if (s >= 3600) {
            b.append(s / 3600).append('h');
            s %= 3600;
        }
        if (s >= 60) {
            b.append(s / 60).append('m');
            s %= 60;
        }
        if (s > 0 || b.length() == 0) {
            b.append(s).append('s');
        }
        return b.toString();
    }
}
