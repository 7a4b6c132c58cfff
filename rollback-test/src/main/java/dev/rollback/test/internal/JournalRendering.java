package dev.rollback.test.internal;

import dev.rollback.core.journal.JournalEvent;

import java.util.List;

/** Renders journal events as compact lines for failure messages. Not public API. */
public final class JournalRendering {
    private JournalRendering() {
    }

    /**
     * @param events events in order
     * @param max    at most this many lines; the last ones are kept
     * @return one indented line per event
     */
    public static String excerpt(List<JournalEvent> events, int max) {
        StringBuilder b = new StringBuilder();
        int from = Math.max(0, events.size() - max);
        if (from > 0) {
            b.append("  ... ").append(from).append(" earlier event(s)\n");
        }
        if (events.isEmpty()) {
            b.append("  (no events)\n");
        }
        for (int i = from; i < events.size(); i++) {
            b.append("  ").append(i + 1).append(". ").append(line(events.get(i))).append('\n');
        }
        return b.toString();
    }

    /**
     * @param e an event
     * @return one line: type and the fields people look at
     */
    public static String line(JournalEvent e) {
        String type = e.getClass().getSimpleName();
        if (e instanceof JournalEvent.RunStarted s) {
            return type + " plan=" + s.planName() + " fingerprint=" + s.fingerprint() + " pid=" + s.pid();
        } else if (e instanceof JournalEvent.RunResumed r) {
            return type + " fromCheckpoint=" + r.fromCheckpoint() + " pid=" + r.pid();
        } else if (e instanceof JournalEvent.StepStarted s) {
            return type + " " + s.index() + " '" + s.step() + "' attempt " + s.attempt();
        } else if (e instanceof JournalEvent.StepFinished f) {
            return type + " " + f.index() + " '" + f.step() + "' attempt " + f.attempt() + (f.outputs().isEmpty() ? "" : " outputs=" + f.outputs());
        } else if (e instanceof JournalEvent.StepFailed f) {
            return type + " " + f.index() + " '" + f.step() + "' attempt " + f.attempt() + (f.willRetry() ? " (will retry)" : "") + ": " + f.error();
        } else if (e instanceof JournalEvent.StepWaived w) {
            return type + " " + w.index() + " '" + w.step() + "' by " + w.operator() + ": " + w.reason();
        } else if (e instanceof JournalEvent.StepSkipped s) {
            return type + " " + s.index() + " '" + s.step() + "'";
        } else if (e instanceof JournalEvent.StepMemory m) {
            return type + " " + m.index() + " '" + m.step() + "' " + m.key() + "=" + m.value();
        } else if (e instanceof JournalEvent.ApprovalGranted a) {
            return type + " '" + a.step() + "' by " + a.approver() + " (" + a.method() + ")";
        } else if (e instanceof JournalEvent.ApprovalRefused a) {
            return type + " '" + a.step() + "' (" + a.method() + "): " + a.reason();
        } else if (e instanceof JournalEvent.CheckpointReached c) {
            return type + " " + c.index() + " '" + c.name() + "'";
        } else if (e instanceof JournalEvent.RunFinished f) {
            return type + " " + f.outcome() + (f.failedStep() == null ? "" : " at '" + f.failedStep() + "': " + f.message());
        }
        return type;
    }
}
