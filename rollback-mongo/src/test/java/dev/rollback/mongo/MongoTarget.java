package dev.rollback.mongo;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.net.InetSocketAddress;

/** A server the integration tests run against. */
public interface MongoTarget extends AutoCloseable {

    /** @return its connection string */
    String uri();

    /** @return a short name for test reports */
    String label();

    /** @return whether it is the in-process mongo-java-server (some server features differ) */
    boolean isInProcess();

    @Override
    void close();

    /** @return a new in-process wire-protocol server on a free port */
    static MongoTarget startInProcess() {
        MongoServer server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        String uri = "mongodb://" + address.getHostString() + ":" + address.getPort();
        return new MongoTarget() {
            @Override
            public String uri() {
                return uri;
            }

            @Override
            public String label() {
                return "mongo-java-server";
            }

            @Override
            public boolean isInProcess() {
                return true;
            }

            @Override
            public void close() {
                server.shutdownNow();
            }
        };
    }
}
