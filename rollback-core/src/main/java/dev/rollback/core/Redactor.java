package dev.rollback.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scrubs secrets from text: passwords in URLs ({@code postgresql://user:pw@host} becomes
 * {@code postgresql://user:******@host}), {@code password=} style parameters, and every value
 * ever wrapped in a {@link Secret}. Applied to journal entries, log lines, reports and exception
 * messages.
 *
 * <pre>{@code
 * Redactor.redact("mongodb://app:s3cret@db:27017/crm");   // "mongodb://app:******@db:27017/crm"
 * Redactor.redact("jdbc:postgresql://h/db?password=x");    // "jdbc:postgresql://h/db?password=******"
 * }</pre>
 */
public final class Redactor {
    // Values shorter than this are not scrubbed from free text: masking every "a" would ruin the text.
    private static final int MIN_SECRET_LENGTH = 4;
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

    private static final Pattern URL_USERINFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.\\-]*://[^/\\s:@]*:)([^@\\s/]+)(@)");
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|authorization)\\s*[=:]\\s*(?:bearer\\s+)?)([^\\s&;,\"']+)");

    private Redactor() {
    }

    /**
     * Registers a value to scrub from all text from now on.
     *
     * @param secret the value
     */
    public static void register(String secret) {
        if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
            SECRETS.add(secret);
        }
    }

    /**
     * @param text any text, such as an exception message or a command line; may be null
     * @return the text with secrets masked
     */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String s : SECRETS) {
            if (out.contains(s)) {
                out = out.replace(s, Secret.MASK);
            }
        }
        out = URL_USERINFO.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + Secret.MASK + m.group(3)));
        out = KEY_VALUE.matcher(out).replaceAll(m -> Matcher.quoteReplacement(
                m.group(2).equals(Secret.MASK) ? m.group() : m.group(1) + Secret.MASK));
        return out;
    }
}
