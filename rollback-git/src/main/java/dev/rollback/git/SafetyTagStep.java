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
 * uncommitted paths to {@code git/<step>-state.txt} in the run folder. A re-run keeps the first tag.
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
            ObjectId head = Repos.head(repo, dir);
            ObjectId tagged = Repos.keepTag(repo, dir, tag, head);
            StringBuilder state = new StringBuilder()
                    .append("repository: ").append(dir).append('\n')
                    .append("HEAD: ").append(head.name()).append('\n')
                    .append("branch: ").append(repo.getFullBranch()).append('\n')
                    .append("safety tag: ").append(tag).append(" -> ").append(tagged.name()).append('\n');
            if (!repo.isBare()) {
                List<String> dirty = Repos.uncommitted(jgit, dir, true);
                state.append("uncommitted paths: ").append(dirty.size()).append('\n');
                dirty.forEach(p -> state.append("  ").append(p).append('\n'));
            }
            Path file = context.runDirectory().resolve("git").resolve(Repos.slug(context.stepName()) + "-state.txt");
            OwnerOnlyFiles.writeString(file, state);
            context.output(OUTPUT_TAG, tag);
            context.output(OUTPUT_COMMIT, tagged.name());
        } catch (IOException e) {
            throw Repos.io(dir, "record the safety tag " + tag, e);
        }
    }
}
