package dev.rollback.process;

import dev.rollback.core.Secret;
import dev.rollback.core.StepDescription;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandTest {

    @Test
    void settersReturnCopiesAndLeaveTheOriginalAlone() {
        Command base = Command.of("redis-cli", "FLUSHDB");
        Command named = base.named("flush sessions").timeout(Duration.ofSeconds(5)).env("A", "b");
        assertThat(base.name()).isEqualTo("run redis-cli FLUSHDB");
        assertThat(base.environment()).isEmpty();
        assertThat(base.timeoutOrNull()).isNull();
        assertThat(named.name()).isEqualTo("flush sessions");
        assertThat(named.argv()).containsExactly("redis-cli", "FLUSHDB");
    }

    @Test
    void describeShowsArgvAndEnvNamesButNeverEnvValues() {
        Secret pw = Secret.of("describe-secret-4711");
        StepDescription d = Command.of("pg_dump", "--dbname", "nextcrm", "--file", "/backups/a b.dump")
                .env("PGPASSWORD", pw)
                .env("PGUSER", "plain-user-value")
                .directory(Path.of("/tmp"))
                .expectExitCodes(0, 1)
                .describe();
        assertThat(d.commands()).containsExactly("pg_dump --dbname nextcrm --file '/backups/a b.dump'");
        assertThat(d.parameters()).containsEntry("env.PGPASSWORD", Secret.MASK).containsEntry("env.PGUSER", Secret.MASK)
                .containsEntry("exitCodes", "[0, 1]").containsEntry("directory", "/tmp");
        assertThat(d.toString()).doesNotContain("describe-secret-4711").doesNotContain("plain-user-value");
    }

    @Test
    void describeIsDeterministic() {
        Command c = Command.of("kubectl", "scale", "--replicas=0").env("KUBECONFIG", "/k").timeout(Duration.ofMinutes(1));
        assertThat(c.describe()).isEqualTo(c.describe()).isEqualTo(Command.of(List.of("kubectl", "scale", "--replicas=0"))
                .env("KUBECONFIG", "/k").timeout(Duration.ofMinutes(1)).describe());
    }

    @Test
    void passwordsInUrlsAreRedactedInNameAndDescription() {
        Command c = Command.of("psql", "postgresql://app:hunter22@db/crm");
        assertThat(c.name()).doesNotContain("hunter22").contains("******");
        assertThat(c.describe().commands().get(0)).doesNotContain("hunter22");
    }

    @Test
    void badInputIsRejectedWithClearMessages() {
        assertThatThrownBy(() -> Command.of(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argument list is empty");
        assertThatThrownBy(() -> Command.of(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("executable").hasMessageContaining("blank");
        assertThatThrownBy(() -> Command.of("ls", "a", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Argument 2");
        assertThatThrownBy(() -> Command.of("ls").timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout must be positive");
        assertThatThrownBy(() -> Command.of("ls").expectExitCodes()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one exit code");
        assertThatThrownBy(() -> Command.of("ls").env("A=B", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid environment variable name");
        assertThatThrownBy(() -> Command.of("ls").keepLines(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keepLines");
    }
}
