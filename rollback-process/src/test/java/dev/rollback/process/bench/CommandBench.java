package dev.rollback.process.bench;

import dev.rollback.process.Command;
import dev.rollback.process.CommandResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark of the command runner: start-up overhead against a bare {@link ProcessBuilder}, and
 * output throughput (kept in memory with logging, or sent to a file). Prints a Markdown table.
 * Run: see docs/performance.md#command-runner-rollback-process.
 */
public final class CommandBench {
    private CommandBench() {
    }

    /**
     * @param args none
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int runs = 50;
        // warm-up
        for (int i = 0; i < 10; i++) {
            Command.of("true").run();
            new ProcessBuilder("/bin/true").start().waitFor();
        }
        double[] viaCommand = new double[runs];
        double[] viaBuilder = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            Command.of("true").run();
            viaCommand[i] = (System.nanoTime() - t0) / 1e6;
            t0 = System.nanoTime();
            Process p = new ProcessBuilder("/bin/true").start();
            p.waitFor(10, TimeUnit.SECONDS);
            viaBuilder[i] = (System.nanoTime() - t0) / 1e6;
        }
        System.out.println("| measurement | median | min | max |");
        System.out.println("|---|---|---|---|");
        row("`true` via Command.run() (ms)", viaCommand);
        row("`/bin/true` via bare ProcessBuilder (ms)", viaBuilder);

        int lines = 1_000_000;
        double[] mem = new double[5];
        double[] file = new double[5];
        Path out = Files.createTempFile("bench", ".txt");
        for (int i = 0; i < mem.length; i++) {
            long t0 = System.nanoTime();
            CommandResult r = Command.of("seq", "1", String.valueOf(lines)).run();
            mem[i] = lines / ((System.nanoTime() - t0) / 1e9) / 1e3;
            if (r.stdout().size() != Command.DEFAULT_KEEP_LINES) {
                throw new IllegalStateException("expected bounded output");
            }
            t0 = System.nanoTime();
            Command.of("seq", "1", String.valueOf(lines)).stdoutTo(out).run();
            file[i] = lines / ((System.nanoTime() - t0) / 1e9) / 1e3;
        }
        Files.delete(out);
        row("`seq 1 1000000`, last 200 lines kept, each line through SLF4J (k lines/s)", mem);
        row("`seq 1 1000000`, stdoutTo(file) (k lines/s)", file);
    }

    private static void row(String name, double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        System.out.printf("| %s | %.1f | %.1f | %.1f |%n", name, v[v.length / 2], v[0], v[v.length - 1]);
    }
}
