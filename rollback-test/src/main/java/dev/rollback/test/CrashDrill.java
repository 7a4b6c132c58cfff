package dev.rollback.test;

import dev.rollback.core.RollbackPlan;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.test.internal.ChildJvm;
import dev.rollback.test.internal.CrashDrillChild;
import dev.rollback.test.internal.JournalRendering;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Kills a plan with SIGKILL at every step boundary and checks that resuming it gets to the same
 * end: for each crash point, a child JVM runs the plan with a file journal and stops dead at the
 * point; the drill kills it ({@code kill -9}), resumes the run in new child JVMs until it
 * succeeds, and checks that
 * <ol>
 *   <li>the run ends as an uninterrupted run does (successfully);</li>
 *   <li>no step that finished before the last checkpoint reached at the kill ran again;</li>
 *   <li>the state probe, evaluated in the test's JVM, answers what it answers after an
 *       uninterrupted run: steps after that checkpoint ran twice, so they must be safe to re-run.</li>
 * </ol>
 * The child JVMs build the plan from a factory class: a public class with a public no-arg
 * constructor implementing {@code Supplier<RollbackPlan>}. They get no standard input, a 64 MB
 * heap and the test's class path. {@link #beforeEachRun(Runnable)} resets the state the plan
 * changes before the uninterrupted run and before each crash point.
 *
 * <pre>{@code
 * public static final class DeployPlan implements Supplier<RollbackPlan> {
 *     public RollbackPlan get() {
 *         Path dir = Path.of(System.getProperty("deploy.dir"));
 *         return Rollback.plan("deploy-back").step("write config", c -> Files.writeString(dir.resolve("app.conf"), "v1"))
 *             .checkpoint("config-written").step(...).build();
 *     }
 * }
 *
 * CrashDrillReport report = CrashDrill.of(DeployPlan.class)
 *     .systemProperty("deploy.dir", dir.toString())
 *     .beforeEachRun(() -> deleteContents(dir))
 *     .killAtEveryStepBoundary()
 *     .killInsideEveryStep()
 *     .verify(() -> readAllFiles(dir));          // throws AssertionError naming each failing point
 * }</pre>
 *
 * <p>Secrets: system properties are visible in the child's command line; pass secrets the plan
 * needs with {@link #environment(String, String)}.
 */
public final class CrashDrill {
    private static final Logger LOG = LoggerFactory.getLogger(CrashDrill.class);

    private final Class<? extends Supplier<RollbackPlan>> factory;
    private final boolean afterSteps;
    private final boolean insideSteps;
    private final boolean afterMemory;
    private final Runnable reset;
    private final Map<String, String> properties;
    private final Map<String, String> environment;
    private final Path workDirectory;
    private final Duration childTimeout;
    private final int maxResumes;
    private final String approver;
    private final String classPath;

    private CrashDrill(Class<? extends Supplier<RollbackPlan>> factory, boolean afterSteps, boolean insideSteps, boolean afterMemory, Runnable reset,
                       Map<String, String> properties, Map<String, String> environment, Path workDirectory, Duration childTimeout,
                       int maxResumes, String approver, String classPath) {
        this.factory = factory;
        this.afterSteps = afterSteps;
        this.insideSteps = insideSteps;
        this.afterMemory = afterMemory;
        this.reset = reset;
        this.properties = Map.copyOf(properties);
        this.environment = Map.copyOf(environment);
        this.workDirectory = workDirectory;
        this.childTimeout = childTimeout;
        this.maxResumes = maxResumes;
        this.approver = approver;
        this.classPath = classPath;
    }

    /**
     * Starts a crash drill of the plan a factory class builds.
     *
     * @param factory a public, top-level or static nested class with a public no-arg constructor
     *                implementing {@code Supplier<RollbackPlan>}; the child JVMs instantiate it
     * @return a drill with no crash points chosen yet
     * @throws IllegalArgumentException when the child JVMs could not instantiate the class, saying why
     */
    public static CrashDrill of(Class<? extends Supplier<RollbackPlan>> factory) {
        Objects.requireNonNull(factory, "factory");
        List<String> problems = new ArrayList<>();
        if (!Supplier.class.isAssignableFrom(factory)) {
            problems.add("it does not implement java.util.function.Supplier<RollbackPlan>");
        }
        if (!Modifier.isPublic(factory.getModifiers())) {
            problems.add("it is not public");
        }
        if (Modifier.isAbstract(factory.getModifiers()) || factory.isInterface()) {
            problems.add("it is abstract");
        }
        if (factory.getEnclosingClass() != null && !Modifier.isStatic(factory.getModifiers())) {
            problems.add("it is an inner class; make it static");
        }
        if (factory.isAnonymousClass() || factory.isLocalClass() || factory.isSynthetic()) {
            problems.add("it is an anonymous, local or lambda class; the child JVM cannot load it by name");
        }
        try {
            if (!Modifier.isPublic(factory.getConstructor().getModifiers())) {
                problems.add("its no-arg constructor is not public");
            }
        } catch (NoSuchMethodException e) {
            problems.add("it has no public no-arg constructor");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("CrashDrill.of(" + factory.getName() + "): the child JVMs cannot build the plan from it, because "
                    + String.join(", ", problems) + ". A plan factory is a public class with a public no-arg constructor implementing "
                    + "Supplier<RollbackPlan>, such as: public static final class MyPlan implements Supplier<RollbackPlan> { ... }");
        }
        return new CrashDrill(factory, false, false, false, () -> { }, Map.of(), Map.of(), null, Duration.ofSeconds(60), 3, "crash-drill", System.getProperty("java.class.path"));
    }

    /**
     * Adds a crash point after each step finished (its {@code StepFinished} event is on disk),
     * and after each checkpoint was reached; a checkpoint thus has two points: finished but
     * not yet recorded as reached, and reached.
     *
     * @return a new drill with these points
     */
    public CrashDrill killAtEveryStepBoundary() {
        return new CrashDrill(factory, true, insideSteps, afterMemory, reset, properties, environment, workDirectory, childTimeout, maxResumes, approver, classPath);
    }

    /**
     * Adds a crash point inside each step (checkpoints excepted): after its first attempt was
     * journaled as started, before its action runs. A step cannot be interrupted half-way by the
     * drill; a step whose effect is not atomic should be drilled with its own test.
     *
     * @return a new drill with these points
     */
    public CrashDrill killInsideEveryStep() {
        return new CrashDrill(factory, afterSteps, true, afterMemory, reset, properties, environment, workDirectory, childTimeout, maxResumes, approver, classPath);
    }

    /**
     * Adds a crash point inside each step after each value it remembers ({@link dev.rollback.core.StepContext#remember}):
     * its {@code StepMemory} event is on disk and the step has not gone on yet. A step is killed there while it holds
     * whatever it took before remembering (a lock, a half-written file), so these points catch a step that journals
     * in the middle of its work and a resume that trips over what it left. The points are those of the uninterrupted
     * run, one per step and key, named {@code after-memory:N:KEY}.
     *
     * @return a new drill with these points
     */
    public CrashDrill killAfterEveryStepMemory() {
        return new CrashDrill(factory, afterSteps, insideSteps, true, reset, properties, environment, workDirectory, childTimeout, maxResumes,
                approver, classPath);
    }

    /**
     * @param resetState runs in the test's JVM before the uninterrupted run and before each crash
     *                   point, to put back the state the plan changes (delete the files it writes)
     * @return a new drill with it
     */
    public CrashDrill beforeEachRun(Runnable resetState) {
        return new CrashDrill(factory, afterSteps, insideSteps, afterMemory, Objects.requireNonNull(resetState, "resetState"), properties, environment,
                workDirectory, childTimeout, maxResumes, approver, classPath);
    }

    /**
     * Passes a system property to every child JVM (visible in its command line: no secrets).
     *
     * @param key   the property
     * @param value its value
     * @return a new drill with it
     */
    public CrashDrill systemProperty(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.isBlank() || key.startsWith("rollback.drill.")) {
            throw new IllegalArgumentException("system property '" + key + "' is " + (key.isBlank() ? "blank" : "reserved by the crash drill"));
        }
        Map<String, String> p = new LinkedHashMap<>(properties);
        p.put(key, value);
        return new CrashDrill(factory, afterSteps, insideSteps, afterMemory, reset, p, environment, workDirectory, childTimeout, maxResumes, approver, classPath);
    }

    /**
     * Passes an environment variable to every child JVM, the way to hand them secrets.
     *
     * @param name  the variable
     * @param value its value
     * @return a new drill with it
     */
    public CrashDrill environment(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Map<String, String> e = new LinkedHashMap<>(environment);
        e.put(name, value);
        return new CrashDrill(factory, afterSteps, insideSteps, afterMemory, reset, properties, e, workDirectory, childTimeout, maxResumes, approver, classPath);
    }

    /**
     * @param directory where each drill makes a new folder for its journals and child output,
     *                  one subfolder per crash point (default: a new temporary folder, kept for inspection)
     * @return a new drill with it
     */
    public CrashDrill workDirectory(Path directory) {
        return new CrashDrill(factory, afterSteps, insideSteps, afterMemory, reset, properties, environment, Objects.requireNonNull(directory, "directory"),
                childTimeout, maxResumes, approver, classPath);
    }

    /**
     * @param timeout how long one child JVM may take to reach its crash point or to finish (default 60 s)
     * @return a new drill with it
     */
    public CrashDrill childTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("childTimeout must be positive, not " + timeout);
        }
        return new CrashDrill(factory, afterSteps, insideSteps, afterMemory, reset, properties, environment, workDirectory, timeout, maxResumes, approver, classPath);
    }

    /**
     * @param resumes how many resumes after a kill before the point counts as failed (default 3)
     * @return a new drill with it
     */
    public CrashDrill maxResumes(int resumes) {
        if (resumes < 1) {
            throw new IllegalArgumentException("maxResumes must be at least 1, not " + resumes);
        }
        return new CrashDrill(factory, afterSteps, insideSteps, afterMemory, reset, properties, environment, workDirectory, childTimeout, resumes, approver, classPath);
    }

    /**
     * @param name who approves destructive steps in the child runs (default {@code "crash-drill"})
     * @return a new drill with it
     */
    public CrashDrill approver(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("the approver needs a name, for the journal");
        }
        return new CrashDrill(factory, afterSteps, insideSteps, afterMemory, reset, properties, environment, workDirectory, childTimeout, maxResumes, name, classPath);
    }

    /**
     * @param classPath the class path of the child JVMs (default: this JVM's {@code java.class.path});
     *                  set it when the tests run in a class loader of their own, as under {@code exec:java}
     * @return a new drill with it
     */
    public CrashDrill classPath(String classPath) {
        if (classPath == null || classPath.isBlank()) {
            throw new IllegalArgumentException("the class path of the child JVMs is blank; it must hold the plan factory and rollback-core");
        }
        return new CrashDrill(factory, afterSteps, insideSteps, afterMemory, reset, properties, environment, workDirectory, childTimeout, maxResumes, approver,
                classPath);
    }

    /**
     * Runs the plan once without a crash to learn its end state, then crashes and resumes it at
     * every chosen point, and checks each.
     *
     * @param stateProbe reads the state the plan leaves behind (file contents, rows), in the test's JVM
     * @return the report, when every point passed
     * @throws AssertionError        naming each failing point with its problems and journal excerpt
     * @throws IllegalStateException when no crash point was chosen
     */
    public CrashDrillReport verify(Supplier<String> stateProbe) {
        CrashDrillReport report = run(stateProbe);
        if (!report.passed()) {
            throw new AssertionError(report.summary());
        }
        return report;
    }

    /**
     * Like {@link #verify(Supplier)}, but returns the report whatever it found.
     *
     * @param stateProbe reads the state the plan leaves behind
     * @return the report
     * @throws AssertionError        when the plan does not even succeed without a crash
     * @throws IllegalStateException when no crash point was chosen
     */
    public CrashDrillReport run(Supplier<String> stateProbe) {
        Objects.requireNonNull(stateProbe, "stateProbe");
        if (!afterSteps && !insideSteps && !afterMemory) {
            throw new IllegalStateException("the crash drill of " + factory.getName() + " has no crash points; "
                    + "call killAtEveryStepBoundary(), killInsideEveryStep() and/or killAfterEveryStepMemory() before verify(...)");
        }
        try {
            // A fresh folder per drill: journals of an earlier drill must not mix with this one's.
            Path work = workDirectory != null ? Files.createTempDirectory(Files.createDirectories(workDirectory), "crash-drill-")
                    : Files.createTempDirectory("rollback-crash-drill-");
            return drill(stateProbe, work);
        } catch (IOException e) {
            throw new UncheckedIOException("Crash drill of " + factory.getName() + " could not create its work folder", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Crash drill of " + factory.getName() + " was interrupted", e);
        }
    }

    private CrashDrillReport drill(Supplier<String> stateProbe, Path work) throws IOException, InterruptedException {
        // 1. An uninterrupted run: the plan's shape, its outcome and the end state to compare with.
        reset.run();
        Path baseDir = Files.createDirectories(work.resolve("00-uninterrupted"));
        Properties base = runChild(baseDir, "run", null);
        if (!"SUCCEEDED".equals(base.getProperty("outcome")) && !"SUCCEEDED_WITH_WARNINGS".equals(base.getProperty("outcome"))) {
            throw new AssertionError("Crash drill of " + factory.getName() + ": the plan does not succeed even without a crash; it ended "
                    + base.getProperty("outcome") + " " + base.getProperty("error", "") + "\nChild output:\n"
                    + tail(baseDir.resolve("child-run.log")));
        }
        String planName = base.getProperty("plan");
        String baseOutcome = base.getProperty("outcome");
        String baselineState = probe(stateProbe);
        List<JournalEvent> baseEvents = FileJournal.in(baseDir.resolve("journal")).read(planName, base.getProperty("runId"));
        Set<Integer> finishedInBaseline = new TreeSet<>();
        Map<Integer, Set<String>> remembered = new LinkedHashMap<>();
        baseEvents.forEach(e -> {
            if (e instanceof JournalEvent.StepFinished f) {
                finishedInBaseline.add(f.index());
            } else if (e instanceof JournalEvent.StepMemory m) {
                remembered.computeIfAbsent(m.index(), k -> new java.util.LinkedHashSet<>()).add(m.key());
            }
        });
        LOG.info("Crash drill of plan '{}': uninterrupted run {} in {}", planName, baseOutcome, baseDir);

        // 2. The crash points, in plan order.
        List<String[]> points = new ArrayList<>();
        int steps = Integer.parseInt(base.getProperty("steps"));
        for (int i = 1; i <= steps; i++) {
            String name = base.getProperty("step." + i + ".name");
            boolean checkpoint = "CHECKPOINT".equals(base.getProperty("step." + i + ".kind"));
            if (insideSteps && !checkpoint) {
                points.add(new String[]{"inside-step:" + i, "inside step " + i + " '" + name + "' (started, action not run)"});
            }
            if (afterMemory) {
                for (String key : remembered.getOrDefault(i, Set.of())) {
                    points.add(new String[]{"after-memory:" + i + ":" + key, "inside step " + i + " '" + name + "' right after it remembered "
                            + key});
                }
            }
            if (afterSteps && finishedInBaseline.contains(i)) {
                points.add(new String[]{"after-step:" + i, "after step " + i + " '" + name + "' finished"
                        + (checkpoint ? " (checkpoint not yet recorded)" : "")});
                if (checkpoint) {
                    points.add(new String[]{"after-checkpoint:" + i, "after checkpoint " + i + " '" + name + "' was reached"});
                }
            }
        }

        // 3. Crash, resume, check.
        List<CrashDrillReport.PointResult> results = new ArrayList<>();
        int n = 1;
        for (String[] point : points) {
            Path dir = Files.createDirectories(work.resolve(String.format("%02d-%s", n++, point[0].replaceAll("[^A-Za-z0-9._-]", "-"))));
            results.add(crashAt(point[0], point[1], dir, planName, baseOutcome, baselineState, finishedInBaseline, stateProbe));
            LOG.info("Crash drill of plan '{}': {} {}", planName, point[1], results.get(results.size() - 1).passed() ? "ok" : "FAILED");
        }
        return new CrashDrillReport(planName, baselineState, results);
    }

    private CrashDrillReport.PointResult crashAt(String point, String description, Path dir, String planName, String baseOutcome,
                                                 String baselineState, Set<Integer> finishedInBaseline, Supplier<String> stateProbe)
            throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        reset.run();
        Path marker = dir.resolve("marker");
        ChildJvm first = ChildJvm.start(classPath, CrashDrillChild.class, childProperties(point, marker), environment,
                childArgs("run", dir, null), dir.resolve("child-run.log"));
        boolean reached;
        try {
            reached = first.awaitFileOrExit(marker, childTimeout);
        } catch (TimeoutException e) {
            return failed(point, description, List.of(e.getMessage() + "; child output:\n" + first.outputTail(20)), 0, null, "");
        }
        if (!reached) {
            return failed(point, description, List.of("the run never reached this point; it exited with code " + first.awaitExitQuietly()
                    + " (" + resultOf(dir.resolve("result-run.properties")) + "); child output:\n" + first.outputTail(20)), 0, null, "");
        }
        first.kill();
        FileJournal journal = FileJournal.in(dir.resolve("journal"));
        List<String> runIds = journal.runIds(planName);
        if (runIds.size() != 1) {
            return failed(point, description, List.of("expected one run in " + journal.root() + " after the kill, found " + runIds), 0, null, "");
        }
        String runId = runIds.get(0);
        List<JournalEvent> atKill = journal.read(planName, runId);
        int checkpointAtKill = atKill.stream().filter(JournalEvent.CheckpointReached.class::isInstance)
                .mapToInt(e -> ((JournalEvent.CheckpointReached) e).index()).max().orElse(0);
        if (atKill.stream().anyMatch(JournalEvent.RunFinished.class::isInstance)) {
            problems.add("the journal records the run as finished although it was killed before its end");
        }

        int resumes = 0;
        String outcome = null;
        while (resumes < maxResumes) {
            resumes++;
            Path result = dir.resolve("result-resume-" + resumes + ".properties");
            ChildJvm again = ChildJvm.start(classPath, CrashDrillChild.class, Map.copyOf(properties), environment,
                    childArgs("resume", dir, runId, result), dir.resolve("child-resume-" + resumes + ".log"));
            try {
                again.awaitExit(childTimeout);
            } catch (TimeoutException e) {
                problems.add("resume " + resumes + ": " + e.getMessage() + "; child output:\n" + again.outputTail(20));
                break;
            }
            Properties r = load(result);
            outcome = r.getProperty("outcome", "NO RESULT");
            if (outcome.equals("SUCCEEDED") || outcome.equals("SUCCEEDED_WITH_WARNINGS")) {
                break;
            }
            problems.add("resume " + resumes + " ended " + outcome + " " + r.getProperty("error", "") + (outcome.equals("BROKEN")
                    ? "; child output:\n" + again.outputTail(20) : ""));
            if (outcome.equals("BROKEN")) {
                break;
            }
        }
        List<JournalEvent> events = journal.read(planName, runId);
        String excerpt = JournalRendering.excerpt(events, 80);
        // (a) the run ends as an uninterrupted one does
        if (!baseOutcome.equals(outcome)) {
            problems.add("the run did not end " + baseOutcome + " after " + resumes + " resume(s); last outcome " + outcome);
        }
        // (b) nothing finished before the checkpoint reached at the kill runs again; everything else finishes
        Map<Integer, Integer> finished = new LinkedHashMap<>();
        Map<Integer, String> names = new LinkedHashMap<>();
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.StepFinished f) {
                finished.merge(f.index(), 1, Integer::sum);
                names.put(f.index(), f.step());
            }
        }
        for (Map.Entry<Integer, Integer> e : finished.entrySet()) {
            if (e.getKey() <= checkpointAtKill && e.getValue() > 1) {
                problems.add("step " + e.getKey() + " '" + names.get(e.getKey()) + "' finished before the checkpoint reached at the kill (step "
                        + checkpointAtKill + ") but ran " + e.getValue() + " times");
            }
        }
        if (baseOutcome.equals(outcome)) {
            for (int i : finishedInBaseline) {
                if (!finished.containsKey(i)) {
                    problems.add("step " + i + " finished in the uninterrupted run but never finished after the crash and resume");
                }
            }
        }
        // (c) the end state is the uninterrupted run's
        String finalState = null;
        if (baseOutcome.equals(outcome)) {
            finalState = probe(stateProbe);
            if (!baselineState.equals(finalState)) {
                problems.add("the end state differs from the uninterrupted run's; a step after checkpoint " + (checkpointAtKill == 0
                        ? "(none: the start)" : checkpointAtKill) + " ran again and is not safe to re-run.\n"
                        + "    expected: " + oneLine(baselineState) + "\n    actual:   " + oneLine(finalState));
            }
        }
        return new CrashDrillReport.PointResult(point, description, problems.isEmpty(), problems, resumes, finalState, excerpt);
    }

    private static CrashDrillReport.PointResult failed(String point, String description, List<String> problems, int resumes, String state,
                                                       String excerpt) {
        return new CrashDrillReport.PointResult(point, description, false, problems, resumes, state, excerpt);
    }

    private Properties runChild(Path dir, String mode, String runId) throws IOException, InterruptedException {
        ChildJvm child = ChildJvm.start(classPath, CrashDrillChild.class, Map.copyOf(properties), environment, childArgs(mode, dir, runId),
                dir.resolve("child-" + mode + ".log"));
        try {
            child.awaitExit(childTimeout);
        } catch (TimeoutException e) {
            throw new AssertionError("Crash drill of " + factory.getName() + ": the uninterrupted run " + e.getMessage() + "\nChild output:\n"
                    + child.outputTail(30));
        }
        return load(dir.resolve("result-" + mode + ".properties"));
    }

    private Map<String, String> childProperties(String point, Path marker) {
        Map<String, String> p = new LinkedHashMap<>(properties);
        p.put(CrashDrillChild.BLOCK, point);
        p.put(CrashDrillChild.MARKER, marker.toString());
        return p;
    }

    private List<String> childArgs(String mode, Path dir, String runId) {
        return childArgs(mode, dir, runId, dir.resolve("result-" + mode + ".properties"));
    }

    private List<String> childArgs(String mode, Path dir, String runId, Path result) {
        List<String> a = new ArrayList<>(List.of(mode, factory.getName(), dir.resolve("journal").toString(), approver, result.toString()));
        if (runId != null) {
            a.add(runId);
        }
        return a;
    }

    private static Properties load(Path file) {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                p.setProperty("outcome", "NO RESULT");
                p.setProperty("error", "unreadable result file " + file + ": " + e);
            }
        } else {
            p.setProperty("outcome", "NO RESULT");
            p.setProperty("error", "the child wrote no result file " + file);
        }
        return p;
    }

    private static String resultOf(Path file) {
        Properties p = load(file);
        return "outcome " + p.getProperty("outcome") + (p.getProperty("error") == null ? "" : ", " + p.getProperty("error"));
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private String probe(Supplier<String> stateProbe) {
        String s = stateProbe.get();
        if (s == null) {
            throw new IllegalStateException("the state probe of the crash drill of " + factory.getName() + " returned null; "
                    + "return a text that describes the state, such as the contents of the files the plan writes");
        }
        return s;
    }

    private static String oneLine(String s) {
        String t = s.replace("\n", "\\n");
        return t.length() > 300 ? t.substring(0, 297) + "..." : t;
    }

    @Override
    public String toString() {
        return "CrashDrill[" + factory.getName() + (afterSteps ? ", after steps" : "") + (insideSteps ? ", inside steps" : "") + (afterMemory ? ", after step memory" : "") + "]";
    }
}
