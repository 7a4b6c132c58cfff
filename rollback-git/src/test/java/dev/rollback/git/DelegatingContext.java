package dev.rollback.git;

import dev.rollback.core.StepContext;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/** A step context that passes everything to another: tests override the calls they intercept. */
class DelegatingContext implements StepContext {
    private final StepContext context;

    DelegatingContext(StepContext context) {
        this.context = context;
    }

    @Override
    public String runId() {
        return context.runId();
    }

    @Override
    public String planName() {
        return context.planName();
    }

    @Override
    public String stepName() {
        return context.stepName();
    }

    @Override
    public Path runDirectory() {
        return context.runDirectory();
    }

    @Override
    public void output(String key, String value) {
        context.output(key, value);
    }

    @Override
    public Optional<String> output(String key) {
        return context.output(key);
    }

    @Override
    public Map<String, String> outputs() {
        return context.outputs();
    }

    @Override
    public void remember(String key, String value) {
        context.remember(key, value);
    }

    @Override
    public Optional<String> recall(String key) {
        return context.recall(key);
    }

    @Override
    public Map<String, String> memory() {
        return context.memory();
    }

    @Override
    public void progress(String message) {
        context.progress(message);
    }

    @Override
    public Clock clock() {
        return context.clock();
    }
}
