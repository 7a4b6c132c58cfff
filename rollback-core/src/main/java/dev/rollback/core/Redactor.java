package dev.rollback.core;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scrubs secrets from text. Applied to journal entries, log lines, reports, step descriptions and
 * every {@link RollbackException} message. It knows every way a password reaches text in the
 * runbooks and their tools:
 * <ul>
 *   <li>URLs with a password, with or without {@code //}, also malformed ones: a password holding
 *       {@code @}, {@code :}, {@code /}, {@code ?} or {@code #} unencoded, a missing host, a
 *       missing {@code /}, a non-numeric "port" after a user name ({@code postgres://app:s3cret/db});</li>
 *   <li>key=value forms: libpq DSNs ({@code password=... sslpassword=...}, quoted values with
 *       escapes and spaces), JDBC properties ({@code ;password=...;}, {@code {password=...}}),
 *       query parameters ({@code ?password=}, {@code &sslpassword=}), environment lines
 *       ({@code PGPASSWORD=...}), YAML and JSON ({@code "password": "..."}), HTTP headers
 *       ({@code Authorization: Bearer ...}), tokens, API keys and secrets;</li>
 *   <li>every value registered as a {@link Secret}, wherever it appears, and its URL-encoded form.</li>
 * </ul>
 *
 * <pre>{@code
 * Redactor.redact("mongodb://app:s3cret@db:27017/crm");     // "mongodb://app:******@db:27017/crm"
 * Redactor.redact("postgres:s3cret@db/crm");                // "postgres:******@db/crm"
 * Redactor.redact("jdbc:postgresql://h/db?password=x");     // "jdbc:postgresql://h/db?password=******"
 * Redactor.redact("host=db password='a b c' dbname=crm");   // "host=db password=****** dbname=crm"
 * }</pre>
 *
 * <p>What text alone cannot show: a password with a space inside a URL (the space ends the
 * URL), and a bare {@code user:password} with neither scheme nor {@code @}. Wrap such values in a
 * {@link Secret} (every parser of the library does so with the passwords it finds), and they are
 * scrubbed by value.
 */
public final class Redactor {
    // Values shorter than this are not scrubbed from free text: masking every "a" would ruin the text.
    private static final int MIN_SECRET_LENGTH = 4;
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

    // scheme://user:PASSWORD@host: the password runs to the last '@' of the word, so that an '@', ':'
    // or '/' in it is covered; the user may hold '@' (a login that is an e-mail address).
    private static final Pattern URL_USERINFO = Pattern.compile(
            "(?<![A-Za-z0-9+.\\-])([A-Za-z][A-Za-z0-9+.\\-]*://[^\\s:/?#\\[\\]]*:)(\\S*)@");
    // scheme://user:PASSWORD with no host after it, or a password holding '/', '?' or '#' before the
    // '@': what follows the user's ':' is not a port, so it is taken for a password.
    private static final Pattern URL_NON_NUMERIC_PORT = Pattern.compile(
            "(?<![A-Za-z0-9+.\\-])([A-Za-z][A-Za-z0-9+.\\-]*://[^\\s:@/?#\\[\\]]+:)(?![0-9]+(?:[/?#\\s,;)'\"\\]>]|\\.(?:\\s|$)|$))([^\\s@]+)");
    // user:PASSWORD@host without '//' (postgres:PASSWORD@host/db, postgres:/u:PASSWORD@host): a word
    // that starts after a delimiter, holds a ':' and ends at its last '@', with no "://" inside.
    private static final Pattern BARE_USERINFO = Pattern.compile(
            "(?<![^\\s'\"(<\\[{,;=|>])([A-Za-z0-9._%+\\-/]+:)(?!//)((?:(?!://)\\S)*)@");
    private static final String KEYS = "(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|access[_-]?key"
            + "|authorization|credentials?)";
    private static final String[] KEY_STEMS = {"pass", "pwd", "secret", "token", "key", "auth", "credential"};
    // key = value: a quoted value (with backslash escapes, or unterminated to the end of the text), or
    // an unquoted one that ends at white space, or at '&', ';' or ',' that starts the next key=value.
    private static final Pattern KEY_VALUE = Pattern.compile("(?i)(" + KEYS + "\\\\?[\"']?\\s*[=:]\\s*(?:(?:bearer|basic|token)\\s+)?)"
            + "(\"(?:[^\"\\\\]|\\\\.)*(?:\"|\\\\?$)|'(?:[^'\\\\]|\\\\.)*(?:'|\\\\?$)"
            + "|(?:[^\\s&;,]|[&;,](?!\\s*[A-Za-z_][\\w.\\-]*\\s*=))+)");

    private Redactor() {
    }

    /**
     * Registers a value to scrub from all text from now on, together with its URL-encoded form.
     *
     * @param secret the value
     */
    public static void register(String secret) {
        if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
            SECRETS.add(secret);
            String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
            if (!encoded.equals(secret)) {
                SECRETS.add(encoded);
                SECRETS.add(encoded.replace("+", "%20"));
            }
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
        if ((out.indexOf('=') >= 0 || out.indexOf(':') >= 0) && mayHoldKey(out)) {
            // key=value first: a password in "?password=a@b" must not be read as a URL's user info
            out = mask(KEY_VALUE, out, "");
        }
        if (out.indexOf(':') >= 0) {
            if (out.contains("://")) {
                out = mask(URL_USERINFO, out, "@");
                out = mask(URL_NON_NUMERIC_PORT, out, "");
            }
            if (out.indexOf('@') >= 0) {
                out = mask(BARE_USERINFO, out, "@");
            }
        }
        return out;
    }

    /**
     * Redacts text that may echo pieces of a URL or connection string, such as a driver's error
     * message quoting the "host" it could not parse ({@code invalid host 'app:s3cret'}): the text is
     * redacted as {@link #redact(String)} does, and every piece of the URL that may be a password is
     * masked wherever it appears: what follows the user name before the last {@code @}, or, with no
     * {@code @}, what follows a {@code :} in the host list when it is not a port number.
     *
     * <pre>{@code
     * Redactor.redact("invalid host 'app:s3cret'", "mongodb://app:s3cret");   // "invalid host 'app:******'"
     * }</pre>
     *
     * @param text the text; may be null
     * @param url  the URL it may echo; may be null
     * @return the text with secrets masked
     */
    public static String redact(String text, String url) {
        if (text == null || url == null) {
            return redact(text);
        }
        String out = redact(text);
        int scheme = url.indexOf("://");
        int start = scheme >= 0 ? scheme + 3 : url.indexOf(':') + 1;
        int at = url.lastIndexOf('@');
        List<String> pieces = new ArrayList<>();
        if (at > start) {
            String userInfo = url.substring(start, at);
            int colon = userInfo.indexOf(':');
            pieces.add(colon >= 0 ? userInfo.substring(colon + 1) : userInfo);
        } else {
            String authority = url.substring(start).split("[/?#]", 2)[0];
            for (String host : authority.split(",")) {
                int colon = host.indexOf(':');
                if (colon >= 0 && !host.substring(colon + 1).matches("[0-9]*")) {
                    pieces.add(host.substring(colon + 1));
                }
            }
        }
        for (String p : pieces) {
            if (p.length() >= 3) {
                out = out.replace(p, Secret.MASK);
            }
        }
        return out;
    }

    /** A cheap test before the key=value pattern: whether any key could be in the text (package-private for its test). */
    static boolean mayHoldKey(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        for (String stem : KEY_STEMS) {
            if (t.contains(stem)) {
                return true;
            }
        }
        return false;
    }

    /** Replaces group 2 of every match with the mask, keeping group 1 and the given tail. */
    private static String mask(Pattern p, String text, String tail) {
        return p.matcher(text).replaceAll(r -> Matcher.quoteReplacement(r.group(2).equals(Secret.MASK)
                ? r.group() : r.group(1) + Secret.MASK + tail));
    }
}
