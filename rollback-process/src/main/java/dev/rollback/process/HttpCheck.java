package dev.rollback.process;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Redactor;
import dev.rollback.core.Secret;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.process.internal.HttpSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP GET (or POST with a JSON body, such as a sign-in) health or smoke check: expected
 * status, optional body content or JSON field value, a bearer token, and retries with a delay (the
 * seeds' "10 tries 5 seconds apart"). Immutable; made by {@link Http#get(String)} and
 * {@link Http#post(String)}.
 *
 * <pre>{@code
 * Check health = Http.get("http://localhost:3000/api/health")
 *     .expectStatus(200)
 *     .expectJson("status", "ok")
 *     .retry(10, Duration.ofSeconds(5));
 * }</pre>
 */
public final class HttpCheck implements Check {
    private static final Logger LOG = LoggerFactory.getLogger(HttpCheck.class);

    private final URI uri;
    private final String name;
    private final int[] statuses;
    private final Secret bearer;
    private final Map<String, Object> headers;
    private final String bodyContains;
    private final String jsonField;
    private final String jsonValue;
    private final int attempts;
    private final Duration delay;
    private final Duration requestTimeout;
    private final String method;
    private final Map<String, Object> jsonBody;

    private HttpCheck(URI uri, String name, int[] statuses, Secret bearer, Map<String, Object> headers, String bodyContains,
                      String jsonField, String jsonValue, int attempts, Duration delay, Duration requestTimeout) {
        this(uri, name, statuses, bearer, headers, bodyContains, jsonField, jsonValue, attempts, delay, requestTimeout, "GET", null);
    }

    private HttpCheck(URI uri, String name, int[] statuses, Secret bearer, Map<String, Object> headers, String bodyContains,
                      String jsonField, String jsonValue, int attempts, Duration delay, Duration requestTimeout, String method,
                      Map<String, Object> jsonBody) {
        this.method = method;
        this.jsonBody = jsonBody;
        this.uri = uri;
        this.name = name;
        this.statuses = statuses;
        this.bearer = bearer;
        this.headers = headers;
        this.bodyContains = bodyContains;
        this.jsonField = jsonField;
        this.jsonValue = jsonValue;
        this.attempts = attempts;
        this.delay = delay;
        this.requestTimeout = requestTimeout;
    }

    static HttpCheck get(String url) {
        return new HttpCheck(Http.parse(url), null, new int[] {200}, null, Map.of(), null, null, null, 1,
                Duration.ZERO, Duration.ofSeconds(10));
    }

    static HttpCheck post(String url) {
        return new HttpCheck(Http.parse(url), null, new int[] {200}, null, Map.of(), null, null, null, 1,
                Duration.ZERO, Duration.ofSeconds(10), "POST", Map.of());
    }

    private HttpCheck copy(String n, int[] st, Secret b, Map<String, Object> h, String body, String jf, String jv,
                           int att, Duration d, Duration rt) {
        return new HttpCheck(uri, n, st, b, h, body, jf, jv, att, d, rt, method, jsonBody);
    }

    /** A GET of another URL with this check's token, headers and request timeout, expecting 200 (a detail page found through a list). */
    HttpCheck at(URI other) {
        return new HttpCheck(other, null, new int[] {200}, bearer, headers, null, null, null, 1, Duration.ZERO, requestTimeout, "GET", null);
    }

    Secret bearerOrNull() {
        return bearer;
    }

    /**
     * A JSON body for a {@link Http#post(String) POST}, such as a sign-in:
     * {@code Http.post(url).jsonBody(Map.of("email", "test@example.com", "password", Secret.of(pw)))}.
     * {@link Secret} values are revealed only in the request; descriptions, logs and failures show them masked.
     *
     * @param fields the body's fields, in the order given (pass an ordered map, such as a {@code LinkedHashMap}, so
     *               that the plan's description and fingerprint are the same in every run); values are text, numbers,
     *               booleans or secrets
     * @return a copy sending it
     */
    public HttpCheck jsonBody(Map<String, ?> fields) {
        Objects.requireNonNull(fields, "fields");
        if (!"POST".equals(method)) {
            throw new IllegalStateException("a JSON body needs a POST: make the check with Http.post(url)");
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        fields.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "field name"), Objects.requireNonNull(v, "value of " + k)));
        return new HttpCheck(uri, name, statuses, bearer, headers, bodyContains, jsonField, jsonValue, attempts, delay, requestTimeout,
                method, Collections.unmodifiableMap(copy));
    }

    /**
     * @param codes the statuses that pass (default 200)
     * @return a copy expecting them
     */
    public HttpCheck expectStatus(int... codes) {
        if (codes.length == 0) {
            throw new IllegalArgumentException("expectStatus needs at least one status code");
        }
        for (int c : codes) {
            if (c < 100 || c > 599) {
                throw new IllegalArgumentException("Not an HTTP status code: " + c);
            }
        }
        int[] s = codes.clone();
        Arrays.sort(s);
        return copy(name, s, bearer, headers, bodyContains, jsonField, jsonValue, attempts, delay, requestTimeout);
    }

    /**
     * @param token sent as {@code Authorization: Bearer <token>}; never logged or shown
     * @return a copy sending it
     */
    public HttpCheck bearer(Secret token) {
        return copy(name, statuses, Objects.requireNonNull(token, "token"), headers, bodyContains, jsonField, jsonValue,
                attempts, delay, requestTimeout);
    }

    /**
     * @param header the header name
     * @param value  its value; shown in descriptions
     * @return a copy sending the header
     */
    public HttpCheck header(String header, String value) {
        Map<String, Object> h = new LinkedHashMap<>(headers);
        h.put(Objects.requireNonNull(header, "header"), Objects.requireNonNull(value, "value"));
        return copy(name, statuses, bearer, Map.copyOf(h), bodyContains, jsonField, jsonValue, attempts, delay, requestTimeout);
    }

    /**
     * @param text the response body must contain it
     * @return a copy with the expectation
     */
    public HttpCheck expectBodyContains(String text) {
        return copy(name, statuses, bearer, headers, Objects.requireNonNull(text, "text"), jsonField, jsonValue, attempts,
                delay, requestTimeout);
    }

    /**
     * Expects a JSON body whose field, given as a dotted path ({@code "db.status"}), has the value
     * (compared as text: {@code true}, {@code 26}, {@code ok}).
     *
     * @param field the dotted path
     * @param value the expected value as text
     * @return a copy with the expectation
     */
    public HttpCheck expectJson(String field, String value) {
        Objects.requireNonNull(field, "field");
        if (field.isBlank()) {
            throw new IllegalArgumentException("expectJson needs a field path such as \"status\" or \"db.status\"");
        }
        return copy(name, statuses, bearer, headers, bodyContains, field, Objects.requireNonNull(value, "value"), attempts,
                delay, requestTimeout);
    }

    /**
     * @param times how many attempts in all (at least 1)
     * @param pause the pause between attempts
     * @return a copy that tries until one passes
     */
    public HttpCheck retry(int times, Duration pause) {
        if (times < 1) {
            throw new IllegalArgumentException("retry needs at least 1 attempt, got " + times);
        }
        Objects.requireNonNull(pause, "pause");
        if (pause.isNegative()) {
            throw new IllegalArgumentException("retry pause must not be negative, got " + pause);
        }
        return copy(name, statuses, bearer, headers, bodyContains, jsonField, jsonValue, times, pause, requestTimeout);
    }

    /**
     * @param timeout how long one request may take, connection included (default 10 s)
     * @return a copy with the timeout
     */
    public HttpCheck requestTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive, got " + timeout);
        }
        return copy(name, statuses, bearer, headers, bodyContains, jsonField, jsonValue, attempts, delay, timeout);
    }

    /**
     * @param checkName the check's name in plans and reports
     * @return a renamed copy
     */
    public HttpCheck named(String checkName) {
        return copy(Objects.requireNonNull(checkName, "checkName"), statuses, bearer, headers, bodyContains, jsonField,
                jsonValue, attempts, delay, requestTimeout);
    }

    /** @return the URL checked */
    public URI uri() {
        return uri;
    }

    @Override
    public String name() {
        return name != null ? name : method + " " + Redactor.redact(uri.toString());
    }

    private String expectation() {
        StringBuilder b = new StringBuilder("status ");
        b.append(statuses.length == 1 ? String.valueOf(statuses[0]) : Arrays.toString(statuses));
        if (bodyContains != null) {
            b.append(", body contains '").append(bodyContains).append('\'');
        }
        if (jsonField != null) {
            b.append(", ").append(jsonField).append(" = ").append(jsonValue);
        }
        return b.toString();
    }

    @Override
    public StepDescription describe() {
        StepDescription d = StepDescription.of(name()).param("url", uri).param("expect", expectation());
        if (attempts > 1) {
            d = d.param("retry", attempts + " x " + delay);
        }
        if (bearer != null) {
            d = d.param("bearer", bearer);
        }
        d = d.param("timeout", requestTimeout);
        return d.command(method + " " + uri + (jsonBody == null ? "" : " " + body(true)));
    }

    /**
     * Tries up to the retry count and returns the first passing result, or the last failure.
     *
     * @param context the step's context (progress is reported for each failed attempt)
     * @return the result
     * @throws InterruptedException when interrupted while waiting between attempts
     */
    @Override
    public CheckResult check(StepContext context) throws InterruptedException {
        CheckResult last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            last = once();
            if (last.isPassed()) {
                return last;
            }
            String msg = name() + ": attempt " + attempt + "/" + attempts + " failed: " + last.message();
            LOG.info("{}", Redactor.redact(msg));
            if (context != null) {
                context.progress(msg);
            }
            if (attempt < attempts) {
                HttpSupport.pause(delay);
            }
        }
        if (attempts > 1) {
            return CheckResult.failed(last.name(), last.measured(), last.expected(),
                    last.message() + " (after " + attempts + " attempts " + delay + " apart)");
        }
        return last;
    }

    /**
     * One attempt, no retry.
     *
     * @return the result
     * @throws InterruptedException when interrupted
     */
    public CheckResult once() throws InterruptedException {
        return answer().result();
    }

    /** One attempt's result and the body it answered (for a check that follows a link in it). */
    record Answer(CheckResult result, String body) {
    }

    Answer answer() throws InterruptedException {
        String expected = expectation();
        HttpResponse<String> response;
        try {
            response = HttpSupport.CLIENT.send(request(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new Answer(CheckResult.failed(name(), Http.describeError(e), expected,
                    method + " " + uri + " failed: " + Http.describeError(e)), "");
        }
        int status = response.statusCode();
        String body = response.body() == null ? "" : response.body();
        if (Arrays.binarySearch(statuses, status) < 0) {
            return new Answer(CheckResult.failed(name(), "status " + status, expected,
                    method + " " + uri + " answered " + status + snippet(body)), body);
        }
        if (bodyContains != null && !body.contains(bodyContains)) {
            return new Answer(CheckResult.failed(name(), "status " + status + ", body without '" + bodyContains + "'", expected,
                    "body of " + method + " " + uri + " does not contain '" + bodyContains + "'" + snippet(body)), body);
        }
        if (jsonField != null) {
            String actual;
            try {
                actual = jsonField(body, jsonField);
            } catch (IOException e) {
                return new Answer(CheckResult.failed(name(), "body is not JSON", expected, method + " " + uri + " did not answer JSON" + snippet(body)), body);
            }
            if (!jsonValue.equals(actual)) {
                return new Answer(CheckResult.failed(name(), jsonField + " = " + actual, expected,
                        method + " " + uri + ": " + jsonField + " is " + actual + ", expected " + jsonValue), body);
            }
        }
        return new Answer(CheckResult.passed(name(), "status " + status, expected), body);
    }

    HttpRequest request() {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout);
        if (jsonBody == null) {
            b.GET();
        } else {
            b.POST(HttpRequest.BodyPublishers.ofString(body(false))).header("Content-Type", "application/json");
        }
        for (Map.Entry<String, Object> h : headers.entrySet()) {
            b.header(h.getKey(), String.valueOf(h.getValue()));
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer.reveal());
        }
        return b.build();
    }

    /** The JSON body, secrets revealed only when {@code masked} is false. */
    private String body(boolean masked) {
        Map<String, Object> out = new LinkedHashMap<>();
        jsonBody.forEach((k, v) -> out.put(k, v instanceof Secret sec ? (masked ? Secret.MASK : sec.reveal()) : v));
        try {
            return JSON.std.asString(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the JSON body of " + name() + ": " + e.getMessage(), e);
        }
    }

    static String jsonField(String body, String path) throws IOException {
        Object node = JSON.std.anyFrom(body);
        for (String part : path.split("\\.")) {
            if (node instanceof Map) {
                node = ((Map<?, ?>) node).get(part);
            } else if (node instanceof List && part.chars().allMatch(Character::isDigit)) {
                List<?> list = (List<?>) node;
                int i = Integer.parseInt(part);
                node = i < list.size() ? list.get(i) : null;
            } else {
                return null;
            }
        }
        return node == null ? null : String.valueOf(node);
    }

    private static String snippet(String body) {
        if (body.isBlank()) {
            return "";
        }
        String one = body.strip().replaceAll("\\s+", " ");
        return ": " + Redactor.redact(one.length() <= 200 ? one : one.substring(0, 197) + "...");
    }
}
