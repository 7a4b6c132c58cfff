package dev.rollback.process;

import dev.rollback.core.Check;

import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.List;

/**
 * HTTP health and smoke checks on the JDK {@link java.net.http.HttpClient}.
 *
 * <pre>{@code
 * plan.verify(Http.get("http://localhost:3000/api/health").expectStatus(200).retry(10, Duration.ofSeconds(5)));
 * plan.verify(Http.down("http://localhost:3000/api/health"));          // after stopApp: refuses or fails
 * plan.verify(Http.smoke("smoke tests",
 *     Http.get(base + "/api/accounts").bearer(token).expectStatus(200),
 *     Http.get(base + "/api/health").expectJson("db", "mongodb")));
 * }</pre>
 */
public final class Http {
    private Http() {
    }

    /**
     * @param url an http or https URL
     * @return a check that GETs it and expects 200
     * @throws IllegalArgumentException when the URL is not a valid http(s) URL
     */
    public static HttpCheck get(String url) {
        return HttpCheck.get(url);
    }

    /**
     * A POST, such as the seeds' sign-in smoke test; give it a body with {@link HttpCheck#jsonBody(java.util.Map)}.
     *
     * <pre>{@code
     * Http.post(app + "/api/auth/signin").jsonBody(Map.of("email", "test@example.com", "password", Secret.of(pw)))
     * }</pre>
     *
     * @param url an http or https URL
     * @return a check that POSTs to it and expects 200
     */
    public static HttpCheck post(String url) {
        return HttpCheck.post(url);
    }

    /**
     * Follows a list to one of its items, as the seeds' "view account detail" does
     * ({@code ACCOUNT_ID=$(curl .../accounts?take=1 | jq -r '.[0].id')}, then {@code curl .../accounts/$ACCOUNT_ID}):
     * the list check runs, a JSON field of its answer is read, and the item URL (with {@code {}} replaced by it,
     * URL-encoded) is checked with the list's headers, token and expectations.
     *
     * @param list      the list's check (its token and headers are reused)
     * @param jsonField the dotted path of the item's id in the list's JSON answer, such as {@code 0.id}
     * @param itemUrl   the item's URL with {@code {}} where the id goes
     * @return the check
     */
    public static Check follow(HttpCheck list, String jsonField, String itemUrl) {
        return new HttpFollowCheck(list, jsonField, itemUrl);
    }

    /**
     * The seeds' "should fail or timeout" after the application is stopped: passes when the
     * connection is refused, times out, or the answer is a 5xx.
     *
     * @param url an http or https URL
     * @return the check
     */
    public static HttpDownCheck down(String url) {
        return HttpDownCheck.of(url);
    }

    /**
     * Several checks run one after the other, with one result each; passes when all pass.
     *
     * @param name   the smoke test's name
     * @param checks the checks
     * @return the smoke test
     */
    public static SmokeTest smoke(String name, HttpCheck... checks) {
        return SmokeTest.of(name, List.of(checks));
    }

    static URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("An HTTP check needs a URL, got " + (url == null ? "null" : "a blank string"));
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Not a valid URL: " + url + " (" + e.getMessage() + ")", e);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("Not an http(s) URL with a host: " + url
                    + "; write it like http://localhost:3000/api/health");
        }
        return uri;
    }

    static String describeError(Exception e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "connect timed out";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within the request timeout";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
