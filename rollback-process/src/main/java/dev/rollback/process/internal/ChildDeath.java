package dev.rollback.process.internal;

import dev.rollback.core.StepContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Makes the tools a step runs die with the runner, on Linux, in two ways that cover each other:
 * <ol>
 *   <li><b>Parent-death signal.</b> Each command is started through util-linux's
 *       {@code setpriv --pdeathsig KILL --}, which sets {@code PR_SET_PDEATHSIG} and then executes
 *       the tool in the same process: when the JVM thread that started it dies (a SIGKILL of the
 *       JVM kills every thread), the kernel sends the tool SIGKILL. Java 17 cannot set this itself
 *       between fork and exec. Turned off with {@code -Drollback.process.parentDeathSignal=false};
 *       skipped where {@code setpriv} is missing or too old.</li>
 *   <li><b>Owner tag, reaped at the next attempt.</b> Each command run for a step gets
 *       {@value #OWNER_VARIABLE}{@code =<run id>/<step name>} in its environment, which every
 *       process it forks inherits (pg_restore's parallel workers too). The next attempt of the
 *       step, in any JVM on the machine, finds the processes that still carry the tag and are not
 *       this JVM's own, through {@code /proc/<pid>/environ}, and kills them.</li>
 * </ol>
 */
public final class ChildDeath {
    /** The environment variable that names the run and step a tool was started for. */
    public static final String OWNER_VARIABLE = "ROLLBACK_OWNER";
    /** System property; {@code false} turns the parent-death signal off. */
    public static final String PROPERTY = "rollback.process.parentDeathSignal";

    private static final Logger LOG = LoggerFactory.getLogger(ChildDeath.class);
    private static final Path[] SETPRIV_CANDIDATES = {Path.of("/usr/bin/setpriv"), Path.of("/bin/setpriv"), Path.of("/usr/sbin/setpriv")};
    private static volatile Path setpriv;
    private static volatile boolean probed;

    private ChildDeath() {
    }

    /**
     * @param ctx a step's context
     * @return the owner tag of the tools run for that step in that run
     */
    public static String ownerTag(StepContext ctx) {
        return ctx.runId() + "/" + ctx.stepName();
    }

    /**
     * The argument list prefix that gives a command a parent-death signal, or an empty list when
     * that is off or impossible here.
     *
     * @return {@code [/usr/bin/setpriv, --pdeathsig, KILL, --]} or nothing
     */
    public static List<String> wrapper() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"))) {
            return List.of();
        }
        Path p = setpriv();
        return p == null ? List.of() : List.of(p.toString(), "--pdeathsig", "KILL", "--");
    }

    private static Path setpriv() {
        if (probed) {
            return setpriv;
        }
        synchronized (ChildDeath.class) {
            if (!probed) {
                setpriv = probe();
                probed = true;
                if (setpriv == null) {
                    LOG.info("No setpriv with --pdeathsig here: tools are not killed by the kernel when the runner dies; "
                            + "the next attempt of the step kills those still running");
                }
            }
            return setpriv;
        }
    }

    private static Path probe() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return null;
        }
        for (Path p : SETPRIV_CANDIDATES) {
            if (Files.isExecutable(p)) {
                try {
                    // Old util-linux (< 2.33) has setpriv without --pdeathsig: ask it to run a no-op with it.
                    Process proc = new ProcessBuilder(p.toString(), "--pdeathsig", "KILL", "--", p.toString(), "--version")
                            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    if (proc.waitFor(5, TimeUnit.SECONDS) && proc.exitValue() == 0) {
                        return p;
                    }
                    proc.destroyForcibly();
                } catch (IOException e) {
                    LOG.debug("setpriv probe failed", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * A process found by its owner tag.
     *
     * @param pid     its pid
     * @param command its executable, or "?" when unknown
     */
    public record Leftover(long pid, String command) {
        @Override
        public String toString() {
            return command + " (pid " + pid + ")";
        }
    }

    /**
     * The processes carrying an owner tag that are neither this JVM nor started by it: tools an
     * earlier, killed JVM started for the same run and step. Empty where {@code /proc} is missing.
     *
     * @param tag the owner tag
     * @return those processes
     */
    public static List<Leftover> find(String tag) {
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return List.of();
        }
        byte[] wanted = (OWNER_VARIABLE + "=" + tag).getBytes(StandardCharsets.UTF_8);
        ProcessHandle self = ProcessHandle.current();
        Set<Long> ours = new HashSet<>();
        ours.add(self.pid());
        self.descendants().forEach(d -> ours.add(d.pid()));
        List<Leftover> found = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(h -> {
            if (ours.contains(h.pid())) {
                return;
            }
            byte[] env;
            try {
                env = Files.readAllBytes(proc.resolve(Long.toString(h.pid())).resolve("environ"));
            } catch (IOException | SecurityException e) {
                return; // another user's process, or gone
            }
            if (containsEntry(env, wanted)) {
                found.add(new Leftover(h.pid(), h.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?")));
            }
        });
        return found;
    }

    // environ is NUL-separated "KEY=value" entries; the tag must be a whole entry.
    private static boolean containsEntry(byte[] env, byte[] entry) {
        int start = 0;
        for (int i = 0; i <= env.length; i++) {
            if (i == env.length || env[i] == 0) {
                if (i - start == entry.length && Arrays.equals(env, start, i, entry, 0, entry.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /**
     * Kills the processes {@link #find(String)} finds, with everything they started, and waits
     * until they are gone.
     *
     * @param tag  the owner tag
     * @param wait how long to wait for them to be gone
     * @return what was killed
     */
    public static List<Leftover> kill(String tag, Duration wait) {
        List<Leftover> found = find(tag);
        for (Leftover l : found) {
            ProcessHandle.of(l.pid()).ifPresent(h -> ProcessTree.kill(h, wait));
            LOG.warn("Killed {}, left running by an earlier attempt of {}", l, tag);
        }
        return found;
    }
}
