package dev.rollback.journal.postgres;

import dev.rollback.core.Redactor;
import dev.rollback.journal.postgres.internal.JournalUrl;
import dev.rollback.journal.postgres.internal.Passwords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The journal's location on the command line, and where its password comes from: never the command line. */
class JournalUrlTest {
    @TempDir
    Path dir;

    @Test
    void readsHostPortDatabaseUserAndTheJournalsParameters() {
        JournalUrl u = JournalUrl.parse("postgresql://rollback@db-ops:6543/ops?schema=rb&runFolder=%2Fsrv%2Fruns&lease=20s&heartbeat=500ms&sslmode=require");
        assertThat(u.host()).isEqualTo("db-ops");
        assertThat(u.port()).isEqualTo(6543);
        assertThat(u.database()).isEqualTo("ops");
        assertThat(u.user()).isEqualTo("rollback");
        assertThat(u.schema()).isEqualTo("rb");
        assertThat(u.runFolder()).isEqualTo("/srv/runs");
        assertThat(u.lease()).isEqualTo(Duration.ofSeconds(20));
        assertThat(u.heartbeat()).isEqualTo(Duration.ofMillis(500));
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db-ops:6543/ops?sslmode=require");
        assertThat(JournalUrl.parse("jdbc:postgresql://h/db").port()).isEqualTo(5432);
        assertThat(JournalUrl.parse("postgres://h:1/db?lease=PT1M").lease()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aPasswordInTheUrlIsRefusedNamingWhereItBelongs() {
        assertThatThrownBy(() -> JournalUrl.parse("postgresql://rollback:S3cret@db-ops/ops"))
                .hasMessageContaining("holds a password").hasMessageContaining("PGPASSWORD").hasMessageContaining("--journal-password-env")
                .hasMessageNotContaining("S3cret");
        assertThatThrownBy(() -> JournalUrl.parse("postgresql://db-ops/ops?password=S3cret")).hasMessageContaining("password parameter")
                .hasMessageNotContaining("S3cret");
        assertThatThrownBy(() -> JournalUrl.parse("postgresql://db-ops")).hasMessageContaining("Write postgresql://HOST:5432/DATABASE")
                // the CLI prints messages redacted: the example must not look like user:password
                .satisfies(e -> assertThat(Redactor.redact(e.getMessage())).contains("Write postgresql://HOST:5432/DATABASE?schema=rollback"));
        assertThatThrownBy(() -> JournalUrl.parse("postgresql://h/db?lease=soon")).hasMessageContaining("lease=soon is not a duration");
        assertThatThrownBy(() -> PostgresJournal.at("postgresql://h/db?lease=1s&heartbeat=2s", null))
                .hasMessageContaining("must renew the lease");
    }

    @Test
    void thePasswordComesFromTheNamedVariableThenPgpasswordThenThePasswordFile() throws Exception {
        JournalUrl u = JournalUrl.parse("postgresql://rollback@db-ops:5432/ops");
        Path pgpass = Files.writeString(dir.resolve("pgpass"), "# comment\nother:5432:ops:rollback:nope\ndb-ops:5432:*:rollback:from-file\\:x\n");
        assertThat(Passwords.find(u, "rollback", Map.of("OPS_PW", "from-var", "PGPASSWORD", "from-pg"), "OPS_PW").reveal()).isEqualTo("from-var");
        assertThat(Passwords.find(u, "rollback", Map.of("PGPASSWORD", "from-pg", "PGPASSFILE", pgpass.toString()), null).reveal()).isEqualTo("from-pg");
        assertThat(Passwords.find(u, "rollback", Map.of("PGPASSFILE", pgpass.toString()), null).reveal()).isEqualTo("from-file:x");
        assertThat(Passwords.find(u, "other-user", Map.of("PGPASSFILE", pgpass.toString()), null)).isNull();
        assertThatThrownBy(() -> Passwords.find(u, "rollback", Map.of(), "OPS_PW"))
                .hasMessageContaining("--journal-password-env names OPS_PW, but that environment variable is not set");
        assertThatThrownBy(() -> Passwords.find(u, "rollback", Map.of("PGPASSFILE", dir.resolve("missing").toString()), null))
                .hasMessageContaining("does not exist or cannot be read");
    }
}
