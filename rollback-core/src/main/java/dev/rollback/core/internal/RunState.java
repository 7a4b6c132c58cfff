package dev.rollback.core.internal;

import dev.rollback.core.RunReport;
import dev.rollback.core.StepResult;
import dev.rollback.core.journal.JournalEvent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** What one invocation of a run knows so far: its outputs, each step's memory, the results, the failure handlers react to. */
final class RunState {
    final String runId;
    private final Map<String, String> outputs = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Each step's durable memory, by step name: what it remembered in any invocation of this run. */
    private final Map<String, Map<String, String>> memory = new ConcurrentHashMap<>();
    /** Every step's result in plan order: skipped by a resume, run, or not reached. */
    final List<StepResult> results = new ArrayList<>();
    /** The handlers that ran in this invocation, in order. */
    final List<StepResult> handlerResults = new ArrayList<>();
    /** Captures that finished before a destructive step started: a resume does not take them again. */
    final Map<Integer, JournalEvent.StepFinished> capturesTaken = new LinkedHashMap<>();
    /** The failure the handlers now running react to, or null. */
    private volatile RunReport.Failure handling;

    RunState(String runId) {
        this.runId = runId;
    }

    void publish(Map<String, String> published) {
        outputs.putAll(published);
    }

    String output(String key) {
        return outputs.get(key);
    }

    Map<String, String> outputs() {
        return snapshot(outputs);
    }

    Map<String, String> memoryOf(String stepName) {
        return memory.computeIfAbsent(stepName, k -> Collections.synchronizedMap(new LinkedHashMap<>()));
    }

    RunReport.Failure handling() {
        return handling;
    }

    void handling(RunReport.Failure failure) {
        this.handling = failure;
    }

    /** Takes back what earlier invocations journaled: step memory always, and with {@code allOutputs} every output. */
    void recall(List<JournalEvent> events, boolean allOutputs) {
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.StepMemory m) {
                memoryOf(m.step()).put(m.key(), m.value());
            } else if (!allOutputs) {
                continue;
            } else if (e instanceof JournalEvent.StepFinished f) {
                publish(f.outputs());
            } else if (e instanceof JournalEvent.StepFailed f) {
                publish(f.outputs());   // a failed attempt's evidence names what it left behind
            } else if (e instanceof JournalEvent.CheckpointReached c) {
                publish(c.outputs());
            }
        }
    }

    static Map<String, String> snapshot(Map<String, String> synchronizedMap) {
        synchronized (synchronizedMap) {
            return new LinkedHashMap<>(synchronizedMap);
        }
    }
}
