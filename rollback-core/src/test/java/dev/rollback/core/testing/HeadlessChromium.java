package dev.rollback.core.testing;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}), headless, driven over the DevTools protocol with the
 * JDK's WebSocket client: no WebDriver, no browser download. Starts with a new empty profile and the
 * flags this machine needs as root; {@link #unavailable()} says why it cannot start, for a skip.
 */
public final class HeadlessChromium implements AutoCloseable {
    /** Where Debian installs it; {@code CHROMIUM} overrides. */
    public static final Path BINARY = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private HeadlessChromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /** @return why Chromium cannot run here, or empty when it can */
    public static Optional<String> unavailable() {
        if (!Files.isExecutable(BINARY)) {
            return Optional.of(BINARY + " is not installed (apt-get install chromium; .ci/run installs it)");
        }
        try (HeadlessChromium c = start(1200, 800)) {
            return Optional.empty();
        } catch (Exception e) {
            return Optional.of("Chromium at " + BINARY + " does not start: " + e.getMessage());
        }
    }

    /**
     * @param width  window width
     * @param height window height
     * @return a running browser with one blank page
     * @throws IOException when it does not start within 30 s
     */
    public static HeadlessChromium start(int width, int height) throws IOException {
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> cmd = List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "about:blank");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            Instant deadline = Instant.now().plusSeconds(30);
            while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
                if (!p.isAlive()) {
                    throw new IOException("it exited with " + p.exitValue() + ": " + tail(profile.resolve("chromium.log")));
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IOException("no DevTools port after 30 s: " + tail(profile.resolve("chromium.log")));
                }
                Thread.sleep(100);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
            HttpClient http = HttpClient.newHttpClient();
            String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String ws = JSON.std.listFrom(list).stream().map(o -> (Map<?, ?>) o).filter(m -> "page".equals(m.get("type")))
                    .map(m -> (String) m.get("webSocketDebuggerUrl")).findFirst().orElseThrow(() -> new IOException("no page target: " + list));
            HeadlessChromium[] self = new HeadlessChromium[1];
            WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(ws), new WebSocket.Listener() {
                private final StringBuilder buffer = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    buffer.append(data);
                    if (last) {
                        String message = buffer.toString();
                        buffer.setLength(0);
                        self[0].received(message);
                    }
                    w.request(1);
                    return null;
                }
            }).get(30, TimeUnit.SECONDS);
            self[0] = new HeadlessChromium(p, profile, socket);
            self[0].call("Page.enable", Map.of());
            self[0].call("Runtime.enable", Map.of());
            return self[0];
        } catch (IOException e) {
            p.destroyForcibly();
            throw e;
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IOException(e.toString(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private void received(String message) {
        try {
            Map<String, Object> m = JSON.std.mapFrom(message);
            Object id = m.get("id");
            if (id instanceof Number n) {
                CompletableFuture<Map<String, Object>> f = pending.remove(n.intValue());
                if (f != null) {
                    if (m.containsKey("error")) {
                        f.completeExceptionally(new IllegalStateException("DevTools error: " + m.get("error")));
                    } else {
                        f.complete((Map<String, Object>) m.getOrDefault("result", Map.of()));
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends a DevTools command.
     *
     * @param method the method, such as {@code Page.navigate}
     * @param params its parameters
     * @return its result
     */
    public Map<String, Object> call(String method, Map<String, Object> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        pending.put(id, f);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("method", method);
        m.put("params", params);
        try {
            socket.sendText(JSON.std.asString(m), true).get(30, TimeUnit.SECONDS);
            return f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(method + " failed: " + e, e);
        }
    }

    /**
     * Opens a URL and waits until the document has loaded.
     *
     * @param url the URL
     */
    public void open(String url) {
        call("Page.navigate", Map.of("url", url));
        await(Duration.ofSeconds(30), () -> "complete".equals(eval("document.readyState")) && !"about:blank".equals(eval("location.href")));
    }

    /**
     * @param expression JavaScript
     * @return its value (a string, number, boolean, list or map)
     */
    @SuppressWarnings("unchecked")
    public Object eval(String expression) {
        Map<String, Object> r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (r.containsKey("exceptionDetails")) {
            throw new IllegalStateException("JavaScript failed: " + r.get("exceptionDetails"));
        }
        return ((Map<String, Object>) r.get("result")).get("value");
    }

    /**
     * @param expression JavaScript that yields a number
     * @return it
     */
    public int evalInt(String expression) {
        return ((Number) eval(expression)).intValue();
    }

    /**
     * Waits until a condition holds.
     *
     * @param timeout how long at most
     * @param condition the condition
     */
    public static void await(Duration timeout, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("condition not met within " + timeout);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    /**
     * Saves a PNG of the whole page.
     *
     * @param file where
     * @return the file
     * @throws IOException when it cannot be written
     */
    @SuppressWarnings("unchecked")
    public Path screenshot(Path file) throws IOException {
        Map<String, Object> metrics = call("Page.getLayoutMetrics", Map.of());
        Map<String, Object> size = (Map<String, Object>) metrics.getOrDefault("cssContentSize", metrics.get("contentSize"));
        double w = ((Number) size.get("width")).doubleValue();
        double h = Math.min(6000, ((Number) size.get("height")).doubleValue());
        Map<String, Object> clip = Map.of("x", 0, "y", 0, "width", w, "height", h, "scale", 1);
        Map<String, Object> r = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode((String) r.get("data")));
        return file;
    }

    @Override
    public void close() {
        socket.abort();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            List<Path> all = new ArrayList<>(files.sorted(Comparator.reverseOrder()).toList());
            for (Path f : all) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a profile file still held by an exiting helper process: the temp folder is cleaned by the OS
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
