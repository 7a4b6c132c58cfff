package dev.rollback.git;

import dev.rollback.core.StepContext;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A step context for calling a step directly, as the runner would, in one run folder. */
final class TestContext implements StepContext {
    private final String runId;
    private final Path runDirectory;
    private final String stepName;
    final Map<String, String> outputs = new LinkedHashMap<>();
    final List<String> progress = new ArrayList<>();

    TestContext(String runId, Path runDirectory, String stepName) {
        this.runId = runId;
        this.runDirectory = runDirectory;
        this.stepName = stepName;
    }

    /** The same run and folder, for another step; outputs published so far carry over. */
    TestContext forStep(String name) {
        TestContext c = new TestContext(runId, runDirectory, name);
        c.outputs.putAll(outputs);
        return c;
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public String planName() {
        return "test-plan";
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
        outputs.put(key, value);
    }

    @Override
    public Optional<String> output(String key) {
        return Optional.ofNullable(outputs.get(key));
    }

    @Override
    public Map<String, String> outputs() {
        return Collections.unmodifiableMap(outputs);
    }

    @Override
    public void progress(String message) {
        progress.add(message);
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }
}
