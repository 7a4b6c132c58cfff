package dev.rollback.otel;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Retry;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepOptions;
import dev.rollback.core.journal.InMemoryJournal;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Real runs through the real runner, traced into the OpenTelemetry SDK's in-memory exporters. */
class RollbackTelemetryTest {
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private OpenTelemetrySdk otel;

    @BeforeEach
    void sdk() {
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .build();
    }

    @AfterEach
    void close() {
        otel.close();
    }

    private static Step restore(String password) {
        return new Step() {
            public String name() { return "restore nextcrm"; }
            public boolean destructive() { return true; }
            public void execute(StepContext c) {
                c.checkResult(CheckResult.passed("foreign keys valid", "0 orphans", "0 orphans"));
                c.output("postgres.url", "postgresql://app:" + password + "@db/nextcrm");
            }
        };
    }

    @Test
    void aRunIsASpanWithItsPhasesAndStepsTheirAttributesApprovalsAndChecksAndNoSecret() {
        String password = "s3cret-Pa55word";
        Secret.of(password);
        AtomicInteger health = new AtomicInteger();
        RollbackPlan plan = Rollback.plan("nextcrm-back")
                .phase("Phase 1: prepare", Duration.ofMinutes(5), p -> p
                        .precheck(Check.of("backup readable", c -> CheckResult.passed("backup readable", "26 files", ">= 26")))
                        .capture("forensics", c -> { }))
                .phase("Phase 3: restore", Duration.ofMinutes(12), p -> p
                        .restore(restore(password))
                        .verify(Check.of("health", c -> health.incrementAndGet() < 2
                                        ? CheckResult.failed("health", 503, 200, "not yet; password=" + password)
                                        : CheckResult.passed("health", 200, 200)),
                                StepOptions.defaults().retry(Retry.times(3).delay(Duration.ofMillis(1)))))
                .build();

        RunReport run = Rollback.runner().journal(InMemoryJournal.create()).confirmations(Confirmations.autoApprove("dba@example.com"))
                .listener(RollbackTelemetry.create(otel)).run(plan);
        assertThat(run.isSuccess()).isTrue();

        List<SpanData> all = spans.getFinishedSpanItems();
        SpanData runSpan = one(all, "rollback run nextcrm-back");
        assertThat(runSpan.getParentSpanContext().isValid()).isFalse();
        assertThat(runSpan.getAttributes().get(RollbackTelemetry.RUN_ID)).isEqualTo(run.runId());
        assertThat(runSpan.getAttributes().get(RollbackTelemetry.OUTCOME)).isEqualTo("SUCCEEDED");
        assertThat(runSpan.getEvents()).extracting(EventData::getName).contains("approval requested", "approval granted");
        EventData granted = runSpan.getEvents().stream().filter(e -> e.getName().equals("approval granted")).findFirst().orElseThrow();
        assertThat(granted.getAttributes().get(AttributeKey.stringKey("rollback.approval.approver"))).isEqualTo("dba@example.com");

        SpanData phase1 = one(all, "rollback phase Phase 1: prepare");
        SpanData phase3 = one(all, "rollback phase Phase 3: restore");
        assertThat(phase1.getParentSpanId()).isEqualTo(runSpan.getSpanId());
        assertThat(phase3.getAttributes().get(RollbackTelemetry.PHASE_BUDGET)).isEqualTo(720.0);

        SpanData restore = one(all, "rollback step restore nextcrm");
        assertThat(restore.getParentSpanId()).isEqualTo(phase3.getSpanId());
        assertThat(restore.getAttributes().get(RollbackTelemetry.STEP_KIND)).isEqualTo("RESTORE");
        assertThat(restore.getAttributes().get(RollbackTelemetry.DESTRUCTIVE)).isTrue();
        assertThat(restore.getAttributes().get(RollbackTelemetry.ATTEMPT)).isEqualTo(1L);
        assertThat(restore.getAttributes().get(RollbackTelemetry.OUTCOME)).isEqualTo("succeeded");
        assertThat(restore.getAttributes().get(RollbackTelemetry.PLAN)).isEqualTo("nextcrm-back");
        assertThat(restore.getEvents()).singleElement().satisfies(e -> {
            assertThat(e.getName()).isEqualTo("check result");
            assertThat(e.getAttributes().get(AttributeKey.stringKey("rollback.check.name"))).isEqualTo("foreign keys valid");
            assertThat(e.getAttributes().get(AttributeKey.stringKey("rollback.check.status"))).isEqualTo("PASSED");
        });

        List<SpanData> healthSpans = all.stream().filter(s -> s.getName().equals("rollback step health")).toList();
        assertThat(healthSpans).extracting(s -> s.getAttributes().get(RollbackTelemetry.ATTEMPT)).containsExactly(1L, 2L);
        SpanData firstHealth = healthSpans.get(0);
        assertThat(firstHealth.getAttributes().get(RollbackTelemetry.OUTCOME)).isEqualTo("retrying");
        assertThat(firstHealth.getAttributes().get(RollbackTelemetry.ERROR_CODE)).isEqualTo("check.failed");
        assertThat(firstHealth.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);

        // no secret anywhere: attributes, event attributes, status descriptions
        for (SpanData s : all) {
            assertThat(s.toString()).doesNotContain(password);
        }

        Collection<MetricData> m = metrics.collectAllMetrics();
        assertThat(sum(m, "rollback.runs.started")).isEqualTo(1);
        assertThat(sum(m, "rollback.runs.succeeded")).isEqualTo(1);
        assertThat(sum(m, "rollback.runs.failed")).isZero();
        MetricData duration = m.stream().filter(x -> x.getName().equals("rollback.step.duration")).findFirst().orElseThrow();
        assertThat(duration.getUnit()).isEqualTo("s");
        assertThat(duration.getHistogramData().getPoints().stream().mapToLong(HistogramPointData::getCount).sum())
                .as("one measure per attempt: 2 + restore + 2 health").isEqualTo(5);
    }

