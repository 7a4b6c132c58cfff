package dev.rollback.test;

import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link StepContext} for running one step or check directly in a unit test, outside a plan:
 * it keeps the outputs the step publishes and the progress it reports, so the test can assert on
 * them. Thread-safe, like the runner's.
 *
 * <pre>{@code
 * TestStepContext ctx = TestStepContext.in(tempDir).runId("20260101-000000-abcd");
 * Git.repo(dir).previousStableTag("v*").execute(ctx);
 * assertThat(ctx.outputs()).containsEntry("git.previousStableTag", "v1.4.0");   // succeeds
 * Git.repo(dir).checkout(Revision.fromOutput("git.previousStableTag")).execute(ctx.forStep("checkout"));
 * }</pre>
 */
public final class TestStepContext implements StepContext {
    private final Path runDirectory;
    private final Map<String, String> outputs;
    private final Map<String, String> memory;
    private final List<String> progress = Collections.synchronizedList(new ArrayList<>());
    private final List<CheckResult> checks = Collections.synchronizedList(new ArrayList<>());
    private volatile String runId = "test-run";
    private volatile String planName = "test-plan";
    private volatile String stepName = "test-step";
    private volatile Clock clock = Clock.systemUTC();

    private TestStepContext(Path runDirectory, Map<String, String> outputs, Map<String, String> memory) {
        this.runDirectory = Objects.requireNonNull(runDirectory, "runDirectory");
        this.outputs = outputs;
        this.memory = memory;
    }

    /**
     * @param runDirectory the run folder the step may write forensics into (a test's temporary folder)
     * @return a context with run id {@code test-run}, plan {@code test-plan}, step {@code test-step}
     */
    public static TestStepContext in(Path runDirectory) {
        return new TestStepContext(runDirectory, Collections.synchronizedMap(new LinkedHashMap<>()),
                Collections.synchronizedMap(new LinkedHashMap<>()));
    }

    /**
     * @param id the run id steps see (some derive names from it)
     * @return this
     */
    public TestStepContext runId(String id) {
        this.runId = Objects.requireNonNull(id, "id");
        return this;
    }

    /**
     * @param name the plan name steps see
     * @return this
     */
    public TestStepContext planName(String name) {
        this.planName = Objects.requireNonNull(name, "name");
        return this;
    }

    /**
     * @param name the step name steps see
     * @return this
     */
    public TestStepContext stepName(String name) {
        this.stepName = Objects.requireNonNull(name, "name");
        return this;
    }

    /**
     * @param c the clock steps see (a {@link ManualClock} for time-dependent steps)
     * @return this
     */
    public TestStepContext clock(Clock c) {
        this.clock = Objects.requireNonNull(c, "clock");
        return this;
    }

    /**
     * The context of the next step of the same run: same run folder and id, the outputs so far.
     *
     * @param name the next step's name
     * @return a new context
     */
    public TestStepContext forStep(String name) {
        TestStepContext next = new TestStepContext(runDirectory, Collections.synchronizedMap(new LinkedHashMap<>(outputs())),
                Collections.synchronizedMap(new LinkedHashMap<>()));
        next.runId = runId;
        next.planName = planName;
        next.clock = clock;
        return next.stepName(name);
    }

    /**
     * The context of the same step in a later invocation of the same run, as a resume after a
     * crash sees it: same run, same outputs, and the memory this step remembered so far.
     *
     * <pre>{@code
     * TestStepContext first = TestStepContext.in(tempDir).stepName("revert");
     * step.execute(first);                       // remembers what HEAD was
     * step.execute(first.resumed());             // recalls it instead of resolving HEAD again
     * }</pre>
     *
     * @return a new context sharing this one's memory
     */
    public TestStepContext resumed() {
        TestStepContext next = new TestStepContext(runDirectory, Collections.synchronizedMap(new LinkedHashMap<>(outputs())),
                Collections.synchronizedMap(new LinkedHashMap<>(memory())));
        next.runId = runId;
        next.planName = planName;
        next.clock = clock;
        next.stepName = stepName;
        return next;
    }

    /** @return the progress messages reported so far, in order */
    public List<String> progress() {
        synchronized (progress) {
            return List.copyOf(progress);
        }
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public String planName() {
        return planName;
    }

    @Override
    public String stepName() {
        return stepName;
    }

    @Override
    public Path runDirectory() {
        return runDirectory;
    }

    @Override
    public void output(String key, String value) {
        outputs.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    @Override
    public Optional<String> output(String key) {
        return Optional.ofNullable(outputs.get(key));
    }

    @Override
    public Map<String, String> outputs() {
        synchronized (outputs) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        }
    }

    @Override
    public void remember(String key, String value) {
        memory.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    @Override
    public Optional<String> recall(String key) {
        return Optional.ofNullable(memory.get(key));
    }

    @Override
    public Map<String, String> memory() {
        synchronized (memory) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(memory));
        }
    }

    @Override
    public void progress(String message) {
        progress.add(message);
    }

    @Override
    public void checkResult(CheckResult result) {
        checks.add(Objects.requireNonNull(result, "result"));
    }

    /** @return the checks the step recorded on its own work ({@link StepContext#checkResult}), in order */
    public List<CheckResult> checks() {
        synchronized (checks) {
            return List.copyOf(checks);
        }
    }

    @Override
    public Clock clock() {
        return clock;
    }
}
