package dev.rollback.test;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** A tiny application for the stand-in tests: answers 200 on any path; args: port, port file. */
public final class HelloApp {
    private HelloApp() {
    }

    /**
     * @param args port, port file
     * @throws IOException when it cannot bind
     */
    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])), 0);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, 2);
            ex.getResponseBody().write("ok".getBytes());
            ex.close();
        });
        server.start();
        Files.writeString(Path.of(args[1]), String.valueOf(server.getAddress().getPort()));
    }
}
