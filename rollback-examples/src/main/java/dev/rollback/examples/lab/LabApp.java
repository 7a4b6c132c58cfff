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
 * <p>NextCRM's API for seed 000's smoke tests, all answering 503 while the database is unreachable:
 * {@code POST /api/auth/signin} ({@code {"email", "password"}} checked against {@code LAB_SIGNIN=email:password}
 * in the env file; 200 with the token, else 401), and with {@code Authorization: Bearer <LAB_TOKEN>}
 * (else 401): {@code /api/crm/accounts} (a JSON list of accounts with ids), {@code /api/crm/accounts/<id>},
 * {@code /api/crm/opportunity}, {@code /api/reports/dashboard}.
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
        server.createContext("/api/auth/signin", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Optional<String> signin = setting(envFile, "LAB_SIGNIN");
            if (!databaseUp(envFile)) {
                send(ex, 503, "{\"error\":\"database unreachable\"}");
            } else if (ex.getRequestMethod().equals("POST") && signin.isPresent() && body.contains("\"email\":\"" + signin.get().split(":", 2)[0] + "\"")
                    && body.contains("\"password\":\"" + signin.get().split(":", 2)[1] + "\"")) {
                send(ex, 200, "{\"token\":\"" + setting(envFile, "LAB_TOKEN").orElse("") + "\"}");
            } else {
                send(ex, 401, "{\"error\":\"invalid credentials\"}");
            }
        });
        server.createContext("/api/crm/", ex -> crm(ex, envFile, ex.getRequestURI().getPath()));
        server.createContext("/api/reports/", ex -> crm(ex, envFile, ex.getRequestURI().getPath()));
        server.createContext("/", ex -> send(ex, 200, "{\"status\":\"ok\"}"));
        server.start();
        Path portFile = Path.of(args[3]);
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, String.valueOf(server.getAddress().getPort()));
        Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Optional<String> databaseUrl(Path envFile) {
        return setting(envFile, "DATABASE_URL");
    }

    private static Optional<String> setting(Path envFile, String key) {
        try {
            return Files.readAllLines(envFile).stream().map(String::trim).filter(l -> l.startsWith(key + "="))
                    .map(l -> l.substring(key.length() + 1).replaceAll("^[\"']|[\"']$", "")).reduce((a, b) -> b);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean databaseUp(Path envFile) {
        return databaseUrl(envFile).map(LabApp::reachable).orElse(false);
    }

    private static void crm(HttpExchange ex, Path envFile, String path) throws IOException {
        Optional<String> token = setting(envFile, "LAB_TOKEN");
        if (!databaseUp(envFile)) {
            send(ex, 503, "{\"error\":\"database unreachable\"}");
        } else if (token.isEmpty() || !("Bearer " + token.get()).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            send(ex, 401, "{\"error\":\"sign in first\"}");
        } else if (path.equals("/api/crm/accounts")) {
            send(ex, 200, "[{\"id\":\"acct-1\",\"name\":\"Account 1\"},{\"id\":\"acct-2\",\"name\":\"Account 2\"}]");
        } else if (path.startsWith("/api/crm/accounts/acct-")) {
            send(ex, 200, "{\"id\":\"" + path.substring("/api/crm/accounts/".length()) + "\"}");
        } else if (path.equals("/api/crm/opportunity") || path.equals("/api/reports/dashboard")) {
            send(ex, 200, "{\"items\":[]}");
        } else {
            send(ex, 404, "{\"error\":\"not found\"}");
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
