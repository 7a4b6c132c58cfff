package dev.rollback.postgres.internal;

import dev.rollback.postgres.BackupInvalidException;
import dev.rollback.postgres.DumpFormat;

import java.io.IOException;
import java.io.InputStream;
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
     * @param dump a dump file or directory
     * @return its format
     * @throws BackupInvalidException when it is missing or empty
     */
    public static DumpFormat detect(Path dump) {
        if (!Files.exists(dump)) {
            throw new BackupInvalidException(dump, "Backup " + dump + " does not exist; nothing was changed. Check the path and that the backup job ran.");
        }
        try {
            if (Files.isDirectory(dump)) {
                Path toc = dump.resolve("toc.dat");
                if (!Files.isRegularFile(toc) || Files.size(toc) == 0) {
                    throw new BackupInvalidException(dump, "Backup directory " + dump + " has no toc.dat (or it is empty), so it is not a "
                            + "pg_dump directory-format dump; nothing was changed. Check the path.");
                }
                return DumpFormat.DIRECTORY;
            }
            if (Files.size(dump) == 0) {
                throw new BackupInvalidException(dump, "Backup " + dump + " is empty (0 bytes); nothing was changed. The backup job probably "
                        + "failed; use an earlier backup.");
            }
            byte[] head = new byte[5];
            int n;
            try (InputStream in = Files.newInputStream(dump)) {
                n = in.readNBytes(head, 0, 5);
            }
            return n == 5 && new String(head, java.nio.charset.StandardCharsets.US_ASCII).equals("PGDMP") ? DumpFormat.CUSTOM : DumpFormat.PLAIN;
        } catch (IOException e) {
            throw new BackupInvalidException(dump, "Cannot read backup " + dump + ": " + e + "; nothing was changed. Check its permissions.");
        }
    }

    /**
     * Reads a custom or directory dump's table of contents with {@code pg_restore --list}, or
     * all of it ({@code pg_restore --file=/dev/null}) when {@code fully}: a truncated dump often
     * has an intact table of contents and only the full read finds it.
     *
     * @param ep        the endpoint (tools environment)
     * @param pgRestore pg_restore's path
     * @param dump      the dump
     * @param fully     whether to read the data too
     */
    public static void verifyReadable(PgEndpoint ep, Path pgRestore, Path dump, boolean fully) {
        List<String> argv = fully ? List.of(pgRestore.toString(), "--file=/dev/null", dump.toString())
                : List.of(pgRestore.toString(), "--list", dump.toString());
        dev.rollback.process.CommandResult r;
        Path listing = null;
        try {
            // The table of contents can be thousands of lines: keep it out of the log.
            listing = Files.createTempFile("pg_restore-list", ".txt");
            r = dev.rollback.process.Command.of(argv).keepLines(20).stdoutTo(listing).runAnyExit(null);
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
