package dev.rollback.process;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpServer;
import dev.rollback.core.Confirmations;
import dev.rollback.core.FailurePolicy;
import dev.rollback.core.Notifier;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.StepOptions;
import dev.rollback.core.journal.InMemoryJournal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Webhook and log notifiers against a real local HTTP server. */
class NotifierIT {
    private HttpServer server;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Answers 500 for the first {@code failures} requests, then 200. Returns the secret URL. */
    private Secret serve(int failures) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/services/T000/B000/", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int n = requests.incrementAndGet();
            byte[] b = (n <= failures ? "internal_error" : "ok").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(n <= failures ? 500 : 200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        return Secret.of("http://127.0.0.1:" + server.getAddress().getPort() + "/services/T000/B000/hook-token-" + System.nanoTime());
    }

    @Test
    void postsSlackJsonAndRetriesAfterA500() throws Exception {
        Secret url = serve(1);
        String text = "Rollback \"nextcrm\" started\nby ops@example.com — 50% done {ok}";
        Webhook.slack(url).retry(3, Duration.ofMillis(50)).send(new Notifier.Notification("p", "r1", text));
        assertThat(requests).hasValue(2);
        Map<String, Object> json = JSON.std.mapFrom(bodies.get(1));
        assertThat(json).containsExactly(Map.entry("text", text));
    }

    @Test
    void failsAfterTheRetriesWithoutShowingTheUrl() throws Exception {
        Secret url = serve(100);
        Webhook.WebhookException e = catchThrowableOfType(Webhook.WebhookException.class, () ->
                Webhook.slack(url).retry(2, Duration.ofMillis(10)).send(new Notifier.Notification("p", "r", "hi")));
        assertThat(e.getMessage()).contains("failed after 2 attempt(s)").contains("answered 500")
                .doesNotContain(url.reveal()).doesNotContain("hook-token");
        assertThat(requests).hasValue(2);
        String log = Files.readString(Path.of(System.getProperty("org.slf4j.simpleLogger.logFile")));
        assertThat(log).doesNotContain(url.reveal());
    }

    @Test
    void timesOutOnAServerThatNeverAnswers() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Secret url = Secret.of("http://127.0.0.1:" + silent.getLocalPort() + "/hook/silent-" + System.nanoTime());
            Webhook.WebhookException e = catchThrowableOfType(Webhook.WebhookException.class, () ->
                    Webhook.slack(url).timeout(Duration.ofMillis(300)).retry(1, Duration.ZERO)
                            .send(new Notifier.Notification("p", "r", "hi")));
            assertThat(e.getMessage()).contains("no answer within the request timeout");
        }
    }

    @Test
    void aFailingNotificationDoesNotFailTheRollbackUnlessThePlanSaysSo() throws Exception {
        Secret url = serve(100);
        Webhook hook = Webhook.slack(url).retry(1, Duration.ZERO);
        RollbackPlan lenient = Rollback.plan("notify-plan").notify(hook, "started ${runId}")
                .step("work", ctx -> ctx.output("done", "yes")).build();
        RunReport ok = Rollback.runner().journal(InMemoryJournal.create()).confirmations(Confirmations.autoApprove("ci")).run(lenient);
        assertThat(ok.isSuccess()).isTrue();
        assertThat(ok.step("work")).isPresent();

        RollbackPlan strict = Rollback.plan("notify-strict").notify(hook, "started",
                StepOptions.defaults().onFailure(FailurePolicy.ABORT)).step("work", ctx -> { }).build();
        InMemoryJournal journal = InMemoryJournal.create();
        RunReport failed = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ci")).run(strict);
        assertThat(failed.isSuccess()).isFalse();
        assertThat(String.join("\n", journal.lines("notify-strict", failed.runId()))).doesNotContain(url.reveal());
    }

    @Test
    void logNotifierWritesToTheLog() throws Exception {
        String marker = "log-notifier-" + System.nanoTime();
        LogNotifier.create().send(new Notifier.Notification("plan-x", "run-y", marker));
        String log = Files.readString(Path.of(System.getProperty("org.slf4j.simpleLogger.logFile")));
        assertThat(log).contains("[plan-x run-y] " + marker);
    }

    @Test
    void withoutAnSlf4jBindingALogNotificationFailsSayingWhatToAddInsteadOfGoingNowhere() throws Exception {
        String cp = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !e.contains("slf4j-simple")).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                LogNotifierWithoutBindingMain.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("REFUSED: the notification went nowhere: this program has no SLF4J binding")
                .contains("org.slf4j:slf4j-simple").doesNotContain("SENT");
    }

    @Test
    void theRunnersLogDoesNotRepeatTheConsoleProgressButLogsStepsWithoutIt() throws Exception {
        Path logFile = Path.of(System.getProperty("org.slf4j.simpleLogger.logFile"));
        String quiet = "console-step-" + System.nanoTime();
        String loud = "logged-step-" + System.nanoTime();
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        Rollback.runner().journal(InMemoryJournal.create()).listener(dev.rollback.core.ConsoleProgress.to(new java.io.PrintStream(console, true)))
                .run(Rollback.plan("with-console").step(quiet, c -> { }).build());
        Rollback.runner().journal(InMemoryJournal.create()).run(Rollback.plan("without-console").step(loud, c -> { }).build());
        String log = Files.readString(logFile);
        assertThat(console.toString()).contains(quiet);
        assertThat(log).as("the console showed it; the log does not repeat it").doesNotContain(quiet)
                .doesNotContain("of plan 'with-console' ended");
        assertThat(log).contains("ACTION " + loud + " (attempt 1)").contains("of plan 'without-console' ended SUCCEEDED");
    }

    @Test
    void badWebhookUrlIsRejectedWithoutShowingIt() {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> Webhook.slack(Secret.of("ftp://hooks.example/secret-path-123")));
        assertThat(e.getMessage()).contains("http(s)").doesNotContain("secret-path-123");
    }
}
