package dev.rollback.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedactorTest {

    @Test
    void masksPasswordsInUrls() {
        assertThat(Redactor.redact("mongodb://app:s3cret@db:27017/crm")).isEqualTo("mongodb://app:******@db:27017/crm");
        assertThat(Redactor.redact("connect postgresql://u:p%40ss@h:5432/db failed"))
                .isEqualTo("connect postgresql://u:******@h:5432/db failed");
        assertThat(Redactor.redact("https://example.com/path")).isEqualTo("https://example.com/path");
        assertThat(Redactor.redact("mongodb://host-only:27017")).isEqualTo("mongodb://host-only:27017");
    }

    @Test
    void masksPasswordsInMalformedUrls() {
        assertThat(Redactor.redact("postgres:Hunter2Xyz@db.example/crm")).isEqualTo("postgres:******@db.example/crm");
        assertThat(Redactor.redact("connect to app:Hunter2Xyz@db:5432/crm failed")).isEqualTo("connect to app:******@db:5432/crm failed");
        assertThat(Redactor.redact("postgresql://app:p@ss:w/rd@db/crm")).isEqualTo("postgresql://app:******@db/crm");
        assertThat(Redactor.redact("postgresql:/app:Hunter2Xyz@db/crm")).isEqualTo("postgresql:******@db/crm");
        assertThat(Redactor.redact("postgres//app:Hunter2Xyz@db/crm")).isEqualTo("postgres//app:******@db/crm");
        assertThat(Redactor.redact("postgres://app:Hunter2Xyz")).isEqualTo("postgres://app:******");
        assertThat(Redactor.redact("postgres://app:Hunter2Xyz@")).isEqualTo("postgres://app:******@");
        assertThat(Redactor.redact("mongodb://ops@corp.example:Hunter2Xyz@db/crm")).isEqualTo("mongodb://ops@corp.example:******@db/crm");
    }

    @Test
    void leavesUrlsWithoutPasswordsAlone() {
        for (String plain : new String[] {"https://example.com:8443/health", "jdbc:postgresql://h1:5432,h2:5433/crm?sslmode=require",
            "postgresql://[::1]:5432/crm", "(see http://localhost:8080)", "mongodb://db:27017/crm", "ops@example.com approved at 12:30",
            "git@github.com:org/repo.git", "postgresql://app@db/crm"}) {
            assertThat(Redactor.redact(plain)).isEqualTo(plain);
        }
    }

    @Test
    void masksDsnsPropertiesQueryParametersAndStructuredText() {
        assertThat(Redactor.redact("host=db password='it\\'s a secret' dbname=crm")).isEqualTo("host=db password=****** dbname=crm");
        assertThat(Redactor.redact("host=db password = \"two words\" dbname=crm")).isEqualTo("host=db password = ****** dbname=crm");
        assertThat(Redactor.redact("host=db sslpassword=k3y-pass sslmode=verify-full")).isEqualTo("host=db sslpassword=****** sslmode=verify-full");
        assertThat(Redactor.redact("jdbc:postgresql://h/db?user=app&sslpassword=a@b:c&sslmode=require"))
                .isEqualTo("jdbc:postgresql://h/db?user=app&sslpassword=******&sslmode=require");
        assertThat(Redactor.redact("jdbc:sqlserver://h:1433;user=app;password=p,w;x;databaseName=crm"))
                .isEqualTo("jdbc:sqlserver://h:1433;user=app;password=******;databaseName=crm");
        assertThat(Redactor.redact("{user=app, password=s3cret!, ssl=true}")).isEqualTo("{user=app, password=******, ssl=true}");
        assertThat(Redactor.redact("{\"user\":\"app\",\"password\":\"s3 cret\"}")).isEqualTo("{\"user\":\"app\",\"password\":******}");
        assertThat(Redactor.redact("PGPASSWORD=s3cret psql")).isEqualTo("PGPASSWORD=****** psql");
        assertThat(Redactor.redact("password: s3cret\nhost: db")).isEqualTo("password: ******\nhost: db");
    }

    @Test
    void aDriverMessageQuotingAPieceOfTheUrlIsMaskedToo() {
        assertThat(Redactor.redact("invalid host 'app:Hunter2Xyz'", "mongodb://app:Hunter2Xyz")).isEqualTo("invalid host 'app:******'");
        assertThat(Redactor.redact("bad user info 'Hunter2Xyz'", "mongodb://app:Hunter2Xyz@db/crm")).isEqualTo("bad user info '******'");
        assertThat(Redactor.redact("cannot reach db:27017", "mongodb://db:27017/crm")).isEqualTo("cannot reach db:27017");
    }

    @Test
    void aRegisteredSecretIsAlsoMaskedUrlEncoded() {
        Secret.of("p@ss word/42");
        assertThat(Redactor.redact("tried p%40ss+word%2F42 and p%40ss%20word%2F42")).isEqualTo("tried ****** and ******");
    }

    @Test
    void masksKeyValueSecrets() {
        assertThat(Redactor.redact("jdbc:postgresql://h/db?user=app&password=x1y2z3")).isEqualTo("jdbc:postgresql://h/db?user=app&password=******");
        assertThat(Redactor.redact("Authorization: Bearer abc.def")).isEqualTo("Authorization: Bearer ******");
        assertThat(Redactor.redact("api_key=123456 token: qwerty")).isEqualTo("api_key=****** token: ******");
    }

    @Test
    void masksEveryRegisteredSecretValueWhereverItAppears() {
        Secret s = Secret.of("correct-horse-battery");
        assertThat(s.toString()).isEqualTo("******");
        assertThat(String.valueOf(s)).doesNotContain("horse");
        assertThat(Redactor.redact("FATAL: password authentication failed; tried correct-horse-battery"))
                .isEqualTo("FATAL: password authentication failed; tried ******");
        assertThat(s.reveal()).isEqualTo("correct-horse-battery");
    }

    @Test
    void exceptionMessagesAreRedacted() {
        Secret.of("token-xyz-987");
        RollbackException e = new RunNotResumableException("failed with token-xyz-987 at https://u:pw@host/");
        assertThat(e.getMessage()).isEqualTo("failed with ****** at https://u:******@host/");
    }

    @Test
    void shortValuesAreNotScrubbedFromFreeText() {
        Secret.of("ab");
        assertThat(Redactor.redact("about a cab")).isEqualTo("about a cab");
    }
}
