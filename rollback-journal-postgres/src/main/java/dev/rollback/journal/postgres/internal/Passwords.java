package dev.rollback.journal.postgres.internal;

import dev.rollback.core.Secret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds a journal server's password the way libpq does, and never on a command line: a named
 * environment variable, else {@code PGPASSWORD}, else the first matching line of {@code PGPASSFILE}
 * (default {@code ~/.pgpass}: {@code host:port:database:user:password}, {@code *} matches anything,
 * {@code \:} and {@code \\} escape). Not public API.
 */
public final class Passwords {
    private Passwords() {
    }

    /**
     * @param url              the journal's location
     * @param user             the user
     * @param env              the environment
     * @param passwordVariable the variable named on the command line, or null
     * @return the password, or null when none is configured (the server may not ask for one)
     * @throws IllegalArgumentException when the named variable is not set
     */
    public static Secret find(JournalUrl url, String user, Map<String, String> env, String passwordVariable) {
        if (passwordVariable != null) {
            String v = env.get(passwordVariable);
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException("--journal-password-env names " + passwordVariable + ", but that environment variable is "
                        + "not set; export " + passwordVariable + "=... before starting the program");
            }
            return Secret.of(v);
        }
        String pw = env.get("PGPASSWORD");
        if (pw != null && !pw.isEmpty()) {
            return Secret.of(pw);
        }
        String file = env.get("PGPASSFILE");
        Path passFile = file != null && !file.isEmpty() ? Path.of(file)
                : env.get("HOME") != null ? Path.of(env.get("HOME"), ".pgpass") : null;
        if (passFile == null || !Files.isReadable(passFile)) {
            if (file != null && !file.isEmpty()) {
                throw new IllegalArgumentException("PGPASSFILE names " + file + ", which does not exist or cannot be read");
            }
            return null;
        }
        try {
            for (String line : Files.readAllLines(passFile)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                List<String> f = fields(line);
                if (f.size() == 5 && matches(f.get(0), url.host()) && matches(f.get(1), String.valueOf(url.port()))
                        && matches(f.get(2), url.database()) && matches(f.get(3), user)) {
                    return Secret.of(f.get(4));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Could not read the password file " + passFile + ": " + e.getMessage());
        }
        return null;
    }

    private static boolean matches(String pattern, String value) {
        return pattern.equals("*") || pattern.equals(value) || pattern.equals("localhost") && "127.0.0.1".equals(value);
    }

    /** Splits a .pgpass line on unescaped colons. */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
            } else if (c == ':' && out.size() < 4) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
