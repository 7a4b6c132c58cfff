package dev.rollback.examples.seeds;

import dev.rollback.cli.Setting;
import dev.rollback.postgres.Postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Turns the seeds' settings (URLs as the runbooks write them, tool folders) into library handles. */
public final class Targets {
    /** Folders searched first for the tools a plan runs; every seed reads it. */
    public static final Setting TOOLS_PATH = Setting.text("TOOLS_PATH", "folders searched first for the tools the plan runs (colon-separated)");
    /** The Slack webhook of the notifications; every seed reads it. */
    public static final Setting SLACK_WEBHOOK_URL = Setting.text("SLACK_WEBHOOK_URL",
            "Slack webhook for notifications (else they go to the log)").secret();
    /** The pause between health polls; every seed reads it. */
    public static final Setting HEALTH_RETRY_DELAY = Setting.duration("HEALTH_RETRY_DELAY", "pause between health polls").defaultValue("PT5S");

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
