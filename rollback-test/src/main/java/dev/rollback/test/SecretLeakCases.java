package dev.rollback.test;

import dev.rollback.core.Secret;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Generated texts that carry a password the way configurations and error messages do, well-formed
 * and malformed, to show that a code path never lets the password out: URLs with and without
 * {@code //} (a password holding {@code @ : / ? #}, a missing host, a missing {@code /}, a missing
 * scheme colon), percent-encoded passwords, query parameters ({@code ?password=},
 * {@code &sslpassword=}), libpq key=value DSNs (plain, and quoted with spaces and escapes), JDBC
 * properties ({@code {user=..., password=...}}, {@code ;password=...;}), environment lines, YAML,
 * JSON, HTTP headers, and values registered as {@link Secret}, each embedded in free text.
 *
 * <p>Each password is made of random six-character chunks joined by characters its form can
 * carry; it leaks when any chunk comes back, so half a password counts as a leak too.
 *
 * <pre>{@code
 * for (SecretLeakCases.Case c : SecretLeakCases.generate(42, 1_000)) {
 *     String message = catchThrowable(() -> Postgres.at(c.text())).getMessage();
 *     assertThat(c.leaksIn(message)).as(c.form()).isFalse();
 * }
 * }</pre>
 */
public final class SecretLeakCases {
    private static final int CHUNK = 6;
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    // Printable ASCII without white space: what a password in a URL may hold, encoded or not.
    private static final String URL_SPECIALS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    private static final String WORD_SPECIALS = "!#$%()*+-./:<=>?@[]^_{|}~";
    private static final String QUOTED_SPECIALS = " '\"\\!#$%&()*+,-./:;<=>?@[]^_{|}~";
    private static final Pattern NEXT_KEY = Pattern.compile("[&;,]\\s*[A-Za-z_][\\w.\\-]*\\s*=");
    private static final String[] SCHEMES = {"postgresql", "postgres", "jdbc:postgresql", "mongodb", "mongodb+srv", "redis", "rediss",
        "amqp", "mysql", "https"};
    private static final String[] WRAPPERS = {"%s", "connect to %s failed: timeout", "'%s'", "\"%s\"", "(%s)", "url=%s next=1",
        "{\"url\":\"%s\"}", "DATABASE_URL=%s", "<%s>", "tried %s, then gave up"};

    private SecretLeakCases() {
    }

    /**
     * One text with a password in it.
     *
     * @param form     how the password is carried, for failure messages
     * @param text     the text
     * @param password the password
     * @param chunks   the random parts of the password; any of them in an output is a leak
     */
    public record Case(String form, String text, String password, List<String> chunks) {
        /** Copies the chunks. */
        public Case {
            Objects.requireNonNull(form, "form");
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(password, "password");
            chunks = List.copyOf(chunks);
        }

        /**
         * @param output what a code path produced from the text (a message, a log, a journal, a report)
         * @return whether any part of the password is in it
         */
        public boolean leaksIn(String output) {
            if (output == null) {
                return false;
            }
            for (String c : chunks) {
                if (output.contains(c)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return form + ": " + text;
        }
    }

    /** A code path that turns a case's text into what people see: a message, a description, a rendering. */
    @FunctionalInterface
    public interface Surface {
        /**
         * @param c the case
         * @return what the code path shows; when it throws, the exception and its causes are what it shows
         * @throws Exception a refusal, whose messages are checked
         */
        String show(Case c) throws Exception;
    }

    /**
     * Drives every case through a code path and lists the ones whose password comes back, in what it
     * shows or in the messages of what it throws (causes included).
     *
     * <pre>{@code
     * assertThat(SecretLeakCases.leaks(SecretLeakCases.databaseUrls(42, 1_000), c -> Postgres.at(c.text()).toString())).isEmpty();
     * }</pre>
     *
     * @param cases   the cases
     * @param surface the code path
     * @return one line per leaking case: the case and what it showed
     */
    public static List<String> leaks(List<Case> cases, Surface surface) {
        List<String> leaks = new ArrayList<>();
        for (Case c : cases) {
            String shown;
            try {
                shown = surface.show(c);
            } catch (Exception e) {
                StringBuilder chain = new StringBuilder();
                for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                    chain.append(t).append('\n');
                }
                shown = chain.toString();
            }
            if (c.leaksIn(shown)) {
                leaks.add(c + "\n    -> " + shown);
            }
        }
        return leaks;
    }

    /**
     * Every form, in turn, {@code count} cases in all.
     *
     * @param seed  the random seed (print it with a failure to reproduce it)
     * @param count how many cases
     * @return the cases; the "registered secret" ones have had their password wrapped in a {@link Secret}
     */
    public static List<Case> generate(long seed, int count) {
        return generate(seed, count, forms(true, true));
    }

