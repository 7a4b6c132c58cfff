package dev.rollback.core;

import java.time.Duration;
import java.util.Locale;

/** Renders durations for people: {@code 850 ms}, {@code 12.3 s}, {@code 4 min 05 s}, {@code 1 h 02 min}. */
public final class Durations {
    private Durations() {
    }

    /**
     * @param d a duration
     * @return it, rendered for people
     */
    public static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = d.toSeconds();
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }
}
