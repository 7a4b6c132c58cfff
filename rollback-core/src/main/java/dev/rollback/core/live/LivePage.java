package dev.rollback.core.live;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunListener;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * A read-only web page that follows a run as it happens: the current phase and step, each phase's
 * time against its budget, approvals being waited for, the last check results and failures, and
 * the timeline. Journal events reach the page as Server-Sent Events, already redacted as the
 * journal writes them; the page never shows a secret and changes nothing.
 *
 * <p>It uses the JDK's own HTTP server ({@code jdk.httpserver}), so it costs no dependency. It binds
 * {@code 127.0.0.1} by default and then only answers requests addressed to the loopback (a DNS
 * rebinding guard). Bound to any other address, every request must carry a random token, printed
 * with {@link #url()} at start.
 *
 * <pre>{@code
 * try (LivePage page = LivePage.start("127.0.0.1:8765")) {
 *     System.out.println("Live page: " + page.url());
 *     Rollback.runner().journal(journal).listener(page).run(plan);
 * }
 * }</pre>
 */
public final class LivePage implements RunListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LivePage.class);
    private static final int MAX_STREAMS = 16;
    private static final long KEEPALIVE_MILLIS = 10_000;

    private final HttpServer server;
    private final ExecutorService executor;
    private final LiveFeed feed = new LiveFeed();
    private final String token;
    private final boolean loopback;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private final byte[] page;
    private volatile Journal journal;

    private LivePage(InetSocketAddress address) throws IOException {
        this.loopback = address.getAddress().isLoopbackAddress();
        this.token = loopback ? null : HexFormat.of().formatHex(randomBytes());
        this.page = resource("live.html");
        this.server = HttpServer.create(address, 16);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "rollback-live");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /**
     * Starts a page.
     *
     * @param hostPort {@code PORT} (on 127.0.0.1) or {@code HOST:PORT}, {@code [IPv6]:PORT}; port 0 picks a free port
     * @return the running page
     * @throws IllegalArgumentException when the address is malformed or cannot be bound, naming it
     */
    public static LivePage start(String hostPort) {
        return start(address(hostPort));
    }

    /**
     * Starts a page.
     *
     * @param address where to listen
     * @return the running page
     * @throws IllegalArgumentException when it cannot be bound
     */
    public static LivePage start(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        try {
            return new LivePage(address);
        } catch (IOException e) {
            throw new IllegalArgumentException("Could not serve the live page on " + address.getHostString() + ":" + address.getPort()
                    + ": " + e.getMessage() + ". Pick a free port, or port 0 for any free one.", e);
        }
    }

    /**
     * Parses {@code [HOST:]PORT}.
     *
     * @param hostPort {@code PORT}, {@code HOST:PORT} or {@code [IPv6]:PORT}
     * @return the address; the host defaults to 127.0.0.1
     * @throws IllegalArgumentException naming the expected form
     */
    public static InetSocketAddress address(String hostPort) {
        Objects.requireNonNull(hostPort, "hostPort");
        String host = "127.0.0.1";
        String port = hostPort.trim();
        int colon = port.lastIndexOf(':');
        if (colon >= 0) {
            host = port.substring(0, colon);
            port = port.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 0 || p > 65535 || host.isBlank()) {
            throw new IllegalArgumentException("--live takes [HOST:]PORT, such as 8765 or 0.0.0.0:8765; got '" + hostPort + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (IOException e) {
            throw new IllegalArgumentException("--live: unknown host '" + host + "' in '" + hostPort + "'", e);
        }
    }

    /**
     * Lets a resumed run's page show what the run did before the resume, read from the journal.
     *
     * @param journal the run's journal
     * @return this
     */
    public LivePage journal(Journal journal) {
        this.journal = Objects.requireNonNull(journal, "journal");
        return this;
    }

    /** @return the address it listens on */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** @return the page's URL, with its token when it needs one; print it for the people who follow the run */
    public URI url() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? hostName() : a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort() + "/" + (token == null ? "" : "?token=" + token));
    }

    /** @return whether requests need the token (the page is bound to an address other than the loopback) */
    public boolean requiresToken() {
        return token != null;
    }

    @Override
    public void runStarting(RollbackPlan plan, String runId, boolean resumed) {
        feed.start(plan, runId);
        Journal j = journal;
        if (resumed && j != null) {
            j.read(plan.name(), runId).forEach(feed::journal);
        }
    }

    @Override
    public void approvalRequested(RollbackPlan plan, PlannedStep step) {
        feed.waiting(step);
    }

    @Override
    public void event(RollbackPlan plan, JournalEvent event) {
        feed.journal(event);
    }

    @Override
    public void progress(PlannedStep step, String message) {
        feed.progress(step, message);
    }

    @Override
    public void runFinished(RunReport report) {
        // the RunFinished event has reached the page; the page stays up until closed
    }

    /** Stops serving; open pages show that the run's page went away. */
    @Override
    public void close() {
        feed.close();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                send(ex, 405, "text/plain", "read-only: GET only");
                return;
            }
            String refusal = refusal(ex);
            if (refusal != null) {
                send(ex, 403, "text/plain", refusal);
                return;
            }
            switch (ex.getRequestURI().getPath()) {
                case "/" -> send(ex, 200, "text/html", page);
                case "/plan" -> send(ex, 200, "application/json", feed.planJson());
                case "/timeline.svg" -> send(ex, 200, "image/svg+xml", feed.timelineSvg());
                case "/events" -> stream(ex);
                default -> send(ex, 404, "text/plain", "not found");
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("live page request failed: {}", e.toString());
        }
    }

    /** Why a request is refused, or null: a wrong token, or a loopback page asked under another host name. */
    private String refusal(HttpExchange ex) {
        if (token != null) {
            String given = query(ex.getRequestURI().getRawQuery(), "token");
            if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
                return "This live page needs its token: open the URL printed when the run started (it ends in ?token=...).";
            }
            return null;
        }
        String host = ex.getRequestHeaders().getFirst("Host");
        int port = server.getAddress().getPort();
        Set<String> allowed = Set.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port);
        if (host == null || !allowed.contains(host.toLowerCase(Locale.ROOT))) {
            return "This live page answers on the loopback only (127.0.0.1:" + port + "); to reach it from elsewhere, start it with "
                    + "--live HOST:PORT, which requires a token.";
        }
        return null;
    }

    private void stream(HttpExchange ex) throws IOException {
        if (!streams.tryAcquire()) {
            send(ex, 503, "text/plain", "too many open live pages");
            return;
        }
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            headers(ex);
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            int last = parse(ex.getRequestHeaders().getFirst("Last-Event-ID"));
            out.write(("retry: 2000\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!feed.isClosed()) {
                List<LiveFeed.Item> items = feed.after(last, KEEPALIVE_MILLIS);
                if (items.isEmpty()) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                }
                for (LiveFeed.Item i : items) {
                    out.write(("id: " + i.id() + "\nevent: " + i.type() + "\ndata: " + i.json() + "\n\n").getBytes(StandardCharsets.UTF_8));
                    last = i.id();
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.release();
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        headers(ex);
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    private static void headers(HttpExchange ex) {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        ex.getResponseHeaders().set("X-Frame-Options", "DENY");
        ex.getResponseHeaders().set("Content-Security-Policy",
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:");
    }

    private static String query(String raw, String name) {
        if (raw == null) {
            return null;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).equals(name)) {
                return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static int parse(String s) {
        try {
            return s == null ? 0 : Math.max(0, Integer.parseInt(s.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = LivePage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("live page resource " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
