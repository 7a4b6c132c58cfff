package dev.rollback.core.internal;

import dev.rollback.core.journal.JournalException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each way the operating system refuses a journal's lock, as Java reports it, sorted into its cause
 * with a fix the operator can act on. (Provoking each for real needs a read-only mount, an NFS
 * server or a full disk; the errors below are the ones the JDK raises for them on Linux.)
 */
class LockFailuresTest {
    @TempDir
    Path dir;

    private static FileSystemException fs(String reason) {
        return new FileSystemException("/var/rollback/journal/p/plan.lock", null, reason);
    }

    @Test
    void eachFailureIsSortedIntoItsCause() {
        assertThat(LockFailures.classify(new AccessDeniedException("/x"))).isEqualTo(LockFailures.Cause.PERMISSION);
        assertThat(LockFailures.classify(fs("Permission denied"))).isEqualTo(LockFailures.Cause.PERMISSION);
        assertThat(LockFailures.classify(new IOException("Operation not permitted"))).isEqualTo(LockFailures.Cause.PERMISSION);
        assertThat(LockFailures.classify(fs("Read-only file system"))).isEqualTo(LockFailures.Cause.READ_ONLY);
        assertThat(LockFailures.classify(new IOException("No locks available"))).isEqualTo(LockFailures.Cause.NO_LOCKS);
        assertThat(LockFailures.classify(fs("Function not implemented"))).isEqualTo(LockFailures.Cause.NO_LOCKS);
        assertThat(LockFailures.classify(fs("Operation not supported"))).isEqualTo(LockFailures.Cause.NO_LOCKS);
        assertThat(LockFailures.classify(new IOException("No space left on device"))).isEqualTo(LockFailures.Cause.DISK_FULL);
        assertThat(LockFailures.classify(new FileAlreadyExistsException("/x"))).isEqualTo(LockFailures.Cause.NOT_A_FOLDER);
        assertThat(LockFailures.classify(fs("Not a directory"))).isEqualTo(LockFailures.Cause.NOT_A_FOLDER);
        assertThat(LockFailures.classify(new IOException("Input/output error"))).isEqualTo(LockFailures.Cause.OTHER);
        assertThat(LockFailures.classify(new IOException((String) null))).isEqualTo(LockFailures.Cause.OTHER);
        // the reason of a FileSystemException is what counts, not its file names
        assertThat(LockFailures.classify(new FileSystemException("/permission denied/x", null, "Input/output error")))
                .isEqualTo(LockFailures.Cause.OTHER);
        assertThat(LockFailures.classify(new FileSystemException("/mnt/read-only file system"))).as("no reason: the message")
                .isEqualTo(LockFailures.Cause.READ_ONLY);
    }

    @Test
    void eachCauseNamesTheFileAndTheFix() throws IOException {
        Path lock = dir.resolve("journal/p/plan.lock");
        JournalException denied = LockFailures.cannotLock("p", lock, "lock", new AccessDeniedException(lock.toString()));
        assertThat(denied).hasMessageStartingWith("Could not lock for plan 'p' at " + lock + ": permission denied: user '")
                .hasMessageContaining("may not write there (" + dir + " belongs to " + Files.getOwner(dir).getName() + " mode "
                        + PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)) + ")")
                .hasMessageContaining("choose a journal folder this user can write with --journal DIR.")
                .hasCauseInstanceOf(AccessDeniedException.class);
        assertThat(LockFailures.cannotLock("p", lock, "create the journal folder", fs("Read-only file system")))
                .hasMessage("Could not create the journal folder for plan 'p' at " + lock + ": the file system is mounted read-only. Fix: "
                        + "choose a journal folder on a writable file system with --journal DIR (a read-only container root or a "
                        + "remounted disk cannot hold a journal).");
        assertThat(LockFailures.cannotLock("p", lock, "lock", new IOException("No locks available")))
                .hasMessageContaining("does not support file locks").hasMessageEndingWith("(--journal postgresql://HOST:5432/DB).");
        assertThat(LockFailures.cannotLock("p", lock, "lock", new IOException("No space left on device")))
                .hasMessageEndingWith("the disk is full. Fix: free space on it, or choose a journal folder on another disk with --journal DIR.");
        assertThat(LockFailures.cannotLock("p", lock, "lock", new FileAlreadyExistsException(lock.toString())))
                .hasMessageContaining("a file stands where the journal needs a folder");
        assertThat(LockFailures.cannotLock("p", lock, "lock", new IOException("Input/output error")))
                .hasMessageEndingWith(": Input/output error. Fix: check that the journal folder exists and this user can write it, "
                        + "or choose another with --journal DIR.");
    }
}
