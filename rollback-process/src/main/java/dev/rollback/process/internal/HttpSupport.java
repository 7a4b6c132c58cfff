package dev.rollback.process.internal;

import java.net.http.HttpClient;
import java.time.Duration;

/** The shared JDK HTTP client of the module. */
public final class HttpSupport {
    /** Follows redirects like curl -L does not; health endpoints should answer directly. */
    public static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private HttpSupport() {
    }

    /**
     * Sleeps, honouring interruption.
     *
     * @param d how long
     * @throws InterruptedException when interrupted
     */
    public static void pause(Duration d) throws InterruptedException {
        if (!d.isZero() && !d.isNegative()) {
            Thread.sleep(d.toMillis());
        }
    }
}
