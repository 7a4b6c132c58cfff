package dev.rollback.core.live;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.rollback.core.Phase;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.Redactor;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.journal.JournalCodec;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.report.IncidentReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a live page serves, in the order it happened: every journal event of the run (encoded as
 * the journal encodes it, so already redacted), approvals being waited for, and progress lines.
 * Readers wait on it for the next item. Thread-safe.
 */
final class LiveFeed {
    /**
     * One item of the feed, as a Server-Sent Event.
     *
     * @param id   its position, from 1
     * @param type {@code journal}, {@code waiting} or {@code progress}
     * @param json its data
     */
    record Item(int id, String type, String json) {
    }

    private final List<Item> items = new ArrayList<>();
    private final List<JournalEvent> events = new ArrayList<>();
    private RollbackPlan plan;
    private String runId;
    private boolean closed;

    synchronized void start(RollbackPlan plan, String runId) {
        this.plan = plan;
        this.runId = runId;
        notifyAll();
    }

    synchronized void journal(JournalEvent event) {
        if (runId == null) {
            runId = event.runId();
        }
        events.add(event);
        add("journal", JournalCodec.encode(event));
    }

    synchronized void waiting(PlannedStep step) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step.name());
        m.put("index", step.index());
        m.put("time", Instant.now().toString());
        add("waiting", json(m));
    }

    synchronized void progress(PlannedStep step, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", step.index());
        m.put("step", step.name());
        m.put("message", message);
        m.put("time", Instant.now().toString());
        add("progress", json(m));
    }

    private void add(String type, String json) {
        items.add(new Item(items.size() + 1, type, Redactor.redact(json)));
        notifyAll();
    }

    /**
     * Waits for items after {@code lastId}.
     *
     * @param lastId  the last item the reader has, 0 for none
     * @param timeout how long to wait, in milliseconds
     * @return the items after it (empty on time-out or when closed)
     * @throws InterruptedException when interrupted
     */
    synchronized List<Item> after(int lastId, long timeout) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout;
        while (items.size() <= lastId && !closed) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return List.of();
            }
            wait(left);
        }
        return List.copyOf(items.subList(Math.min(lastId, items.size()), items.size()));
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** @return the plan and the run as JSON, for the page to lay out its step list; secrets redacted */
    synchronized String planJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", runId);
        if (plan != null) {
            m.put("plan", plan.name());
            m.put("description", plan.description());
            List<Map<String, Object>> steps = new ArrayList<>();
            for (PlannedStep s : plan.stepsAndHandlers()) {
                Map<String, Object> sm = new LinkedHashMap<>();
                sm.put("index", s.index());
                sm.put("name", s.name());
                sm.put("kind", s.kind().name());
                sm.put("phase", s.phase());
                sm.put("destructive", s.destructive());
                steps.add(sm);
            }
            m.put("steps", steps);
            List<Map<String, Object>> phases = new ArrayList<>();
            for (Phase p : plan.phases()) {
                phases.add(Map.of("name", p.name(), "budgetMs", p.budget().toMillis()));
            }
            m.put("phases", phases);
        }
        return Redactor.redact(json(m));
    }

    /** @return the timeline of the events so far as SVG, or an empty string before the first event */
    String timelineSvg() {
        List<JournalEvent> copy;
        RollbackPlan p;
        synchronized (this) {
            copy = List.copyOf(events);
            p = plan;
        }
        if (copy.isEmpty()) {
            return "";
        }
        IncidentReport r = IncidentReport.of(copy);
        return (p != null ? r.plan(p) : r).timelineSvg();
    }

    private static String json(Map<String, Object> m) {
        try {
            return JSON.std.asString(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
