package dev.rollback.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Redactor} at its edges: the shortest value it scrubs, text that starts with the character a
 * check looks for, Redis's password-only URLs, and the pieces of a malformed URL a driver may echo.
 */
class RedactorEdgesTest {

    @Test
    void nothingToRedactComesBackAsItIs() {
        assertThat(Redactor.redact(null)).isNull();
        assertThat(Redactor.redact("")).isEmpty();
        assertThat(Redactor.redact(null, "mongodb://app:Hunter2Xyz@db")).isNull();
        assertThat(Redactor.redact("plain text", "mongodb://app:Hunter2Xyz@db")).isEqualTo("plain text");
    }

    @Test
    void withNoUrlTheTextIsRedactedAsUsual() {
        assertThat(Redactor.redact("tried mongodb://app:Hunter2Xyz@db", null)).isEqualTo("tried mongodb://app:******@db");
        assertThat(Redactor.redact("password=Hunter2Xyz", null)).isEqualTo("password=******");
    }

    @Test
    void aRegisteredValueOfFourCharactersIsScrubbedAndOneOfThreeIsNot() {
        Secret.of("Qz7!");
        assertThat(Redactor.redact("tried Qz7! then Qz7%21")).isEqualTo("tried ****** then ******");
        Secret.of("Vx9");
        assertThat(Redactor.redact("Vx9 stays")).isEqualTo("Vx9 stays");
    }

    @Test
    void aValueWithNothingToEncodeIsRegisteredOnce() {
        Secret.of("plainvalue42");
        assertThat(Redactor.redact("plainvalue42 plainvalue42")).isEqualTo("****** ******");
    }

    @Test
    void textStartingWithTheCharacterACheckLooksForIsStillRedacted() {
        assertThat(Redactor.redact("=password=abc123")).isEqualTo("=password=******");
        assertThat(Redactor.redact(":password: abc123")).isEqualTo(":password: ******");
        assertThat(Redactor.redact(":x postgres://app:Hunter2Xyz@db/crm")).isEqualTo(":x postgres://app:******@db/crm");
        assertThat(Redactor.redact("@ops app:Hunter2Xyz@db/crm")).isEqualTo("@ops app:******@db/crm");
    }

    @Test
    void everyKeyTheKeyValuePatternKnowsPassesThePreFilter() {
        for (String key : new String[] {"password", "passwd", "pwd", "passphrase", "secret", "token", "api_key", "api-key", "apikey",
            "access_key", "access-key", "accesskey", "authorization", "credential", "credentials", "PGPASSWORD", "Api_Key"}) {
            assertThat(Redactor.mayHoldKey("x " + key + "=v")).as(key).isTrue();
            assertThat(Redactor.redact(key + "=Hunter2Xyz")).as(key).isEqualTo(key + "=******");
        }
        assertThat(Redactor.mayHoldKey("host=db port=5432 dbname=crm user=app")).isFalse();
        assertThat(Redactor.redact("host=db port=5432 dbname=crm user=app")).isEqualTo("host=db port=5432 dbname=crm user=app");
    }

    @Test
    void aPasswordOnlyUrlEchoedByAServerIsMasked() {
        // Redis's form: no user, only a password after the ':'
        assertThat(Redactor.redact("WRONGPASS Hunter2Xyz", "redis://:Hunter2Xyz@cache:6379")).isEqualTo("WRONGPASS ******");
        assertThat(Redactor.redact("invalid host ':Hunter2Xyz'", "mongodb://:Hunter2Xyz")).isEqualTo("invalid host ':******'");
    }

    @Test
    void aUserWithNoPasswordIsMaskedAsAWholeInTheUrlsEcho() {
        assertThat(Redactor.redact("bad token Hunter2Xyz", "://Hunter2Xyz@db")).isEqualTo("bad token ******");
        assertThat(Redactor.redact("bad token Hunter2Xyz", "mongodb://Hunter2Xyz@db")).isEqualTo("bad token ******");
    }

    @Test
    void anEmptyUserInfoLeavesTheHostsNonNumericPortToBeMasked() {
        assertThat(Redactor.redact("bad port secretish", "mongodb://@db:secretish")).isEqualTo("bad port ******");
    }

    @Test
    void aSchemeAndHostWithoutSlashesIsNotTakenForAPassword() {
        assertThat(Redactor.redact("cannot reach db-main", "postgres:db-main")).isEqualTo("cannot reach db-main");
        assertThat(Redactor.redact("cannot reach localhost:6379", "localhost:6379")).isEqualTo("cannot reach localhost:6379");
        assertThat(Redactor.redact("cannot reach db-main", "db-main")).isEqualTo("cannot reach db-main");
    }

    @Test
    void piecesOfThreeCharactersAreMaskedAndShorterOnesAreNot() {
        assertThat(Redactor.redact("auth failed for xyz", "mongodb://app:xyz@db")).isEqualTo("auth failed for ******");
        assertThat(Redactor.redact("auth failed for xy", "mongodb://app:xy@db")).isEqualTo("auth failed for xy");
    }

    @Test
    void anAlreadyMaskedPasswordIsLeftAsItIs() {
        assertThat(Redactor.redact("mongodb://app:******@db")).isEqualTo("mongodb://app:******@db");
        assertThat(Redactor.redact(Redactor.redact("password=Hunter2Xyz"))).isEqualTo("password=******");
    }
}
