package dev.rollback.process.internal;

import dev.rollback.core.OwnerOnlyFiles;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/** Atomic file replacement that keeps permissions, and timestamped backups. */
public final class AtomicFiles {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private AtomicFiles() {
    }

    /**
     * Writes {@code content} to a temporary file in the same folder with the permissions of the
     * existing file (owner-only for a new one), then moves it over the target atomically, so a
     * reader sees the old file or the new one, never half of it.
     *
     * @param target  the file
     * @param content the new content
     * @throws IOException when it cannot be written; the target is then unchanged
     */
    public static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Set<PosixFilePermission> perms = Files.exists(target) ? permissions(target) : OWNER_ONLY;
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            Files.write(tmp, content);
            if (perms != null) {
                Files.setPosixFilePermissions(tmp, perms);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * @param file a file
     * @return its POSIX permissions, or null where the file system has none
     * @throws IOException when they cannot be read
     */
    public static Set<PosixFilePermission> permissions(Path file) throws IOException {
        if (Files.getFileAttributeView(file, PosixFileAttributeView.class) == null) {
            return null;
        }
        return Files.getPosixFilePermissions(file);
    }

    /**
     * Copies {@code file} to {@code <file>.backup-<UTC timestamp>} next to it, readable by the owner
     * only whatever the original's mode (a backup of an env file holds its secrets); a second backup
     * in the same second gets a counter.
     *
     * @param file  the file
     * @param clock the run's clock
     * @return the backup
     * @throws IOException when it cannot be copied
     */
    public static Path backup(Path file, Clock clock) throws IOException {
        String base = file.getFileName() + ".backup-" + STAMP.format(clock.instant());
        for (int i = 0; ; i++) {
            Path b = file.resolveSibling(i == 0 ? base : base + "-" + i);
            try {
                OwnerOnlyFiles.createFile(b);
                OwnerOnlyFiles.copy(file, b);
                return b;
            } catch (FileAlreadyExistsException e) {
                // try the next name
            }
        }
    }
}
