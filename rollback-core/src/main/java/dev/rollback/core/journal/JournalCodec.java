package dev.rollback.core.journal;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Redactor;
import dev.rollback.core.StepKind;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes journal events as single-line JSON objects and back; the format is documented in
 * {@code docs/journal-format.md}. Every string is redacted on the way out.
 */
public final class JournalCodec {
    /** The version of the line format, written in every line as {@code "v"}. */
    public static final int FORMAT_VERSION = 1;

    private JournalCodec() {
    }

    /**
     * @param event the event
     * @return one line of JSON, without a line break
     */
    public static String encode(JournalEvent event) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", FORMAT_VERSION);
        m.put("type", type(event));
        m.put("runId", event.runId());
        m.put("time", event.time().toString());
        if (event instanceof JournalEvent.RunStarted e) {
            m.put("plan", e.planName());
            m.put("fingerprint", e.fingerprint());
            m.put("operator", e.operator());
            m.put("reason", e.reason());
            m.put("host", e.host());
            m.put("pid", e.pid());
            m.put("steps", e.stepCount());
        } else if (event instanceof JournalEvent.RunResumed e) {
            m.put("fingerprint", e.fingerprint());
            m.put("operator", e.operator());
            m.put("host", e.host());
            m.put("pid", e.pid());
            m.put("fromCheckpoint", e.fromCheckpoint());
        } else if (event instanceof JournalEvent.StepStarted e) {
            step(m, e.index(), e.step(), e.kind());
            m.put("attempt", e.attempt());
        } else if (event instanceof JournalEvent.StepFinished e) {
            step(m, e.index(), e.step(), e.kind());
            m.put("attempt", e.attempt());
            m.put("durationMs", e.durationMillis());
            m.put("outputs", e.outputs());
            m.put("checks", checks(e.checks()));
        } else if (event instanceof JournalEvent.StepFailed e) {
            step(m, e.index(), e.step(), e.kind());
            m.put("attempt", e.attempt());
            m.put("durationMs", e.durationMillis());
            m.put("error", e.error());
            m.put("willRetry", e.willRetry());
            m.put("checks", checks(e.checks()));
            m.put("outputs", e.outputs());
            m.put("errorType", e.errorType());
            m.put("errorCode", e.errorCode());
        } else if (event instanceof JournalEvent.StepMemory e) {
            m.put("index", e.index());
            m.put("step", e.step());
            m.put("key", e.key());
            m.put("value", e.value());
        } else if (event instanceof JournalEvent.StepSkipped e) {
            m.put("index", e.index());
            m.put("step", e.step());
            m.put("reason", e.reason());
        } else if (event instanceof JournalEvent.StepWaived e) {
            m.put("index", e.index());
            m.put("step", e.step());
            m.put("operator", e.operator());
            m.put("reason", e.reason());
        } else if (event instanceof JournalEvent.ApprovalGranted e) {
            m.put("step", e.step());
            m.put("approver", e.approver());
            m.put("method", e.method());
            if (e.role() != null) {
                m.put("role", e.role());
            }
        } else if (event instanceof JournalEvent.ApprovalRefused e) {
            m.put("step", e.step());
            m.put("method", e.method());
            m.put("reason", e.reason());
        } else if (event instanceof JournalEvent.CheckpointReached e) {
            m.put("index", e.index());
            m.put("name", e.name());
            m.put("outputs", e.outputs());
        } else if (event instanceof JournalEvent.FileCaptured e) {
            m.put("index", e.index());
            m.put("step", e.step());
            m.put("path", e.path());
            m.put("size", e.size());
            m.put("sha256", e.sha256());
        } else if (event instanceof JournalEvent.CapturedFilesMissing e) {
            m.put("host", e.host());
            m.put("problems", e.problems());
        } else if (event instanceof JournalEvent.StepCleanedUp e) {
            m.put("index", e.index());
            m.put("step", e.step());
            m.put("removed", e.removed());
            m.put("error", e.error());
        } else if (event instanceof JournalEvent.RunAbandoned e) {
            m.put("operator", e.operator());
            m.put("reason", e.reason());
            m.put("host", e.host());
            m.put("pid", e.pid());
            m.put("cleanupFailures", e.cleanupFailures());
        } else if (event instanceof JournalEvent.PlanDecision e) {
            m.put("plan", e.planName());
            m.put("decision", e.decision().name());
            m.put("operator", e.operator());
            m.put("reason", e.reason());
            m.put("host", e.host());
            m.put("pid", e.pid());
            m.put("detail", e.detail());
        } else if (event instanceof JournalEvent.RunFinished e) {
            m.put("outcome", e.outcome());
            m.put("failedStep", e.failedStep());
            m.put("message", e.message());
            m.put("durationMs", e.durationMillis());
        }
        try {
            return JSON.std.asString(redactValues(m));
        } catch (IOException ex) {
            throw new JournalException("Could not encode journal event " + type(event), ex);
        }
    }

    /**
     * @param line one line of a journal file
     * @return the event
     * @throws JournalException when the line is not a journal event
     */
    public static JournalEvent decode(String line) {
        Map<String, Object> m;
        try {
            m = JSON.std.mapFrom(line);
        } catch (IOException | RuntimeException ex) {
            throw new JournalException("Not a journal line (invalid JSON): " + abbreviate(line), ex);
        }
        if (m == null || !(m.get("type") instanceof String type)) {
            throw new JournalException("Not a journal line (no type): " + abbreviate(line));
        }
        String runId = str(m, "runId");
        Instant time = Instant.parse(str(m, "time"));
        return switch (type) {
            case "RunStarted" -> new JournalEvent.RunStarted(runId, time, str(m, "plan"), str(m, "fingerprint"),
                    str(m, "operator"), str(m, "reason"), str(m, "host"), num(m, "pid"), (int) num(m, "steps"));
            case "RunResumed" -> new JournalEvent.RunResumed(runId, time, str(m, "fingerprint"), str(m, "operator"),
                    str(m, "host"), num(m, "pid"), str(m, "fromCheckpoint"));
            case "StepStarted" -> new JournalEvent.StepStarted(runId, time, (int) num(m, "index"), str(m, "step"),
                    kind(m), (int) num(m, "attempt"));
            case "StepFinished" -> new JournalEvent.StepFinished(runId, time, (int) num(m, "index"), str(m, "step"),
                    kind(m), (int) num(m, "attempt"), num(m, "durationMs"), outputs(m), checks(m));
            case "StepFailed" -> new JournalEvent.StepFailed(runId, time, (int) num(m, "index"), str(m, "step"),
                    kind(m), (int) num(m, "attempt"), num(m, "durationMs"), str(m, "error"),
                    Boolean.TRUE.equals(m.get("willRetry")), checks(m), outputs(m), str(m, "errorType"), str(m, "errorCode"));
            case "StepMemory" -> new JournalEvent.StepMemory(runId, time, (int) num(m, "index"), str(m, "step"),
                    str(m, "key"), str(m, "value"));
            case "StepWaived" -> new JournalEvent.StepWaived(runId, time, (int) num(m, "index"), str(m, "step"), str(m, "operator"),
                    str(m, "reason"));
            case "StepSkipped" -> new JournalEvent.StepSkipped(runId, time, (int) num(m, "index"), str(m, "step"),
                    str(m, "reason"));
            case "ApprovalGranted" -> new JournalEvent.ApprovalGranted(runId, time, str(m, "step"), str(m, "approver"),
                    str(m, "method"), str(m, "role"));
            case "ApprovalRefused" -> new JournalEvent.ApprovalRefused(runId, time, str(m, "step"), str(m, "method"),
                    str(m, "reason"));
            case "CheckpointReached" -> new JournalEvent.CheckpointReached(runId, time, (int) num(m, "index"),
                    str(m, "name"), outputs(m));
            case "FileCaptured" -> new JournalEvent.FileCaptured(runId, time, (int) num(m, "index"), str(m, "step"),
                    str(m, "path"), num(m, "size"), str(m, "sha256"));
            case "CapturedFilesMissing" -> new JournalEvent.CapturedFilesMissing(runId, time, str(m, "host"), strings(m, "problems"));
            case "StepCleanedUp" -> new JournalEvent.StepCleanedUp(runId, time, (int) num(m, "index"), str(m, "step"),
                    strings(m, "removed"), str(m, "error"));
            case "RunAbandoned" -> new JournalEvent.RunAbandoned(runId, time, str(m, "operator"), str(m, "reason"),
                    str(m, "host"), num(m, "pid"), (int) num(m, "cleanupFailures"));
            case "PlanDecision" -> new JournalEvent.PlanDecision(runId, time, str(m, "plan"), decision(m), str(m, "operator"),
                    str(m, "reason"), str(m, "host"), num(m, "pid"), str(m, "detail"));
            case "RunFinished" -> new JournalEvent.RunFinished(runId, time, str(m, "outcome"), str(m, "failedStep"),
                    str(m, "message"), num(m, "durationMs"));
            default -> throw new JournalException("Unknown journal event type '" + type + "'; was the journal written by a newer version?");
        };
    }

    private static String type(JournalEvent e) {
        return e.getClass().getSimpleName();
    }

    private static void step(Map<String, Object> m, int index, String step, StepKind kind) {
        m.put("index", index);
        m.put("step", step);
        m.put("kind", kind.name());
    }

    private static List<Map<String, Object>> checks(List<CheckResult> checks) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CheckResult c : checks) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("name", c.name());
            cm.put("status", c.status().name());
            cm.put("measured", c.measured());
            cm.put("expected", c.expected());
            cm.put("message", c.message());
            out.add(cm);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object redactValues(Object o) {
        if (o instanceof String s) {
            return Redactor.redact(s);
        }
        if (o instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            ((Map<String, Object>) map).forEach((k, v) -> copy.put(k, redactValues(v)));
            return copy;
        }
        if (o instanceof List<?> list) {
            return list.stream().map(JournalCodec::redactValues).toList();
        }
        return o;
    }

    private static String str(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? null : String.valueOf(v);
    }

    private static long num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof Number n ? n.longValue() : 0L;
    }

    private static StepKind kind(Map<String, Object> m) {
        String k = str(m, "kind");
        return k == null ? StepKind.ACTION : StepKind.valueOf(k);
    }

    private static JournalEvent.PlanDecision.Decision decision(Map<String, Object> m) {
        String d = str(m, "decision");
        try {
            return JournalEvent.PlanDecision.Decision.valueOf(String.valueOf(d));
        } catch (IllegalArgumentException e) {
            throw new JournalException("Unknown plan decision '" + d + "'; was the journal written by a newer version?", e);
        }
    }

    private static List<String> strings(Map<String, Object> m, String key) {
        List<String> out = new ArrayList<>();
        if (m.get(key) instanceof List<?> list) {
            list.forEach(o -> out.add(String.valueOf(o)));
        }
        return out;
    }

    private static Map<String, String> outputs(Map<String, Object> m) {
        Map<String, String> out = new LinkedHashMap<>();
        if (m.get("outputs") instanceof Map<?, ?> o) {
            o.forEach((k, v) -> out.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        }
        return out;
    }

    private static List<CheckResult> checks(Map<String, Object> m) {
        List<CheckResult> out = new ArrayList<>();
        if (m.get("checks") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> c) {
                    out.add(new CheckResult(String.valueOf(c.get("name")), CheckResult.Status.valueOf(String.valueOf(c.get("status"))),
                            (String) c.get("measured"), (String) c.get("expected"), (String) c.get("message")));
                }
            }
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