    @Test
    void aFailedRunIsAnErrorWithTheFailuresCodeAndCountsAsFailed() {
        RollbackPlan plan = Rollback.plan("failing")
                .step("migrate down", c -> { throw new IllegalStateException("prisma exited 1"); })
                .step("never", c -> { })
                .build();
        RunReport run = Rollback.runner().journal(InMemoryJournal.create()).listener(RollbackTelemetry.create(otel)).run(plan);
        assertThat(run.isSuccess()).isFalse();

        List<SpanData> all = spans.getFinishedSpanItems();
        SpanData step = one(all, "rollback step migrate down");
        assertThat(step.getAttributes().get(RollbackTelemetry.OUTCOME)).isEqualTo("failed");
        assertThat(step.getAttributes().get(RollbackTelemetry.ERROR_CODE)).isEqualTo("step.failed");
        assertThat(step.getAttributes().get(RollbackTelemetry.ERROR_TYPE)).isEqualTo("java.lang.IllegalStateException");
        assertThat(step.getAttributes().get(RollbackTelemetry.ERROR_MESSAGE)).contains("prisma exited 1");
        SpanData runSpan = one(all, "rollback run failing");
        assertThat(runSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(runSpan.getStatus().getDescription()).contains("FAILED at migrate down");
        assertThat(all).noneMatch(s -> s.getName().equals("rollback step never"));

        Collection<MetricData> m = metrics.collectAllMetrics();
        assertThat(sum(m, "rollback.runs.started")).isEqualTo(1);
        assertThat(sum(m, "rollback.runs.failed")).isEqualTo(1);
        assertThat(sum(m, "rollback.runs.succeeded")).isZero();
    }

    private static SpanData one(List<SpanData> spans, String name) {
        List<SpanData> found = spans.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(found).as("spans named %s among %s", name, spans.stream().map(SpanData::getName).toList()).hasSize(1);
        return found.get(0);
    }

    private static long sum(Collection<MetricData> metrics, String name) {
        return metrics.stream().filter(x -> x.getName().equals(name))
                .flatMap(x -> x.getLongSumData().getPoints().stream()).mapToLong(LongPointData::getValue).sum();
    }
}
