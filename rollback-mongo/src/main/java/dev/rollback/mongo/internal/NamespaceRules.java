package dev.rollback.mongo.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * mongorestore's namespace patterns ({@code mongorestore/ns/ns.go}): {@code --nsInclude} and
 * {@code --nsExclude} match {@code <db>.<collection>} with {@code *} standing for any text
 * ({@code \*} is a literal asterisk), anchored at both ends; {@code --nsFrom} / {@code --nsTo}
 * pairs rename, with {@code *} wildcards matched in order or {@code $name$} variables, and the
 * pair given last wins when several match.
 */
public final class NamespaceRules {
    private static final Pattern WILDCARD = Pattern.compile("(?s)^(|.*[^\\\\])\\*(.*)$");
    private static final Pattern VARIABLE = Pattern.compile("(?s)^\\$([^$]*)\\$(.*)$");
    private static final String REGEX_SPECIALS = "*[](){}\\?$^+!.|";

    private final List<Pattern> includes;
    private final List<Pattern> excludes;
    private final List<Pattern> renameFrom;
    private final List<String> renameTo;

    private NamespaceRules(List<Pattern> includes, List<Pattern> excludes, List<Pattern> renameFrom, List<String> renameTo) {
        this.includes = includes;
        this.excludes = excludes;
        this.renameFrom = renameFrom;
        this.renameTo = renameTo;
    }

    /**
     * @param includes patterns a namespace must match (empty: every namespace)
     * @param excludes patterns that leave a namespace out
     * @param renames  {@code [from, to]} pairs, in the order given
     * @return the rules
     * @throws IllegalArgumentException naming the pattern when one is invalid
     */
    public static NamespaceRules of(List<String> includes, List<String> excludes, List<String[]> renames) {
        List<Pattern> inc = new ArrayList<>();
        for (String p : includes) {
            inc.add(matcher(p));
        }
        List<Pattern> exc = new ArrayList<>();
        for (String p : excludes) {
            exc.add(matcher(p));
        }
        List<Pattern> from = new ArrayList<>();
        List<String> to = new ArrayList<>();
        // mongo-tools walks the pairs backwards so that the pair given last takes precedence
        for (int i = renames.size() - 1; i >= 0; i--) {
            String[] pair = renames.get(i);
            String[] compiled = replacement(pair[0], pair[1]);
            from.add(Pattern.compile(compiled[0]));
            to.add(compiled[1]);
        }
        return new NamespaceRules(inc, exc, from, to);
    }

    /** @return rules that keep every namespace as it is */
    public static NamespaceRules none() {
        return new NamespaceRules(List.of(), List.of(), List.of(), List.of());
    }

    /**
     * @param namespace {@code <db>.<collection>}
     * @return whether the include patterns (if any) accept it
     */
    public boolean included(String namespace) {
        return includes.isEmpty() || includes.stream().anyMatch(p -> p.matcher(namespace).matches());
    }

    /**
     * @param namespace {@code <db>.<collection>}
     * @return whether an exclude pattern matches it
     */
    public boolean excluded(String namespace) {
        return excludes.stream().anyMatch(p -> p.matcher(namespace).matches());
    }

    /**
     * @param namespace {@code <db>.<collection>}
     * @return the namespace after the renames
     */
    public String rename(String namespace) {
        for (int i = 0; i < renameFrom.size(); i++) {
            Matcher m = renameFrom.get(i).matcher(namespace);
            if (m.matches()) {
                StringBuilder out = new StringBuilder();
                String to = renameTo.get(i);
                for (int k = 0; k < to.length(); k++) {
                    char c = to.charAt(k);
                    if (c == '\u0000') {
                        int end = to.indexOf('\u0000', k + 1);
                        out.append(m.group(Integer.parseInt(to.substring(k + 1, end))));
                        k = end;
                    } else {
                        out.append(c);
                    }
                }
                return out.toString();
            }
        }
        return namespace;
    }

