package dev.rollback.git;

import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.git.internal.Repos;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A capture: tags HEAD as {@code rollback/safety/<runId>/<step>} and writes HEAD, the branch and the
 * uncommitted paths to {@code git/<step>-state.txt} in the run folder (0600). What it records is
 * decided once per run and kept in the step's durable memory (the journal): a re-run after a resume,
 * also on another machine that never saw the run folder, tags and records the HEAD of the first
 * attempt, not the HEAD later steps moved to, and keeps the first tag.
 * Publishes {@value #OUTPUT_TAG} and {@value #OUTPUT_COMMIT}.
 *
 * <pre>{@code
 * .capture(app.safetyTag())
 * }</pre>
 */
public final class SafetyTagStep implements Step {
    /** Output: the safety tag's name. */
    public static final String OUTPUT_TAG = "git.safetyTag";
    /** Output: the commit it points at. */
    public static final String OUTPUT_COMMIT = "git.safetyTag.commit";

    private static final String MEMORY_HEAD = "git.safetyTag.head";
    private static final String MEMORY_BRANCH = "git.safetyTag.branch";
    private static final String MEMORY_UNCOMMITTED = "git.safetyTag.uncommitted";
    private static final int MAX_LISTED = 1000;

    private final Git git;

    SafetyTagStep(Git git) {
        this.git = git;
    }

    @Override
    public String name() {
        return "git safety tag " + git.directory().getFileName();
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of("tag HEAD of " + git.directory() + " as rollback/safety/<runId>/<step> and record its state")
                .param("repository", git.directory())
                .command(List.of("git", "-C", git.directory().toString(), "tag", "rollback/safety/<runId>/<step>", "HEAD"));
    }

    @Override
    public void execute(StepContext context) {
        Path dir = git.directory();
        String tag = Repos.safetyTag(context.runId(), context.stepName());
        try (org.eclipse.jgit.api.Git jgit = Repos.open(dir)) {
            Repository repo = jgit.getRepository();
            // what HEAD was when the run first got here, durable in the journal: a re-run after later steps moved
            // HEAD, on this machine or another, tags and records that, not the moved HEAD
            String head = Repos.once(context, dir, MEMORY_HEAD, () -> Repos.head(repo, dir).name());
            String branch = Repos.once(context, dir, MEMORY_BRANCH, () -> String.valueOf(repo.getFullBranch()));
            String uncommitted = repo.isBare() ? null : Repos.once(context, dir, MEMORY_UNCOMMITTED, () -> uncommitted(jgit, dir));
            ObjectId tagged = Repos.keepTag(repo, dir, tag, ObjectId.fromString(head));
            StringBuilder state = new StringBuilder()
                    .append("repository: ").append(dir).append('\n')
                    .append("HEAD: ").append(head).append('\n')
                    .append("branch: ").append(branch).append('\n')
                    .append("safety tag: ").append(tag).append(" -> ").append(tagged.name()).append('\n');
            if (uncommitted != null) {
                state.append(uncommitted);
            }
            OwnerOnlyFiles.writeString(context.runDirectory().resolve("git").resolve(Repos.slug(context.stepName()) + "-state.txt"), state);
            context.output(OUTPUT_TAG, tag);
            context.output(OUTPUT_COMMIT, tagged.name());
        } catch (IOException e) {
            throw Repos.io(dir, "record the safety tag " + tag, e);
        }
    }

    /** The uncommitted paths, as the state file lists them (at most the first thousand). */
    private static String uncommitted(org.eclipse.jgit.api.Git jgit, Path dir) {
        List<String> dirty = Repos.uncommitted(jgit, dir, true);
        StringBuilder b = new StringBuilder("uncommitted paths: ").append(dirty.size()).append('\n');
        dirty.stream().limit(MAX_LISTED).forEach(p -> b.append("  ").append(p).append('\n'));
        if (dirty.size() > MAX_LISTED) {
            b.append("  ... and ").append(dirty.size() - MAX_LISTED).append(" more\n");
        }
        return b.toString();
    }
}
