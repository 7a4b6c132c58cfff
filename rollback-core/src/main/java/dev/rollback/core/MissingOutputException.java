package dev.rollback.core;

import java.util.Collection;

/** A step needed an output that no earlier step published. */
public final class MissingOutputException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "step.output.missing";
    private static final long serialVersionUID = 1L;
    private final String key;

    /**
     * @param key       the missing key
     * @param available the keys there are
     */
    public MissingOutputException(String key, Collection<String> available) {
        super("No step published the output '" + key + "' before this step (outputs so far: "
                + (available.isEmpty() ? "none" : String.join(", ", available))
                + "). Put the step that publishes it earlier in the plan.");
        this.key = key;
    }

    /** @return the missing key */
    public String key() {
        return key;
    }

    @Override
    public String code() {
        return CODE;
    }
}
