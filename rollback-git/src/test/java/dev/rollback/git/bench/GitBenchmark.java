package dev.rollback.git.bench;

import dev.rollback.test.TestStepContext;

import dev.rollback.core.StepContext;
import dev.rollback.git.Git;
import dev.rollback.git.ResetMode;
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
 * in the same run, on a generated repository of 10,000 files and 1,000 commits; then each phase of the
 * two steps alone (dirty check, safety tag, index and working tree update, index write), as the steps
 * did it before (JGit's porcelain: StatusCommand, DirCacheCheckout, ResetCommand) and as they do it now.
 *
 * <pre>
 * mvn -B -q -pl rollback-git test-compile exec:java -Dexec.mainClass=dev.rollback.git.bench.GitBenchmark \
 *     -Dexec.classpathScope=test -Dexec.args="7"
 * </pre>
 * The argument is the number of measured runs per operation (default 7); two warm-up runs come first.
 */
public final class GitBenchmark {
    static final int FILES = 10_000;
    static final int COMMITS = 1_000;
    static final int FILES_PER_COMMIT = 10;

    private GitBenchmark() {
    }

    /**
     * @param args optional: measured runs per operation
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Path root = Files.createTempDirectory("rollback-git-bench");
        try {
            Path repo = root.resolve("repo");
            long t0 = System.nanoTime();
            generate(repo);
            String head = git(repo, "rev-parse", "HEAD");
            System.out.printf(Locale.ROOT, "generated %d files, %s commits in %.1f s at %s%n", FILES,
                    git(repo, "rev-list", "--count", "HEAD"), (System.nanoTime() - t0) / 1e9, repo);
            String revertTarget = git(repo, "rev-parse", "HEAD~50");
            Git lib = Git.repo(repo).identity("Bench", "bench@example.com");

            Map<String, List<Double>> results = new LinkedHashMap<>();
            Map<String, List<Double>> phases = new LinkedHashMap<>();
            int[] counter = {0};
            for (int i = 0; i < runs + 2; i++) {
                boolean warm = i < 2;
                measure(results, warm, "revert 1 commit", "library (JGit)", () ->
                        lib.revert(revertTarget).execute(context(root, counter[0]++)));
                git(repo, "reset", "-q", "--hard", head);
                measure(results, warm, "revert 1 commit", "git CLI", () -> git(repo, "revert", "--no-edit", revertTarget));
                git(repo, "reset", "-q", "--hard", head);
                measure(results, warm, "reset --hard HEAD~100", "library (JGit)", () ->
                        lib.reset(ResetMode.HARD, "HEAD~100").execute(context(root, counter[0]++)));
                git(repo, "reset", "-q", "--hard", head);
                measure(results, warm, "reset --hard HEAD~100", "git CLI", () -> git(repo, "reset", "-q", "--hard", "HEAD~100"));
                git(repo, "reset", "-q", "--hard", head);
                phases(phases, warm, repo, head, revertTarget);
            }
            print("Whole steps", results);
            print("Where the time goes: each phase alone, as the steps did it before and as they do it now", phases);
        } finally {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The phases of both steps, each measured alone: dirty check, safety tag, index and working tree, index write. */
    private static void phases(Map<String, List<Double>> m, boolean warm, Path repo, String head, String revertTarget) throws Exception {
        try (org.eclipse.jgit.api.Git g = org.eclipse.jgit.api.Git.open(repo.toFile())) {
            Repository r = g.getRepository();
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
        Map<String, Double> cli = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> e : results.entrySet()) {
            List<Double> v = new ArrayList<>(e.getValue());
            Collections.sort(v);
            String[] key = e.getKey().split("\\|");
            double median = v.get(v.size() / 2);
            if (key[1].equals("git CLI")) {
                cli.put(key[0], median);
            }
            System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %d |%n", key[0], key[1], median, v.get(0), v.get(v.size() - 1), v.size());
        }
        for (Map.Entry<String, List<Double>> e : results.entrySet()) {
            String[] key = e.getKey().split("\\|");
            if (!key[1].equals("git CLI") && cli.containsKey(key[0])) {
                List<Double> v = new ArrayList<>(e.getValue());
                List<Double> c = results.get(key[0] + "|git CLI");
                // each round measures both back to back: the ratio within a round is the least disturbed by other load
                List<Double> paired = new ArrayList<>();
                for (int i = 0; i < Math.min(v.size(), c.size()); i++) {
                    paired.add(v.get(i) / c.get(i));
                }
                Collections.sort(v);
                Collections.sort(paired);
                System.out.printf(Locale.ROOT, "%s: library / CLI = %.2f (medians), %.2f (median of the ratios within a round)%n", key[0],
                        v.get(v.size() / 2) / cli.get(key[0]), paired.get(paired.size() / 2));
            }
        }
    }

    interface Action {
        void run() throws Exception;
    }

    private static void measure(Map<String, List<Double>> results, boolean warmUp, String op, String how, Action action) throws Exception {
        long start = System.nanoTime();
        action.run();
        double ms = (System.nanoTime() - start) / 1e6;
        if (!warmUp) {
            results.computeIfAbsent(op + "|" + how, k -> new ArrayList<>()).add(ms);
        }
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
