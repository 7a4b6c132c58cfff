package dev.rollback.core.internal;

import dev.rollback.core.journal.JournalException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * Turns a failure to take a file journal's lock into an error that names the file, the cause
 * (permissions, a read-only file system, no lock support, a full disk) and the fix. Another
 * holder is a {@link dev.rollback.core.journal.JournalLockedException} instead. Not public API.
 */
public final class LockFailures {

    /** The causes a lock failure is sorted into. */
    public enum Cause {
        /** The user may not create or write the file or its folder. */
        PERMISSION,
        /** The file system is mounted read-only. */
        READ_ONLY,
        /** The file system does not support locks (NFS without a lock manager). */
        NO_LOCKS,
        /** The disk is full. */
        DISK_FULL,
        /** A file stands where a folder must be. */
        NOT_A_FOLDER,
        /** Anything else. */
        OTHER
    }

    private LockFailures() {
    }

    /**
     * @param e the failure
     * @return its cause
     */
    public static Cause classify(IOException e) {
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : String.valueOf(e.getMessage());
        String r = reason.toLowerCase(Locale.ROOT);
        if (e instanceof AccessDeniedException || r.contains("permission denied") || r.contains("operation not permitted")) {
            return Cause.PERMISSION;
        }
        if (r.contains("read-only file system")) {
            return Cause.READ_ONLY;
        }
        if (r.contains("no locks available") || r.contains("function not implemented") || r.contains("operation not supported")) {
            return Cause.NO_LOCKS;
        }
        if (r.contains("no space left")) {
            return Cause.DISK_FULL;
        }
        if (e instanceof FileAlreadyExistsException || r.contains("not a directory")) {
            return Cause.NOT_A_FOLDER;
        }
        return Cause.OTHER;
    }

    /**
     * @param planName the plan
     * @param path     the file or folder that could not be made or locked
     * @param action   what was tried ("lock", "create the journal folder")
     * @param e        the failure
     * @return an error naming the file, the cause and the fix
     */
    public static JournalException cannotLock(String planName, Path path, String action, IOException e) {
        Cause cause = classify(e);
        String what = switch (cause) {
            case PERMISSION -> "permission denied: user '" + System.getProperty("user.name", "?") + "' may not write there"
                    + describeAccess(path) + ". Fix: run as the user that owns the journal, give this user write access "
                    + "to the folder (chown or chmod), or choose a journal folder this user can write with --journal DIR.";
            case READ_ONLY -> "the file system is mounted read-only. Fix: choose a journal folder on a writable file system "
                    + "with --journal DIR (a read-only container root or a remounted disk cannot hold a journal).";
            case NO_LOCKS -> "the file system does not support file locks (an NFS mount without a lock manager?). Fix: choose "
                    + "a local folder with --journal DIR; to run one plan from several machines, use a shared PostgreSQL journal "
                    + "(--journal postgresql://HOST:5432/DB).";
            case DISK_FULL -> "the disk is full. Fix: free space on it, or choose a journal folder on another disk with --journal DIR.";
            case NOT_A_FOLDER -> "a file stands where the journal needs a folder. Fix: move that file away, or choose another "
                    + "journal folder with --journal DIR.";
            case OTHER -> String.valueOf(e.getMessage()) + ". Fix: check that the journal folder exists and this user can "
                    + "write it, or choose another with --journal DIR.";
        };
        return new JournalException("Could not " + action + " for plan '" + planName + "' at " + path + ": " + what, e);
    }

    /** Owner and mode of the path or its nearest existing parent, for a permission error. */
    private static String describeAccess(Path path) {
        Path p = path.toAbsolutePath();
        while (p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            p = p.getParent();
        }
        if (p == null) {
            return "";
        }
        try {
            String owner = Files.getOwner(p).getName();
            String mode = p.getFileSystem().supportedFileAttributeViews().contains("posix")
                    ? " mode " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)) : "";
            return " (" + p + " belongs to " + owner + mode + ")";
        } catch (IOException | UnsupportedOperationException | SecurityException ex) {
            return "";
        }
    }
}