    /**
     * Database URLs only, each the whole text, as a user would hand them to {@code Postgres.at(...)}
     * or a {@code DATABASE_URL}: with and without {@code //}, encoded or not, with query parameters,
     * with a host, port or database missing.
     *
     * @param seed  the random seed
     * @param count how many cases
     * @return the cases
     */
    public static List<Case> databaseUrls(long seed, int count) {
        List<Form> urls = new ArrayList<>();
        for (Form f : forms(false, false)) {
            if (f.name.startsWith("url")) {
                urls.add(f);
            }
        }
        return generate(seed, count, urls);
    }

    private static List<Case> generate(long seed, int count, List<Form> forms) {
        Random rnd = new Random(seed);
        List<Case> cases = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Form f = forms.get(i % forms.size());
            List<String> chunks = new ArrayList<>();
            String password = password(rnd, f.specials, chunks, f);
            String text = f.render.apply(rnd, password);
            if (f.register) {
                Secret.of(password);
            }
            cases.add(new Case(f.name, text, password, chunks));
        }
        return cases;
    }

    private record Form(String name, String specials, boolean noNextKey, boolean register, BiFunction<Random, String, String> render) {
    }

    private static List<Form> forms(boolean all, boolean inText) {
        BiFunction<Random, String, String> wrap = inText ? SecretLeakCases::wrap : (r, url) -> url;
        List<Form> f = new ArrayList<>();
        f.add(new Form("url scheme://user:password@host", URL_SPECIALS, false, false, (r, pw) ->
                wrap.apply(r, pick(r, SCHEMES) + "://" + user(r) + ":" + pw + "@" + host(r) + port(r) + "/" + db(r) + query(r))));
        f.add(new Form("url percent-encoded password", URL_SPECIALS + " ", false, false, (r, pw) ->
                wrap.apply(r, pick(r, SCHEMES) + "://" + user(r) + ":" + URLEncoder.encode(pw, StandardCharsets.UTF_8) + "@" + host(r) + port(r) + "/" + db(r))));
        f.add(new Form("url without //", URL_SPECIALS.replace("\"", "").replace("'", ""), false, false, (r, pw) ->
                wrap.apply(r, pick(r, new String[] {"postgres", "postgresql", "app", "mongodb", "u_1"}) + ":" + pw + "@" + host(r) + port(r) + "/" + db(r))));
        f.add(new Form("url scheme:/user:password@host (one slash)", URL_SPECIALS.replace("\"", "").replace("'", ""), false, false, (r, pw) ->
                wrap.apply(r, pick(r, SCHEMES) + ":/" + user(r) + ":" + pw + "@" + host(r) + "/" + db(r))));
        f.add(new Form("url scheme//user:password@host (no colon)", URL_SPECIALS.replace("\"", "").replace("'", ""), false, false, (r, pw) ->
                wrap.apply(r, pick(r, new String[] {"postgres", "postgresql", "mongodb"}) + "//" + user(r) + ":" + pw + "@" + host(r) + "/" + db(r))));
        f.add(new Form("url with no host", URL_SPECIALS, false, false, (r, pw) ->
                wrap.apply(r, pick(r, SCHEMES) + "://" + user(r) + ":" + pw + "@" + (r.nextBoolean() ? "" : "/" + db(r)))));
        f.add(new Form("url with no '@' at all", WORD_SPECIALS.replace("@", ""), false, false, (r, pw) ->
                wrap.apply(r, pick(r, SCHEMES) + "://" + user(r) + ":" + pw)));
        f.add(new Form("url with an e-mail as user", URL_SPECIALS, false, false, (r, pw) ->
                wrap.apply(r, pick(r, SCHEMES) + "://" + user(r) + "@corp.example:" + pw + "@" + host(r) + "/" + db(r))));
        f.add(new Form("url query ?password=", URL_SPECIALS.replace("&", ""), true, false, (r, pw) ->
                wrap.apply(r, "jdbc:postgresql://" + host(r) + port(r) + "/" + db(r) + "?" + (r.nextBoolean() ? "user=" + user(r) + "&" : "")
                        + pick(r, new String[] {"password", "sslpassword", "PASSWORD"}) + "=" + pw + (r.nextBoolean() ? "&sslmode=require" : ""))));
        f.add(new Form("url query &password= encoded", URL_SPECIALS + " ", false, false, (r, pw) ->
                wrap.apply(r, pick(r, SCHEMES) + "://" + host(r) + "/" + db(r) + "?user=" + user(r) + "&password="
                        + URLEncoder.encode(pw, StandardCharsets.UTF_8) + "&application_name=x")));
        if (!all) {
            return f;
        }
        f.add(new Form("libpq dsn password=...", WORD_SPECIALS.replace("'", ""), true, false, (r, pw) ->
                "host=" + host(r) + " port=5432 dbname=" + db(r) + " user=" + user(r) + " password=" + pw
                        + (r.nextBoolean() ? " sslmode=require" : "")));
        f.add(new Form("libpq dsn password='...' quoted", QUOTED_SPECIALS, false, false, (r, pw) ->
                "host=" + host(r) + " password = '" + pw.replace("\\", "\\\\").replace("'", "\\'") + "' dbname=" + db(r)));
        f.add(new Form("libpq dsn sslpassword=...", WORD_SPECIALS, true, false, (r, pw) ->
                "host=" + host(r) + " sslcert=/etc/ssl/c.pem sslpassword=" + pw + " dbname=" + db(r)));
        f.add(new Form("jdbc properties {password=...}", WORD_SPECIALS.replace("=", ""), true, false, (r, pw) ->
                "connect with {user=" + user(r) + ", password=" + pw + ", ssl=true}"));
        f.add(new Form("jdbc properties ;password=...;", WORD_SPECIALS, true, false, (r, pw) ->
                "jdbc:sqlserver://" + host(r) + ":1433;user=" + user(r) + ";password=" + pw + ";databaseName=" + db(r)));
        f.add(new Form("environment PGPASSWORD=", WORD_SPECIALS, true, false, (r, pw) ->
                "env: PGPASSWORD=" + pw + " PGUSER=" + user(r)));
        f.add(new Form("yaml password:", WORD_SPECIALS, true, false, (r, pw) ->
                "config:\n  user: " + user(r) + "\n  password: " + pw + "\n  host: " + host(r)));
        f.add(new Form("json \"password\":", QUOTED_SPECIALS, false, false, (r, pw) ->
                "{\"user\":\"" + user(r) + "\",\"password\":\"" + pw.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}"));
        f.add(new Form("http header", WORD_SPECIALS, true, false, (r, pw) ->
                pick(r, new String[] {"Authorization: Bearer ", "Authorization: Basic ", "X-Api-Key: ", "api_key=", "access-key: "}) + pw));
        f.add(new Form("registered secret in free text", QUOTED_SPECIALS, false, true, (r, pw) ->
                "the server answered '" + pw + "' to " + user(r)));
        return f;
    }

    private static String password(Random r, String specials, List<String> chunks, Form form) {
        while (true) {
            chunks.clear();
            StringBuilder b = new StringBuilder();
            int n = 1 + r.nextInt(4);
            if (r.nextInt(4) == 0) {
                b.append(specials.charAt(r.nextInt(specials.length())));
            }
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    int seps = 1 + r.nextInt(2);
                    for (int s = 0; s < seps; s++) {
                        b.append(specials.charAt(r.nextInt(specials.length())));
                    }
                }
                // the first chunk starts with a letter: "user:12/x" reads as a port and a path
                String c = chunk(r, i == 0);
                chunks.add(c);
                b.append(c);
            }
            if (r.nextInt(4) == 0) {
                b.append(specials.charAt(r.nextInt(specials.length())));
            }
            String pw = b.toString();
            // a form whose grammar ends a value at "&key=" or ";key=" would read the rest as another key
            if (pw.contains("://") || form.noNextKey && NEXT_KEY.matcher(pw).find() || pw.startsWith("'") || pw.startsWith("\"")
                    || pw.endsWith("\\") || pw.startsWith("Bearer") || pw.startsWith("Basic")) {
                continue;
            }
            return pw;
        }
    }

    // Six characters, two of them letters at least: long enough never to be a word or a number of the
    // surrounding text by chance ("dbna" is in "dbname", "9901" in a time stamp).
    private static String chunk(Random r, boolean letterFirst) {
        StringBuilder c = new StringBuilder(CHUNK);
        for (int i = 0; i < CHUNK; i++) {
            boolean letter = i == CHUNK - 1 || i == (letterFirst ? 0 : 1);
            c.append(ALNUM.charAt(r.nextInt(letter ? 52 : ALNUM.length())));
        }
        return c.toString();
    }

    private static String wrap(Random r, String url) {
        return String.format(Locale.ROOT, pick(r, WRAPPERS), url);
    }

    private static String pick(Random r, String[] from) {
        return from[r.nextInt(from.length)];
    }

    private static String user(Random r) {
        return pick(r, new String[] {"app", "postgres", "crm_admin", "deploy", "u"});
    }

    private static String host(Random r) {
        return pick(r, new String[] {"db.internal", "10.0.0.5", "localhost", "pg-primary.example.com", "[::1]"});
    }

    private static String port(Random r) {
        return r.nextBoolean() ? "" : ":" + (5432 + r.nextInt(3));
    }

    private static String db(Random r) {
        return pick(r, new String[] {"nextcrm", "shop", "app_production", "crm"});
    }

    private static String query(Random r) {
        return r.nextInt(3) == 0 ? "?sslmode=require&application_name=web" : "";
    }
}
