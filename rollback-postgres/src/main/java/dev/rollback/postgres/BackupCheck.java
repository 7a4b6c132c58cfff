package dev.rollback.postgres;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.postgres.internal.DumpFiles;
import dev.rollback.postgres.internal.PgCommands;
import dev.rollback.postgres.internal.PgEndpoint;
import dev.rollback.postgres.internal.PgTools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A precheck on a dump before anything is changed: it exists, is not empty, {@code pg_restore}
 * reads it (by default all of it, which finds a truncated dump whose table of contents is
 * intact; {@link #listOnly()} reads the table of contents only), and optionally it is recent.
 * Plain SQL dumps are checked for existence, size and age.
 *
 * <pre>{@code
 * plan.precheck(pg.backupReadable(Path.of("/backups/nextcrm.dump")).maxAge(Duration.ofHours(24)));
 * }</pre>
 */
public final class BackupCheck implements Check {
    private final PgEndpoint ep;
    private final Path dump;
    private final Duration maxAge;
    private final boolean fully;

    BackupCheck(PgEndpoint ep, Path dump, Duration maxAge, boolean fully) {
        this.ep = ep;
        this.dump = Objects.requireNonNull(dump, "dump");
        this.maxAge = maxAge;
        this.fully = fully;
    }

    /**
     * @param age the oldest acceptable backup
     * @return a copy that also fails on an older backup
     */
    public BackupCheck maxAge(Duration age) {
        if (age.isNegative() || age.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive, got " + age);
        }
        return new BackupCheck(ep, dump, age, fully);
    }

    /** @return a copy that reads only the table of contents ({@code pg_restore --list}), for very large dumps */
    public BackupCheck listOnly() {
        return new BackupCheck(ep, dump, maxAge, false);
    }

    @Override
    public String name() {
        return "backup " + dump.getFileName() + " is readable";
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of(name()).param("dump", dump).param("maxAge", maxAge == null ? "any" : maxAge)
                .command(java.util.List.of("pg_restore", fully ? "--file=/dev/null" : "--list", dump.toString()));
    }

    @Override
    public CheckResult check(StepContext ctx) throws Exception {
        DumpFormat format;
        try {
            format = DumpFiles.detect(dump);
            if (format != DumpFormat.PLAIN) {
                PgTools.Tool tool = PgCommands.toolOffline(ep, "pg_restore");
                DumpFiles.verifyReadable(ep, tool.path(), dump, fully);
            }
        } catch (BackupInvalidException e) {
            return CheckResult.failed(name(), "unreadable", "a complete dump", e.getMessage());
        }
        Instant modified = Files.getLastModifiedTime(dump).toInstant();
        Duration age = Duration.between(modified, ctx.clock().instant());
        String measured = format.flag() + " dump, " + size(dump) + " bytes, " + Durations.human(age) + " old";
        if (maxAge != null && age.compareTo(maxAge) > 0) {
            return CheckResult.failed(name(), measured, "at most " + Durations.human(maxAge) + " old",
                    "Backup " + dump + " is older than " + Durations.human(maxAge) + "; the data-loss window would be too large. Take a fresh backup or raise maxAge.");
        }
        return CheckResult.passed(name(), measured, maxAge == null ? "readable" : "readable, at most " + Durations.human(maxAge) + " old");
    }

    private static long size(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return Files.size(p);
        }
        try (var s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    /** Human durations for messages. */
    static final class Durations {
        private Durations() {
        }

        static String human(Duration d) {
            long s = d.getSeconds();
            if (s < 120) {
                return s + "s";
            }
            if (s < 7200) {
                return s / 60 + "min";
            }
            if (s < 172800) {
                return s / 3600 + "h";
            }
            return s / 86400 + "d";
        }
    }
}
