package dev.rollback.postgres;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.postgres.internal.DumpArchive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A precheck on a dump before anything is changed: it exists, is not empty, and it is a complete
 * pg_dump archive, read the way {@code pg_restore} reads it but without needing the tool (see
 * {@code DumpArchive}): the header, the table of contents and, by default, every data block — each
 * block's chunks and, for gzip, the compressed stream to its end in a custom archive; each data
 * file (gzip to its CRC trailer) in a directory archive. A plain SQL dump is read as text: no binary
 * byte anywhere, and pg_dump's closing "dump complete" line at the end. Random bytes, an empty file,
 * a file cut in its table of contents and one cut in the middle of a data block each fail with a
 * message that says which and where. {@link #listOnly()} reads the header and table of contents
 * only, for very large dumps; {@link #maxAge(Duration)} also fails an old backup.
 *
 * <pre>{@code
 * plan.precheck(pg.backupReadable(Path.of("/backups/nextcrm.dump")).maxAge(Duration.ofHours(24)));
 * }</pre>
 */
public final class BackupCheck implements Check {
    private final Path dump;
    private final Duration maxAge;
    private final boolean fully;

    BackupCheck(Path dump, Duration maxAge, boolean fully) {
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
        return new BackupCheck(dump, age, fully);
    }

    /** @return a copy that reads only the header and the table of contents, for very large dumps */
    public BackupCheck listOnly() {
        return new BackupCheck(dump, maxAge, false);
    }

    @Override
    public String name() {
        return "backup " + dump.getFileName() + " is readable";
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of(name()).param("dump", dump).param("maxAge", maxAge == null ? "any" : maxAge)
                .param("reads", fully ? "header, table of contents and every data block (plain: every byte of SQL)"
                        : "header and table of contents (plain: first and last kilobytes)");
    }

    @Override
    public CheckResult check(StepContext ctx) throws Exception {
        DumpArchive.Contents contents;
        try {
            contents = DumpArchive.read(dump, fully ? DumpArchive.Depth.EVERYTHING : DumpArchive.Depth.TABLE_OF_CONTENTS);
        } catch (BackupInvalidException e) {
            return CheckResult.failed(name(), "unreadable", "a complete dump", e.getMessage());
        }
        Instant modified = Files.getLastModifiedTime(dump).toInstant();
        Duration age = Duration.between(modified, ctx.clock().instant());
        String measured = contents.summary() + ", " + size(dump) + " bytes on disk, " + Durations.human(age) + " old"
                + (contents.notes().isEmpty() ? "" : " (" + String.join("; ", contents.notes()) + ")");
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
