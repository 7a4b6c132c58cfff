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
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
