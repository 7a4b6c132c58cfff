package dev.rollback.process.internal;

import dev.rollback.core.OwnerOnlyFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/**
 * Replacing the content of a file that is configuration (an env file, a config file, a status page)
 * without changing what the file is: a symbolic link is written through to its target and stays a
 * link; owner, group and mode stay; a read-only file is refused and left unchanged. And timestamped
 * backups.
 */
public final class AtomicFiles {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Set<PosixFilePermission> WRITE_BITS = Set.of(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE);

    private AtomicFiles() {
    }

    /** A file the rollback must not change: read-only for this user, or marked read-only for everyone. */
    public static final class ReadOnlyFileException extends IOException {
        private static final long serialVersionUID = 1L;

        ReadOnlyFileException(String message) {
            super(message);
        }
    }

    /**
     * Replaces the content of a file. A new file is created owner-only (0600), in a folder that must
     * exist. For an existing one:
     * <ul>
     *   <li>a symbolic link (or a chain of them) is followed: the file it points to gets the content,
     *       the link stays as it is;</li>
     *   <li>a file this user cannot write ({@link Files#isWritable}), or one with no write bit at all
     *       (0444: marked read-only, which root would otherwise ignore), is refused with
     *       {@link ReadOnlyFileException} and not touched;</li>
     *   <li>the content goes to a temporary file beside it, forced to disk, given the file's mode,
     *       owner and group, and moved over it atomically: a reader sees the old file or the new
     *       one. When this user may not give the temporary file the same owner and group (only root
     *       may give a file away), may not create files in the folder, or the file has other hard
     *       links, the content is written into the file itself instead, which keeps owner, group,
     *       mode and links, and is forced to disk.</li>
     * </ul>
     *
     * @param target  the file, or a link to it
     * @param content the new content
     * @throws ReadOnlyFileException when the file is read-only; it is then unchanged
     * @throws IOException           when it cannot be written; the file is then unchanged, except
     *                               after a failure half-way through an in-place write
     */
    public static void write(Path target, byte[] content) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Path folder = target.toAbsolutePath().getParent();
            if (!Files.isDirectory(folder)) {   // a wrong path more likely than a folder to create
                throw new NoSuchFileException(folder.toString(), null, "the folder of " + target.getFileName() + " does not exist");
            }
            OwnerOnlyFiles.writeAtomically(target, content);
            return;
        }
        Path file = realFile(target);
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        PosixFileAttributes attrs = view == null ? null : view.readAttributes();
        refuseReadOnly(target, file, attrs);
        if (attrs == null) {
            replace(file, content, null);
            return;
        }
        if (linkCount(file) > 1) {
            writeInPlace(file, content);
            return;
        }
        replace(file, content, attrs);
    }

    /** The regular file a path names, following symbolic links; a link to nothing is an error that says so. */
    private static Path realFile(Path target) throws IOException {
        try {
            Path real = target.toRealPath();
            if (!Files.isRegularFile(real)) {
                throw new IOException(target + " is not a regular file" + (real.equals(target.toAbsolutePath()) ? "" : " (it points to " + real + ")"));
            }
            return real;
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(target.toString(), null, "it is a symbolic link to " + Files.readSymbolicLink(target)
                    + ", which does not exist; fix the link or point the step at the file itself");
        }
    }

    private static void refuseReadOnly(Path target, Path file, PosixFileAttributes attrs) throws ReadOnlyFileException {
        String which = file.equals(target.toAbsolutePath()) ? target.toString() : target + " (a link to " + file + ")";
        String mode = attrs == null ? "" : " (mode " + PosixFilePermissions.toString(attrs.permissions()) + ", owner "
                + attrs.owner().getName() + ":" + attrs.group().getName() + ")";
        if (!Files.isWritable(file)) {
            throw new ReadOnlyFileException(which + " is read-only for this user" + mode + "; nothing was changed. Fix: give the "
                    + "runner's user write access to it (chmod u+w / chown), or run the rollback as its owner, then resume");
        }
        if (attrs != null && attrs.permissions().stream().noneMatch(WRITE_BITS::contains)) {
            throw new ReadOnlyFileException(which + " is marked read-only" + mode + ": nobody may write it, so the rollback does not "
                    + "either, even as root; nothing was changed. Fix: if the rollback should change it, 'chmod u+w " + file
                    + "' and resume");
        }
    }

    private static void replace(Path file, byte[] content, PosixFileAttributes attrs) throws IOException {
        Path tmp;
        try {
            tmp = Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".tmp");
        } catch (AccessDeniedException e) {
            // the folder is not ours to write (/etc/app/ owned by root, the file given to the app's user): in place
            writeInPlace(file, content);
            return;
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writeAll(ch, content);
                ch.force(true);
            }
            if (attrs != null) {
                PosixFileAttributeView tmpView = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
                if (!sameOwnerAndGroup(tmpView, attrs.owner(), attrs.group())) {
                    Files.delete(tmp);
                    writeInPlace(file, content);
                    return;
                }
                tmpView.setPermissions(attrs.permissions());
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Gives the temporary file the owner and group of the original; false when this user may not. */
    private static boolean sameOwnerAndGroup(PosixFileAttributeView view, UserPrincipal owner, GroupPrincipal group) {
        try {
            PosixFileAttributes now = view.readAttributes();
            if (!now.owner().equals(owner)) {
                view.setOwner(owner);
            }
            if (!now.group().equals(group)) {
                view.setGroup(group);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void writeInPlace(Path file, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            writeAll(ch, content);
            ch.truncate(content.length);
            ch.force(true);
        }
    }

    private static void writeAll(FileChannel ch, byte[] content) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private static int linkCount(Path file) {
        try {
            return (Integer) Files.getAttribute(file, "unix:nlink");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 1;
        }
    }

    /**
     * Copies {@code file} to {@code <file>.backup-<UTC timestamp>} next to it, readable by the owner
     * only whatever the original's mode (a backup of an env file holds its secrets); a second backup
     * in the same second gets a counter. A symbolic link is followed: the backup holds the content.
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
