package dev.rollback.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a dry run shows of a step: its summary, parameters and commands, with secrets masked and URLs redacted. */
class StepDescriptionTest {

    @Test
    void parametersAndCommandsAreAddedToACopyWithSecretsMaskedAndUrlsRedacted() {
        StepDescription base = StepDescription.of("restore nextcrm");
        StepDescription d = base.param("target", "nextcrm").param("password", Secret.of("Hunter-22-pass")).param("empty", null)
                .param("url", "postgresql://app:Pw-123456@db/app")
                .command(List.of("pg_restore", "--dbname=nextcrm", "it's here", ""))
                .command("ALTER DATABASE nextcrm RENAME TO nextcrm_before");

        assertThat(base.parameters()).as("the original is unchanged").isEmpty();
        assertThat(base.commands()).isEmpty();
        assertThat(d.summary()).isEqualTo("restore nextcrm");
        assertThat(d.parameters()).containsExactly(Map.entry("target", "nextcrm"), Map.entry("password", Secret.MASK),
                Map.entry("empty", "null"), Map.entry("url", Redactor.redact("postgresql://app:Pw-123456@db/app")));
        assertThat(d.parameters().get("url")).doesNotContain("Pw-123456");
        assertThat(d.commands()).containsExactly("pg_restore --dbname=nextcrm 'it'\\''s here' ''",
                "ALTER DATABASE nextcrm RENAME TO nextcrm_before");
        assertThat(d.toString()).isEqualTo("restore nextcrm " + d.parameters() + " " + d.commands());
        assertThat(base.toString()).isEqualTo("restore nextcrm");
        assertThat(base.command("x").toString()).isEqualTo("restore nextcrm [x]");
        assertThat(base.param("a", 1).toString()).isEqualTo("restore nextcrm {a=1}");
        assertThat(StepDescription.of("connect to redis://:Secret-Pw-1@cache:6379").summary()).doesNotContain("Secret-Pw-1");
    }

    @Test
    void twoDescriptionsAreEqualWhenTheySayTheSame() {
        StepDescription a = StepDescription.of("s").param("k", "v").command("c");
        assertThat(a).isEqualTo(StepDescription.of("s").param("k", "v").command("c")).hasSameHashCodeAs(StepDescription.of("s").param("k", "v").command("c"));
        assertThat(a).isNotEqualTo(StepDescription.of("t").param("k", "v").command("c"))
                .isNotEqualTo(StepDescription.of("s").param("k", "w").command("c"))
                .isNotEqualTo(StepDescription.of("s").param("k", "v").command("d"))
                .isNotEqualTo("s");
    }

    @Test
    void commandsAreRenderedAsAPersonWouldPasteThem() {
        assertThat(StepDescription.renderCommand(List.of("mongorestore", "--uri=mongodb://h:27017/db", "-u", "a@b", "50%", "x+y,z")))
                .isEqualTo("mongorestore --uri=mongodb://h:27017/db -u a@b 50% x+y,z");
        assertThat(StepDescription.renderCommand(List.of("echo", "two words", "$HOME", "a;b", "")))
                .isEqualTo("echo 'two words' '$HOME' 'a;b' ''");
        assertThat(StepDescription.renderCommand(List.of())).isEmpty();
    }
}
