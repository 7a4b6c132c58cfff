package dev.rollback.examples.seeds;

import dev.rollback.core.Redactor;
import dev.rollback.core.RollbackException;
import dev.rollback.core.Secret;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns a feature flag off through its HTTP API (LaunchDarkly, Flagsmith or your own), as seed 004's
 * {@code curl -X PATCH -H "Authorization: $FEATURE_FLAG_API_KEY" $FEATURE_FLAG_TOGGLE_URL -d '...'}.
 * The API key is a {@link Secret} sent only as a request header: it is masked in the description and
 * never in a log line, the journal or an exception message.
 *
 * <p>Written here because {@code rollback-process} has no HTTP call with a body and a secret header
 * other than its Slack webhook ({@code Http.get(..).bearer(..)} is a GET check).
 *
 * <pre>{@code
 * plan.step(FeatureFlagToggle.at("https://app.launchdarkly.com/api/v2/flags/default/new-checkout", Secret.fromEnv("FEATURE_FLAG_API_KEY"))
 *         .body("{\"instructions\":[{\"kind\":\"turnFlagOff\"}]}"));
 * }</pre>
 */
public final class FeatureFlagToggle implements Step {
    /** Output: the status the flag API answered. */
    public static final String OUTPUT_STATUS = "featureFlag.status";

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI url;
    private final Secret apiKey;
    private final String method;
    private final String header;
    private final String body;
    private final String contentType;
    private final Duration timeout;

    private FeatureFlagToggle(URI url, Secret apiKey, String method, String header, String body, String contentType, Duration timeout) {
        this.url = url;
        this.apiKey = apiKey;
        this.method = method;
        this.header = header;
        this.body = body;
        this.contentType = contentType;
        this.timeout = timeout;
    }

    /**
     * @param url    the flag's API URL
     * @param apiKey the API key, sent as the {@code Authorization} header
     * @return a {@code PATCH} with body {@code {"enabled": false}}
     * @throws IllegalArgumentException when the URL is not http(s)
     */
    public static FeatureFlagToggle at(String url, Secret apiKey) {
        URI u;
        try {
            u = URI.create(Objects.requireNonNull(url, "url"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("FEATURE_FLAG_TOGGLE_URL is not a URL: " + Redactor.redact(url));
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
            throw new IllegalArgumentException("FEATURE_FLAG_TOGGLE_URL must be an http(s) URL with a host, got " + Redactor.redact(url));
        }
        return new FeatureFlagToggle(u, Objects.requireNonNull(apiKey, "apiKey"), "PATCH", "Authorization", "{\"enabled\": false}",
                "application/json", Duration.ofSeconds(10));
    }

    /**
     * @param httpMethod PATCH, POST or PUT
     * @return a copy
     */
    public FeatureFlagToggle method(String httpMethod) {
        String m = Objects.requireNonNull(httpMethod, "httpMethod").toUpperCase(Locale.ROOT);
        if (!m.equals("PATCH") && !m.equals("POST") && !m.equals("PUT")) {
            throw new IllegalArgumentException("FEATURE_FLAG_METHOD must be PATCH, POST or PUT, got " + httpMethod);
        }
        return new FeatureFlagToggle(url, apiKey, m, header, body, contentType, timeout);
    }

    /**
     * @param headerName the header that carries the key ({@code Authorization}, {@code X-Environment-Key})
     * @return a copy
     */
    public FeatureFlagToggle keyHeader(String headerName) {
        return new FeatureFlagToggle(url, apiKey, method, Objects.requireNonNull(headerName, "headerName"), body, contentType, timeout);
    }

    /**
     * @param json the request body
     * @return a copy
     */
    public FeatureFlagToggle body(String json) {
        return new FeatureFlagToggle(url, apiKey, method, header, Objects.requireNonNull(json, "json"), contentType, timeout);
    }

    /**
     * @param mediaType the body's {@code Content-Type}: {@code application/json} by default; LaunchDarkly's
     *                  semantic patch wants {@code application/json; domain-model=launchdarkly.semanticpatch}
     * @return a copy
     */
    public FeatureFlagToggle contentType(String mediaType) {
        String t = Objects.requireNonNull(mediaType, "mediaType").strip();
        if (t.isEmpty() || t.contains("\n") || t.contains("\r")) {
            throw new IllegalArgumentException("FEATURE_FLAG_CONTENT_TYPE must be one media type, got '" + Redactor.redact(mediaType) + "'");
        }
        return new FeatureFlagToggle(url, apiKey, method, header, body, t, timeout);
    }

    @Override
    public String name() {
        return "turn feature flag off";
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of("turn feature flag off at " + url).param("url", url).param(header, apiKey).param("body", body)
                .param("Content-Type", contentType).param("timeout", timeout).command(method + " " + url);
    }

    @Override
    public void execute(StepContext context) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", contentType)
                .header(header, apiKey.reveal()).method(method, HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r;
        try {
            r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new FeatureFlagException(method + " " + url + " failed: " + e + "; the flag was not changed. "
                    + "Turn it off in the flag service's console, or run the step again.");
        }
        context.output(OUTPUT_STATUS, String.valueOf(r.statusCode()));
        if (r.statusCode() / 100 != 2) {
            String text = r.body() == null ? "" : r.body().strip();
            throw new FeatureFlagException(method + " " + url + " answered " + r.statusCode()
                    + (text.isEmpty() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text))
                    + "; the flag is probably unchanged. Check FEATURE_FLAG_API_KEY and the URL, or turn it off in the console.");
        }
        context.progress("feature flag at " + url + " turned off (" + r.statusCode() + ")");
    }

    /** The flag API refused or could not be reached. */
    public static final class FeatureFlagException extends RollbackException {
        /** The stable error code of this failure: {@value}. */
        public static final String CODE = "example.flag.failed";
        private static final long serialVersionUID = 1L;

        FeatureFlagException(String message) {
            super(message);
        }

        @Override
        public String code() {
            return CODE;
        }
    }
}
