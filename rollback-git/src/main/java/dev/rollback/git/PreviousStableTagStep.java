package dev.rollback.git;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.git.internal.Repos;
import dev.rollback.git.internal.VersionOrder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Chooses the previous stable release tag, as the seeds' {@code git tag --sort=-v:refname | head} does
 * by eye: among the tags matching a glob, ordered as versions ({@code v1.10.0} after {@code v1.9.0}),
 * the highest one below the current release, skipping pre-releases ({@code v1.2.3-rc1},
 * {@code v1.2.3-rollback}) unless asked.
 *
 * <p>The current release is the one given with {@link #below(String)}, or else the highest matching tag
 * on HEAD's commit; without either, the highest stable tag not on HEAD is chosen. The choice is made
 * once per run and kept in the step's durable memory (the journal), so a re-run after a resume, on any
 * machine, when HEAD has already moved to the old release, chooses the same tag.
 * Publishes {@value #OUTPUT_TAG} and {@value #OUTPUT_COMMIT}.
 *
 * <pre>{@code
 * .step(app.previousStableTag("v*"))
 * .step(app.checkout(Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG)))
 * }</pre>
 */
public final class PreviousStableTagStep implements Step {
    /** Output: the tag chosen. */
    public static final String OUTPUT_TAG = "git.previousStableTag";
    /** Output: the commit it points at. */
    public static final String OUTPUT_COMMIT = "git.previousStableTag.commit";

    private static final Logger LOG = LoggerFactory.getLogger(PreviousStableTagStep.class);
    private static final String MEMORY_TAG = "git.previousStableTag";

    private final Git git;
    private final String pattern;
    private final Pattern regex;
    private final boolean includePreReleases;
    private final String below;

    PreviousStableTagStep(Git git, String pattern, boolean includePreReleases, String below) {
        Objects.requireNonNull(pattern, "pattern");
        if (pattern.isBlank()) {
            throw new IllegalArgumentException("The tag pattern is blank; pass a glob such as v*");
        }
        this.git = git;
        this.pattern = pattern;
        this.regex = VersionOrder.glob(pattern);
        this.includePreReleases = includePreReleases;
        this.below = below;
    }

    /**
     * Considers pre-release tags ({@code -rc1}, {@code -beta}) too.
     *
     * @return a copy of this step
     */
    public PreviousStableTagStep includePreReleases() {
        return new PreviousStableTagStep(git, pattern, true, below);
    }

    /**
     * Chooses the highest tag below this version instead of below the release on HEAD.
     *
     * @param currentRelease the release being rolled back, such as {@code v1.3.0}
     * @return a copy of this step
     */
    public PreviousStableTagStep below(String currentRelease) {
        return new PreviousStableTagStep(git, pattern, includePreReleases, Objects.requireNonNull(currentRelease, "currentRelease"));
    }

    @Override
    public String name() {
        return "git previous stable tag " + pattern;
    }

    @Override
    public StepDescription describe() {
        StepDescription d = StepDescription.of("choose the previous stable tag matching " + pattern + " in " + git.directory())
                .param("repository", git.directory()).param("pattern", pattern).param("pre-releases", includePreReleases);
        if (below != null) {
            d = d.param("below", below);
        }
        return d.command(List.of("git", "-C", git.directory().toString(), "tag", "--sort=-v:refname", "-l", pattern));
    }

    @Override
    public void execute(StepContext context) {
        Path dir = git.directory();
        try (org.eclipse.jgit.api.Git jgit = Repos.open(dir)) {
            Repository repo = jgit.getRepository();
            boolean rerun = context.recall(MEMORY_TAG).isPresent();
            String chosen = Repos.once(context, dir, MEMORY_TAG, () -> choose(repo, dir));
            if (rerun) {
                context.progress("re-run: keeping the tag chosen before, " + chosen);
            }
            ObjectId commit = Repos.commit(repo, dir, Constants.R_TAGS + chosen, "use it as the previous stable release").getId();
            context.output(OUTPUT_TAG, chosen);
            context.output(OUTPUT_COMMIT, commit.name());
            LOG.info("Previous stable tag matching {} in {}: {} ({})", pattern, dir, chosen, commit.name());
        }
    }

    private String choose(Repository repo, Path dir) throws IOException {
        Map<String, ObjectId> tags = new TreeMap<>(VersionOrder.INSTANCE);
        try (RevWalk walk = new RevWalk(repo)) {
            for (Ref ref : repo.getRefDatabase().getRefsByPrefix(Constants.R_TAGS)) {
                String name = ref.getName().substring(Constants.R_TAGS.length());
                if (!regex.matcher(name).matches()) {
                    continue;
                }
                tags.put(name, walk.peel(walk.parseAny(ref.getObjectId())).getId());
            }
        }
        ObjectId head = repo.resolve(Constants.HEAD + "^{commit}");
        String current = below;
        if (current == null && head != null) {
            for (Map.Entry<String, ObjectId> t : tags.entrySet()) {
                if (head.equals(t.getValue())) {
                    current = t.getKey(); // ascending order: the last one on HEAD is the highest
                }
            }
        }
        List<String> candidates = new ArrayList<>();
        for (Map.Entry<String, ObjectId> t : tags.entrySet()) {
            String name = t.getKey();
            if (head != null && head.equals(t.getValue())) {
                continue;
            }
            if (current != null && VersionOrder.INSTANCE.compare(name, current) >= 0) {
                continue;
            }
            if (!includePreReleases && VersionOrder.isPreRelease(name)) {
                continue;
            }
            candidates.add(name);
        }
        if (candidates.isEmpty()) {
            List<String> seen = new ArrayList<>(tags.keySet());
            Collections.reverse(seen);
            throw new GitOperationException(dir, "No " + (includePreReleases ? "" : "stable ") + "tag matching '" + pattern + "'"
                    + (current != null ? " below " + current : "") + " in " + dir + ". Tags matching, newest first: "
                    + (seen.isEmpty() ? "none" : String.join(", ", seen.subList(0, Math.min(10, seen.size()))))
                    + ". Nothing was changed. Fix: fetch the tags ('git fetch --tags'), check the pattern, or name the release "
                    + "with checkout(\"<tag>\")", null);
        }
        return candidates.get(candidates.size() - 1);
    }
}
