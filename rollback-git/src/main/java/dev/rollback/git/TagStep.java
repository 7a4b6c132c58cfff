package dev.rollback.git;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.git.internal.Repos;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Creates an annotated tag, like {@code git tag -a v1.2.3-rollback -m "Rollback to working version"}.
 * Safe to run again: a tag that already points at the same commit is kept; one that points elsewhere is
 * never moved. Publishes {@value #OUTPUT_TAG} and {@value #OUTPUT_COMMIT}.
 *
 * <pre>{@code
 * .step(app.tag("v1.2.3-rollback").message("Rollback to working version"))
 * .step(app.tag("v1.2.3-rollback").at(Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG)))
 * }</pre>
 */
public final class TagStep implements Step {
    /** Output: the tag's name. */
    public static final String OUTPUT_TAG = "git.tag";
    /** Output: the commit it points at. */
    public static final String OUTPUT_COMMIT = "git.tag.commit";

    private static final Logger LOG = LoggerFactory.getLogger(TagStep.class);

    private final Git git;
    private final String tag;
    private final Revision at;
    private final String message;

    TagStep(Git git, String tag, Revision at, String message) {
        Objects.requireNonNull(tag, "tag");
        if (!Repository.isValidRefName(Constants.R_TAGS + tag)) {
            throw new IllegalArgumentException("'" + tag + "' is not a valid tag name (no spaces, '..', '~', '^', ':', '?', '*', "
                    + "'[' or '\\\\', and it may not end with '.lock' or '/'); pass a name such as v1.2.3-rollback");
        }
        this.git = git;
        this.tag = tag;
        this.at = at;
        this.message = message;
    }

    /**
     * @param revision the commit to tag instead of HEAD
     * @return a copy of this step
     */
    public TagStep at(Revision revision) {
        return new TagStep(git, tag, Objects.requireNonNull(revision, "revision"), message);
    }

    /**
     * @param text the tag's message; defaults to "Rollback release &lt;tag&gt;"
     * @return a copy of this step
     */
    public TagStep message(String text) {
        return new TagStep(git, tag, at, Objects.requireNonNull(text, "message"));
    }

    @Override
    public String name() {
        return "git tag " + tag;
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of("create annotated tag " + tag + " at " + at + " in " + git.directory())
                .param("repository", git.directory()).param("tag", tag).param("at", at).param("message", messageText())
                .command(List.of("git", "-C", git.directory().toString(), "tag", "-a", tag, "-m", messageText(), at.toString()));
    }

    private String messageText() {
        return message != null ? message : "Rollback release " + tag;
    }

    @Override
    public void execute(StepContext context) {
        Path dir = git.directory();
        try (org.eclipse.jgit.api.Git jgit = Repos.open(dir)) {
            Repository repo = jgit.getRepository();
            String rev = at.toString();
            // HEAD when the run first got here: a re-run after later steps moved HEAD finds the tag it made, not a conflict
            RevCommit commit = Repos.commitOnce(context, repo, dir, at, "tag it as " + tag);
            Ref existing = repo.exactRef(Constants.R_TAGS + tag);
            if (existing != null) {
                ObjectId points = Repos.commit(repo, dir, Constants.R_TAGS + tag, "compare it").getId();
                if (!points.equals(commit.getId())) {
                    throw new GitOperationException(dir, "Tag " + tag + " already exists in " + dir + " at " + points.name()
                            + ", not at " + rev + " (" + commit.name() + "); refused to move a published tag. Nothing was changed. "
                            + "Fix: choose another tag name, or delete the tag on purpose first", null);
                }
                context.progress("tag " + tag + " already points at " + commit.abbreviate(10).name() + "; kept");
            } else {
                jgit.tag().setName(tag).setAnnotated(true).setSigned(false).setMessage(messageText())
                        .setTagger(git.person(repo)).setObjectId(commit).call();
                LOG.info("Tagged {} as {} in {}", commit.name(), tag, dir);
            }
            context.output(OUTPUT_TAG, tag);
            context.output(OUTPUT_COMMIT, commit.name());
        } catch (GitAPIException e) {
            throw new GitOperationException(dir, "Could not create tag " + tag + " in " + dir + " (" + e.getMessage() + "). "
                    + "Nothing was changed. Fix: check the name and that refs/tags is writable", e);
        } catch (IOException e) {
            throw Repos.io(dir, "create tag " + tag, e);
        }
    }
}
