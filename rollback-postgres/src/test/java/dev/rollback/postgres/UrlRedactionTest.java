package dev.rollback.postgres;

import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.test.SecretLeakCases;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The URL parser's error paths and everything that renders a parsed URL never show a password, for
 * 1,000 generated database URLs, well-formed and malformed (see {@link SecretLeakCases}).
 */
class UrlRedactionTest {
    private static final long SEED = 15_2026L;

    @Test
    void aUrlWithoutSlashesIsRefusedSayingHowToWriteItAndWithoutItsPassword() {
        assertThatThrownBy(() -> Postgres.at("postgres:Hunter2Xyz@db.example/crm")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no '//' after 'postgres:'").hasMessageContaining("postgresql://user:password@host:5432/database")
                .hasMessageNotContaining("Hunter2Xyz");
        assertThatThrownBy(() -> Postgres.at("postgresql:app:Hunter2Xyz@db.example:5432/crm")).hasMessageNotContaining("Hunter2Xyz");
    }

    @Test
    void aPasswordWithAnUnencodedSlashIsRefusedWithoutAnyPartOfIt() {
        assertThatThrownBy(() -> Postgres.at("postgresql://app:Hunt/er2Xyz@db.example:5432/crm"))
                .hasMessageContaining("percent-encoded (%2F").hasMessageNotContaining("Hunt").hasMessageNotContaining("er2Xyz");
        // the same mistake in the JDBC form reads as a port that is not a number
        assertThatThrownBy(() -> Postgres.at("jdbc:postgresql://app:Hunt/er2Xyz"))
                .hasMessageContaining("port that is not a number").hasMessageNotContaining("Hunt").hasMessageNotContaining("er2Xyz");
    }

    @Test
    void noGeneratedUrlLeaksItsPasswordWhenParsedDescribedOrRefused() {
        List<SecretLeakCases.Case> cases = SecretLeakCases.databaseUrls(SEED, 1_000);
        int[] parsed = {0};
        List<String> leaks = SecretLeakCases.leaks(cases, c -> {
            Postgres pg = Postgres.at(c.text());
            parsed[0]++;
            RollbackPlan plan = Rollback.plan("describe").precheck(pg.canConnect()).capture(pg.dump(Path.of("x.dump")))
                    .restore(pg.restore(Path.of("x.dump"))).build();
            return pg + "\n" + plan.describe();
        });
        int refused = cases.size() - parsed[0];
        assertThat(leaks).as("seed %d: %d of %d URLs leak", SEED, leaks.size(), cases.size()).isEmpty();
        assertThat(refused).as("both paths are exercised: refused and parsed URLs").isBetween(100, 900);
    }
}
