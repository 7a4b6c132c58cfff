package dev.rollback.process;

import dev.rollback.process.internal.ChildDeath;
import dev.rollback.test.TestStepContext;
import dev.rollback.test.internal.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tool a step started must not outlive a runner killed with SIGKILL (issue 19): a child JVM
 * runs {@code sleep} through {@link Command} for a step, the test SIGKILLs that JVM, and the tool
 * must be gone — by the kernel's parent-death signal, or, where that is off, by the next attempt's
 * {@link StepProcesses#killLeftovers}.
 */
class ChildToolsDieWithRunnerIT {
    @TempDir
    Path tmp;

    @Test
    void aToolDiesWithTheJvmThatStartedItThroughTheParentDeathSignal() throws Exception {
        assertThat(ChildDeath.wrapper()).as("setpriv --pdeathsig is available on this Linux machine").isNotEmpty();
        ChildJvm child = startRunner("run-a", Map.of());
        ProcessHandle tool = awaitTool(child);
        child.kill();                                       // SIGKILL of the runner
        assertThat(tool.onExit().completeOnTimeout(null, 5, java.util.concurrent.TimeUnit.SECONDS).get())
                .as("sleep (pid %d) is gone within 5 s of the runner's SIGKILL", tool.pid()).isNotNull();
        assertThat(tool.isAlive()).isFalse();
    }

    @Test
    void withoutTheSignalTheNextAttemptKillsWhatTheKilledRunnerLeftRunning() throws Exception {
        ChildJvm child = startRunner("run-b", Map.of(ChildDeath.PROPERTY, "false"));
        ProcessHandle tool = awaitTool(child);
        child.kill();
        Thread.sleep(300);
        assertThat(tool.isAlive()).as("without the parent-death signal the orphan keeps running").isTrue();

        TestStepContext otherStep = TestStepContext.in(tmp).runId("run-b").stepName("another step");
        assertThat(StepProcesses.leftovers(otherStep)).isEmpty();
        TestStepContext otherRun = TestStepContext.in(tmp).runId("run-c").stepName("restore shop");
        assertThat(StepProcesses.leftovers(otherRun)).isEmpty();

        TestStepContext nextAttempt = TestStepContext.in(tmp).runId("run-b").stepName("restore shop");
        List<String> killed = StepProcesses.killLeftovers(nextAttempt);
        assertThat(killed).containsExactly("sleep (pid " + tool.pid() + ")");
        assertThat(tool.onExit().completeOnTimeout(null, 5, java.util.concurrent.TimeUnit.SECONDS).get()).isNotNull();
        assertThat(StepProcesses.leftovers(nextAttempt)).isEmpty();
    }

    @Test
    void theToolRunsUnderItsOwnNameAndKeepsItsExitCodeAndStartErrors() throws Exception {
        CommandResult r = Command.of("bash", "-c", "exit 7").runAnyExit(TestStepContext.in(tmp).runId("r").stepName("s"));
        assertThat(r.exitCode()).isEqualTo(7);
        CommandResult env = Command.of("bash", "-c", "echo \"$" + ChildDeath.OWNER_VARIABLE + "\"").run(TestStepContext.in(tmp).runId("r1").stepName("step one"));
        assertThat(env.stdout()).containsExactly("r1/step one");
        Path notElf = tmp.resolve("not-a-program");
        java.nio.file.Files.writeString(notElf, "#!/no/such/interpreter\n");
        java.nio.file.Files.setPosixFilePermissions(notElf, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Command.of(notElf.toString()).run())
                .isInstanceOf(CommandFailedException.class).hasMessageContaining("Cannot start").hasMessageContaining("working executable");
    }

    private ChildJvm startRunner(String runId, Map<String, String> properties) throws Exception {
        return ChildJvm.start(System.getProperty("java.class.path"), ToolInChildJvm.class, properties, Map.of(),
                List.of(tmp.toString(), runId, "restore shop", "sleep", "300"), tmp.resolve(runId + ".log"));
    }

    private static ProcessHandle awaitTool(ChildJvm child) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            Optional<ProcessHandle> sleep = child.handle().descendants()
                    .filter(h -> h.info().command().map(c -> c.endsWith("/sleep")).orElse(false)).findFirst();
            if (sleep.isPresent()) {
                return sleep.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the child JVM did not start sleep within 30 s: " + child.outputTail(20));
    }
}
