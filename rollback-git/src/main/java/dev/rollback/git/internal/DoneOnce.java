package dev.rollback.git.internal;

import dev.rollback.core.StepContext;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A git step's effect, done once per run. Right after the effect (a revert committed, a branch reset,
 * a checkout) the step records it in its durable memory with the outputs it published; a re-run of the
 * step later in the run, after a resume on this machine or another, finds the record, publishes the
 * same outputs and does not do it again, even when later steps have moved HEAD since (a hard reset after
 * a revert: the revert is no longer in HEAD's history, and reverting again would be wrong).
 */
public final class DoneOnce {
    private static final String KEY = "git.done";

    private DoneOnce() {
    }

    /**
     * Replays an effect done earlier in the run: publishes its outputs again.
     *
     * @param context the running step
     * @param what    the effect, for the progress line
     * @return whether it was done before; the step then returns at once
     */
    public static boolean replayed(StepContext context, String what) {
        Optional<String> done = context.recall(KEY);
        if (done.isEmpty()) {
            return false;
        }
        for (String line : done.get().split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                context.output(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        context.progress("already done earlier in this run: " + what + "; not repeated");
        return true;
    }

    /**
     * Records that the effect happened, with the outputs to publish again on a re-run.
     *
     * @param context the running step
     * @param outputs the step's outputs (no tab or line break in keys or values)
     */
    public static void record(StepContext context, Map<String, String> outputs) {
        StringBuilder b = new StringBuilder();
        new LinkedHashMap<>(outputs).forEach((k, v) -> b.append(k).append('\t').append(v).append('\n'));
        context.remember(KEY, b.toString());
    }
}
