package dev.rollback.process;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Redactor;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.process.internal.HttpSupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * Passes when a URL no longer answers successfully: connection refused, no answer within the
 * request timeout, or a 5xx. Retries until it is down. Made by {@link Http#down(String)}.
 *
 * <pre>{@code
 * plan.verify(Http.down("http://localhost:3000/api/health").retry(10, Duration.ofSeconds(1)));
 * }</pre>
 */
public final class HttpDownCheck implements Check {
    private final URI uri;
    private final int attempts;
    private final Duration delay;
    private final Duration requestTimeout;

    private HttpDownCheck(URI uri, int attempts, Duration delay, Duration requestTimeout) {
        this.uri = uri;
        this.attempts = attempts;
        this.delay = delay;
        this.requestTimeout = requestTimeout;
    }

    static HttpDownCheck of(String url) {
        return new HttpDownCheck(Http.parse(url), 1, Duration.ZERO, Duration.ofSeconds(5));
    }

    /**
     * @param times how many attempts in all (at least 1)
     * @param pause the pause between attempts
     * @return a copy that tries until the URL is down
     */
    public HttpDownCheck retry(int times, Duration pause) {
        if (times < 1) {
            throw new IllegalArgumentException("retry needs at least 1 attempt, got " + times);
        }
        Objects.requireNonNull(pause, "pause");
        return new HttpDownCheck(uri, times, pause, requestTimeout);
    }

    /**
     * @param timeout how long to wait for an answer before counting the URL as down (default 5 s)
     * @return a copy with the timeout
     */
    public HttpDownCheck requestTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive, got " + timeout);
        }
        return new HttpDownCheck(uri, attempts, delay, timeout);
    }

    @Override
    public String name() {
        return "down " + Redactor.redact(uri.toString());
    }

    @Override
    public StepDescription describe() {
        StepDescription d = StepDescription.of(name()).param("url", uri)
                .param("expect", "connection refused, timeout or 5xx").param("timeout", requestTimeout);
        return attempts > 1 ? d.param("retry", attempts + " x " + delay) : d;
    }

    @Override
    public CheckResult check(StepContext context) throws InterruptedException {
        String expected = "connection refused, timeout or 5xx";
        String measured = "";
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                HttpResponse<Void> r = HttpSupport.CLIENT.send(
                        HttpRequest.newBuilder(uri).GET().timeout(requestTimeout).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() >= 500) {
                    return CheckResult.passed(name(), "status " + r.statusCode(), expected);
                }
                measured = "status " + r.statusCode();
            } catch (IOException e) {
                return CheckResult.passed(name(), Http.describeError(e), expected);
            }
            if (context != null) {
                context.progress(name() + ": still answers " + measured + " (attempt " + attempt + "/" + attempts + ")");
            }
            if (attempt < attempts) {
                HttpSupport.pause(delay);
            }
        }
        return CheckResult.failed(name(), measured, expected, "GET " + uri + " still answers " + measured
                + " after " + attempts + " attempt(s): the application is still up");
    }
}
