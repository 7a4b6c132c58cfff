package dev.rollback.core.journal;

import dev.rollback.core.internal.LockFailures;
import dev.rollback.core.testing.ChildJvm;
import dev.rollback.core.testing.LockProbeMain;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A file journal that cannot be locked says which file, why (permissions, another holder, a
 * read-only file system) and what to do. Permissions are tried in a child JVM that cannot override
 * file modes (as root: without CAP_DAC_OVERRIDE, through {@code setpriv}); the read-only file system
 * is a read-only tmpfs mounted for the test (root only).
 */
class LockErrorsIT {
    @TempDir
    Path dir;

    @Test
    void anotherHolderIsNamedWithWhatToDo() {
        FileJournal journal = FileJournal.in(dir);
        try (Journal.JournalWriter held = journal.open("p", Holder.thisProcess("run-1", "alice"))) {
            assertThatThrownBy(() -> journal.open("p", Holder.thisProcess("run-2", "bob")))
                    .isInstanceOf(JournalLockedException.class)
                    .hasMessageContaining("Another run of plan 'p' is in progress: run run-1 by alice, pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("(lock " + journal.lockFile("p") + ")")
                    .hasMessageContaining("Wait for it to finish, or stop that process")
                    .hasMessageContaining("the lock is released when it exits, however it exits");
        }
    }

    @Test
    void aFolderTheUserMayNotWriteIsNamedWithTheFix() throws Exception {
        Path journal = Files.createDirectories(dir.resolve("journal"));
        Files.setPosixFilePermissions(journal, PosixFilePermissions.fromString("r-x------"));
        String out = probe(journal, "p");
        assertThat(out).contains("Could not create the journal folder for plan 'p' at " + journal.resolve("p"))
                .contains("permission denied").contains(journal + " belongs to").contains("mode r-x------")
                .contains("Fix: run as the user that owns the journal, give this user write access");
    }

    @Test
    void aLockFileTheUserMayNotWriteIsNamedWithTheFix() throws Exception {
        FileJournal.in(dir).open("p", Holder.thisProcess("run-1", "alice")).close();
        Path lock = FileJournal.in(dir).lockFile("p");
        Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("r--------"));
        String out = probe(dir, "p");
        assertThat(out).contains("Could not lock for plan 'p' at " + lock).contains("permission denied").contains("mode r--------");
    }

    @Test
    void aReadOnlyFileSystemIsNamedWithTheFix() throws Exception {
        Path mount = Files.createDirectories(dir.resolve("ro"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mount.toString()).redirectErrorStream(true).start();
        String why = new String(p.getInputStream().readAllBytes());
        Assumptions.assumeTrue(p.waitFor() == 0, "cannot mount a read-only tmpfs here (needs root with CAP_SYS_ADMIN): " + why.strip()
                + "; LockErrorsIT.classifiesEachCause covers the message");
        try {
            assertThatThrownBy(() -> FileJournal.in(mount.resolve("journal")).open("p", Holder.thisProcess("r", "alice")))
                    .isInstanceOf(JournalException.class)
                    .hasMessageContaining("at " + mount.resolve("journal").resolve("p"))
                    .hasMessageContaining("the file system is mounted read-only")
                    .hasMessageContaining("Fix: choose a journal folder on a writable file system");
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }

    @Test
    void classifiesEachCause() {
        assertThat(LockFailures.classify(new AccessDeniedException("/x"))).isEqualTo(LockFailures.Cause.PERMISSION);
        assertThat(LockFailures.classify(new FileSystemException("/x", null, "Read-only file system"))).isEqualTo(LockFailures.Cause.READ_ONLY);
        assertThat(LockFailures.classify(new IOException("No locks available"))).isEqualTo(LockFailures.Cause.NO_LOCKS);
        assertThat(LockFailures.classify(new FileSystemException("/x", null, "No space left on device"))).isEqualTo(LockFailures.Cause.DISK_FULL);
        assertThat(LockFailures.classify(new IOException("weird"))).isEqualTo(LockFailures.Cause.OTHER);
        assertThat(LockFailures.cannotLock("p", Path.of("/x/p/plan.lock"), "lock", new FileSystemException("/x", null, "Read-only file system"))
                .getMessage()).isEqualTo("Could not lock for plan 'p' at /x/p/plan.lock: the file system is mounted read-only. Fix: choose a "
                + "journal folder on a writable file system with --journal DIR (a read-only container root or a remounted disk cannot hold a journal).");
        assertThat(LockFailures.cannotLock("p", Path.of("/x"), "lock", new IOException("No locks available")).getMessage())
                .contains("does not support file locks").contains("--journal postgresql://");
    }

    /** Runs the lock in a child JVM that file modes apply to, and returns what it printed. */
    private String probe(Path journal, String plan) throws Exception {
        List<String> wrapper = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")),
                    "running as root without setpriv: root overrides file modes, so the permission error cannot happen");
            wrapper.addAll(List.of("/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search"));
        }
        ChildJvm child = ChildJvm.start(dir, wrapper, LockProbeMain.class, List.of(), List.of(journal.toString(), plan));
        int code = child.waitFor(Duration.ofSeconds(60));
        assertThat(code).as("the lock was refused; output: %s %s", child.stdout(), child.stderr()).isEqualTo(1);
        return child.stdout();
    }
}
