package dev.rollback.core.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Small text helpers every part of a report shares. */
final class ReportText {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private ReportText() {
    }

    /**
     * @param t a time
     * @return it in UTC, to the second
     */
    static String time(Instant t) {
        return TIME.format(t);
    }

    /**
     * @param t a time
     * @return its time of day in UTC, to the millisecond
     */
    static String clock(Instant t) {
        return CLOCK.format(t);
    }

    /**
     * @param s text or null
     * @return it with inline marks neutralised, for text that comes from the journal
     */
    static String plain(String s) {
        return s == null ? "" : s.replace("`", "'").replace("**", "*");
    }

    /**
     * @param s text
     * @return it as inline code
     */
    static String code(String s) {
        return "`" + (s == null ? "" : s.replace("`", "'")) + "`";
    }
}
