package dev.rollback.core.live;

import dev.rollback.core.Confirmations;
import dev.rollback.core.ConsoleProgress;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.testing.HeadlessChromium;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The live page over plain HTTP: what it serves, to whom, and that no secret leaves it. */
class LivePageTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesThePageThePlanAndEveryJournalEventAsServerSentEventsWithoutSecrets() throws Exception {
        String password = "pw-Live-1234";
        Secret.of(password);
        RollbackPlan plan = Rollback.plan("live")
                .phase("Phase 1", Duration.ofMinutes(1), p -> p
                        .step("connect", c -> c.output("db.url", "postgresql://app:" + password + "@db/crm"))
                        .step("report progress", c -> c.progress("restored 400 of 1000 rows; password=" + password)))
                .build();
        try (LivePage page = LivePage.start("0")) {
            assertThat(page.address().getAddress().isLoopbackAddress()).isTrue();
            assertThat(page.requiresToken()).isFalse();
            assertThat(page.url().toString()).isEqualTo("http://127.0.0.1:" + page.address().getPort() + "/");
            RunReport run = Rollback.runner().journal(FileJournal.in(dir)).listener(page).run(plan);

            HttpResponse<String> html = get(page.url());
            assertThat(html.statusCode()).isEqualTo(200);
            assertThat(html.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(html.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).contains("default-src 'none'"));
            assertThat(html.body()).contains("<ol id=\"steps\">").contains("new EventSource(\"/events\" + q)");
            assertThat(get(page.url().resolve("/plan")).body()).contains("\"plan\":\"live\"").contains("\"runId\":\"" + run.runId() + "\"")
                    .contains("\"name\":\"report progress\"").contains("\"budgetMs\":60000");
            assertThat(get(page.url().resolve("/timeline.svg")).body()).startsWith("<svg class=\"timeline\"");

            String stream = readEvents(page.url().resolve("/events"), "RunFinished");
            assertThat(stream).contains("event: journal\ndata: {\"v\":1,\"type\":\"RunStarted\"")
                    .contains("\"type\":\"StepFinished\"").contains("event: progress").contains("restored 400 of 1000 rows")
                    .contains("id: 1\n").doesNotContain(password);
            assertThat(get(page.url().resolve("/nothing")).statusCode()).isEqualTo(404);
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(page.url()).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).as("read-only").isEqualTo(405);
        }
    }

    @Test
    void everyAnswerCarriesTheHeadersThatKeepThePagePrivate() throws Exception {
        try (LivePage page = LivePage.start("0")) {
            for (String path : List.of("/", "/plan", "/nothing")) {
                HttpResponse<String> r = get(page.url().resolve(path));
                assertThat(r.headers().firstValue("Cache-Control")).as(path).hasValue("no-store");
                assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
                assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
                assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
                assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).hasValue(
                        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:");
            }
            HttpResponse<String> head = http.send(HttpRequest.newBuilder(page.url()).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        }
    }

    @Test
    void addressesTakePortOrHostAndPortWithinTheirLimits() {
        assertThat(LivePage.address("8765")).isEqualTo(new InetSocketAddress("127.0.0.1", 8765));
        assertThat(LivePage.address(" 0.0.0.0:0 ")).isEqualTo(new InetSocketAddress("0.0.0.0", 0));
        assertThat(LivePage.address("127.0.0.1:65535").getPort()).isEqualTo(65535);
        assertThat(LivePage.address("[::1]:8765").getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        for (String bad : List.of("65536", "-1", ":8765", "abc", "127.0.0.1:", "[]:80")) {
            assertThatThrownBy(() -> LivePage.address(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--live takes [HOST:]PORT, such as 8765 or 0.0.0.0:8765; got '" + bad + "'");
        }
    }

    @Test
    void onTheLoopbackItAnswersOnlyToLoopbackHostNames() throws Exception {
        try (LivePage page = LivePage.start("127.0.0.1:0")) {
            int port = page.address().getPort();
            assertThat(rawGet(port, "127.0.0.1:" + port)).startsWith("HTTP/1.1 200");
            assertThat(rawGet(port, "localhost:" + port)).startsWith("HTTP/1.1 200");
            assertThat(rawGet(port, "attacker.example:" + port)).as("a DNS-rebinding page is refused").startsWith("HTTP/1.1 403");
        }
    }

    @Test
    void boundElsewhereEveryRequestNeedsTheRandomTokenPrintedAtStart() throws Exception {
        InetAddress nonLoopback = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                .filter(a -> !a.isLoopbackAddress() && a instanceof java.net.Inet4Address).findFirst().orElse(null);
        InetSocketAddress where = nonLoopback == null ? new InetSocketAddress("0.0.0.0", 0) : new InetSocketAddress(nonLoopback, 0);
        try (LivePage page = LivePage.start(where); LivePage other = LivePage.start(where)) {
            assertThat(page.requiresToken()).isTrue();
            String token = page.url().getQuery().replace("token=", "");
            assertThat(token).matches("[0-9a-f]{32}");
            assertThat(other.url().getQuery()).as("random per page").isNotEqualTo(page.url().getQuery());
            URI base = URI.create("http://" + (nonLoopback == null ? "127.0.0.1" : nonLoopback.getHostAddress()) + ":" + page.address().getPort());
            assertThat(get(base.resolve("/")).statusCode()).isEqualTo(403);
            assertThat(get(base.resolve("/")).body()).contains("needs its token");
            assertThat(get(base.resolve("/plan?token=" + "0".repeat(32))).statusCode()).isEqualTo(403);
            assertThat(get(base.resolve("/events?token=wrong")).statusCode()).isEqualTo(403);
            assertThat(get(base.resolve("/?token=" + token)).statusCode()).isEqualTo(200);
            assertThat(get(base.resolve("/plan?token=" + token)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aBadAddressIsAClearError() {
        assertThatThrownBy(() -> LivePage.start("localhost:http")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--live takes [HOST:]PORT, such as 8765 or 0.0.0.0:8765; got 'localhost:http'");
        assertThatThrownBy(() -> LivePage.start("70000")).hasMessageContaining("--live takes [HOST:]PORT");
        try (LivePage page = LivePage.start("0")) {
            assertThatThrownBy(() -> LivePage.start("127.0.0.1:" + page.address().getPort()))
                    .hasMessageContaining("Could not serve the live page on 127.0.0.1:" + page.address().getPort())
                    .hasMessageContaining("Pick a free port");
        }
        assertThat(LivePage.address("[::1]:8765").getAddress().isLoopbackAddress()).isTrue();
        assertThat(LivePage.address("8765").getHostString()).isEqualTo("127.0.0.1");
    }

    @Test
    void aWatchFollowsARunFromItsJournalUntilItEnds() throws Exception {
        FileJournal journal = FileJournal.in(dir);
        java.util.concurrent.Semaphore gate = new java.util.concurrent.Semaphore(0);
        RollbackPlan plan = Rollback.plan("watched")
                .step("first", c -> { })
                .step("slow", c -> gate.tryAcquire(30, TimeUnit.SECONDS))
                .step("last", c -> { })
                .build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> notices = new CopyOnWriteArrayList<>();
        CompletableFuture<Optional<JournalEvent.RunFinished>> watch = CompletableFuture.supplyAsync(() ->
                RunWatch.of(journal, plan, "latest").pollEvery(Duration.ofMillis(50)).noticeQuietAfter(Duration.ofMillis(300), notices::add)
                        .follow(ConsoleProgress.to(new PrintStream(out, true, StandardCharsets.UTF_8))));
        // Wait on what the watch says, not on the clock: first that no run exists yet, then (while the
        // slow step holds the run) that the run has been quiet.
        HeadlessChromium.await(Duration.ofSeconds(30), () -> notices.contains("No run of plan 'watched' yet; waiting for the first one."));
        CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> Rollback.runner().journal(journal)
                .confirmations(Confirmations.none()).run(plan));
        HeadlessChromium.await(Duration.ofSeconds(30), () -> notices.stream().anyMatch(n -> n.startsWith("No new event in run ")));
        gate.release();
        RunReport report = run.get(30, TimeUnit.SECONDS);
        Optional<JournalEvent.RunFinished> end = watch.get(30, TimeUnit.SECONDS);
        assertThat(end).hasValueSatisfying(f -> assertThat(f.outcome()).isEqualTo("SUCCEEDED"));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("Run " + report.runId() + " of plan 'watched'").contains("[1/3] action       first")
                .contains("[3/3] action       last").contains("ok in");
        assertThat(notices).contains("No run of plan 'watched' yet; waiting for the first one.");
        assertThat(notices).anyMatch(n -> n.startsWith("No new event in run " + report.runId()));
        assertThatThrownBy(() -> RunWatch.of(journal, plan, "20990101-000000-0000").follow())
                .hasMessageContaining("No run 20990101-000000-0000 of plan 'watched'").hasMessageContaining(report.runId());
    }

    private static String rawGet(int port, String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET /plan HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Reads the event stream until a line holds {@code until}. */
    private String readEvents(URI uri, String until) throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
        StringBuilder b = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                b.append(line).append('\n');
                if (line.contains(until)) {
                    break;
                }
            }
        }
        return b.toString();
    }
}
