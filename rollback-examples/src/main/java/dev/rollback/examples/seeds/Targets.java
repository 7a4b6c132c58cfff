package dev.rollback.examples.seeds;

import dev.rollback.core.Secret;
import dev.rollback.core.cli.UsageException;
import dev.rollback.postgres.Postgres;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Turns the seeds' settings (URLs as the runbooks write them, tool folders) into library handles. */
public final class Targets {
    private Targets() {
    }

    /**
     * Accepts a libpq URL as the seeds write {@code DATABASE_URL}
     * ({@code postgresql://user:password@host:5432/db}) or a JDBC URL; the password becomes a
     * {@link Secret} and never reaches a command line.
     *
     * @param url the URL
     * @return the library's handle
     */
    public static Postgres postgres(String url) {
        if (url.startsWith("jdbc:")) {
            return Postgres.at(url);
        }
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
            throw new UsageException("not a PostgreSQL URL: '" + dev.rollback.core.Redactor.redact(url)
                    + "'; expected postgresql://user:password@host:5432/database");
        }
        URI u = URI.create(url);
        String db = u.getPath() == null || u.getPath().length() <= 1 ? null : u.getPath().substring(1);
        if (db == null) {
            throw new UsageException("the PostgreSQL URL names no database; add it after the host, as in postgresql://host:5432/nextcrm");
        }
        Postgres pg = Postgres.at("jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() < 0 ? 5432 : u.getPort()) + "/" + db);
        if (u.getRawUserInfo() != null) {
            String[] ui = u.getRawUserInfo().split(":", 2);
            pg = pg.user(URLDecoder.decode(ui[0], StandardCharsets.UTF_8));
            if (ui.length > 1) {
                pg = pg.password(Secret.of(URLDecoder.decode(ui[1], StandardCharsets.UTF_8)));
            }
        }
        return pg;
    }

    /**
     * @param extra a PATH-like list of folders to search first (stand-ins in drills), may be null
     * @return the folders
     */
    public static List<Path> searchPath(String extra) {
        List<Path> dirs = new ArrayList<>();
        if (extra != null) {
            for (String d : extra.split(java.io.File.pathSeparator)) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        return dirs;
    }

    /** @return whether {@code pg_dump} and {@code pg_restore} are on PATH or under /usr/lib/postgresql */
    public static boolean postgresToolsInstalled() {
        List<Path> dirs = new ArrayList<>(searchPath(System.getenv("PATH")));
        try (Stream<Path> versions = Files.isDirectory(Path.of("/usr/lib/postgresql")) ? Files.list(Path.of("/usr/lib/postgresql")) : Stream.empty()) {
            versions.forEach(v -> dirs.add(v.resolve("bin")));
        } catch (java.io.IOException e) {
            // no versioned folders: PATH alone decides
        }
        return dirs.stream().anyMatch(d -> Files.isExecutable(d.resolve("pg_dump")) && Files.isExecutable(d.resolve("pg_restore")));
    }
}
