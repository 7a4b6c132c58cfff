package dev.rollback.git.internal;

import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.StepContext;
import dev.rollback.git.GitOperationException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * Decisions a step took in a run (the tag it chose, the commit it resets to), kept in the run folder
 * so that a re-run after a resume takes the same decision even though HEAD has moved.
 */
public final class RunMemory {
    private final Path file;
    private final Path repo;

    private RunMemory(Path file, Path repo) {
        this.file = file;
        this.repo = repo;
    }

    /**
     * @param context the running step
     * @param repo    the repository, for messages
     * @return the memory of this step in this run
     */
    public static RunMemory of(StepContext context, Path repo) {
        return new RunMemory(context.runDirectory().resolve("git").resolve(Repos.slug(context.stepName()) + ".properties"), repo);
    }

    /**
     * @param key a key
     * @return what was remembered under it in an earlier attempt of this run
     */
    public Optional<String> recall(String key) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw Repos.io(repo, "read the step's decisions from " + file, e);
        }
        return Optional.ofNullable(p.getProperty(key));
    }

    /**
     * Remembers a decision, durably, before the step acts on it.
     *
     * @param key   a key
     * @param value the value, never a secret
     */
    public void remember(String key, String value) {
        Properties p = new Properties();
        try {
            if (Files.isRegularFile(file)) {
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
            }
            p.setProperty(key, value);
            java.io.StringWriter w = new java.io.StringWriter();
            p.store(w, "decisions of a rollback step; read again on resume");
            OwnerOnlyFiles.writeAtomically(file, w.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new GitOperationException(repo, "Could not record the step's decision in " + file + " (" + e.getMessage()
                    + "). Nothing was changed in the repository. Fix: check that the run folder is writable", e);
        }
    }
}
