package dev.rollback.git;

import dev.rollback.test.TestStepContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hard reset and revert write only the paths that differ between the two trees. Every kind of difference
 * (a file changed, added, deleted; a file that becomes a folder and a folder that becomes a file; an
 * executable bit; a symbolic link; a folder left empty) ends exactly as {@code git reset --hard} and
 * {@code git revert} leave it on a clone: same files, contents, modes and links, index equal to HEAD.
 */
class TreeSwitchIT {
    @TempDir
    Path tmp;

    private TestRepo history() throws IOException {
        TestRepo repo = TestRepo.init(tmp.resolve("app"));
        repo.write("keep.txt", "same\n");
        repo.write("changed.txt", "v1\n");
        repo.write("gone/only.txt", "removed later, folder with it\n");
        repo.write("becomes-dir", "a file first\n");
        repo.write("becomes-file/inner.txt", "a folder first\n");
        repo.write("bin/run.sh", "#!/bin/sh\necho v1\n");
        Files.createSymbolicLink(repo.dir().resolve("current"), Path.of("changed.txt"));
        repo.git("add", "-A");
        repo.git("commit", "-q", "-m", "v1");
        repo.git("tag", "v1");
        repo.write("changed.txt", "v2\n");
        Files.delete(repo.dir().resolve("gone/only.txt"));
        Files.delete(repo.dir().resolve("becomes-dir"));
        repo.write("becomes-dir/now.txt", "now a folder\n");
        Files.delete(repo.dir().resolve("becomes-file/inner.txt"));
        Files.delete(repo.dir().resolve("becomes-file"));
        repo.write("becomes-file", "now a file\n");
        Files.setPosixFilePermissions(repo.dir().resolve("bin/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.delete(repo.dir().resolve("current"));
        Files.createSymbolicLink(repo.dir().resolve("current"), Path.of("keep.txt"));
        repo.write("added/deep/new.txt", "new in v2\n");
        repo.git("add", "-A");
        repo.git("commit", "-q", "-m", "v2");
        return repo;
    }

    private TestRepo cloneOf(TestRepo repo, String name) {
        GitCli.git(tmp, "clone", "-q", repo.dir().toString(), tmp.resolve(name).toString());
        TestRepo twin = TestRepo.open(tmp.resolve(name));
        twin.git("config", "user.name", "Test");
        twin.git("config", "user.email", "test@example.com");
        return twin;
    }

    @Test
    void aHardResetBackwardsAndForwardsEndsAsTheGitCliEnds() throws Exception {
        TestRepo repo = history();
        TestRepo twin = cloneOf(repo, "twin");
        String v2 = repo.head();

        Git.repo(repo.dir()).reset(ResetMode.HARD, "v1").execute(TestStepContext.in(tmp.resolve("run1")).stepName("back"));
        twin.git("reset", "-q", "--hard", "v1");
        assertSameWorkingTree(repo, twin);
        assertThat(repo.git("rev-parse", "ORIG_HEAD")).isEqualTo(v2);
        assertThat(repo.git("reflog", "-1", "--format=%gs")).startsWith("reset: moving to");

        Git.repo(repo.dir()).reset(ResetMode.HARD, v2).execute(TestStepContext.in(tmp.resolve("run2")).stepName("forward"));
        twin.git("reset", "-q", "--hard", v2);
        assertSameWorkingTree(repo, twin);
        repo.assertSound();
    }

    @Test
    void aResetOfHundredsOfFilesWrittenOnSeveralThreadsEndsAsTheGitCliEnds() throws Exception {
        TestRepo repo = TestRepo.init(tmp.resolve("many"));
        for (int i = 0; i < 300; i++) {
            repo.write("d" + (i % 7) + "/f" + i + ".txt", "v1 of " + i + "\n");
        }
        repo.git("add", "-A");
        repo.git("commit", "-q", "-m", "v1");
        for (int i = 0; i < 300; i += 2) {
            repo.write("d" + (i % 7) + "/f" + i + ".txt", "v2 of " + i + " with more text\n");
        }
        for (int i = 1; i < 300; i += 10) {
            Files.delete(repo.dir().resolve("d" + (i % 7) + "/f" + i + ".txt"));
            repo.write("new" + (i % 3) + "/g" + i + ".txt", "added " + i + "\n");
        }
        repo.git("add", "-A");
        repo.git("commit", "-q", "-m", "v2");
        TestRepo twin = cloneOf(repo, "many-twin");

        Git.repo(repo.dir()).reset(ResetMode.HARD, "HEAD~1").execute(TestStepContext.in(tmp.resolve("run")).stepName("back"));
        twin.git("reset", "-q", "--hard", "HEAD~1");

        assertSameWorkingTree(repo, twin);
        repo.assertSound();
        // the index records each written file's real size: none is left "racily clean" (size 0) for the next status to
        // read back and hash, although they were written after the index was locked, most in the same second
        assertThat(repo.git("ls-files", "--debug").lines().filter(l -> l.strip().startsWith("size:")))
                .hasSize(repo.git("ls-files").lines().toList().size()).noneMatch(l -> l.strip().startsWith("size: 0"));
    }

    @Test
    void aRevertEndsAsGitRevertEnds() throws Exception {
        TestRepo repo = history();
        TestRepo twin = cloneOf(repo, "twin");

        Git.repo(repo.dir()).identity("Test", "test@example.com").revert("HEAD").execute(TestStepContext.in(tmp.resolve("run")));
        twin.git("revert", "--no-edit", "HEAD");

        assertSameWorkingTree(repo, twin);
        assertThat(repo.git("rev-parse", "HEAD^{tree}")).isEqualTo(twin.git("rev-parse", "HEAD^{tree}"));
    }

    @Test
    void anUntrackedFileWhereTheRevertAddsOneIsRefusedAndNothingChanges() throws Exception {
        TestRepo repo = history();
        repo.write("gone/only.txt", "an operator's file, untracked, where the revert would put the old one\n");
        String before = repo.snapshot();

        assertThatThrownBy(() -> Git.repo(repo.dir()).identity("Test", "test@example.com").revert("HEAD")
                .execute(TestStepContext.in(tmp.resolve("run"))))
                .isInstanceOf(GitOperationException.class).hasMessageContaining("files are in the way").hasMessageContaining("gone/only.txt")
                .hasMessageContaining("unchanged");
        assertThat(repo.snapshot()).isEqualTo(before);
    }

    /** Same files, contents, executable bits and link targets, and both indexes equal to HEAD. */
    private static void assertSameWorkingTree(TestRepo repo, TestRepo twin) throws IOException {
        assertThat(tree(repo.dir())).isEqualTo(tree(twin.dir()));
        assertThat(repo.status()).isEmpty();
        assertThat(repo.git("diff-index", "--cached", "HEAD")).isEmpty();
        assertThat(repo.git("ls-files", "-s")).isEqualTo(twin.git("ls-files", "-s"));
    }

    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> t = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> !p.equals(root) && !root.relativize(p).startsWith(".git")).toList()) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    t.put(rel, "link -> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    t.put(rel, "folder");
                } else {
                    t.put(rel, PosixFilePermissions.toString(Files.getPosixFilePermissions(p)).charAt(2) + " " + Files.readString(p));
                }
            }
        }
        return t;
    }
}
