package dev.rollback.core;

import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.report.IncidentReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class OwnerOnlyFilesTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void createsEveryMissingFolder0700AndLeavesExistingFoldersAlone() throws IOException {
        Path existing = Files.createDirectory(tmp.resolve("backups"));
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path deep = OwnerOnlyFiles.createDirectories(existing.resolve("a/b/c"));

        assertThat(mode(existing.resolve("a"))).isEqualTo("rwx------");
        assertThat(mode(existing.resolve("a/b"))).isEqualTo("rwx------");
        assertThat(mode(deep)).isEqualTo("rwx------");
        assertThat(mode(existing)).as("the operator's folder is theirs").isEqualTo("rwxr-xr-x");
        assertThat(OwnerOnlyFiles.createDirectories(deep)).isEqualTo(deep);   // again: no failure
    }

    @Test
    void writesEveryKindOfFile0600InNewFolders0700() throws IOException {
        Path root = tmp.resolve("run");
        OwnerOnlyFiles.writeString(root.resolve("forensics/state.txt"), "HEAD abc\n");
        OwnerOnlyFiles.write(root.resolve("dump/bytes.bin"), new byte[]{1, 2, 3});
        OwnerOnlyFiles.writeLines(root.resolve("lines.txt"), List.of("a", "b"));
        try (OutputStream out = OwnerOnlyFiles.newOutputStream(root.resolve("stream/sample.csv"))) {
            out.write("id\n1\n".getBytes(StandardCharsets.UTF_8));
        }
        try (OutputStream out = OwnerOnlyFiles.newAppendingStream(root.resolve("log.txt"))) {
            out.write("one\n".getBytes(StandardCharsets.UTF_8));
        }
        try (OutputStream out = OwnerOnlyFiles.newAppendingStream(root.resolve("log.txt"))) {
            out.write("two\n".getBytes(StandardCharsets.UTF_8));
        }
        try (Writer w = OwnerOnlyFiles.newBufferedWriter(root.resolve("writer.txt"), StandardCharsets.UTF_8)) {
            w.write("text");
        }
        Path source = Files.writeString(tmp.resolve("world-readable.txt"), "secret rows");
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
        OwnerOnlyFiles.copy(source, root.resolve("copies/copy.txt"));
        OwnerOnlyFiles.copy(new ByteArrayInputStream("streamed".getBytes(StandardCharsets.UTF_8)), root.resolve("copies/streamed.txt"));
        OwnerOnlyFiles.createFile(root.resolve("empty/marker"));
        OwnerOnlyFiles.writeAtomically(root.resolve("atomic/state.properties"), "k=v\n".getBytes(StandardCharsets.UTF_8));
        OwnerOnlyFiles.createTempFile(root.resolve("tmp"), "x", ".tmp");
        OwnerOnlyFiles.createTempDirectory(root.resolve("tmp"), "d");

        assertThat(Files.readString(root.resolve("log.txt"))).isEqualTo("one\ntwo\n");
        assertThat(Files.readString(root.resolve("copies/copy.txt"))).isEqualTo("secret rows");
        assertThat(Files.readString(root.resolve("atomic/state.properties"))).isEqualTo("k=v\n");
        assertThat(notOwnerOnly(root)).isEmpty();
        try (Stream<Path> s = Files.list(root.resolve("atomic"))) {
            assertThat(s.toList()).as("no temporary file left").hasSize(1);
        }
    }

    @Test
    void anExistingFileIsNarrowedBeforeItIsOverwritten() throws IOException {
        Path f = Files.writeString(tmp.resolve("old-dump.sql"), "old");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));

        OwnerOnlyFiles.writeString(f, "new");

        assertThat(mode(f)).isEqualTo("rw-------");
        assertThat(Files.readString(f)).isEqualTo("new");
    }

    @Test
    void narrowTreeNarrowsWhatAToolWroteWithoutFollowingLinks() throws IOException {
        Path outside = Files.writeString(tmp.resolve("outside.txt"), "not ours");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-r--r--"));
        Path dump = Files.createDirectories(tmp.resolve("dump/sub"));
        Files.setPosixFilePermissions(tmp.resolve("dump"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dump.resolve("toc.dat"), "x");
        Files.setPosixFilePermissions(dump.resolve("toc.dat"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.createSymbolicLink(dump.resolve("link"), outside);

        OwnerOnlyFiles.narrowTree(tmp.resolve("dump"));

        assertThat(mode(tmp.resolve("dump"))).isEqualTo("rwx------");
        assertThat(mode(dump)).isEqualTo("rwx------");
        assertThat(mode(dump.resolve("toc.dat"))).isEqualTo("rw-------");
        assertThat(mode(outside)).as("a link's target is left alone").isEqualTo("rw-r--r--");
        assertThat(OwnerOnlyFiles.isOwnerOnly(dump.resolve("toc.dat"))).isTrue();
        assertThat(OwnerOnlyFiles.isOwnerOnly(outside)).isFalse();
    }

    @Test
    void everyWriterReturnsThePathItWroteSoCallsChain() throws IOException {
        Path root = tmp.resolve("run");
        Path a = root.resolve("a.txt");
        assertThat(OwnerOnlyFiles.writeString(a, "a")).isEqualTo(a);
        Path b = root.resolve("b.bin");
        assertThat(OwnerOnlyFiles.write(b, new byte[]{1})).isEqualTo(b);
        Path c = root.resolve("c.txt");
        assertThat(OwnerOnlyFiles.writeLines(c, List.of("x"))).isEqualTo(c);
        Path d = root.resolve("d/e.properties");
        assertThat(OwnerOnlyFiles.writeAtomically(d, new byte[0])).isEqualTo(d);
        Path copy = root.resolve("copy.txt");
        assertThat(OwnerOnlyFiles.copy(a, copy)).isEqualTo(copy);
        assertThat(OwnerOnlyFiles.copy(new ByteArrayInputStream(new byte[5]), root.resolve("five.bin"))).isEqualTo(5L);
        Path marker = root.resolve("f/marker");
        assertThat(OwnerOnlyFiles.createFile(marker)).isEqualTo(marker);
        Path nested = root.resolve("g/h/file");
        assertThat(OwnerOnlyFiles.createParentDirectories(nested)).isEqualTo(nested);
        assertThat(mode(root.resolve("g/h"))).isEqualTo("rwx------");
        assertThat(nested).doesNotExist();
        assertThat(OwnerOnlyFiles.narrow(a)).isEqualTo(a);
        assertThat(OwnerOnlyFiles.narrowTree(root)).isEqualTo(root);
        assertThat(OwnerOnlyFiles.createTempFile(root.resolve("t"), "p", ".s")).exists().isRegularFile()
                .hasParent(root.resolve("t")).satisfies(f -> assertThat(f.getFileName().toString()).startsWith("p").endsWith(".s"));
        assertThat(OwnerOnlyFiles.createTempDirectory(root.resolve("t"), "q")).isDirectory().hasParent(root.resolve("t"));
        Path missing = tmp.resolve("missing");
        assertThat(OwnerOnlyFiles.narrowTree(missing)).isEqualTo(missing);
        assertThat(OwnerOnlyFiles.notOwnerOnly(missing)).as("nothing to audit").isEmpty();
    }

    @Test
    void aFailedAtomicWriteLeavesTheTargetAndNoTemporaryFile() throws IOException {
        Path target = Files.createDirectories(tmp.resolve("state/in-the-way"));
        Files.writeString(target.resolve("keep.txt"), "kept");

        assertThatThrownBy(() -> OwnerOnlyFiles.writeAtomically(target, "new".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);

        try (Stream<Path> s = Files.list(tmp.resolve("state"))) {
            assertThat(s.toList()).as("no temporary file left").containsExactly(target);
        }
        assertThat(Files.readString(target.resolve("keep.txt"))).isEqualTo("kept");
    }

    @Test
    void aFileWhoseModeCannotBeChangedIsAClearErrorNamingTheFix() throws IOException {
        // Linux refuses to chmod a file of /proc, even to root: this process's own name stands for another user's file
        Path foreign = Path.of("/proc/self/comm");
        assumeTrue(Files.exists(foreign) && !OwnerOnlyFiles.isOwnerOnly(foreign));
        assertThatThrownBy(() -> OwnerOnlyFiles.narrow(foreign)).isInstanceOf(IOException.class)
                .hasMessageContaining("Could not make " + foreign + " readable by its owner only")
                .hasMessageContaining("Fix: remove it or choose another location");
    }

    @Test
    void onAFileSystemWithoutPosixPermissionsFilesAreWrittenWithItsDefaults() throws IOException {
        // a zip file system has no POSIX permissions, as Windows has none: the folder's ACL decides there
        try (FileSystem zip = FileSystems.newFileSystem(tmp.resolve("no-posix.zip"), Map.of("create", "true"))) {
            Path root = zip.getPath("/run");
            assertThat(zip.supportedFileAttributeViews()).doesNotContain("posix");

            assertThat(OwnerOnlyFiles.createDirectories(root.resolve("a/b"))).isDirectory();
            OwnerOnlyFiles.writeString(root.resolve("a/state.txt"), "one");
            OwnerOnlyFiles.writeString(root.resolve("a/state.txt"), "two");
            try (OutputStream out = OwnerOnlyFiles.newAppendingStream(root.resolve("log.txt"))) {
                out.write("x\n".getBytes(StandardCharsets.UTF_8));
            }
            try (OutputStream out = OwnerOnlyFiles.newAppendingStream(root.resolve("log.txt"))) {
                out.write("y\n".getBytes(StandardCharsets.UTF_8));
            }
            OwnerOnlyFiles.createFile(root.resolve("c/marker"));
            Path tmpFile = OwnerOnlyFiles.createTempFile(root.resolve("t"), "p", ".s");
            Path tmpDir = OwnerOnlyFiles.createTempDirectory(root.resolve("t"), "q");

            assertThat(Files.readString(root.resolve("a/state.txt"))).isEqualTo("two");
            assertThat(Files.readString(root.resolve("log.txt"))).isEqualTo("x\ny\n");
            assertThat(root.resolve("c/marker")).exists();
            assertThat(tmpFile).isRegularFile();
            assertThat(tmpDir).isDirectory();
            assertThat(OwnerOnlyFiles.narrow(root.resolve("log.txt"))).isEqualTo(root.resolve("log.txt"));
            assertThat(OwnerOnlyFiles.narrowTree(root)).isEqualTo(root);
            assertThat(OwnerOnlyFiles.isOwnerOnly(root.resolve("log.txt"))).as("nothing to check there").isTrue();
            assertThat(OwnerOnlyFiles.notOwnerOnly(root)).isEmpty();
        }
    }

    @Test
    void aFileInTheWayOfAFolderIsAClearError() throws IOException {
        Files.writeString(tmp.resolve("forensics"), "a file");

        assertThatThrownBy(() -> OwnerOnlyFiles.createDirectories(tmp.resolve("forensics/x")))
                .isInstanceOf(IOException.class).hasMessageContaining("forensics");
        assertThatThrownBy(() -> OwnerOnlyFiles.createFile(tmp.resolve("forensics")))
                .isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void theIncidentReportAndTheRunFolderOfARunAreOwnerOnly() throws IOException {
        FileJournal journal = FileJournal.in(tmp.resolve("journal"));
        RollbackPlan plan = Rollback.plan("modes")
                .capture("keep forensics", c -> OwnerOnlyFiles.writeString(c.runDirectory().resolve("forensics/x.txt"), "x"))
                .build();

        RunReport report = Rollback.runner().journal(journal).run(plan);

        assertThat(report.isSuccess()).isTrue();
        assertThat(mode(report.runDirectory().resolve(IncidentReport.FILE_NAME))).isEqualTo("rw-------");
        assertThat(notOwnerOnly(tmp.resolve("journal"))).isEmpty();
    }

    /** Every file not 0600 and folder not 0700 under a root (the root included), with its mode. */
    static List<String> notOwnerOnly(Path root) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        for (Path p : OwnerOnlyFiles.notOwnerOnly(root)) {
            out.add(p + " " + mode(p));
        }
        return out;
    }
}
