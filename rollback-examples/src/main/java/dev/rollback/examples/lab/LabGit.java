package dev.rollback.examples.lab;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/** Makes a deployed checkout with a release history, the last release being the bad one. */
public final class LabGit {
    private LabGit() {
    }

    /**
     * Creates a repository in {@code dir} with one commit and annotated tag per release; each
     * release writes {@code VERSION} and {@code config/database.txt} (the Prisma provider), and
     * ignores the build output ({@code node_modules/}, {@code .next/}).
     *
     * @param dir      an empty folder
     * @param releases release tag to the database it uses, oldest first, e.g. {@code v1.4.0 -> mongodb}
     * @return release tag to commit id
     */
    public static Map<String, String> releases(Path dir, Map<String, String> releases) {
        Map<String, String> ids = new LinkedHashMap<>();
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            PersonIdent who = new PersonIdent("Release Bot", "release@example.com");
            for (Map.Entry<String, String> r : releases.entrySet()) {
                Files.writeString(dir.resolve(".gitignore"), "node_modules/\n.next/\n");   // build output, never committed
                Files.writeString(dir.resolve("VERSION"), r.getKey() + "\n");
                Files.createDirectories(dir.resolve("config"));
                Files.writeString(dir.resolve("config/database.txt"), "provider = \"" + r.getValue() + "\"\n");
                Files.writeString(dir.resolve("CHANGELOG.md"), "# " + r.getKey() + "\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                git.add().addFilepattern(".").call();
                RevCommit c = git.commit().setMessage("Release " + r.getKey()).setAuthor(who).setCommitter(who).call();
                git.tag().setName(r.getKey()).setMessage("Release " + r.getKey()).setTagger(who).setObjectId(c).setAnnotated(true).call();
                ids.put(r.getKey(), c.getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException("Could not create the lab repository: " + e.getMessage(), e);
        }
        return ids;
    }
}
