package dev.rollback.journal.postgres.internal;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A journal's location: {@code postgresql://[user@]host[:port]/database[?schema=..&runFolder=..&lease=30s&heartbeat=10s&...]}
 * ({@code postgres://} and {@code jdbc:postgresql://} too). A password in it is refused: passwords
 * come from the environment, never from a command line. Other parameters ({@code sslmode}, ...) go
 * to the JDBC driver. Not public API.
 *
 * @param host       host
 * @param port       port
 * @param database   database
 * @param user       user, or null for the default
 * @param schema     schema, or null for the default
 * @param runFolder  run folder, or null for the default
 * @param lease      lease time, or null for the default
 * @param heartbeat  renewal interval, or null for the default
 * @param jdbcParams other parameters, for the driver
 */
public record JournalUrl(String host, int port, String database, String user, String schema, String runFolder, Duration lease,
                         Duration heartbeat, Map<String, String> jdbcParams) {
    private static final Pattern URL = Pattern.compile("^(?:jdbc:)?postgres(?:ql)?://(?:([^@/?#]*)@)?([^/?#:]+|\\[[^\\]]+\\])(?::(\\d+))?"
            + "/([^?#]+)(?:\\?([^#]*))?$");
    private static final Pattern DURATION = Pattern.compile("^(\\d+)\\s*(ms|s|m|h)$");

    /** Copies the map. */
    public JournalUrl {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        jdbcParams = Map.copyOf(jdbcParams);
    }

    /**
     * @param location a URL
     * @return whether it names a PostgreSQL server
     */
    public static boolean looksLikePostgres(String location) {
        String l = location.toLowerCase(Locale.ROOT);
        return l.startsWith("postgresql://") || l.startsWith("postgres://") || l.startsWith("jdbc:postgresql://");
    }

    /**
     * @param location the URL
     * @return its parts
     * @throws IllegalArgumentException naming what is wrong and the form to use
     */
    public static JournalUrl parse(String location) {
        Matcher m = URL.matcher(location.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("Not a PostgreSQL journal URL: '" + location + "'. Write postgresql://HOST:5432/DATABASE"
                    + "?schema=rollback (the password comes from PGPASSWORD, PGPASSFILE or --journal-password-env NAME)");
        }
        String userInfo = m.group(1);
        String user = null;
        if (userInfo != null) {
            if (userInfo.contains(":")) {
                throw new IllegalArgumentException("The journal URL holds a password; passwords never go on the command line (they show "
                        + "in ps and in shell history). Remove it from the URL and set PGPASSWORD, a PGPASSFILE entry, or the variable "
                        + "named by --journal-password-env NAME");
            }
            user = decode(userInfo);
        }
        String host = m.group(2);
        int port = m.group(3) == null ? 5432 : Integer.parseInt(m.group(3));
        String database = decode(m.group(4));
        String schema = null;
        String runFolder = null;
        Duration lease = null;
        Duration heartbeat = null;
        Map<String, String> params = new LinkedHashMap<>();
        if (m.group(5) != null && !m.group(5).isEmpty()) {
            for (String kv : m.group(5).split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                String[] parts = kv.split("=", 2);
                String key = decode(parts[0]);
                String value = parts.length > 1 ? decode(parts[1]) : "";
                switch (key) {
                    case "schema" -> schema = value;
                    case "runFolder" -> runFolder = value;
                    case "lease" -> lease = duration(key, value);
                    case "heartbeat" -> heartbeat = duration(key, value);
                    case "user" -> user = value;
                    case "password" -> throw new IllegalArgumentException("The journal URL holds a password parameter; passwords never go "
                            + "on the command line. Remove it and set PGPASSWORD, a PGPASSFILE entry, or the variable named by "
                            + "--journal-password-env NAME");
                    default -> params.put(key, value);
                }
            }
        }
        return new JournalUrl(host, port, database, user, schema, runFolder, lease, heartbeat, params);
    }

    /**
     * @param name  the parameter, for the message
     * @param value {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT30S})
     * @return the duration
     */
    static Duration duration(String name, String value) {
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            return Duration.parse(value.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("The journal URL's " + name + "=" + value + " is not a duration; write 30s, 500ms, 2m or PT30S");
        }
    }

    /** @return {@code jdbc:postgresql://host:port/database?params} */
    public String jdbcUrl() {
        StringBuilder b = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(port).append('/')
                .append(URLEncoder.encode(database, StandardCharsets.UTF_8));
        String sep = "?";
        for (Map.Entry<String, String> e : jdbcParams.entrySet()) {
            b.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = "&";
        }
        return b.toString();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
