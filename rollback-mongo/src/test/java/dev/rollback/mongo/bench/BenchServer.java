package dev.rollback.mongo.bench;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.net.InetSocketAddress;

/**
 * The in-process wire-protocol server, started in its own JVM by {@link RestoreBenchmark} so that
 * the documents the server holds do not count in the client's heap. Prints its port, then serves
 * until its standard input closes.
 */
public final class BenchServer {
    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        MongoServer server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        System.out.println("PORT " + address.getPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the parent closes our stdin
        }
        server.shutdownNow();
    }
}
