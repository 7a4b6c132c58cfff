package dev.rollback.process;

import dev.rollback.test.TestStepContext;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HTTP checks against real HTTP servers in the test JVM. */
class HttpIT {
    private final List<HttpServer> servers = new ArrayList<>();
    private final List<ServerSocket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        servers.forEach(s -> s.stop(0));
        for (ServerSocket s : sockets) {
            s.close();
        }
    }

    private String serve(int port, int status, String contentType, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", ex -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", contentType);
            ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        });
        server.start();
        servers.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/health";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A small CRM: sign-in checks the password, the lists and items need the token. */
    private String crm(List<String> bodies) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            bodies.add(ex.getRequestMethod() + " " + path + " " + ex.getRequestHeaders().getFirst("Content-Type") + " " + body);
            boolean token = "Bearer tok-1".equals(ex.getRequestHeaders().getFirst("Authorization"));
            int status;
            String out;
            if (path.equals("/api/auth/signin")) {
                status = ex.getRequestMethod().equals("POST") && body.contains("\"password\":\"pw-secret-77\"") ? 200 : 401;
                out = "{\"token\":\"tok-1\"}";
            } else if (!token) {
                status = 401;
                out = "{}";
            } else if (path.equals("/api/crm/accounts")) {
                status = 200;
                out = "[{\"id\":\"acct 7\"},{\"id\":\"acct-8\"}]";
            } else if (path.equals("/api/crm/accounts/acct 7")) {
                status = 200;
                out = "{\"id\":\"acct 7\"}";
            } else if (path.equals("/api/crm/empty")) {
                status = 200;
                out = "[]";
            } else {
                status = 404;
                out = "{}";
            }
            byte[] b = out.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        });
        server.start();
        servers.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void postsAJsonSignInWithTheSecretOnlyInTheRequest() throws Exception {
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        String app = crm(seen);
        Secret pw = Secret.of("pw-secret-77");
        HttpCheck signIn = Http.post(app + "/api/auth/signin").jsonBody(java.util.Map.of("email", "test@example.com", "password", pw));

        CheckResult ok = signIn.check(null);
        assertThat(ok.isPassed()).as(ok.summary()).isTrue();
        assertThat(seen).anyMatch(r -> r.startsWith("POST /api/auth/signin application/json {") && r.contains("\"email\":\"test@example.com\""));
        assertThat(signIn.name()).isEqualTo("POST " + app + "/api/auth/signin");
        assertThat(signIn.describe().toString()).contains("\"password\":" + Secret.MASK).doesNotContain("pw-secret-77");

        CheckResult refused = Http.post(app + "/api/auth/signin").jsonBody(java.util.Map.of("email", "test@example.com", "password",
                Secret.of("wrong"))).check(null);
        assertThat(refused.isPassed()).isFalse();
        assertThat(refused.message()).contains("POST").contains("answered 401").doesNotContain("wrong");
        assertThatThrownBy(() -> Http.get(app).jsonBody(java.util.Map.of("a", "b"))).hasMessageContaining("Http.post(url)");
    }

    @Test
    void followsTheFirstItemOfAListWithTheSameToken() throws Exception {
        String app = crm(java.util.Collections.synchronizedList(new ArrayList<>()));
        Secret token = Secret.of("tok-1");
        var detail = Http.follow(Http.get(app + "/api/crm/accounts?take=1").bearer(token), "0.id", app + "/api/crm/accounts/{}");

        CheckResult r = detail.check(null);
        assertThat(r.isPassed()).as(r.summary()).isTrue();
        assertThat(r.measured()).contains("0.id = acct 7");
        assertThat(detail.describe().commands()).containsExactly("GET " + app + "/api/crm/accounts?take=1", "GET " + app + "/api/crm/accounts/<0.id>");

        CheckResult empty = Http.follow(Http.get(app + "/api/crm/empty").bearer(token), "0.id", app + "/api/crm/accounts/{}").check(null);
        assertThat(empty.isPassed()).isFalse();
        assertThat(empty.message()).contains("no 0.id").contains("no item to open");
        CheckResult noToken = Http.follow(Http.get(app + "/api/crm/accounts"), "0.id", app + "/api/crm/accounts/{}").check(null);
        assertThat(noToken.isPassed()).isFalse();
        assertThat(noToken.message()).contains("answered 401");
        assertThatThrownBy(() -> Http.follow(Http.get(app), "0.id", app + "/api/crm/accounts")).hasMessageContaining("needs {}");
    }

    @Test
    void passesOnExpectedStatusBodyAndJsonField() throws Exception {
        String url = serve(0, 200, "application/json", "{\"status\":\"ok\",\"db\":{\"kind\":\"mongodb\",\"collections\":26}}");
        assertThat(Http.get(url).check(null).isPassed()).isTrue();
        assertThat(Http.get(url).expectBodyContains("\"ok\"").check(null).isPassed()).isTrue();
        assertThat(Http.get(url).expectJson("db.kind", "mongodb").expectJson("db.collections", "26").check(null).isPassed()).isTrue();
        CheckResult wrong = Http.get(url).expectJson("db.kind", "postgresql").check(null);
        assertThat(wrong.isPassed()).isFalse();
        assertThat(wrong.message()).contains("db.kind is mongodb, expected postgresql");
        CheckResult missing = Http.get(url).expectBodyContains("healthy").check(null);
        assertThat(missing.isPassed()).isFalse();
        assertThat(missing.message()).contains("does not contain 'healthy'");
    }

    @Test
    void failsOn500WithStatusAndBodySnippet() throws Exception {
        String url = serve(0, 500, "text/plain", "database unavailable");
        CheckResult r = Http.get(url).expectStatus(200).check(null);
        assertThat(r.isPassed()).isFalse();
        assertThat(r.measured()).isEqualTo("status 500");
        assertThat(r.message()).contains("answered 500").contains("database unavailable");
    }

    @Test
    void retriesUntilALateServerComesUp() throws Exception {
        int port = freePort();
        String url = "http://127.0.0.1:" + port + "/api/health";
        Thread late = new Thread(() -> {
            try {
                Thread.sleep(1500);
                serve(port, 200, "text/plain", "up");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        late.start();
        TestStepContext ctx = TestStepContext.in(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
        CheckResult r = Http.get(url).retry(20, Duration.ofMillis(300)).check(ctx);
        late.join();
        assertThat(r.isPassed()).isTrue();
        assertThat(ctx.progress()).isNotEmpty().allMatch(p -> p.contains("connection refused"));
    }

    @Test
    void givesUpAfterTheRetriesWithTheLastFailure() throws Exception {
        String url = "http://127.0.0.1:" + freePort() + "/api/health";
        CheckResult r = Http.get(url).retry(3, Duration.ofMillis(50)).check(null);
        assertThat(r.isPassed()).isFalse();
        assertThat(r.message()).contains("connection refused").contains("after 3 attempts");
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        sockets.add(silent);
        List<Socket> held = new ArrayList<>();
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    held.add(silent.accept()); // accept and never answer
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        String url = "http://127.0.0.1:" + silent.getLocalPort() + "/api/health";
        CheckResult r = Http.get(url).requestTimeout(Duration.ofMillis(500)).check(null);
        assertThat(r.isPassed()).isFalse();
        assertThat(r.message()).contains("no answer within the request timeout");
        CheckResult down = Http.down(url).requestTimeout(Duration.ofMillis(500)).check(null);
        assertThat(down.isPassed()).isTrue();
        assertThat(down.measured()).isEqualTo("no answer within the request timeout");
    }

    @Test
    void downPassesOnRefusedAnd5xxAndFailsWhileUp() throws Exception {
        assertThat(Http.down("http://127.0.0.1:" + freePort() + "/").check(null).measured()).isEqualTo("connection refused");
        assertThat(Http.down(serve(0, 503, "text/plain", "stopping")).check(null).isPassed()).isTrue();
        CheckResult up = Http.down(serve(0, 200, "text/plain", "up")).retry(2, Duration.ofMillis(10)).check(null);
        assertThat(up.isPassed()).isFalse();
        assertThat(up.message()).contains("still answers status 200").contains("still up");
    }

    @Test
    void bearerTokenIsSentButNeverShown() throws Exception {
        Secret token = Secret.of("bearer-token-77aa");
        AtomicInteger authorized = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            boolean ok = ("Bearer " + token.reveal()).equals(ex.getRequestHeaders().getFirst("Authorization"));
            if (ok) {
                authorized.incrementAndGet();
            }
            ex.sendResponseHeaders(ok ? 200 : 401, -1);
            ex.close();
        });
        server.start();
        servers.add(server);
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/accounts";
        assertThat(Http.get(url).check(null).measured()).isEqualTo("status 401");
        HttpCheck withToken = Http.get(url).bearer(token);
        assertThat(withToken.check(null).isPassed()).isTrue();
        assertThat(authorized).hasValue(1);
        assertThat(withToken.describe().toString()).doesNotContain(token.reveal()).contains(Secret.MASK);
    }

    @Test
    void smokeTestGivesOneResultPerCheck() throws Exception {
        String ok = serve(0, 200, "application/json", "{\"status\":\"ok\"}");
        String broken = serve(0, 500, "text/plain", "boom");
        SmokeTest smoke = Http.smoke("smoke", Http.get(ok).named("health"), Http.get(broken).named("accounts"),
                Http.get(ok).expectJson("status", "ok").named("status field"));
        List<CheckResult> results = smoke.runAll(null);
        assertThat(results).extracting(CheckResult::name).containsExactly("health", "accounts", "status field");
        assertThat(results).extracting(CheckResult::isPassed).containsExactly(true, false, true);
        CheckResult all = smoke.check(null);
        assertThat(all.isPassed()).isFalse();
        assertThat(all.measured()).isEqualTo("2/3 passed");
        assertThat(all.message()).contains("accounts").contains("500");
        assertThat(smoke.describe().commands()).containsExactly("GET " + ok, "GET " + broken, "GET " + ok);
    }

    @Test
    void badInputIsRejected() {
        assertThatThrownBy(() -> Http.get("ftp://host/x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not an http(s) URL");
        assertThatThrownBy(() -> Http.get("http://exa mple")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not a valid URL");
        assertThatThrownBy(() -> Http.get(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        assertThatThrownBy(() -> Http.get("http://h/").retry(0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1 attempt");
        assertThatThrownBy(() -> Http.get("http://h/").expectStatus(42)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not an HTTP status code");
        assertThatThrownBy(() -> Http.smoke("empty")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one check");
    }
}
