package dev.rollback.core.internal;

import dev.rollback.core.CheckResult;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.Redactor;
import dev.rollback.core.RunReport;
import dev.rollback.core.StepContext;
import dev.rollback.core.journal.JournalEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** What one attempt of a step sees of its run. Thread-safe: a step may publish from several threads. */
final class RunContext implements StepContext {
    private static final Logger LOG = LoggerFactory.getLogger("dev.rollback.runner");

    private final String planName;
    private final RunState state;
    private final RunRecorder recorder;
    private final Listeners listeners;
    private final Clock clock;
    private final PlannedStep step;
    private final Path runDirectory;
    private final Map<String, String> stepOutputs = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<CheckResult> checks;

    RunContext(String planName, RunState state, RunRecorder recorder, Listeners listeners, Clock clock, PlannedStep step,
               Path runDirectory, List<CheckResult> checks) {
        this.planName = planName;
        this.state = state;
        this.recorder = recorder;
        this.listeners = listeners;
        this.clock = clock;
        this.step = step;
        this.runDirectory = runDirectory;
        this.checks = checks;
    }

    /** @return what this attempt published, in order */
    Map<String, String> stepOutputs() {
        return RunState.snapshot(stepOutputs);
    }

    @Override
    public void checkResult(CheckResult result) {
        Objects.requireNonNull(result, "result");
        checks.add(result);   // journaled with the attempt's end, like a verify step's result
    }

    @Override
    public String runId() {
        return state.runId;
    }

    @Override
    public String planName() {
        return planName;
    }

    @Override
    public String stepName() {
        return step.name();
    }

    @Override
    public Path runDirectory() {
        return runDirectory;
    }

    @Override
    public void output(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        stepOutputs.put(key, Redactor.redact(value));
    }

    @Override
    public Optional<String> output(String key) {
        String v = stepOutputs.get(key);
        return Optional.ofNullable(v != null ? v : state.output(key));
    }

    @Override
    public Map<String, String> outputs() {
        Map<String, String> all = state.outputs();
        all.putAll(stepOutputs());
        return Collections.unmodifiableMap(all);
    }

    @Override
    public void remember(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Map<String, String> mine = state.memoryOf(step.name());
        synchronized (mine) {
            // Durable first: a kill right after this call must find the value on resume.
            recorder.append(new JournalEvent.StepMemory(state.runId, clock.instant(), step.index(), step.name(), key, value));
            mine.put(key, Redactor.redact(value));
        }
    }

    @Override
    public Optional<String> recall(String key) {
        return Optional.ofNullable(state.memoryOf(step.name()).get(key));
    }

    @Override
    public Map<String, String> memory() {
        return Collections.unmodifiableMap(RunState.snapshot(state.memoryOf(step.name())));
    }

    @Override
    public void progress(String message) {
        String m = Redactor.redact(message);
        LOG.atLevel(listeners.level(Level.INFO)).log("[{}] {}", step.name(), m);
        listeners.progress(step, m);
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Optional<RunReport.Failure> failure() {
        return Optional.ofNullable(state.handling());
    }
}
