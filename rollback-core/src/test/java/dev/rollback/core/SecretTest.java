package dev.rollback.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Secret}: what it reveals, how it compares, and that it is scrubbed from text as soon as it exists. */
class SecretTest {

    @Test
    void revealsItsValueAndShowsOnlyTheMask() {
        Secret s = Secret.of("blue-whale-0451");
        assertThat(s.reveal()).isEqualTo("blue-whale-0451");
        assertThat(s).hasToString(Secret.MASK);
        assertThat(Secret.MASK).isEqualTo("******");
        assertThat("connect with " + s).isEqualTo("connect with ******");
    }

    @Test
    void aNewSecretIsScrubbedFromFreeTextAtOnce() {
        String value = "orange-kite-7391";
        assertThat(Redactor.redact("login failed for " + value)).isEqualTo("login failed for " + value);
        Secret.of(value);
        assertThat(Redactor.redact("login failed for " + value)).isEqualTo("login failed for ******");
    }

    @Test
    void anEmptySecretIsEmptyAndAnyOtherIsNot() {
        assertThat(Secret.of("").isEmpty()).isTrue();
        assertThat(Secret.of("").reveal()).isEmpty();
        assertThat(Secret.of("x").isEmpty()).isFalse();
    }

    @Test
    void secretsWithTheSameValueAreEqualAndHashAlike() {
        Secret a = Secret.of("same-value-123");
        Secret b = Secret.of("same-value-123");
        Secret c = Secret.of("other-value-456");
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        assertThat(a.equals(b)).isTrue();
        assertThat(a.equals(c)).isFalse();
        assertThat(a.equals("same-value-123")).as("a string is not a secret, even with the same value").isFalse();
        assertThat(a.equals(null)).isFalse();
        assertThat(a.hashCode()).isEqualTo(b.hashCode()).isEqualTo("same-value-123".hashCode()).isNotZero();
    }

    @Test
    void aNullValueIsRefusedByName() {
        assertThatThrownBy(() -> Secret.of(null)).isInstanceOf(NullPointerException.class).hasMessage("value");
    }

    @Test
    void fromEnvReadsTheVariable() {
        // PATH is set wherever a JVM runs tests; its value is long and unlike any other text of these tests
        String path = System.getenv("PATH");
        assertThat(path).isNotNull();
        Secret s = Secret.fromEnv("PATH");
        assertThat(s.reveal()).isEqualTo(path);
        assertThat(s).hasToString(Secret.MASK);
    }

    @Test
    void fromEnvNamesAMissingVariableAndTheFix() {
        String name = "ROLLBACK_TEST_UNSET_" + System.nanoTime();
        assertThat(System.getenv(name)).isNull();
        assertThatThrownBy(() -> Secret.fromEnv(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Environment variable " + name + " is not set; export it before running the plan");
    }
}
