package dev.rollback.postgres;

import dev.rollback.core.Secret;
import dev.rollback.postgres.internal.ConnectionInfo;
import dev.rollback.postgres.internal.PgCommands;
import dev.rollback.postgres.internal.PgTools;
import dev.rollback.postgres.internal.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectionAndQuotingTest {
    @TempDir
    Path tmp;

    @Test
    void parsesUrlAndTakesThePasswordOutOfIt() {
        ConnectionInfo i = ConnectionInfo.parse("jdbc:postgresql://db.example:6543/crm%20prod?user=app&password=hunter2-xyz&sslmode=require");
        assertThat(i.hosts()).containsExactly("db.example:6543");
        assertThat(i.database()).isEqualTo("crm prod");
        assertThat(i.user()).isEqualTo("app");
        assertThat(i.password().reveal()).isEqualTo("hunter2-xyz");
        assertThat(i.params()).containsEntry("sslmode", "require").doesNotContainKey("password");
        assertThat(i.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/crm+prod?sslmode=require").doesNotContain("hunter2");
        assertThat(i.host()).isEqualTo("db.example");
        assertThat(i.port()).isEqualTo("6543");
        assertThat(ConnectionInfo.parse("jdbc:postgresql://h/db").port()).isEqualTo("5432");
    }

    @Test
    void rejectsBadUrlsWithoutShowingThePassword() {
        assertThatThrownBy(() -> Postgres.at("mysql://u:pw-abcdef@h/db")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not a PostgreSQL JDBC URL").hasMessageNotContaining("pw-abcdef");
        assertThatThrownBy(() -> Postgres.at("jdbc:postgresql://h:5432/")).hasMessageContaining("names no database");
    }

    @Test
    void quotesIdentifiersLiteralsAndConninfo() {
        assertThat(Sql.ident("crm \"prod\" db")).isEqualTo("\"crm \"\"prod\"\" db\"");
        assertThat(Sql.table("crm.accounts")).isEqualTo("\"crm\".\"accounts\"");
        assertThat(Sql.literal("it's")).isEqualTo("'it''s'");
        assertThat(PgCommands.conninfoDbname("it's a \\ db")).isEqualTo("dbname='it\\'s a \\\\ db'");
        assertThatThrownBy(() -> Sql.ident("a\0b")).hasMessageContaining("NUL");
    }

    @Test
    void derivedNamesFitTheIdentifierLimit() {
        String longName = "x".repeat(60);
        String derived = Sql.derivedName(longName, "_before_rollback_20250101_120000");
        assertThat(derived).hasSize(63).endsWith("_before_rollback_20250101_120000");
        assertThatThrownBy(() -> Postgres.at("jdbc:postgresql://h/db").snapshot("y".repeat(64)))
                .hasMessageContaining("at most 63 bytes");
    }

    @Test
    void optionsThatCannotGoTogetherAreRejectedWhenTheStepIsBuilt() {
        Postgres pg = Postgres.at("jdbc:postgresql://h/db").user("u").password(Secret.of("pw-unit-123"));
        assertThatThrownBy(() -> pg.restore(Path.of("x.dump")).jobs(2).singleTransaction()).hasMessageContaining("single transaction");
        assertThatThrownBy(() -> pg.restore(Path.of("x.dump")).jobs(0)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> pg.dump(Path.of("x")).jobs(2).describe()).hasMessageContaining("DIRECTORY");
        assertThatThrownBy(() -> pg.dump(Path.of("x")).compression(10)).hasMessageContaining("0 to 9");
        assertThatThrownBy(() -> pg.sample("t", 0, Path.of("x.csv"))).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> pg.exportCsv("SELECT 1;", Path.of("x.csv"))).hasMessageContaining("trailing ';'");
        assertThatThrownBy(() -> pg.snapshot("db")).hasMessageContaining("its own name");
    }

    @Test
    void acceptsTheLibpqUrlsRunbooksUseForDatabaseUrl() {
        var info = dev.rollback.postgres.internal.ConnectionInfo.parse("postgresql://app:p%40ss-w0rd-77@db.example:5433/nextcrm?sslmode=require");
        assertThat(info.hosts()).containsExactly("db.example:5433");
        assertThat(info.database()).isEqualTo("nextcrm");
        assertThat(info.user()).isEqualTo("app");
        assertThat(info.password().reveal()).isEqualTo("p@ss-w0rd-77");
        assertThat(info.params()).containsEntry("sslmode", "require");
        assertThat(dev.rollback.postgres.internal.ConnectionInfo.parse("postgres://db/crm").hosts()).containsExactly("db:5432");
        assertThat(Postgres.at("postgresql://app:p%40ss-w0rd-77@db.example:5433/nextcrm").toString()).doesNotContain("p@ss-w0rd-77");
        assertThatThrownBy(() -> Postgres.at("postgresql://app:pw-in-url-99@db"))
                .hasMessageContaining("names no database").hasMessageNotContaining("pw-in-url-99");
    }

    @Test
    void descriptionsAreDeterministicAndHoldNoPassword() {
        Postgres pg = Postgres.at("jdbc:postgresql://h:5433/crm").user("postgres").password(Secret.of("pw-describe-42"));
        RestoreStep restore = pg.restore(Path.of("/backups/crm.dump")).jobs(2).verifyWith(Postgres::foreignKeysValid);
        assertThat(restore.describe()).isEqualTo(restore.describe());
        assertThat(restore.describe().toString()).doesNotContain("pw-describe-42").contains("crm_rollback_<utc time>")
                .contains("pg_restore --exit-on-error --jobs=2 -h h -p 5433 -U postgres -w");
        assertThat(restore.destructive()).isTrue();
        assertThat(restore.confirmationTarget()).isEqualTo("crm");
        RestoreStep twoChecks = restore.verifyWith(db -> db.rowCountAtLeast("users", 1));
        assertThat(twoChecks.describe().parameters()).as("every check is shown by a dry run")
                .containsKeys("check 1 on new database", "check 2 on new database");
        assertThat(pg.dump(Path.of("d")).describe().commands().get(0)).startsWith("pg_dump --format=custom --file=d");
        assertThat(pg.rollbackToSnapshot("crm_v1").describe().commands()).anySatisfy(c -> assertThat(c).contains("RENAME TO \"crm\""));
    }

    @Test
    void toolDiscoveryReadsVersionsAndUsesOnlyTheConfiguredDirectory() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("bin"));
        Path tool = dir.resolve("pg_restore");
        Files.writeString(tool, "#!/bin/sh\necho 'pg_restore (PostgreSQL) 16.4 (Debian)'\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThat(PgTools.version(tool)).isEqualTo("16.4");
        assertThat(PgTools.resolve("pg_restore", dir, 15, "15.2").major()).isEqualTo(16);
        assertThatThrownBy(() -> PgTools.resolve("pg_restore", dir, 17, "17.0")).isInstanceOf(PgToolException.class)
                .hasMessageContaining("pg_restore 16.4 (" + tool + ")").hasMessageContaining("PostgreSQL 17.0");
        assertThatThrownBy(() -> PgTools.resolve("pg_dump", dir, 15, "15.2")).isInstanceOf(PgToolException.class)
                .hasMessageContaining("No pg_dump found in the configured tool directory " + dir);
        Path broken = dir.resolve("psql");
        Files.writeString(broken, "#!/bin/sh\necho 'something else'\n");
        Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThatThrownBy(() -> PgTools.resolve("psql", dir, 15, "15.2")).hasMessageContaining("Could not read the version");
    }

    @Test
    void manifestRoundTripsAndRejectsGarbage() throws Exception {
        Path f = tmp.resolve("m.tsv");
        RowCountManifest m = new RowCountManifest(java.util.Map.of("public.a", 3L));
        m.write(f);
        assertThat(RowCountManifest.read(f)).isEqualTo(m);
        assertThat(RowCountManifest.forDump(Path.of("/b/crm.dump"))).isEqualTo(Path.of("/b/crm.dump.rowcounts.tsv"));
        Files.writeString(f, "public.a\tnot-a-number\n");
        assertThatThrownBy(() -> RowCountManifest.read(f)).isInstanceOf(BackupInvalidException.class).hasMessageContaining("line 1");
        assertThatThrownBy(() -> RowCountManifest.read(tmp.resolve("none.tsv"))).hasMessageContaining("Cannot read the row-count manifest");
    }
}
