package dev.rollback.git.bench;

import dev.rollback.test.TestStepContext;

import dev.rollback.core.StepContext;
import dev.rollback.git.Git;
import dev.rollback.git.ResetMode;
import dev.rollback.git.internal.Repos;
import dev.rollback.git.internal.TreeSwitch;
import dev.rollback.git.internal.Uncommitted;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheCheckout;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Revert of one commit and hard reset by 100 commits, through the library (JGit) and through the git CLI,
 * in the same run, on a generated repository of 10,000 files and 1,000 commits; optionally then each
 * phase of the two steps alone (dirty check, safety tag, index and working tree update, index write), as
 * the steps did it before (JGit's porcelain: StatusCommand, DirCacheCheckout, ResetCommand) and as they do
 * it now.
 *
 * <p>Built to stand other load on the machine: warm-up rounds for both sides first (the JIT, the page
 * cache), then rounds that measure the library and the CLI back to back, alternating which goes first
 * (ABBA), so that a burst of load hits both; the table gives the medians, the ratio of the medians, the
 * median of the ratios within a round, and the load average (1 minute) the rounds ran at.
 *
 * <pre>
 * scripts/run-main rollback-git dev.rollback.git.bench.GitBenchmark 21            # measured rounds
 * scripts/run-main rollback-git dev.rollback.git.bench.GitBenchmark 21 --phases   # and each phase alone
 * </pre>
 * The first argument is the number of measured rounds (default 21, at least 5); ten warm-up rounds come first.
 */
public final class GitBenchmark {
    static final int FILES = 10_000;
    static final int COMMITS = 1_000;
    static final int FILES_PER_COMMIT = 10;
    // the JIT keeps compiling for the first dozens of runs (JGit is large): ten rounds of both sides settle it mostly
    private static final int WARM_UP = 10;
    private static final String LIBRARY = "library (JGit)";
    private static final String CLI = "git CLI";

    private GitBenchmark() {
    }

    /**
     * @param args optional: measured rounds, then {@code --phases} to time each phase alone too
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        if (rounds < 5) {
            throw new IllegalArgumentException("at least 5 measured rounds (a median of fewer says little); got " + rounds);
        }
        boolean phases = List.of(args).contains("--phases");
        Path root = Files.createTempDirectory("rollback-git-bench");
        try {
            Path repo = root.resolve("repo");
            long t0 = System.nanoTime();
            generate(repo);
            String head = git(repo, "rev-parse", "HEAD");
            System.out.printf(Locale.ROOT, "generated %d files, %s commits in %.1f s at %s%n", FILES,
                    git(repo, "rev-list", "--count", "HEAD"), (System.nanoTime() - t0) / 1e9, repo);
            System.out.printf(Locale.ROOT, "%d cores; %s; load average at the start: %s%n", Runtime.getRuntime().availableProcessors(),
                    git(repo, "--version"), loadAverage());
            String revertTarget = git(repo, "rev-parse", "HEAD~50");
            Git lib = Git.repo(repo).identity("Bench", "bench@example.com");

            Map<String, Action> library = new LinkedHashMap<>();
            Map<String, Action> cli = new LinkedHashMap<>();
            int[] counter = {0};
            library.put("revert 1 commit", () -> lib.revert(revertTarget).execute(context(root, counter[0]++)));
            cli.put("revert 1 commit", () -> git(repo, "revert", "--no-edit", revertTarget));
            library.put("reset --hard HEAD~100", () -> lib.reset(ResetMode.HARD, "HEAD~100").execute(context(root, counter[0]++)));
            cli.put("reset --hard HEAD~100", () -> git(repo, "reset", "-q", "--hard", "HEAD~100"));

            Map<String, List<Double>> results = new LinkedHashMap<>();
            for (String op : library.keySet()) {
                results.put(op + "|" + LIBRARY, new ArrayList<>());
                results.put(op + "|" + CLI, new ArrayList<>());
            }
            StringBuilder cold = new StringBuilder();   // the first run of each, in a fresh JVM: what a one-off rollback pays
            List<Double> loads = new ArrayList<>();
            for (int i = 0; i < WARM_UP + rounds; i++) {
                boolean warm = i < WARM_UP;
                for (String op : library.keySet()) {
                    // ABBA: the library first in even rounds, the CLI first in odd ones
                    List<String> order = i % 2 == 0 ? List.of(LIBRARY, CLI) : List.of(CLI, LIBRARY);
                    for (String how : order) {
                        double ms = measure(results, warm, op, how, how.equals(LIBRARY) ? library.get(op) : cli.get(op));
                        if (i == 0) {
                            cold.append(String.format(Locale.ROOT, "%s%s %s %.1f ms", cold.length() == 0 ? "" : ", ", op, how, ms));
                        }
                        git(repo, "reset", "-q", "--hard", head);   // undone, not measured
                    }
                }
                if (!warm) {
                    loads.add(oneMinuteLoad());
                }
            }
            System.out.printf(Locale.ROOT, "load average at the end: %s%n", loadAverage());
            summary(results, loads);
            System.out.printf(Locale.ROOT, "first run of each (cold JVM, first warm-up round, not in the medians): %s%n", cold);
            print("Whole steps", results);
            if (phases) {
                Map<String, List<Double>> phaseResults = new LinkedHashMap<>();
                for (int i = 0; i < 2 + rounds; i++) {
                    phases(phaseResults, i < 2, repo, head, revertTarget);
                }
                print("Where the time goes: each phase alone, as the steps did it before and as they do it now", phaseResults);
            }
        } finally {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One line per operation: both medians, the ratio of the medians, the median of the ratios within a round, of the minimums, the load. */
    private static void summary(Map<String, List<Double>> results, List<Double> loads) {
        List<Double> l = sorted(loads);
        String load = String.format(Locale.ROOT, "%.1f (%.1f-%.1f)", median(l), l.get(0), l.get(l.size() - 1));
        System.out.printf(Locale.ROOT, "%n| operation | library median ms | CLI median ms | library / CLI, medians | library / CLI, "
                + "median of per-round ratios | library / CLI, minimums | rounds | load average, 1 min: median (min-max) |%n"
                + "|---|---:|---:|---:|---:|---:|---:|---|%n");
        StringBuilder perRound = new StringBuilder();
        for (String op : results.keySet().stream().map(k -> k.split("\\|")[0]).distinct().toList()) {
            List<Double> a = results.get(op + "|" + LIBRARY);
            List<Double> b = results.get(op + "|" + CLI);
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                ratios.add(a.get(i) / b.get(i));
            }
            double la = median(sorted(a));
            double lb = median(sorted(b));
            // the fastest run of each side: the one least slowed by other load
            double minimums = sorted(a).get(0) / sorted(b).get(0);
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.2f | %.2f | %.2f | %d | %s |%n", op, la, lb, la / lb, median(sorted(ratios)),
                    minimums, a.size(), load);
            perRound.append(String.format(Locale.ROOT, "%s, library / CLI in each round:", op));
            ratios.forEach(r -> perRound.append(String.format(Locale.ROOT, " %.2f", r)));
            perRound.append('\n');
        }
        System.out.printf(Locale.ROOT, "%n%s", perRound);
    }

    private static List<Double> sorted(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s;
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The three load averages of /proc/loadavg, or "unknown" off Linux. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static double oneMinuteLoad() {
        try {
            return Double.parseDouble(loadAverage().split(" ")[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The phases of both steps, each measured alone: dirty check, safety tag, index and working tree, index write. */
    private static void phases(Map<String, List<Double>> m, boolean warm, Path repo, String head, String revertTarget) throws Exception {
        // every step opens the repository afresh: the pack index is read on the first object read
        measure(m, warm, "open the repository, resolve HEAD~100", "Repos.open + Repos.commit", () -> {
            try (org.eclipse.jgit.api.Git g = Repos.open(repo)) {
                Repos.commit(g.getRepository(), repo, "HEAD~100", "bench");
            }
        });
        measure(m, warm, "open the repository, resolve HEAD~100", "git rev-parse HEAD~100", () -> git(repo, "rev-parse", "HEAD~100"));
        try (org.eclipse.jgit.api.Git g = org.eclipse.jgit.api.Git.open(repo.toFile())) {
            Repository r = g.getRepository();
            measure(m, warm, "index read (10,000 entries)", "Repository.readDirCache", r::readDirCache);
            measure(m, warm, "dirty check (untracked too)", "before: JGit StatusCommand", () -> g.status().call());
            measure(m, warm, "dirty check (untracked too)", "now: Uncommitted.paths", () -> Uncommitted.paths(g, true));
            measure(m, warm, "dirty check (untracked too)", "git status --porcelain", () -> git(repo, "status", "--porcelain"));
            measure(m, warm, "dirty check (tracked only, revert)", "now: Uncommitted.paths", () -> Uncommitted.paths(g, false));
            measure(m, warm, "safety tag", "RefUpdate", () -> {
                RefUpdate u = r.updateRef("refs/tags/bench-safety");
                u.setNewObjectId(r.resolve("HEAD"));
                u.forceUpdate();
            });
            measure(m, warm, "index write (10,000 entries)", "DirCache.write", () -> {
                DirCache dc = r.lockDirCache();
                try {
                    dc.write();
                    dc.commit();
                } finally {
                    dc.unlock();
                }
            });
            RevCommit h;
            RevCommit back;
            RevTree reverted;
            try (RevWalk w = new RevWalk(r)) {
                h = w.parseCommit(r.resolve(head));
                back = w.parseCommit(r.resolve("HEAD~100"));
                RevCommit target = w.parseCommit(r.resolve(revertTarget));
                // the revert's tree, merged in memory as the step does: HEAD with the target's 10 paths put back
                ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(r, true);
                merger.setBase(target.getTree());
                merger.merge(h, w.parseCommit(target.getParent(0)));
                reverted = w.parseTree(merger.getResultTreeId());
            }
            // revert's tree update (10 files back to the parent's version), the commit object aside
            measure(m, warm, "index + working tree, revert (10 paths)", "before: DirCacheCheckout", () -> {
                DirCache dc = r.lockDirCache();
                try {
                    new DirCacheCheckout(r, h.getTree(), dc, reverted).checkout();
                } finally {
                    dc.unlock();
                }
            });
            git(repo, "reset", "-q", "--hard", head);
            measure(m, warm, "index + working tree, revert (10 paths)", "now: TreeSwitch", () ->
                    TreeSwitch.switchTrees(r, h.getTree(), reverted, true));
            git(repo, "reset", "-q", "--hard", head);
            measure(m, warm, "index + working tree + ref, reset (1,000 paths)", "before: JGit ResetCommand", () ->
                    g.reset().setMode(ResetCommand.ResetType.HARD).setRef(back.name()).call());
            git(repo, "reset", "-q", "--hard", head);
            measure(m, warm, "index + working tree + ref, reset (1,000 paths)", "now: TreeSwitch + RefUpdate", () -> {
                TreeSwitch.switchTrees(r, h.getTree(), back.getTree(), false);
                RefUpdate u = r.updateRef("HEAD");
                u.setNewObjectId(back);
                u.forceUpdate();
            });
            git(repo, "reset", "-q", "--hard", head);
            git(repo, "tag", "-d", "bench-safety");
        }
    }

    private static void print(String title, Map<String, List<Double>> results) {
        System.out.printf(Locale.ROOT, "%n%s%n", title);
        System.out.printf(Locale.ROOT, "%n| operation | through | median ms | min ms | max ms | runs |%n|---|---|---:|---:|---:|---:|%n");
        for (Map.Entry<String, List<Double>> e : results.entrySet()) {
            List<Double> v = sorted(e.getValue());
            String[] key = e.getKey().split("\\|");
            System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %d |%n", key[0], key[1], median(v), v.get(0), v.get(v.size() - 1),
                    v.size());
        }
    }

    interface Action {
        void run() throws Exception;
    }

    private static double measure(Map<String, List<Double>> results, boolean warmUp, String op, String how, Action action) throws Exception {
        long start = System.nanoTime();
        action.run();
        double ms = (System.nanoTime() - start) / 1e6;
        if (!warmUp) {
            results.computeIfAbsent(op + "|" + how, k -> new ArrayList<>()).add(ms);
        }
        return ms;
    }

    /** Writes the history with git fast-import: one commit with all files, then commits changing 10 files each. */
    static void generate(Path repo) throws IOException, InterruptedException {
        Files.createDirectories(repo);
        git(repo, "init", "-q", "-b", "main");
        Process p = new ProcessBuilder("git", "fast-import", "--quiet").directory(repo.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream out = new BufferedOutputStream(p.getOutputStream(), 1 << 16)) {
            long time = 1_700_000_000L;
            for (int c = 0; c < COMMITS; c++) {
                StringBuilder b = new StringBuilder();
                String msg = c == 0 ? "initial import" : "change " + c;
                b.append("commit refs/heads/main\n")
                        .append("committer Bench <bench@example.com> ").append(time + c * 60L).append(" +0000\n");
                data(b, msg);
                if (c == 0) {
                    for (int f = 0; f < FILES; f++) {
                        file(b, f, 0);
                    }
                } else {
                    for (int k = 0; k < FILES_PER_COMMIT; k++) {
                        file(b, ((c - 1) * FILES_PER_COMMIT + k) % FILES, c);
                    }
                }
                b.append('\n');
                out.write(b.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("git fast-import failed");
        }
        git(repo, "reset", "-q", "--hard", "main");
    }

    private static void file(StringBuilder b, int f, int version) {
        b.append("M 100644 inline ").append(String.format(Locale.ROOT, "src/d%03d/file%05d.txt", f / 100, f)).append('\n');
        StringBuilder content = new StringBuilder();
        for (int line = 0; line < 20; line++) {
            content.append("file ").append(f).append(" line ").append(line).append(line == 10 ? " version " + version : "").append('\n');
        }
        data(b, content.toString());
    }

    private static void data(StringBuilder b, String s) {
        b.append("data ").append(s.getBytes(StandardCharsets.UTF_8).length).append('\n').append(s).append('\n');
    }

    static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com",
                "-c", "gc.auto=0", "-c", "commit.gpgsign=false"));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        Process p = pb.start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    private static StepContext context(Path root, int n) {
        return TestStepContext.in(root.resolve("runs").resolve("run-" + n)).runId("bench-" + n).planName("bench").stepName("bench step");
    }
}
