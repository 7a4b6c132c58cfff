package dev.rollback.git.internal;

import dev.rollback.git.GitCli;
import dev.rollback.git.TestRepo;
import org.eclipse.jgit.api.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fast uncommitted-paths check agrees with JGit's full status and with {@code git status} in every
 * state a working tree can be in: clean, touched but unchanged, modified with the same size, staged,
 * deleted, executable bit flipped, replaced by a folder, untracked file and folder, ignored file and
 * folder, racily clean, a symbolic link changed, a conflict.
 */
class UncommittedIT {
    @TempDir
    Path tmp;
    TestRepo repo;

    @BeforeEach
    void repository() throws IOException {
        repo = TestRepo.init(tmp.resolve("app"));
        repo.write(".gitignore", "node_modules/\n*.log\n");
        repo.write("src/a.txt", "aaaa\n");
        repo.write("src/b.txt", "bbbb\n");
        repo.write("src/deep/c.txt", "cccc\n");
        repo.write("run.sh", "#!/bin/sh\n");
        Files.setPosixFilePermissions(repo.dir().resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(repo.dir().resolve("current"), Path.of("src/a.txt"));
        repo.git("add", "-A");
        repo.git("commit", "-q", "-m", "initial");
        // the index written well after the files: nothing is racily clean unless a case makes it so
        repo.git("update-index", "--really-refresh");
    }

    private void check(String what, boolean includeUntracked, Consumer<TestRepo> change) throws Exception {
        check(what, includeUntracked, change, true);
    }

    private void check(String what, boolean includeUntracked, Consumer<TestRepo> change, boolean jgitSeesIt) throws Exception {
        change.accept(repo);
        try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(repo.dir().toFile())) {
            List<String> fast = Uncommitted.paths(git, includeUntracked);
            Status st = git.status().call();
            TreeSet<String> full = new TreeSet<>();
            full.addAll(st.getAdded());
            full.addAll(st.getChanged());
            full.addAll(st.getModified());
            full.addAll(st.getMissing());
            full.addAll(st.getRemoved());
            full.addAll(st.getConflicting());
            if (includeUntracked) {
                full.addAll(st.getUntracked());
            }
            if (jgitSeesIt) {
                assertThat(fast).as(what + " (git status: " + GitCli.git(repo.dir(), "status", "--porcelain", "--untracked-files=all") + ")")
                        .containsExactlyElementsOf(full);
            } else {
                assertThat(full).as(what + ": JGit's own status misses it").isEmpty();
            }
            // git's own view: the same paths, untracked folders listed file by file
            TreeSet<String> cli = new TreeSet<>();
            for (String line : GitCli.tryGit(repo.dir(), "status", "--porcelain", "--untracked-files=all", "--no-renames").stdout()
                    .lines().filter(l -> !l.isBlank()).toList()) {
                if (includeUntracked || !line.startsWith("??")) {
                    cli.add(line.substring(3));
                }
            }
            assertThat(fast).as(what + " against the git CLI").containsExactlyElementsOf(cli);
        }
    }

    private static void write(TestRepo r, String path, String content) {
        try {
            r.write(path, content);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void agreesWithJGitAndTheGitCliInEveryState() throws Exception {
        check("clean", true, r -> { });
        check("touched, content unchanged", true, r -> {
            try {
                Files.setLastModifiedTime(r.dir().resolve("src/a.txt"), FileTime.from(Instant.now().plusSeconds(5)));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        check("modified, same size", true, r -> write(r, "src/b.txt", "BBBB\n"));
        check("modified, other size", true, r -> write(r, "src/deep/c.txt", "c\n"));
        check("untracked file and folder, ignored file and folder", true, r -> {
            write(r, "new.txt", "n\n");
            write(r, "newdir/x/y.txt", "y\n");
            write(r, "debug.log", "ignored\n");
            write(r, "node_modules/lib/index.js", "ignored\n");
        });
        check("the same, untracked not counted", false, r -> { });
        check("staged new file", true, r -> {
            write(r, "staged.txt", "s\n");
            r.git("add", "staged.txt");
        });
        check("deleted file, deleted folder", true, r -> {
            try {
                Files.delete(r.dir().resolve("src/deep/c.txt"));
                Files.delete(r.dir().resolve("src/deep"));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        check("executable bit flipped", true, r -> {
            try {
                Files.setPosixFilePermissions(r.dir().resolve("run.sh"), PosixFilePermissions.fromString("rw-r--r--"));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        check("symbolic link retargeted", true, r -> {
            try {
                Files.delete(r.dir().resolve("current"));
                Files.createSymbolicLink(r.dir().resolve("current"), Path.of("src/b.txt"));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        check("staged removal", true, r -> r.git("rm", "-q", "--cached", "src/a.txt"));
    }

    @Test
    void racilyCleanEntriesAreCheckedByContent() throws Exception {
        // staged with a modification time at or after the index's: stat data cannot tell a later change
        // of the same size and time, only the content can; git finds it, JGit's status trusts the times
        Path a = repo.dir().resolve("src/a.txt");
        FileTime later = FileTime.from(Instant.now().plusSeconds(30));
        write(repo, "src/a.txt", "AAAA\n");
        Files.setLastModifiedTime(a, later);
        repo.git("add", "src/a.txt");
        repo.git("commit", "-q", "-m", "racy");
        write(repo, "src/a.txt", "BBBB\n");
        Files.setLastModifiedTime(a, later);
        check("racily clean, content changed", true, r -> { }, false);
    }

    @Test
    void aConflictIsUncommitted() throws Exception {
        repo.git("checkout", "-q", "-b", "other");
        repo.commit("src/a.txt", "other\n", "other side");
        repo.git("checkout", "-q", "main");
        repo.commit("src/a.txt", "main\n", "main side");
        GitCli.tryGit(repo.dir(), "merge", "-q", "other");
        check("conflict", true, r -> { });
    }
}
