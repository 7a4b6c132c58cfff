package dev.rollback.examples.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The application the drills stop and start: a small HTTP server, run as its own process by the
 * stand-ins. {@code /api/health} answers 200 when the database named by {@code DATABASE_URL} in its
 * env file accepts connections and 503 otherwise; {@code /api/version} answers the release in the
 * deploy folder's {@code VERSION} file; {@code /} answers 200.
 *
 * <p>Arguments: env file, deploy folder (or {@code -}), port (0 for any), port file.
 */
public final class LabApp {
    private LabApp() {
    }

    /**
     * @param args env file, deploy folder or "-", port, port file
     * @throws IOException when it cannot bind
     */
    public static void main(String[] args) throws IOException {
        Path envFile = Path.of(args[0]);
        Optional<Path> deploy = args[1].equals("-") ? Optional.empty() : Optional.of(Path.of(args[1]));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[2])), 0);
        server.createContext("/api/health", ex -> {
            Optional<String> url = databaseUrl(envFile);
            boolean ok = url.map(LabApp::reachable).orElse(false);
            String scheme = url.map(u -> URI.create(u).getScheme()).orElse("none");
            send(ex, ok ? 200 : 503, "{\"status\":\"" + (ok ? "ok" : "database unreachable") + "\",\"database\":\"" + scheme + "\"}");
        });
        server.createContext("/api/version", ex -> send(ex, 200, deploy.map(LabApp::version).orElse("unknown")));
        server.createContext("/", ex -> send(ex, 200, "{\"status\":\"ok\"}"));
        server.start();
        Path portFile = Path.of(args[3]);
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, String.valueOf(server.getAddress().getPort()));
        Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Optional<String> databaseUrl(Path envFile) {
        try {
            return Files.readAllLines(envFile).stream().map(String::trim).filter(l -> l.startsWith("DATABASE_URL="))
                    .map(l -> l.substring("DATABASE_URL=".length()).replaceAll("^[\"']|[\"']$", "")).reduce((a, b) -> b);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean reachable(String url) {
        try {
            URI u = URI.create(url.startsWith("jdbc:") ? url.substring(5) : url);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 5432 : u.getPort()), 1000);
                return true;
            }
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private static String version(Path deploy) {
        try {
            return Files.readString(deploy.resolve("VERSION")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }
}
