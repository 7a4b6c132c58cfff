package dev.rollback.cli;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** The closest of known names to a misspelled one, for "did you mean" hints. */
public final class Suggestions {
    private Suggestions() {
    }

    /**
     * @param given a name that is not known
     * @param known the names that are
     * @return the known name closest to it (edit distance, without case), if any is close enough
     *         to be a likely typo: at most a third of its letters differ
     */
    public static Optional<String> closest(String given, Collection<String> known) {
        String g = given.toLowerCase(Locale.ROOT);
        return known.stream().min(Comparator.comparingInt(k -> distance(k.toLowerCase(Locale.ROOT), g)))
                .filter(k -> distance(k.toLowerCase(Locale.ROOT), g) <= Math.max(2, Math.max(k.length(), g.length()) / 3));
    }

    /**
     * @param a a word
     * @param b another
     * @return the Levenshtein distance between them
     */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
