package dev.rollback.mongo;

import com.mongodb.client.MongoClients;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MongoDBContainer;

/**
 * The same tests as {@link MongoRestoreIT}, against a real MongoDB started by Testcontainers.
 * Runs only when a Docker engine is present (JUnit reports it as disabled otherwise); the
 * in-process variant, {@link MongoRestoreIT}, always runs.
 */
@EnabledIf(value = "dockerAvailable", disabledReason = "no Docker engine: the real-MongoDB variant (time series restored as time series, users merged) needs one; the in-process variant, MongoRestoreIT, ran")
class MongoRestoreContainerIT extends MongoRestoreIT {

    static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    // Hides MongoRestoreIT.startServer: JUnit runs only this one for this class.
    @BeforeAll
    static void startServer() {
        MongoDBContainer container = new MongoDBContainer("mongo:7.0");
        container.start();
        String uri = container.getReplicaSetUrl("admin");
        target = new MongoTarget() {
            @Override
            public String uri() {
                return uri;
            }

            @Override
            public String label() {
                return "MongoDB 7.0 (Testcontainers)";
            }

            @Override
            public boolean isInProcess() {
                return false;
            }

            @Override
            public void close() {
                container.stop();
            }
        };
        client = MongoClients.create(uri);
    }
}
