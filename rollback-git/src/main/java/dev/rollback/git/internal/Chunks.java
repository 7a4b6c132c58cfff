package dev.rollback.git.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A loop over {@code 0..n-1} run by the calling thread and the common pool's threads together, in small
 * chunks that each thread takes in turn. On a loaded machine a thread can be left without a core for
 * tens of milliseconds: with the work split in equal halves (a parallel stream of a few large parts) the
 * caller then waits for that thread's whole half; with small chunks it does the rest itself and waits at
 * most for the one chunk the other thread holds.
 */
final class Chunks {
    /** The body of the loop, for the indexes {@code from} (inclusive) to {@code to} (exclusive). */
    @FunctionalInterface
    interface Body {
        void run(int from, int to) throws IOException;
    }

    private Chunks() {
    }

    /**
     * Runs the body over {@code 0..n-1}, on one thread when {@code n} is below {@code parallelFrom}.
     *
     * @param n            the number of indexes
     * @param chunk        how many indexes a thread takes at a time
     * @param parallelFrom fewer indexes than this run on the calling thread alone
     * @param body         the work
     * @throws IOException the first failure of the body; the other threads stop after their current chunk
     */
    static void run(int n, int chunk, int parallelFrom, Body body) throws IOException {
        int threads = Math.min(Runtime.getRuntime().availableProcessors(), (n + chunk - 1) / chunk);
        if (n < parallelFrom || threads <= 1) {
            body.run(0, n);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger busy = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            while (true) {
                busy.incrementAndGet();   // before taking a chunk: the caller waits until no chunk is held
                try {
                    int from = next.getAndAdd(chunk);
                    if (from >= n) {
                        return;
                    }
                    body.run(from, Math.min(n, from + chunk));
                } catch (IOException | RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                    next.set(n);
                    return;
                } finally {
                    busy.decrementAndGet();
                }
            }
        };
        for (int i = 1; i < threads; i++) {
            ForkJoinPool.commonPool().execute(worker);   // a helper that starts late finds nothing left and returns
        }
        worker.run();
        while (busy.get() > 0) {
            LockSupport.parkNanos(20_000);
        }
        Throwable t = failure.get();
        if (t instanceof IOException e) {
            throw e;
        } else if (t instanceof UncheckedIOException e) {
            throw e.getCause();
        } else if (t instanceof RuntimeException e) {
            throw e;
        } else if (t instanceof Error e) {
            throw e;
        }
    }
}
