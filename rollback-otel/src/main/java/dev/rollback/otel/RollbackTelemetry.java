package dev.rollback.otel;

import dev.rollback.core.CheckResult;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.Redactor;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunListener;
import dev.rollback.core.RunReport;
import dev.rollback.core.StepFailedException;
import dev.rollback.core.journal.JournalEvent;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Traces and metrics of rollback runs through OpenTelemetry: a {@link RunListener} that opens a
 * span per run, per phase and per step attempt, and counts runs and times steps. Add it to a
 * runner (or to a {@link dev.rollback.core.live.RunWatch} that follows a run from elsewhere):
 *
 * <pre>{@code
 * OpenTelemetry otel = ...;   // the application's SDK, for example with an OTLP exporter
 * Rollback.runner().journal(journal).listener(RollbackTelemetry.create(otel)).run(plan);
 * }</pre>
 *
 * <p>Spans: {@code rollback run <plan>} with its phases ({@code rollback phase <name>}) and each
 * step attempt ({@code rollback step <name>}) below them. Attributes are those of {@link #PLAN},
 * {@link #RUN_ID}, {@link #STEP_KIND}, {@link #DESTRUCTIVE}, {@link #ATTEMPT}, {@link #OUTCOME} and
 * {@link #ERROR_CODE}; approvals, checkpoints, skipped steps and check results are span events.
 * Everything comes from journal events, which are redacted, and is redacted again: no secret
 * reaches an exporter.
 *
 * <p>Metrics: {@code rollback.runs.started}, {@code rollback.runs.succeeded},
 * {@code rollback.runs.failed} (counters, by plan; failed counts every outcome that is not a
 * success) and {@code rollback.step.duration} (a histogram in seconds, by plan, step kind and
 * outcome).
 */
public final class RollbackTelemetry implements RunListener {
    /** The instrumentation scope. */
    public static final String SCOPE = "dev.rollback";
    /** The plan's name. */
    public static final AttributeKey<String> PLAN = AttributeKey.stringKey("rollback.plan");
    /** The run's id. */
    public static final AttributeKey<String> RUN_ID = AttributeKey.stringKey("rollback.run.id");
    /** Whether this invocation resumed an earlier one. */
    public static final AttributeKey<Boolean> RESUMED = AttributeKey.booleanKey("rollback.run.resumed");
    /** The phase's name. */
    public static final AttributeKey<String> PHASE = AttributeKey.stringKey("rollback.phase");
    /** The phase's budget in seconds. */
    public static final AttributeKey<Double> PHASE_BUDGET = AttributeKey.doubleKey("rollback.phase.budget_s");
    /** The step's name. */
    public static final AttributeKey<String> STEP = AttributeKey.stringKey("rollback.step.name");
    /** The step's position in the plan. */
    public static final AttributeKey<Long> STEP_INDEX = AttributeKey.longKey("rollback.step.index");
    /** The step's kind ({@code RESTORE}, {@code VERIFY}, ...). */
    public static final AttributeKey<String> STEP_KIND = AttributeKey.stringKey("rollback.step.kind");
    /** Whether the step is destructive. */
    public static final AttributeKey<Boolean> DESTRUCTIVE = AttributeKey.booleanKey("rollback.step.destructive");
    /** The attempt number, from 1. */
    public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("rollback.step.attempt");
    /** A step's outcome ({@code succeeded}, {@code failed}, {@code retrying}) or a run's ({@code SUCCEEDED}, {@code FAILED}, ...). */
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("rollback.outcome");
    /**
     * The failure's stable error code, such as {@code postgres.restore.failed} or {@code check.failed}
     * ({@code docs/errors.md}).
     */
    public static final AttributeKey<String> ERROR_CODE = AttributeKey.stringKey("rollback.error.code");
    /** A failure's message, redacted. */
    public static final AttributeKey<String> ERROR_MESSAGE = AttributeKey.stringKey("rollback.error.message");
    /** The type of the exception a step failed with, such as {@code java.io.IOException}. */
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("rollback.error.type");


    private final Tracer tracer;
    private final LongCounter started;
    private final LongCounter succeeded;
    private final LongCounter failed;
    private final DoubleHistogram stepDuration;
    private final Map<String, RunSpans> runs = new ConcurrentHashMap<>();

    private RollbackTelemetry(OpenTelemetry otel) {
        this.tracer = otel.getTracer(SCOPE);
        Meter meter = otel.getMeter(SCOPE);
        this.started = meter.counterBuilder("rollback.runs.started").setDescription("Rollback runs started or resumed").setUnit("{run}").build();
        this.succeeded = meter.counterBuilder("rollback.runs.succeeded").setDescription("Rollback runs that succeeded").setUnit("{run}").build();
        this.failed = meter.counterBuilder("rollback.runs.failed")
                .setDescription("Rollback runs that ended without success (failed, refused, needing approval)").setUnit("{run}").build();
        this.stepDuration = meter.histogramBuilder("rollback.step.duration").setDescription("Time of one step attempt").setUnit("s").build();
    }

    /**
     * @param openTelemetry the application's OpenTelemetry (its SDK with exporters, or
     *                      {@code GlobalOpenTelemetry.get()})
     * @return a listener that traces and measures every run it is given
     */
    public static RollbackTelemetry create(OpenTelemetry openTelemetry) {
        return new RollbackTelemetry(Objects.requireNonNull(openTelemetry, "openTelemetry"));
    }

    /** The open spans of one run. */
    private static final class RunSpans {
        final RollbackPlan plan;
        final Span run;
        Span phase;
        String phaseName;
        Span step;
        long stepStartNanos;
        boolean ended;

        RunSpans(RollbackPlan plan, Span run) {
            this.plan = plan;
            this.run = run;
        }
    }

    @Override
    public void runStarting(RollbackPlan plan, String runId, boolean resumed) {
        Span run = tracer.spanBuilder("rollback run " + plan.name()).setSpanKind(SpanKind.INTERNAL).setNoParent()
                .setAttribute(PLAN, plan.name()).setAttribute(RUN_ID, runId).setAttribute(RESUMED, resumed).startSpan();
        runs.put(runId, new RunSpans(plan, run));
        started.add(1, Attributes.of(PLAN, plan.name()));
    }

    @Override
    public void approvalRequested(RollbackPlan plan, PlannedStep step) {
        RunSpans r = find(plan);
        if (r != null) {
            r.run.addEvent("approval requested", Attributes.of(STEP, redact(step.name())));
        }
    }

    @Override
    public synchronized void event(RollbackPlan plan, JournalEvent event) {
        RunSpans r = runs.get(event.runId());
        if (r == null) {
            return;
        }
        if (event instanceof JournalEvent.StepStarted e) {
            PlannedStep planned = plan.stepAt(e.index()).orElse(null);
            enterPhase(r, planned == null ? null : planned.phase());
            Span parent = r.phase != null ? r.phase : r.run;
            r.step = tracer.spanBuilder("rollback step " + redact(e.step())).setParent(Context.current().with(parent))
                    .setAttribute(PLAN, plan.name()).setAttribute(RUN_ID, e.runId()).setAttribute(STEP, redact(e.step()))
                    .setAttribute(STEP_INDEX, (long) e.index()).setAttribute(STEP_KIND, e.kind().name())
                    .setAttribute(DESTRUCTIVE, planned != null && planned.destructive()).setAttribute(ATTEMPT, (long) e.attempt())
                    .setStartTimestamp(e.time()).startSpan();
            r.stepStartNanos = System.nanoTime();
        } else if (event instanceof JournalEvent.StepFinished e) {
            endStep(r, e.kind().name(), "succeeded", e.durationMillis(), e.checks(), null, e);
        } else if (event instanceof JournalEvent.StepFailed e) {
            endStep(r, e.kind().name(), e.willRetry() ? "retrying" : "failed", e.durationMillis(), e.checks(), e, e);
        } else if (event instanceof JournalEvent.StepSkipped e) {
            r.run.addEvent("step skipped", Attributes.of(STEP, redact(e.step()), STEP_INDEX, (long) e.index()), e.time());
        } else if (event instanceof JournalEvent.ApprovalGranted e) {
            r.run.addEvent("approval granted", Attributes.builder().put(STEP, redact(e.step())).put("rollback.approval.approver", redact(e.approver()))
                    .put("rollback.approval.method", redact(e.method())).build(), e.time());
        } else if (event instanceof JournalEvent.ApprovalRefused e) {
            r.run.addEvent("approval refused", Attributes.builder().put(STEP, redact(e.step())).put("rollback.approval.method", redact(e.method()))
                    .put("rollback.approval.reason", redact(e.reason())).build(), e.time());
        } else if (event instanceof JournalEvent.CheckpointReached e) {
            r.run.addEvent("checkpoint reached", Attributes.of(AttributeKey.stringKey("rollback.checkpoint"), redact(e.name())), e.time());
        } else if (event instanceof JournalEvent.RunFinished e) {
            endRun(r, e);
            runs.remove(e.runId());
        }
    }

    @Override
    public void runFinished(RunReport report) {
        RunSpans r = runs.remove(report.runId());
        if (r != null && !r.ended) {
            synchronized (this) {
                endRun(r, new JournalEvent.RunFinished(report.runId(), report.finishedAt(), report.outcome().name(),
                        report.failureIfAny().map(RunReport.Failure::step).orElse(null),
                        report.failureIfAny().map(RunReport.Failure::message).orElse(null), report.duration().toMillis()));
            }
        }
    }

    private void enterPhase(RunSpans r, String phase) {
        if (Objects.equals(phase, r.phaseName)) {
            return;
        }
        if (r.phase != null) {
            r.phase.end();
            r.phase = null;
        }
        r.phaseName = phase;
        if (phase != null) {
            double budget = r.plan.phases().stream().filter(p -> p.name().equals(phase)).findFirst()
                    .map(p -> p.budget().toMillis() / 1000.0).orElse(0.0);
            r.phase = tracer.spanBuilder("rollback phase " + redact(phase)).setParent(Context.current().with(r.run))
                    .setAttribute(PLAN, r.plan.name()).setAttribute(PHASE, redact(phase)).setAttribute(PHASE_BUDGET, budget).startSpan();
        }
    }

    private void endStep(RunSpans r, String kind, String outcome, long millis, List<CheckResult> checks,
                         JournalEvent.StepFailed failed, JournalEvent end) {
        Span s = r.step;
        if (s == null) {
            return;
        }
        for (CheckResult c : checks) {
            s.addEvent("check result", Attributes.builder().put("rollback.check.name", redact(c.name()))
                    .put("rollback.check.status", c.status().name()).put("rollback.check.measured", redact(c.measured()))
                    .put("rollback.check.expected", redact(c.expected())).put("rollback.check.message", redact(c.message())).build());
        }
        s.setAttribute(OUTCOME, outcome);
        if (failed != null) {
            s.setAttribute(ERROR_CODE, errorCode(failed));
            if (failed.errorType() != null) {
                s.setAttribute(ERROR_TYPE, failed.errorType());
            }
            s.setAttribute(ERROR_MESSAGE, redact(failed.error()));
            s.setStatus(StatusCode.ERROR, redact(failed.error()));
        }
        s.end(end.time());
        r.step = null;
        stepDuration.record(millis / 1000.0, Attributes.of(PLAN, r.plan.name(), STEP_KIND, kind, OUTCOME, outcome));
    }

    private void endRun(RunSpans r, JournalEvent.RunFinished e) {
        if (r.step != null) {
            r.step.setAttribute(OUTCOME, "interrupted");
            r.step.end();
            r.step = null;
        }
        if (r.phase != null) {
            r.phase.end();
            r.phase = null;
        }
        boolean success = e.outcome().startsWith("SUCCEEDED");
        r.run.setAttribute(OUTCOME, e.outcome());
        if (!success) {
            r.run.setStatus(StatusCode.ERROR, redact(e.outcome() + (e.failedStep() == null ? "" : " at " + e.failedStep())
                    + (e.message() == null ? "" : ": " + e.message())));
            if (e.failedStep() != null) {
                r.run.setAttribute(STEP, redact(e.failedStep()));
            }
        }
        r.run.end(e.time().toEpochMilli(), TimeUnit.MILLISECONDS);
        r.ended = true;
        (success ? succeeded : failed).add(1, Attributes.of(PLAN, r.plan.name(), OUTCOME, e.outcome()));
    }

    /** The failure's stable error code, as the runner journaled it ({@code step.failed} in a journal too old to hold one). */
    static String errorCode(JournalEvent.StepFailed e) {
        return e.errorCode() != null ? e.errorCode() : StepFailedException.CODE;
    }

    private RunSpans find(RollbackPlan plan) {
        return runs.values().stream().filter(r -> r.plan == plan && !r.ended).findFirst().orElse(null);
    }

    private static String redact(String s) {
        return s == null ? "" : Redactor.redact(s);
    }
}
