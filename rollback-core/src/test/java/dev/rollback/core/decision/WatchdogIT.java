package dev.rollback.core.decision;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end: a real HTTP health endpoint starts failing; the watchdog, polling on its own
 * thread, fires after the sustained window and runs the plan exactly once, with the evidence in
 * the journal.
 */
class WatchdogIT {
    @TempDir
    Path dir;

    @Test
    void aHealthEndpointThatKeepsFailingTriggersTheRollbackOnce() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/health", ex -> {
            byte[] body = (healthy.get() ? "ok" : "database unavailable").getBytes();
            ex.sendResponseHeaders(healthy.get() ? 200 : 503, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/health");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            Check health = Check.of("health", c -> {
                int status = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                return status == 200 ? CheckResult.passed("health", status, 200) : CheckResult.failed("health", status, 200, "unhealthy");
            });

            AtomicInteger runs = new AtomicInteger();
            RollbackPlan plan = Rollback.plan("auto-rollback").step("roll back release", c -> runs.incrementAndGet()).build();
            FileJournal journal = FileJournal.in(dir);
            DecisionTable table = DecisionTable.of(Rule.must("health failing for 600 ms",
                    Condition.signal("health.failing").atLeast(1).sustainedFor(Duration.ofMillis(600))));
            AtomicReference<Instant> failingSince = new AtomicReference<>();

            try (Watchdog w = Watchdog.watch(table).signals(Signal.failing("health.failing", health)).every(Duration.ofMillis(50))
                    .onMust(plan, Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("watchdog")))
                    .start()) {
                // a few polls while healthy, the last one read as healthy (a first request can be slow on a loaded
                // machine): the failing streak can then only start after the endpoint turns unhealthy
                long polled = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while ((w.history().samples("health.failing").size() < 3
                        || w.history().latest("health.failing").orElseThrow().value() != 0) && System.nanoTime() < polled) {
                    Thread.sleep(20);
                }
                assertThat(w.history().samples("health.failing")).as("polled while healthy").hasSizeGreaterThanOrEqualTo(3)
                        .last().extracting(Sample::value).isEqualTo(0.0);
                assertThat(runs).as("healthy: nothing runs").hasValue(0);
                failingSince.set(Instant.now());
                healthy.set(false);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (w.triggeredRun().isEmpty() && w.triggerError().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(w.triggerError()).isEmpty();
                assertThat(w.state()).isEqualTo(Watchdog.State.TRIGGERED);
                assertThat(w.stop(Duration.ofSeconds(30))).as("the poller has ended").isTrue();
                assertThat(runs).as("the plan runs exactly once").hasValue(1);

                String runId = w.triggeredRun().orElseThrow().runId();
                JournalEvent.RunStarted started = (JournalEvent.RunStarted) journal.read("auto-rollback", runId).get(0);
                assertThat(started.reason()).contains("MUST 'health failing for 600 ms'").contains("health.failing = 1 >= 1 for");
                Instant triggeredAt = w.lastDecision().orElseThrow().time();
                assertThat(Duration.between(failingSince.get(), triggeredAt)).as("fired only after the sustained window")
                        .isGreaterThanOrEqualTo(Duration.ofMillis(600));
                assertThat(journal.runIds("auto-rollback")).hasSize(1);
            }
        } finally {
            server.stop(0);
        }
    }
}
