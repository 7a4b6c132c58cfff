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
