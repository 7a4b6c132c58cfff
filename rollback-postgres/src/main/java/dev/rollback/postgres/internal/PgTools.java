package dev.rollback.postgres.internal;

import dev.rollback.postgres.PgToolException;
import dev.rollback.process.Command;
import dev.rollback.process.CommandResult;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds {@code pg_dump}, {@code pg_restore} and {@code psql}: in the configured directory only
 * when one is given (the operator chose it), else on the PATH, then in
 * {@code /usr/lib/postgresql/<version>/bin}, newest first. Picks the first whose major version is
 * at least the server's; fails naming every version found and the server's.
 */
public final class PgTools {
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");
    private static final Map<String, String> VERSION_CACHE = new ConcurrentHashMap<>();
    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

    private PgTools() {
    }

    /**
     * A tool found and accepted.
     *
     * @param name    pg_dump, pg_restore or psql
     * @param path    its path
     * @param version its version text, such as 15.18
     * @param major   its major version
     */
    public record Tool(String name, Path path, String version, int major) {
    }

    /**
     * Resolves a tool for a server.
     *
     * @param name          pg_dump, pg_restore or psql
     * @param configuredDir the configured directory, or null
     * @param serverMajor   the server's major version
     * @param serverVersion the server's version text, for messages
     * @return the tool
     * @throws PgToolException naming the versions found and the server's
     */
    public static Tool resolve(String name, Path configuredDir, int serverMajor, String serverVersion) {
        List<Path> candidates = candidates(name, configuredDir);
        if (candidates.isEmpty()) {
            throw new PgToolException("No " + name + " found " + (configuredDir != null ? "in the configured tool directory " + configuredDir
                    : "on the PATH or in " + DEBIAN_ROOT + "/*/bin") + ". Install the PostgreSQL client tools, version " + serverMajor
                    + " or newer (Debian: apt-get install postgresql-client-" + serverMajor + "), or set Postgres.toolDirectory(...).");
        }
        Map<Path, String> seen = new LinkedHashMap<>();
        for (Path p : candidates) {
            String v = version(p);
            seen.put(p, v);
            int major = major(v);
            if (major >= serverMajor) {
                return new Tool(name, p, v, major);
            }
        }
        StringBuilder found = new StringBuilder();
        seen.forEach((p, v) -> found.append(found.length() == 0 ? "" : ", ").append(name).append(' ').append(v).append(" (").append(p).append(')'));
        throw new PgToolException(name + " is older than the server: found " + found + ", but the server runs PostgreSQL "
                + serverVersion + " and " + name + " must be at least major version " + serverMajor
                + ". Nothing was changed. Install postgresql-client-" + serverMajor + " or newer, or point Postgres.toolDirectory(...) "
                + "at its bin directory.");
    }

    /**
     * @param name          tool name
     * @param configuredDir configured directory or null
     * @return where to look, in order
     */
    public static List<Path> candidates(String name, Path configuredDir) {
        List<Path> out = new ArrayList<>();
        if (configuredDir != null) {
            Path p = configuredDir.resolve(name);
            if (Files.isExecutable(p)) {
                out.add(p);
            }
            return out;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path p = Path.of(dir).resolve(name);
                if (Files.isExecutable(p) && !out.contains(p)) {
                    out.add(p);
                }
            }
        }
        if (Files.isDirectory(DEBIAN_ROOT)) {
            List<Path> versions = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(DEBIAN_ROOT)) {
                ds.forEach(versions::add);
            } catch (IOException e) {
                // an unreadable directory only means fewer candidates
            }
            versions.sort(Comparator.comparingInt((Path v) -> leadingInt(v.getFileName().toString())).reversed());
            for (Path v : versions) {
                Path p = v.resolve("bin").resolve(name);
                if (Files.isExecutable(p) && !out.contains(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /**
     * @param tool a tool's path
     * @return its version text, such as 15.18, from {@code --version}
     */
    public static String version(Path tool) {
        String key;
        try {
            key = tool.toAbsolutePath() + "@" + Files.getLastModifiedTime(tool).toMillis();
        } catch (IOException e) {
            key = tool.toAbsolutePath().toString();
        }
        String cached = VERSION_CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        CommandResult r = Command.of(tool.toString(), "--version").timeout(Duration.ofSeconds(30)).runAnyExit(null);
        Matcher m = VERSION.matcher(r.stdoutText());
        if (r.exitCode() != 0 || !m.find()) {
            throw new PgToolException("Could not read the version of " + tool + ": '" + (r.stdoutText() + r.stderrText()).trim()
                    + "' (exit " + r.exitCode() + "). Check that it is a PostgreSQL client tool.");
        }
        String v = m.group(1) + (m.group(2) == null ? "" : "." + m.group(2));
        VERSION_CACHE.put(key, v);
        return v;
    }

    /**
     * @param version version text
     * @return its major version
     */
    public static int major(String version) {
        return leadingInt(version);
    }

    private static int leadingInt(String s) {
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        return i == 0 ? -1 : Integer.parseInt(s.substring(0, i));
    }
}
