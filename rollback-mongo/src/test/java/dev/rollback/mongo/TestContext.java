package dev.rollback.mongo;

import dev.rollback.core.StepContext;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A plain StepContext for calling steps directly in tests and benchmarks. */
public final class TestContext implements StepContext {
    private final String runId;
    private final Path runDirectory;
    private final Map<String, String> outputs = new LinkedHashMap<>();
    private final List<String> progress = new ArrayList<>();
    private Clock clock = Clock.systemUTC();

    public TestContext(String runId, Path runDirectory) {
        this.runId = runId;
        this.runDirectory = runDirectory;
    }

    public TestContext clock(Clock c) {
        this.clock = c;
        return this;
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
        return "test-step";
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
        return Map.copyOf(outputs);
    }

    @Override
    public synchronized void progress(String message) {
        progress.add(message);
    }

    public synchronized List<String> progressLines() {
        return List.copyOf(progress);
    }

    @Override
    public Clock clock() {
        return clock;
    }
}
