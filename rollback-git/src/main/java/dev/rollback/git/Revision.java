package dev.rollback.git;

import dev.rollback.core.StepContext;

import java.util.Objects;

/**
 * A revision a step works on: a tag, branch, commit id or expression such as {@code HEAD~5}, or the
 * value of an output an earlier step published, so that a resumed run uses the same tag.
 *
 * <pre>{@code
 * Revision.of("v1.2.3");                                   // a tag
 * Revision.of("HEAD~5");                                   // five commits back
 * Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG);   // what previousStableTag(...) chose
 * }</pre>
 */
public final class Revision {
    private final String literal;
    private final String outputKey;

    private Revision(String literal, String outputKey) {
        this.literal = literal;
        this.outputKey = outputKey;
    }

    /**
     * A revision written in git's syntax.
     *
     * @param revision a tag, branch, commit id or expression ({@code HEAD~5}, {@code main^2})
     * @return the revision
     * @throws IllegalArgumentException when it is blank or starts with '-'
     */
    public static Revision of(String revision) {
        Objects.requireNonNull(revision, "revision");
        if (revision.isBlank()) {
            throw new IllegalArgumentException("A revision is blank; pass a tag, branch, commit id or HEAD~n");
        }
        if (revision.startsWith("-")) {
            throw new IllegalArgumentException("Revision '" + revision + "' starts with '-', which git would read as an option; "
                    + "pass a tag, branch, commit id or HEAD~n");
        }
        return new Revision(revision, null);
    }

    /** @return {@code HEAD} */
    public static Revision head() {
        return new Revision("HEAD", null);
    }

    /**
     * A revision taken, when the step runs, from an output an earlier step of the run published
     * (also before a resume).
     *
     * @param key the output key, such as {@code "git.previousStableTag"}
     * @return the revision
     */
    public static Revision fromOutput(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isBlank()) {
            throw new IllegalArgumentException("An output key is blank; pass the key an earlier step publishes, such as git.previousStableTag");
        }
        return new Revision(null, key);
    }

    /**
     * The revision text this run uses: the literal, or the output's value.
     *
     * @param context the running step's context
     * @return the revision in git's syntax
     * @throws dev.rollback.core.MissingOutputException when the output was never published
     */
    public String in(StepContext context) {
        if (literal != null) {
            return literal;
        }
        String value = context.requireOutput(outputKey);
        if (value.isBlank() || value.startsWith("-")) {
            throw new IllegalArgumentException("Output '" + outputKey + "' holds '" + value + "', which is not a revision");
        }
        return value;
    }

    /** @return whether the revision comes from an output */
    public boolean isFromOutput() {
        return outputKey != null;
    }

    /** @return the revision as written, or {@code ${output-key}} for one taken from an output */
    @Override
    public String toString() {
        return literal != null ? literal : "${" + outputKey + "}";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Revision r && Objects.equals(r.literal, literal) && Objects.equals(r.outputKey, outputKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(literal, outputKey);
    }
}
