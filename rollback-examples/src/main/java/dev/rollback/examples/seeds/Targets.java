package dev.rollback.examples.seeds;

import dev.rollback.postgres.Postgres;

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
     * @param url {@code DATABASE_URL} as the runbooks write it ({@code postgresql://user:password@host:5432/db}) or a JDBC URL
     * @return the library's handle; the password becomes a {@link dev.rollback.core.Secret}
     */
    public static Postgres postgres(String url) {
        return Postgres.at(url);
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
