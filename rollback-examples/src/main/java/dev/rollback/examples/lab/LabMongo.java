package dev.rollback.examples.lab;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.net.InetSocketAddress;

/**
 * A real MongoDB wire-protocol server in this process (mongo-java-server, in memory), for the
 * demo and the drills. The library talks to it through the ordinary MongoDB Java driver.
 */
public final class LabMongo implements AutoCloseable {
    private final MongoServer server;
    private final String uri;

    private LabMongo(MongoServer server, String uri) {
        this.server = server;
        this.uri = uri;
    }

    /** @return a running server on a free loopback port */
    public static LabMongo start() {
        MongoServer server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        return new LabMongo(server, "mongodb://127.0.0.1:" + address.getPort());
    }

    /** @return the connection string */
    public String uri() {
        return uri;
    }

    /** @return a new client; close it */
    public MongoClient client() {
        return MongoClients.create(uri);
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
