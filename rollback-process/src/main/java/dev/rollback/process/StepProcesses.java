package dev.rollback.process;

import dev.rollback.core.StepContext;
import dev.rollback.process.internal.ChildDeath;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The tools a step started, across the JVMs that ran it. Every {@link Command} run with a step's
 * context carries the run and step in its environment ({@code ROLLBACK_OWNER}), and on Linux is
 * started with a parent-death signal ({@code setpriv --pdeathsig KILL}), so that a SIGKILL of the
 * runner kills it too. Where that signal is unavailable (no {@code setpriv}, another OS, turned off
 * with {@code -Drollback.process.parentDeathSignal=false}), or for the processes a tool forked
 * itself (pg_restore's parallel workers), a step that is run again after a crash calls
 * {@link #killLeftovers(StepContext)} before it touches what those tools were writing. Every process
 * started under a tool inherits the tag, daemons included: call it only for steps whose tools do not
 * start services meant to outlive them (a restore, a dump), never for an app's start step.
 *
 * <pre>{@code
 * if (ctx.recall("restore.target").isPresent()) {          // an earlier attempt started
 *     List<String> killed = StepProcesses.killLeftovers(ctx);
 *     if (!killed.isEmpty()) ctx.progress("killed " + killed + " left running by the earlier attempt");
 * }
 * }</pre>
 */
public final class StepProcesses {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private StepProcesses() {
    }

    /**
     * Kills the processes that earlier attempts of this step in this run started and that
     * outlived their JVM (found through {@code /proc}; nothing on systems without it). Processes
     * this JVM started are left alone.
     *
     * @param ctx the step's context
     * @return what was killed, such as {@code "pg_restore (pid 4242)"}; empty when nothing was left
     */
    public static List<String> killLeftovers(StepContext ctx) {
        Objects.requireNonNull(ctx, "ctx");
        return ChildDeath.kill(ChildDeath.ownerTag(ctx), WAIT).stream().map(ChildDeath.Leftover::toString).toList();
    }

    /**
     * @param ctx the step's context
     * @return the processes {@link #killLeftovers(StepContext)} would kill, without killing them
     */
    public static List<String> leftovers(StepContext ctx) {
        Objects.requireNonNull(ctx, "ctx");
        return ChildDeath.find(ChildDeath.ownerTag(ctx)).stream().map(ChildDeath.Leftover::toString).toList();
    }
}
