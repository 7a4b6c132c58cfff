package dev.rollback.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A real repository in a temporary folder, driven by the git CLI. */
public final class TestRepo {
    private final Path dir;

    private TestRepo(Path dir) {
        this.dir = dir;
    }

    /**
     * @param dir an empty or missing folder
     * @return a new repository on branch main
     */
    public static TestRepo init(Path dir) throws IOException {
        Files.createDirectories(dir);
        GitCli.git(dir, "init", "-q", "-b", "main");
        GitCli.git(dir, "config", "user.name", "Test");
        GitCli.git(dir, "config", "user.email", "test@example.com");
        return new TestRepo(dir);
    }

    /** Wraps an existing repository. */
    public static TestRepo open(Path dir) {
        return new TestRepo(dir);
    }

    /** Like {@link #read(String)}, for lambdas and plans. */
    public String read0(String path) {
        try {
            return read(path);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** @return the folder */
    public Path dir() {
        return dir;
    }

    /** Writes a file (relative path), stages and commits it; returns the commit id. */
    public String commit(String path, String content, String message) throws IOException {
        write(path, content);
        GitCli.git(dir, "add", "--", path);
        GitCli.git(dir, "commit", "-q", "-m", message);
        return head();
    }

    /** Writes a file without staging it. */
    public void write(String path, String content) throws IOException {
        Path f = dir.resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content, StandardCharsets.UTF_8);
    }

    /** @return a file's content */
    public String read(String path) throws IOException {
        return Files.readString(dir.resolve(path), StandardCharsets.UTF_8);
    }

    /** @return {@code git rev-parse HEAD} */
    public String head() {
        return GitCli.git(dir, "rev-parse", "HEAD");
    }

    /** @return {@code git rev-parse <rev>^{commit}} */
    public String revParse(String rev) {
        return GitCli.git(dir, "rev-parse", rev + "^{commit}");
    }

    /** @return {@code git status --porcelain} (untracked included) */
    public String status() {
        return GitCli.git(dir, "status", "--porcelain", "--untracked-files=all");
    }

    /** Runs git here. */
    public String git(String... args) {
        return GitCli.git(dir, args);
    }

    /** Asserts {@code git fsck --strict} passes and reports nothing broken. */
    public void assertSound() {
        GitCli.Result r = GitCli.tryGit(dir, "fsck", "--strict", "--no-dangling");
        assertThat(r.exitCode()).as("git fsck in %s: %s", dir, r.stderr() + r.stdout()).isZero();
        assertThat(r.stdout() + r.stderr()).doesNotContain("error").doesNotContain("missing").doesNotContain("broken");
    }

    /** Everything a step must leave untouched when it fails: HEAD, its branch, refs, index and working tree. */
    public String snapshot() {
        return "HEAD=" + head() + "\nsymbolic=" + GitCli.tryGit(dir, "symbolic-ref", "-q", "HEAD").out()
                + "\nrefs=" + git("for-each-ref", "--format=%(refname) %(objectname)")
                + "\nstatus=" + status()
                + "\ndiff=" + git("diff", "HEAD")
                + "\nstate=" + (Files.exists(dir.resolve(".git/REVERT_HEAD")) || Files.exists(dir.resolve(".git/MERGE_MSG")) ? "in progress" : "safe");
    }

    /** Creates a bare repository next to this one, adds it as origin and pushes main. */
    public Path addBareOrigin(Path bare) throws IOException {
        Files.createDirectories(bare);
        GitCli.git(bare, "init", "-q", "--bare", "-b", "main");
        git("remote", "add", "origin", bare.toUri().toString());
        git("push", "-q", "origin", "main");
        return bare;
    }
}
