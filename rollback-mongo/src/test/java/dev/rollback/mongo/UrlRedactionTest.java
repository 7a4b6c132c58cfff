package dev.rollback.mongo;

import dev.rollback.test.SecretLeakCases;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Mongo.at(url)} never shows a password: 1,000 generated connection strings, well-formed and
 * malformed (see {@link SecretLeakCases}), through the error message, its cause chain and the
 * rendering of a parsed one.
 */
class UrlRedactionTest {
    private static final long SEED = 15_2028L;

    @Test
    void noGeneratedUrlLeaksItsPasswordWhenParsedOrRefused() {
        List<SecretLeakCases.Case> cases = SecretLeakCases.databaseUrls(SEED, 1_000);
        List<String> leaks = new ArrayList<>();
        int refused = 0;
        for (SecretLeakCases.Case c : cases) {
            String shown;
            try {
                Mongo mongo = Mongo.at(c.text());
                shown = mongo + "\n" + mongo.ping().describe() + "\n" + mongo.database("crm").countAtLeast("users", 1).describe();
            } catch (IllegalArgumentException e) {
                refused++;
                StringBuilder chain = new StringBuilder();
                for (Throwable t = e; t != null; t = t.getCause()) {
                    chain.append(t).append('\n');
                }
                shown = chain.toString();
            }
            if (c.leaksIn(shown)) {
                leaks.add(c + "\n    -> " + shown);
            }
        }
        assertThat(leaks).as("seed %d: %d of %d URLs leak", SEED, leaks.size(), cases.size()).isEmpty();
        assertThat(refused).as("both paths are exercised").isBetween(100, 980);
    }
}
