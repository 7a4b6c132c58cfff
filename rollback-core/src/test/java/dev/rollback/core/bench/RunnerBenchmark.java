package dev.rollback.core.bench;

import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.InMemoryJournal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Measures what the runner itself costs: a plan of N empty steps (with a checkpoint every 50)
 * run with a {@link FileJournal} (every event forced to disk) and with an in-memory journal,
 * and the time to build, fingerprint and describe (dry-run) the plan. Prints a Markdown table.
 *
 * <pre>
 * mvn -B -q -pl rollback-core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.rollback.core.bench.RunnerBenchmark -Dexec.args="1000 7"
 * </pre>
 */
public final class RunnerBenchmark {
    private RunnerBenchmark() {
    }

    /**
     * @param args steps (default 1000) and repetitions (default 7)
     * @throws Exception on I/O failure
     */
    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        Path root = Files.createTempDirectory("rollback-bench-");

        List<Double> build = new ArrayList<>();
        List<Double> dry = new ArrayList<>();
        List<Double> file = new ArrayList<>();
        List<Double> memory = new ArrayList<>();
        for (int rep = 0; rep < reps + 1; rep++) {            // the first repetition warms up the JIT
            long t0 = System.nanoTime();
            RollbackPlan plan = plan(steps);
            long t1 = System.nanoTime();
            String description = Rollback.runner().dryRun(plan).outcome() == RunOutcome.DRY_RUN ? plan.describe() : "";
            long t2 = System.nanoTime();
            RunReport onDisk = Rollback.runner().journal(FileJournal.in(root.resolve("rep-" + rep))).run(plan);
            long t3 = System.nanoTime();
            RunReport inMemory = Rollback.runner().journal(InMemoryJournal.create()).run(plan);
            long t4 = System.nanoTime();
            if (!onDisk.isSuccess() || !inMemory.isSuccess() || description.isEmpty()) {
                throw new IllegalStateException("benchmark run failed: " + onDisk.outcome() + " / " + inMemory.outcome());
            }
            if (rep > 0) {
                build.add((t1 - t0) / 1e6);
                dry.add((t2 - t1) / 1e6);
                file.add((t3 - t2) / 1e6);
                memory.add((t4 - t3) / 1e6);
            }
        }
        int total = plan(steps).steps().size();
        System.out.printf(Locale.ROOT, "Runner overhead, %d-step plan (%d steps incl. checkpoints), median of %d runs%n%n", steps, total, reps);
        System.out.println("| measure | total (ms) | per step (µs) |");
        System.out.println("|---|---:|---:|");
        row("build + fingerprint the plan", build, total);
        row("dry run (describe every step)", dry, total);
        row("run, FileJournal (fsync per event)", file, total);
        row("run, InMemoryJournal", memory, total);
        System.out.printf(Locale.ROOT, "%nJava %s, %s, %d cores; journal in %s%n", System.getProperty("java.version"),
                System.getProperty("os.name"), Runtime.getRuntime().availableProcessors(), root);
    }

    private static RollbackPlan plan(int steps) {
        PlanBuilder b = Rollback.plan("bench-" + steps);
        for (int i = 1; i <= steps; i++) {
            int n = i;
            b.step("step " + i, c -> c.output("bench.last", String.valueOf(n)));
            if (i % 50 == 0) {
                b.checkpoint("checkpoint " + i);
            }
        }
        return b.build();
    }

    private static void row(String what, List<Double> millis, int steps) {
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        double median = sorted.get(sorted.size() / 2);
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f |%n", what, median, median * 1000 / steps);
    }
}
