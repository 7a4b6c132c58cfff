package dev.rollback.process.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Kills a process together with everything it started. */
public final class ProcessTree {
    private ProcessTree() {
    }

    /**
     * Kills {@code root} and all its descendants with SIGKILL. Each process's children are
     * collected just before it is killed (once dead, its children are re-parented and no longer
     * its descendants), parents first so that nothing new is forked behind our back.
     *
     * @param root the process at the top of the tree
     * @param wait how long to wait for them all to be gone
     * @return the processes that were signalled
     */
    public static List<ProcessHandle> kill(ProcessHandle root, Duration wait) {
        List<ProcessHandle> all = new ArrayList<>();
        Set<Long> seen = new LinkedHashSet<>();
        all.add(root);
        seen.add(root.pid());
        for (int i = 0; i < all.size(); i++) {
            ProcessHandle h = all.get(i);
            h.descendants().forEach(d -> {
                if (seen.add(d.pid())) {
                    all.add(d);
                }
            });
            h.destroyForcibly();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (ProcessHandle h : all) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // reported by the caller through isAlive()
            }
        }
        return all;
    }
}