    /**
     * Checks a pattern without keeping it, so that a plan with a bad pattern fails when it is built.
     *
     * @param pattern an include or exclude pattern
     * @throws IllegalArgumentException when it is not valid
     */
    public static void checkPattern(String pattern) {
        matcher(pattern);
    }

    /**
     * Checks a rename pair.
     *
     * @param from the nsFrom pattern
     * @param to   the nsTo pattern
     * @throws IllegalArgumentException when they do not fit together
     */
    public static void checkRename(String from, String to) {
        replacement(from, to);
    }

    private static Pattern matcher(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            throw new IllegalArgumentException("an empty namespace pattern; give <db>.<collection>, with * for any text, such as nextcrm.*");
        }
        if (pattern.contains("$")) {
            throw new IllegalArgumentException("'$' is not allowed in include/exclude patterns (as in mongorestore): '" + pattern + "'");
        }
        return Pattern.compile(replacement(pattern, pattern)[0]);
    }

    /** @return {regex, replacement template with NUL-delimited group numbers} */
    private static String[] replacement(String from, String to) {
        if (from.contains("$")) {
            if (count(from, '$') % 2 != 0) {
                throw new IllegalArgumentException("Odd number of dollar signs in nsFrom '" + from + "'");
            }
            if (count(to, '$') % 2 != 0) {
                throw new IllegalArgumentException("Odd number of dollar signs in nsTo '" + to + "'");
            }
        } else {
            if (asterisks(from) != asterisks(to)) {
                throw new IllegalArgumentException("Different number of asterisks in nsFrom '" + from + "' and nsTo '" + to + "'");
            }
            from = wildcardsToVariables(from);
            to = wildcardsToVariables(to);
        }
        Map<String, Integer> vars = new HashMap<>();
        StringBuilder regex = new StringBuilder("(?s)^");
        String rest = from;
        while (!rest.isEmpty()) {
            Matcher v = VARIABLE.matcher(rest);
            if (v.matches()) {
                if (vars.containsKey(v.group(1))) {
                    throw new IllegalArgumentException("Variable name '" + v.group(1) + "' used more than once in '" + from + "'");
                }
                vars.put(v.group(1), vars.size() + 1);
                regex.append("(.*?)");
                rest = v.group(2);
                continue;
            }
            int cp = rest.codePointAt(0);
            if (cp == '$') {
                throw new IllegalArgumentException("Extraneous '$' in '" + from + "'");
            }
            if (REGEX_SPECIALS.indexOf(cp) >= 0) {
                regex.append('\\');
            }
            regex.appendCodePoint(cp);
            rest = rest.substring(Character.charCount(cp));
        }
        regex.append('$');
        StringBuilder template = new StringBuilder();
        rest = to;
        while (!rest.isEmpty()) {
            Matcher v = VARIABLE.matcher(rest);
            if (v.matches()) {
                Integer n = vars.get(v.group(1));
                if (n == null) {
                    throw new IllegalArgumentException("Unknown variable '" + v.group(1) + "' in nsTo '" + to + "'");
                }
                template.append('\u0000').append(n).append('\u0000');
                rest = v.group(2);
                continue;
            }
            int cp = rest.codePointAt(0);
            if (cp == '$') {
                throw new IllegalArgumentException("Extraneous '$' in '" + to + "'");
            }
            template.appendCodePoint(cp);
            rest = rest.substring(Character.charCount(cp));
        }
        return new String[]{regex.toString(), template.toString()};
    }

    private static String wildcardsToVariables(String in) {
        int n = 1;
        Matcher m = WILDCARD.matcher(in);
        while (m.matches()) {
            in = m.group(1) + "$" + n + "$" + m.group(2);
            m = WILDCARD.matcher(in);
            n++;
        }
        return in.replace("\\\\", "\u0001").replace("\\*", "*").replace("\\", "").replace("\u0001", "\\");
    }

    private static int count(String s, char c) {
        return (int) s.chars().filter(ch -> ch == c).count();
    }

    private static int asterisks(String s) {
        return count(s, '*') - (s.split("\\\\\\*", -1).length - 1);
    }
}
