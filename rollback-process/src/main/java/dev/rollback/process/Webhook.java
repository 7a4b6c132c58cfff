package dev.rollback.process;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.rollback.core.Notifier;
import dev.rollback.core.Redactor;
import dev.rollback.core.Secret;
import dev.rollback.process.internal.HttpSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A Slack-compatible incoming webhook: POSTs {@code {"text": message}} as JSON. The URL is a
 * {@link Secret} (it is the credential) and is never logged or shown. A notification that still
 * fails after the retries throws {@link WebhookException}; in a plan, {@code notify} goes on
 * after a failed notification unless the plan says otherwise.
 *
 * <pre>{@code
 * plan.notify(Webhook.slack(Secret.fromEnv("SLACK_WEBHOOK_URL")), "Rollback of ${plan} started (run ${runId})");
 * }</pre>
 */
public final class Webhook implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);

    private final Secret url;
    private final String name;
    private final Duration timeout;
    private final int attempts;
    private final Duration delay;

    private Webhook(Secret url, String name, Duration timeout, int attempts, Duration delay) {
        this.url = url;
        this.name = name;
        this.timeout = timeout;
        this.attempts = attempts;
        this.delay = delay;
    }

    /**
     * @param url the webhook URL (http or https)
     * @return the notifier: 10 s timeout, 3 attempts 2 s apart
     * @throws IllegalArgumentException when the URL is not http(s), without showing it
     */
    public static Webhook slack(Secret url) {
        Objects.requireNonNull(url, "url");
        URI u;
        try {
            u = URI.create(url.reveal());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The webhook URL is not a valid URL (value not shown)");
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
            throw new IllegalArgumentException("The webhook URL must be an http(s) URL with a host (value not shown)");
        }
        return new Webhook(url, "slack webhook", Duration.ofSeconds(10), 3, Duration.ofSeconds(2));
    }

    /**
     * @param timeout how long one POST may take
     * @return a copy
     */
    public Webhook timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("webhook timeout must be positive, got " + timeout);
        }
        return new Webhook(url, name, timeout, attempts, delay);
    }

    /**
     * @param times attempts in all (at least 1)
     * @param pause pause between attempts
     * @return a copy
     */
    public Webhook retry(int times, Duration pause) {
        if (times < 1) {
            throw new IllegalArgumentException("retry needs at least 1 attempt, got " + times);
        }
        return new Webhook(url, name, timeout, times, Objects.requireNonNull(pause, "pause"));
    }

    /**
     * @param notifierName the name shown in plans ("ops channel")
     * @return a renamed copy
     */
    public Webhook named(String notifierName) {
        return new Webhook(url, Objects.requireNonNull(notifierName, "notifierName"), timeout, attempts, delay);
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * @param text the message
     * @return the JSON body sent for it
     */
    public static String body(String text) {
        try {
            return JSON.std.asString(Map.of("text", text));
        } catch (IOException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    @Override
    public void send(Notification notification) throws InterruptedException {
        String body = body(Redactor.redact(notification.message()));
        HttpRequest request = HttpRequest.newBuilder(URI.create(url.reveal())).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        String last = "";
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                HttpResponse<String> r = HttpSupport.CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 == 2) {
                    LOG.info("{}: notification sent ({})", name, notification.runId());
                    return;
                }
                last = "answered " + r.statusCode() + (r.body() == null || r.body().isBlank() ? "" : " " + abbreviate(r.body()));
            } catch (IOException e) {
                last = Http.describeError(e);
            }
            LOG.warn("{}: attempt {}/{} failed: {}", name, attempt, attempts, Redactor.redact(last));
            if (attempt < attempts) {
                HttpSupport.pause(delay);
            }
        }
        throw new WebhookException(name + " failed after " + attempts + " attempt(s): " + last
                + ". The message was not delivered; tell people another way.");
    }

    private static String abbreviate(String s) {
        String one = s.strip().replaceAll("\\s+", " ");
        return one.length() <= 120 ? one : one.substring(0, 117) + "...";
    }

    /** A notification could not be delivered. */
    public static final class WebhookException extends ProcessException {
        /** The stable error code of this failure: {@value}. */
        public static final String CODE = "process.webhook.failed";
        private static final long serialVersionUID = 1L;

        /** @param message what happened */
        public WebhookException(String message) {
            super(message);
        }

        @Override
        public String code() {
            return CODE;
        }
    }
}
