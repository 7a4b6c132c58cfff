package dev.rollback.mongo;

import dev.rollback.test.SecretLeakCases;
import org.junit.jupiter.api.Test;

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
        int[] parsed = {0};
        List<String> leaks = SecretLeakCases.leaks(cases, c -> {
            Mongo mongo = Mongo.at(c.text());
            parsed[0]++;
            return mongo + "\n" + mongo.ping().describe() + "\n" + mongo.database("crm").countAtLeast("users", 1).describe();
        });
        int refused = cases.size() - parsed[0];
        assertThat(leaks).as("seed %d: %d of %d URLs leak", SEED, leaks.size(), cases.size()).isEmpty();
        assertThat(refused).as("both paths are exercised").isBetween(100, 980);
    }
}
