package dev.rollback.examples.bench;

import dev.rollback.core.Approver;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Downtime;
import dev.rollback.core.Durations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.StepKind;
import dev.rollback.core.StepResult;
import dev.rollback.core.cli.CommandLineOptions;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.examples.lab.Lab;
import dev.rollback.examples.lab.NextcrmLab;
import dev.rollback.examples.lab.Seed002Lab;
import dev.rollback.examples.seeds.Seed000NextcrmBackToMongo;
import dev.rollback.examples.seeds.Seed002Phase4MigrationRollback;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Downtime against total time, for real: seed 000's plan (NextCRM back to MongoDB, in-process
 * mongo-java-server) and seed 002's full rollback (embedded PostgreSQL), each at two scales 10x
 * apart, each in both orders: {@code RESTORE_ORDER=prepare-first} (the restore prepared while the
 * app serves, the app stopped only for the swap) and {@code stop-first} (the runbooks' order). Every
 * run starts from a fresh lab: the app is a real process behind the systemd stand-in, the backups
 * are real dumps. The downtime is the run's own figure ({@link RunReport#downtime()}: the stop began
 * to the app verified healthy), the total is the run's wall time.
 *
 * <pre>
 * scripts/run-main rollback-examples dev.rollback.examples.bench.DowntimeBench [--mongo-docs 100000,1000000]
 *     [--postgres-rows 200000,2000000] [--only seed000|seed002]
 * </pre>
 *
 * Prints one row per run and, per seed, how the prepare-first downtime grew with the data and how far it
 * is from the app's own stop and start. Not a test: nothing is asserted on the timings.
 */
public final class DowntimeBench {
    private DowntimeBench() {
    }

    /**
     * One run's figures.
     *
     * @param seed      seed 000 or seed 002
     * @param scale     documents or rows, as asked
     * @param order     prepare-first or stop-first
     * @param total     the run's wall time
     * @param downtime  stop began to verified healthy
     * @param stop      the stop-app steps' time
     * @param start     the start-app steps' time
     * @param restore   the restore's time (the prepare, or the restore after the stop)
     * @param swap      the swap's time while the app was down (prepare-first), or zero
     * @param slowest   the slowest steps while the app was down
     * @param loadAvg   the one-minute load average when the run began
     * @param countLater the swap's data-loss count, taken after the app was verified healthy (prepare-first), or zero
     */
    record Row(String seed, long scale, String order, Duration total, Duration downtime, Duration stop, Duration start,
               Duration restore, Duration swap, String slowest, String loadAvg, Duration countLater) {
        Duration overhead() {
            return downtime.minus(stop).minus(start);
        }
    }

