package dev.rollback.postgres.internal;

import dev.rollback.postgres.BackupInvalidException;
import dev.rollback.postgres.DumpFormat;
import dev.rollback.process.Command;
import dev.rollback.process.CommandResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Recognises dump formats and finds missing or empty dumps before anything is changed. */
public final class DumpFiles {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

    private DumpFiles() {
    }

    /**
     * Recognises a dump by reading its header and table of contents (a plain dump: its first and
     * last kilobytes), so that something that is not a dump is called so before any tool runs.
     *
     * @param dump a dump file or directory
     * @return its format
     * @throws BackupInvalidException when it is missing, empty, not a dump, or its header or table of contents is damaged
     */
    public static DumpFormat detect(Path dump) {
        return DumpArchive.read(dump, DumpArchive.Depth.TABLE_OF_CONTENTS).format();
    }

    /**
     * Asks the {@code pg_restore} that will restore a custom or directory dump to list its table
     * of contents, which proves that this pg_restore reads the archive's version.
     *
     * @param ep        the endpoint (tools environment)
     * @param pgRestore pg_restore's path
     * @param dump      the dump
     */
    public static void verifyReadable(PgEndpoint ep, Path pgRestore, Path dump) {
        List<String> argv = List.of(pgRestore.toString(), "--list", dump.toString());
        CommandResult r;
        Path listing = null;
        try {
            // The table of contents can be thousands of lines: keep it out of the log.
            listing = Files.createTempFile("pg_restore-list", ".txt");
            r = Command.of(argv).keepLines(20).stdoutTo(listing).runAnyExit(null);
        } catch (IOException e) {
            throw new BackupInvalidException(dump, "Cannot check backup " + dump + ": no temporary file for pg_restore's listing: " + e);
        } finally {
            if (listing != null) {
                try {
                    Files.deleteIfExists(listing);
                } catch (IOException ignored) {
                    // a leftover listing in the temp folder holds no secret
                }
            }
        }
        if (r.exitCode() != 0) {
            throw new BackupInvalidException(dump, "Backup " + dump + " is unreadable: '" + String.join(" ", argv) + "' exited with "
                    + r.exitCode() + ": " + PgCommands.tail(r.stderrText()) + ". It is truncated or corrupt; nothing was changed. "
                    + "Use an earlier backup.");
        }
    }

    /**
     * @param clock the run's clock
     * @return a UTC time stamp for database names, such as {@code 20250101_120000}
     */
    public static String stamp(Clock clock) {
        return STAMP.format(clock.instant());
    }
}
