package dev.rollback.git.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Orders tag names as versions, like {@code git tag --sort=v:refname}: runs of digits compare as
 * numbers ({@code v1.10.0} after {@code v1.9.0}); in addition a pre-release sorts before its
 * release ({@code v1.2.3-rc1} before {@code v1.2.3}), as semantic versioning says.
 */
public final class VersionOrder implements Comparator<String> {
    /** The one instance. */
    public static final VersionOrder INSTANCE = new VersionOrder();

    private static final Pattern CORE = Pattern.compile("\\d+(?:\\.\\d+)*");
    private static final Pattern MARKER = Pattern.compile("(?i)(alpha|beta|rc|pre|preview|snapshot|dev|canary|nightly|milestone)");

    private VersionOrder() {
    }

    /**
     * Whether a tag names a pre-release: its version core ({@code 1.2.3}) is followed by a {@code -suffix}
     * ({@code v1.2.3-rc.1}, {@code v1.2.3-rollback}), or a suffix with a pre-release word ({@code v2.0.0beta1}).
     *
     * @param tag the tag name
     * @return whether it is a pre-release
     */
    public static boolean isPreRelease(String tag) {
        var m = CORE.matcher(tag);
        if (!m.find()) {
            return MARKER.matcher(tag).find();
        }
        String rest = tag.substring(m.end());
        return rest.startsWith("-") || MARKER.matcher(rest).find();
    }

    @Override
    public int compare(String a, String b) {
        List<String> ta = tokens(a);
        List<String> tb = tokens(b);
        int n = Math.min(ta.size(), tb.size());
        for (int i = 0; i < n; i++) {
            String x = ta.get(i);
            String y = tb.get(i);
            boolean dx = Character.isDigit(x.charAt(0));
            boolean dy = Character.isDigit(y.charAt(0));
            int c;
            if (dx && dy) {
                c = compareNumbers(x, y);
            } else if (dx != dy) {
                // a number sorts after text at the same position: v1.2.10 after v1.2.x
                c = dx ? 1 : -1;
            } else {
                boolean px = x.startsWith("-");
                boolean py = y.startsWith("-");
                c = px == py ? x.compareTo(y) : (px ? -1 : 1);
            }
            if (c != 0) {
                return c;
            }
        }
        if (ta.size() != tb.size()) {
            // the longer one goes on: "-rc1" makes it a pre-release (smaller), anything else a later version
            List<String> longer = ta.size() > tb.size() ? ta : tb;
            boolean pre = longer.get(n).startsWith("-");
            int sign = ta.size() > tb.size() ? 1 : -1;
            return pre ? -sign : sign;
        }
        return a.compareTo(b);
    }

    private static int compareNumbers(String x, String y) {
        String a = x.replaceFirst("^0+(?=\\d)", "");
        String b = y.replaceFirst("^0+(?=\\d)", "");
        return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }

    private static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            boolean digit = Character.isDigit(s.charAt(i));
            int j = i + 1;
            while (j < s.length() && Character.isDigit(s.charAt(j)) == digit) {
                j++;
            }
            out.add(s.substring(i, j));
            i = j;
        }
        return out;
    }

    /**
     * Turns a {@code git tag -l} glob into a regular expression: {@code *} any text, {@code ?} one character,
     * {@code [...]} a character class.
     *
     * @param glob the glob, such as {@code v*}
     * @return the pattern matching whole tag names
     */
    public static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (c == '[') {
                int end = glob.indexOf(']', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("Tag pattern '" + glob + "' has a '[' without ']'");
                }
                String cls = glob.substring(i + 1, end).replace("\\", "\\\\");
                if (cls.startsWith("!")) {
                    cls = "^" + cls.substring(1);
                }
                re.append('[').append(cls).append(']');
                i = end;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