    /**
     * @param args {@code --mongo-docs A,B}, {@code --postgres-rows A,B}, {@code --only seed000|seed002},
     *             {@code --orders prepare-first,stop-first}
     * @throws Exception when a lab cannot be set up or a run fails
     */
    public static void main(String[] args) throws Exception {
        List<Long> docs = List.of(100_000L, 1_000_000L);
        List<Long> rows = List.of(200_000L, 2_000_000L);
        String only = null;
        List<String> orders = List.of("prepare-first", "stop-first");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mongo-docs" -> docs = longs(args[++i]);
                case "--postgres-rows" -> rows = longs(args[++i]);
                case "--only" -> only = args[++i];
                case "--orders" -> orders = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --mongo-docs A,B --postgres-rows A,B --only seed000|seed002 --orders prepare-first,stop-first");
            }
        }
        System.out.println("Downtime against total time; " + Runtime.getRuntime().availableProcessors() + " cores, heap "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB, load average " + loadAverage() + " at the start");
        List<Row> results = new ArrayList<>();
        if (only == null || only.equals("seed000")) {
            for (long n : docs) {
                for (String order : orders) {
                    results.add(print(seed000(n, order)));
                }
            }
        }
        if (only == null || only.equals("seed002")) {
            for (long n : rows) {
                for (String order : orders) {
                    results.add(print(seed002(n, order)));
                }
            }
        }
        System.out.println();
        table(results);
        System.out.println();
        verdicts(results);
        System.out.println("Load average at the end: " + loadAverage());
    }

    /** Seed 000, scenario after-migration: a lab of about {@code docs} MongoDB documents in the backup. */
    static Row seed000(long docs, String order) throws IOException {
        int perCollection = (int) Math.max(10, docs * 20 / (NextcrmLab.COLLECTIONS.size() * 20L - 19));   // five at n, Users at n/20
        Path work = Files.createTempDirectory("downtime-bench-000-");
        try (Lab lab = Lab.in(work)) {
            progress("seed 000, " + docs + " documents (" + perCollection + " per collection), " + order + ": setting the lab up");
            NextcrmLab.Setup setup = NextcrmLab.prepare(lab, perCollection);
            long inBackup = setup.backupCounts().values().stream().mapToLong(Long::longValue).sum();
            Map<String, String> settings = settings(setup.settingsArgs());
            settings.put("RESTORE_ORDER", order);
            Map<String, String> env = new LinkedHashMap<>(setup.env());
            RollbackPlan plan = Seed000NextcrmBackToMongo.plan(Seed000NextcrmBackToMongo.Settings.from(options(work, settings, env)));
            progress("seed 000, " + inBackup + " documents in the backup, " + order + ": running " + plan.steps().size() + " steps");
            return row("seed 000", inBackup, order, run(work, plan));
        } finally {
            deleteTree(work);
        }
    }

    /** Seed 002, scenario full: a lab of about {@code rows} PostgreSQL rows. */
    static Row seed002(long rows, String order) throws IOException {
        Path work = Files.createTempDirectory("downtime-bench-002-");
        try (Lab lab = Lab.in(work)) {
            progress("seed 002, " + rows + " rows, " + order + ": setting the lab up");
            Seed002Lab.Setup setup = Seed002Lab.prepare(lab, rows);
            Map<String, String> settings = settings(setup.settings());
            settings.put("RESTORE_ORDER", order);
            settings.put("SCENARIO", "full");
            RollbackPlan plan = Seed002Phase4MigrationRollback.plan(Seed002Phase4MigrationRollback.Settings.from(options(work, settings, setup.env())));
            progress("seed 002, " + rows + " rows, " + order + ": running " + plan.steps().size() + " steps");
            return row("seed 002", rows, order, run(work, plan));
        } finally {
            deleteTree(work);
        }
    }

    private static RunReport run(Path work, RollbackPlan plan) {
        RunReport r = Rollback.runner().journal(FileJournal.in(work.resolve("journal")))
                .confirmations(Confirmations.approvers(List.of(Approver.parse("cto@example.com:CTO"))))   // seed 000 asks Lead + DBA, or CTO
                .operator("bench").reason("downtime benchmark").run(plan);
        if (!r.isSuccess()) {
            throw new IllegalStateException("the run failed at step " + r.failure().index() + " '" + r.failure().step() + "': "
                    + r.failure().message());
        }
        return r;
    }

    private static Row row(String seed, long scale, String order, RunReport r) {
        Downtime d = r.downtime();
        Downtime.Window w = d.windows().get(0);
        Duration stop = Duration.ZERO;
        Duration start = Duration.ZERO;
        Duration restore = Duration.ZERO;
        Duration swap = Duration.ZERO;
        Duration countLater = Duration.ZERO;
        List<StepResult> down = new ArrayList<>();
        boolean inWindow = false;
        for (StepResult s : r.steps()) {
            if (s.kind() == StepKind.STOP_APP) {
                stop = stop.plus(s.duration());
                inWindow = true;
            } else if (s.kind() == StepKind.START_APP) {
                start = start.plus(s.duration());
            }
            boolean prepare = s.name().startsWith("prepare ");
            boolean swapStep = s.name().startsWith("swap in ");
            if (prepare || (s.kind() == StepKind.RESTORE && !swapStep)) {
                restore = restore.plus(s.duration());
            }
            if (swapStep) {
                swap = swap.plus(s.duration());
            }
            if (s.name().startsWith("data-loss window of ") && s.name().endsWith(" at the swap")) {
                countLater = countLater.plus(s.duration());
            }
            if (inWindow) {
                down.add(s);
            }
            if (s.name().equals(w.untilStep())) {
                inWindow = false;
            }
        }
        progress("  app down from " + w.stopped() + " to " + w.until() + " (to line up with a GC log: -Xlog:gc:file=gc.log:time)");
        progress("  while down: " + String.join("; ", down.stream().map(s -> s.name() + " " + Durations.human(s.duration())).toList()));
        String slowest = String.join(", ", down.stream().filter(s -> s.kind() != StepKind.STOP_APP && s.kind() != StepKind.START_APP)
                .sorted(Comparator.comparing(StepResult::duration).reversed()).limit(3)
                .map(s -> "'" + s.name() + "' " + Durations.human(s.duration())).toList());
        return new Row(seed, scale, order, r.duration(), d.total(), stop, start, restore, swap, slowest, loadAverage(), countLater);
    }

    private static Row print(Row r) {
        progress(String.format(Locale.ROOT, "%s %,d %s: total %s, downtime %s (stop %s, start %s, rest %s), load %s", r.seed(), r.scale(),
                r.order(), Durations.human(r.total()), Durations.human(r.downtime()), Durations.human(r.stop()), Durations.human(r.start()),
                Durations.human(r.overhead()), r.loadAvg()));
        return r;
    }

    private static void table(List<Row> rows) {
        System.out.println("| Seed | Data | Order | Total | Downtime | App stop | App start | Downtime - stop - start | Restore (prepare or after stop) "
                + "| Swap | Slowest steps while down | Load (1 min) | Swap's data-loss count, after the healthy check |");
        System.out.println("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %,d %s | %s | %s | **%s** | %s | %s | %s | %s | %s | %s | %s | %s |%n", r.seed(), r.scale(),
                    r.seed().equals("seed 000") ? "docs" : "rows", r.order(), secs(r.total()), secs(r.downtime()), secs(r.stop()),
                    secs(r.start()), secs(r.overhead()), secs(r.restore()), r.swap().isZero() ? "-" : secs(r.swap()), r.slowest(), r.loadAvg(),
                    r.countLater().isZero() ? "-" : secs(r.countLater()));
        }
    }

    private static void verdicts(List<Row> rows) {
        for (String seed : List.of("seed 000", "seed 002")) {
            for (String order : List.of("prepare-first", "stop-first")) {
                List<Row> runs = rows.stream().filter(r -> r.seed().equals(seed) && r.order().equals(order))
                        .sorted(Comparator.comparingLong(Row::scale)).toList();
                if (runs.size() < 2) {
                    continue;
                }
                Row small = runs.get(0);
                Row large = runs.get(runs.size() - 1);
                double dataGrowth = (double) large.scale() / small.scale();
                double growth = 100.0 * (large.downtime().toMillis() - small.downtime().toMillis()) / small.downtime().toMillis();
                System.out.printf(Locale.ROOT, "%s %s: data x%.1f, downtime %s -> %s (%+.0f %%%s); total %s -> %s%n", seed, order, dataGrowth,
                        secs(small.downtime()), secs(large.downtime()), growth,
                        order.equals("prepare-first") ? (growth <= 20 ? ", within the 20 % goal" : ", OVER the 20 % goal") : "",
                        secs(small.total()), secs(large.total()));
                if (order.equals("prepare-first")) {
                    for (Row r : runs) {
                        System.out.printf(Locale.ROOT, "  at %,d: downtime - (app stop + app start) = %s%s%n", r.scale(), secs(r.overhead()),
                                r.overhead().compareTo(Duration.ofSeconds(1)) <= 0 ? ", within 1 s" : ", MORE than 1 s (slowest while down: "
                                        + r.slowest() + ")");
                    }
                }
            }
        }
    }

    private static Map<String, String> settings(List<String> args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.size(); i += 2) {
            if (!args.get(i).equals("--set")) {
                throw new IllegalArgumentException("expected --set NAME=VALUE pairs, got " + args.get(i));
            }
            String kv = args.get(i + 1);
            m.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        return m;
    }

    private static CommandLineOptions options(Path work, Map<String, String> settings, Map<String, String> env) {
        return new CommandLineOptions(false, "bench", null, work.resolve("journal"), "downtime benchmark", "bench", true, settings, env);
    }

    private static List<Long> longs(String csv) {
        return Stream.of(csv.split(",")).map(String::trim).map(s -> Long.parseLong(s.replace("_", ""))).toList();
    }

    private static String secs(Duration d) {
        return String.format(Locale.ROOT, "%.2f s", d.toMillis() / 1000.0);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void progress(String message) {
        System.err.println(Instant.now() + " " + message);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
