package dev.rollback.journal.postgres;

import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunListener;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.test.TestPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a journal costs per step, measured in one run: a plan of N empty steps (a checkpoint every
 * 50) run with an in-memory journal (the runner alone), a {@link FileJournal} (fsync per event) and
 * a {@link PostgresJournal} on a local PostgreSQL that commits durably ({@code synchronous_commit=on}),
 * with the default heartbeat and with a heartbeat every 100 ms; and the round trip of one lease
 * renewal. A step's time is the time between the journaled starts of two consecutive steps: the
 * step's end, the next step's start (each a durable append) and the runner's own work. Prints a
 * Markdown table; it is a program, never a timed test.
 *
 * <pre>
 * scripts/run-main rollback-journal-postgres dev.rollback.journal.postgres.PostgresJournalBenchmark 1000 5
 * </pre>
 */
public final class PostgresJournalBenchmark {
    private PostgresJournalBenchmark() {
    }

    /**
     * @param args steps (default 1000) and measured runs per journal (default 5)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");   // one log line per step would be measured too
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path work = Files.createTempDirectory("rollback-journal-bench-");
        String env = System.getenv("ROLLBACK_TEST_POSTGRES_URL");
        TestPostgres pg = env != null && !env.isBlank() ? TestPostgres.shared()
                : TestPostgres.dedicated(work.resolve("pgdata"), Map.of("synchronous_commit", "on", "fsync", "on"));
        try {
            String db = pg.createDatabase("journal_bench");
            String syncCommit;
            try (var c = pg.connect(db); var s = c.createStatement(); var rs = s.executeQuery("SHOW synchronous_commit")) {
                rs.next();
                syncCommit = rs.getString(1);
            }
            int[] schema = {0};
            Map<String, Supplier<Journal>> journals = new LinkedHashMap<>();
            journals.put("InMemoryJournal (runner alone)", InMemoryJournal::create);
            journals.put("FileJournal (fsync per event)", () -> FileJournal.in(work.resolve("file-" + (++schema[0]))));
            journals.put("PostgresJournal, heartbeat every 10 s", () -> PostgresJournal.at(pg.url(db), pg.password())
                    .schema("bench_" + (++schema[0])).runFolder(work.resolve("runs")));
            journals.put("PostgresJournal, heartbeat every 100 ms", () -> PostgresJournal.at(pg.url(db), pg.password())
                    .schema("bench_" + (++schema[0])).runFolder(work.resolve("runs")).lease(Duration.ofSeconds(1), Duration.ofMillis(100)));

            RollbackPlan plan = plan(steps);
            Map<String, List<double[]>> results = new LinkedHashMap<>();
            for (int run = 0; run <= runs; run++) {          // run 0 warms up the JIT and the server
                for (Map.Entry<String, Supplier<Journal>> j : journals.entrySet()) {
                    double[] r = measure(j.getValue().get(), plan);
                    if (run > 0) {
                        results.computeIfAbsent(j.getKey(), k -> new ArrayList<>()).add(r);
                    }
                }
            }
            double[] renewal = renewals(PostgresJournal.at(pg.url(db), pg.password()).schema("bench_renew").runFolder(work.resolve("runs")), 500);

            System.out.printf(Locale.ROOT, "Journal overhead per step: %d-step plan (%d steps with checkpoints), %d runs each after a warm-up; "
                    + "PostgreSQL %s on localhost, synchronous_commit=%s%n%n", steps, plan.steps().size(), runs, version(pg, db), syncCommit);
            System.out.println("| journal | median per step (ms) | p95 per step (ms) | whole run (ms) |");
            System.out.println("|---|---:|---:|---:|");
            results.forEach((name, rs) -> System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.0f |%n", name,
                    median(rs.stream().map(r -> r[0]).toList()), median(rs.stream().map(r -> r[1]).toList()),
                    median(rs.stream().map(r -> r[2]).toList())));
            System.out.printf(Locale.ROOT, "%n| heartbeat | value |%n|---|---:|%n| one renewal, median of %d (ms) | %.3f |%n"
                    + "| one renewal, p95 (ms) | %.3f |%n| renewals per hour per running plan at the default (every 10 s) | 360 |%n",
                    (int) renewal[2], renewal[0], renewal[1]);
            System.out.printf(Locale.ROOT, "%nJava %s, %s, %d cores; work folder %s%n", System.getProperty("java.version"),
                    System.getProperty("os.name"), Runtime.getRuntime().availableProcessors(), work);
        } finally {
            pg.close();
        }
    }

    private static RollbackPlan plan(int steps) {
        PlanBuilder b = Rollback.plan("journal-bench");
        for (int i = 1; i <= steps; i++) {
            b.step("step " + i, c -> { });
            if (i % 50 == 0) {
                b.checkpoint("checkpoint " + i);
            }
        }
        return b.build();
    }

    /** @return median and p95 of the per-step times (ms), and the whole run (ms) */
    private static double[] measure(Journal journal, RollbackPlan plan) {
        List<Long> starts = new ArrayList<>(plan.steps().size());
        RunListener timer = new RunListener() {
            @Override
            public void event(RollbackPlan p, JournalEvent e) {
                if (e instanceof JournalEvent.StepStarted) {
                    starts.add(System.nanoTime());
                }
            }
        };
        long t0 = System.nanoTime();
        RunReport report = Rollback.runner().journal(journal).listener(timer).run(plan);
        long t1 = System.nanoTime();
        if (!report.isSuccess()) {
            throw new IllegalStateException("benchmark run failed: " + report.outcome() + " " + report.failureIfAny());
        }
        List<Double> perStep = new ArrayList<>();
        for (int i = 1; i < starts.size(); i++) {
            perStep.add((starts.get(i) - starts.get(i - 1)) / 1e6);
        }
        Collections.sort(perStep);
        return new double[]{perStep.get(perStep.size() / 2), perStep.get((int) (perStep.size() * 0.95)), (t1 - t0) / 1e6};
    }

    /** @return median and p95 of one lease renewal (ms), and the count */
    private static double[] renewals(PostgresJournal journal, int count) {
        try (LeaseWriter w = (LeaseWriter) journal.open("renewals", new Holder("bench", 1, "bench-run", "bench"))) {
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                w.renew();
                times.add((System.nanoTime() - t0) / 1e6);
            }
            Collections.sort(times);
            return new double[]{times.get(times.size() / 2), times.get((int) (times.size() * 0.95)), count};
        }
    }

    private static String version(TestPostgres pg, String db) {
        try (var c = pg.connect(db); var s = c.createStatement(); var rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (Exception e) {
            return "?";
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
