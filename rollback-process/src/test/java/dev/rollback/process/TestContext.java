package dev.rollback.process;

import dev.rollback.core.MissingOutputException;
import dev.rollback.core.StepContext;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A step context for calling steps directly in tests: records outputs and progress. */
final class TestContext implements StepContext {
    private final Path runDirectory;
    private final Map<String, String> outputs = Collections.synchronizedMap(new LinkedHashMap<>());
    final List<String> progress = new CopyOnWriteArrayList<>();

    TestContext(Path runDirectory) {
        this.runDirectory = runDirectory;
    }

    @Override
    public String runId() {
        return "test-run";
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
    public String requireOutput(String key) {
        String v = outputs.get(key);
        if (v == null) {
            throw new MissingOutputException(key, outputs.keySet());
        }
        return v;
    }

    @Override
    public Map<String, String> outputs() {
        return new LinkedHashMap<>(outputs);
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
