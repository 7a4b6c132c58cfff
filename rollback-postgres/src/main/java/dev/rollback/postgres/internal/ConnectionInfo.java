package dev.rollback.postgres.internal;

import dev.rollback.core.Redactor;
import dev.rollback.core.Secret;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A parsed {@code jdbc:postgresql:} URL: hosts, database, user, password (as a {@link Secret}) and
 * the remaining driver parameters. The password never stays in the URL that is rendered or used.
 *
 * @param hosts    {@code host:port} pairs
 * @param database the database name, decoded
 * @param user     the user, or null for the driver's default
 * @param password the password, or null
 * @param params   other URL parameters, in order
 */
public record ConnectionInfo(List<String> hosts, String database, String user, Secret password, Map<String, String> params) {
    private static final String PREFIX = "jdbc:postgresql:";
    private static final Pattern LIBPQ_WITHOUT_SLASHES = Pattern.compile("(?i)postgres(?:ql)?:(?!//)");

    /** Copies the collections. */
    public ConnectionInfo {
        hosts = List.copyOf(hosts);
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        Objects.requireNonNull(database, "database");
    }

    /**
     * Parses a JDBC URL, or a libpq URL as runbooks write {@code DATABASE_URL}
     * ({@code postgresql://user:password@host:5432/db}); a password found in either becomes a {@link Secret}.
     *
     * @param jdbcUrl the URL
     * @return the parsed form
     * @throws IllegalArgumentException naming what is wrong, with the URL redacted
     */
    public static ConnectionInfo parse(String jdbcUrl) {
        if (jdbcUrl != null && (jdbcUrl.startsWith("postgresql://") || jdbcUrl.startsWith("postgres://"))) {
            return parseLibpq(jdbcUrl);
        }
        if (jdbcUrl != null && LIBPQ_WITHOUT_SLASHES.matcher(jdbcUrl).lookingAt()) {
            throw new IllegalArgumentException("The PostgreSQL URL '" + shown(jdbcUrl) + "' has no '//' after '"
                    + jdbcUrl.substring(0, jdbcUrl.indexOf(':') + 1) + "'. Write it as postgresql://user:password@host:5432/database "
                    + "(percent-encode '@', ':', '/', '?' and '#' in the password), or as jdbc:postgresql://host:5432/database");
        }
        if (jdbcUrl == null || !jdbcUrl.startsWith(PREFIX)) {
            throw new IllegalArgumentException("Not a PostgreSQL JDBC URL: '" + shown(String.valueOf(jdbcUrl))
                    + "'; expected jdbc:postgresql://host:port/database or postgresql://user:password@host:port/database");
        }
        String rest = jdbcUrl.substring(PREFIX.length());
        if (rest.startsWith("//") && hasUserInfo(rest.substring(2))) {
            // jdbc:postgresql://user:password@host/db: the driver has no place for it, the libpq form has
            return parseLibpq("postgresql:" + rest);
        }
        if (!rest.startsWith("//") && rest.matches("(?s)[^?]*[@:/].*")) {
            throw new IllegalArgumentException("The JDBC URL '" + shown(jdbcUrl) + "' has no '//' after 'jdbc:postgresql:', so all of "
                    + "it would be taken for a database name on localhost. Write it as jdbc:postgresql://host:5432/database (user and "
                    + "password with .user(...) and .password(...)), or as postgresql://user:password@host:5432/database");
        }
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        List<String> hosts = new ArrayList<>();
        String db;
        if (rest.startsWith("//")) {
            rest = rest.substring(2);
            int slash = rest.indexOf('/');
            String hostPart = slash < 0 ? rest : rest.substring(0, slash);
            db = slash < 0 ? "" : rest.substring(slash + 1);
            if (hostPart.isEmpty()) {
                hosts.add("localhost:5432");
            } else {
                for (String h : hostPart.split(",")) {
                    String hostPort = h.contains(":") && !h.endsWith("]") ? h : h + ":5432";
                    if (!splitHost(hostPort)[1].matches("[0-9]{1,5}")) {
                        // never echo the host part: "user:pass" before an unencoded '/' in the password lands here
                        throw new IllegalArgumentException("The PostgreSQL URL '" + shown(jdbcUrl) + "' has a port that is not a "
                                + "number. If it holds a user and password, write them before an '@' (user:password@host:5432) and "
                                + "percent-encode '@', ':', '/', '?' and '#' in the password (%40, %3A, %2F, %3F, %23)");
                    }
                    hosts.add(hostPort);
                }
            }
        } else {
            hosts.add("localhost:5432");
            db = rest;
        }
        db = URLDecoder.decode(db, StandardCharsets.UTF_8);
        if (db.isEmpty()) {
            throw new IllegalArgumentException("The JDBC URL '" + shown(jdbcUrl)
                    + "' names no database; add it after the host, as in jdbc:postgresql://host:5432/nextcrm");
        }
        Map<String, String> params = new LinkedHashMap<>();
        String user = null;
        Secret password = null;
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (k.equals("user")) {
                    user = v;
                } else if (k.equals("password")) {
                    password = Secret.of(v);
                } else {
                    params.put(k, v);
                }
            }
        }
        return new ConnectionInfo(hosts, db, user, password, params);
    }

    /** Whether the text after "//" holds user information: an '@' before the path, or after a '/' a password holds. */
    private static boolean hasUserInfo(String afterSlashes) {
        int query = afterSlashes.indexOf('?');
        int end = query < 0 ? afterSlashes.length() : query;
        return afterSlashes.lastIndexOf('@', end - 1) >= 0;
    }

    private static ConnectionInfo parseLibpq(String url) {
        String after = url.substring(url.indexOf("://") + 3);
        int slash = after.indexOf('/');
        String authority = slash < 0 ? after : after.substring(0, slash);
        int at = authority.lastIndexOf('@');
        int query = after.indexOf('?');
        if (at < 0 && after.lastIndexOf('@') > slash && (query < 0 || after.lastIndexOf('@', query) > slash)) {
            throw new IllegalArgumentException("The PostgreSQL URL '" + shown(url) + "' has an '@' after the first '/': a password "
                    + "or user name holding '/' must be percent-encoded (%2F; also '@' %40, ':' %3A, '?' %3F, '#' %23), as in "
                    + "postgresql://app:pa%2Fss@db:5432/crm");
        }
        ConnectionInfo base = parse(PREFIX + "//" + after.substring(at + 1));
        if (at < 0) {
            return base;
        }
        String userInfo = authority.substring(0, at);
        int colon = userInfo.indexOf(':');
        String user = URLDecoder.decode(colon < 0 ? userInfo : userInfo.substring(0, colon), StandardCharsets.UTF_8);
        ConnectionInfo withUser = user.isEmpty() ? base : base.withUser(user);
        return colon < 0 ? withUser : withUser.withPassword(Secret.of(URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8)));
    }

    /**
     * A URL for an error message: redacted, and everything between the scheme and the last '@' masked,
     * however malformed the URL is, since that part may hold a password no pattern recognizes.
     */
    private static String shown(String url) {
        String r = Redactor.redact(url);
        int at = r.lastIndexOf('@');
        int scheme = r.indexOf("://");
        int start = scheme >= 0 ? scheme + 3 : r.indexOf(':') + 1;
        return at > start && start > 0 ? r.substring(0, start) + Secret.MASK + r.substring(at) : r;
    }

    /**
     * @param db a database on the same server
     * @return the same connection settings for that database
     */
    public ConnectionInfo withDatabase(String db) {
        return new ConnectionInfo(hosts, db, user, password, params);
    }

    /**
     * @param newUser the user
     * @return a copy with that user
     */
    public ConnectionInfo withUser(String newUser) {
        return new ConnectionInfo(hosts, database, newUser, password, params);
    }

    /**
     * @param newPassword the password
     * @return a copy with that password
     */
    public ConnectionInfo withPassword(Secret newPassword) {
        return new ConnectionInfo(hosts, database, user, newPassword, params);
    }

    /** @return the JDBC URL without user or password, for {@link java.sql.DriverManager} */
    public String jdbcUrl() {
        StringBuilder b = new StringBuilder("jdbc:postgresql://").append(String.join(",", hosts)).append('/')
                .append(URLEncoder.encode(database, StandardCharsets.UTF_8));
        char sep = '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            b.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = '&';
        }
        return b.toString();
    }

    /** @return the first host name, for the tools */
    public String host() {
        return splitHost(hosts.get(0))[0];
    }

    /** @return the first port, for the tools */
    public String port() {
        return splitHost(hosts.get(0))[1];
    }

    private static String[] splitHost(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0 || hostPort.endsWith("]")) {
            return new String[] {hostPort, "5432"};
        }
        String h = hostPort.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return new String[] {h, hostPort.substring(colon + 1)};
    }

    /** @return where this points, for messages: {@code host:port/db as user} */
    public String where() {
        return String.join(",", hosts) + "/" + database + (user == null ? "" : " as user '" + user + "'");
    }

    @Override
    public String toString() {
        return where();
    }
}
