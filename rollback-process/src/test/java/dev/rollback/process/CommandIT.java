package dev.rollback.process;

import dev.rollback.test.TestStepContext;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.journal.InMemoryJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Runs real processes. */
class CommandIT {
    @TempDir
    Path tmp;

    @Test
    void capturesOutputExitCodeAndRunsInTheDirectoryWithTheEnvironment() throws IOException {
        Files.writeString(tmp.resolve("marker.txt"), "x");
        CommandResult r = Command.of("bash", "-c", "ls; echo \"greeting=$GREETING\"; echo to-stderr >&2")
                .directory(tmp)
                .env("GREETING", "hello world")
                .run();
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).containsExactly("marker.txt", "greeting=hello world");
        assertThat(r.stderr()).containsExactly("to-stderr");
        assertThat(r.stdoutText()).isEqualTo("marker.txt\ngreeting=hello world");
        assertThat(r.argv()).containsExactly("bash", "-c", "ls; echo \"greeting=$GREETING\"; echo to-stderr >&2");
    }

    @Test
    void argumentsArePassedVerbatimWithoutAShell() {
        List<String> tricky = List.of("a b", "$HOME", "'quoted'", "\"dq\"", "x;rm -rf /", "*", "", "tab\there");
        List<String> argv = new ArrayList<>(List.of("printf", "[%s]\\n"));
        argv.addAll(tricky);
        CommandResult r = Command.of(argv).run();
        assertThat(r.stdout()).containsExactlyElementsOf(tricky.stream().map(s -> "[" + s + "]").collect(Collectors.toList()));
    }

    @Test
    void lastLineWithoutNewlineIsKept() {
        assertThat(Command.of("printf", "one\\ntwo").run().stdout()).containsExactly("one", "two");
    }

    @Test
    void nonZeroExitFailsWithCommandExitCodeAndLastErrorLines() {
        CommandFailedException e = catchThrowableOfType(CommandFailedException.class, () ->
                Command.of("bash", "-c", "echo starting; echo 'FATAL: role \"app\" does not exist' >&2; exit 3").run());
        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.getMessage()).contains("bash -c").contains("exited with 3").contains("expected 0")
                .contains("FATAL: role \"app\" does not exist");
        assertThat(e.result()).get().extracting(CommandResult::stdout).isEqualTo(List.of("starting"));
    }

    @Test
    void expectedNonZeroExitCodesSucceed() {
        assertThat(Command.of("bash", "-c", "exit 1").expectExitCodes(0, 1).run().exitCode()).isEqualTo(1);
        assertThatThrownBy(() -> Command.of("bash", "-c", "exit 2").expectExitCodes(0, 1).run())
                .isInstanceOf(CommandFailedException.class).hasMessageContaining("expected [0, 1]");
    }

    @Test
    void missingExecutableNamesItAndThePathSearched() {
        ExecutableNotFoundException e = catchThrowableOfType(ExecutableNotFoundException.class, () ->
                Command.of("no-such-tool-xyz", "--version").searchPath(List.of(tmp)).run());
        assertThat(e.executable()).isEqualTo("no-such-tool-xyz");
        assertThat(e.searched()).first().isEqualTo(tmp);
        assertThat(e.getMessage()).contains("'no-such-tool-xyz' not found").contains(tmp.toString())
                .contains("/usr/bin").contains("Nothing was run");
    }

    @Test
    void missingExecutablePathAndNonExecutableFileAreClear() throws IOException {
        assertThatThrownBy(() -> Command.of(tmp.resolve("nope.sh").toString()).run())
                .isInstanceOf(ExecutableNotFoundException.class).hasMessageContaining("does not exist");
        Path plain = Files.writeString(tmp.resolve("plain.sh"), "#!/bin/sh\necho hi\n");
        assertThatThrownBy(() -> Command.of(plain.toString()).run())
                .isInstanceOf(ExecutableNotFoundException.class).hasMessageContaining("not an executable file")
                .hasMessageContaining("chmod +x");
    }

    @Test
    void missingWorkingDirectoryIsClear() {
        assertThatThrownBy(() -> Command.of("ls").directory(tmp.resolve("gone")).run())
                .isInstanceOf(CommandFailedException.class).hasMessageContaining("working directory")
                .hasMessageContaining("does not exist");
    }

    @Test
    void searchPathFindsAStandInBeforePathAndPassesItOnToChildren() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        script(bin.resolve("systemctl"), "#!/bin/bash\necho \"stand-in systemctl $*\"\n");
        script(bin.resolve("outer"), "#!/bin/bash\nsystemctl \"$@\"\n");
        assertThat(Command.of("outer", "stop", "app").searchPath(List.of(bin)).run().stdout())
                .containsExactly("stand-in systemctl stop app");
    }

    @Test
    void pathOverrideInTheEnvironmentIsSearched() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin2"));
        script(bin.resolve("mytool"), "#!/bin/bash\necho mine\n");
        assertThat(Command.of("mytool").env("PATH", bin + ":/usr/bin:/bin").run().stdout()).containsExactly("mine");
    }

    @Test
    void outputIsBoundedToTheLastLines() {
        CommandResult r = Command.of("seq", "1", "1000").keepLines(200).run();
        assertThat(r.stdout()).hasSize(200).startsWith("801").endsWith("1000");
        assertThat(Command.of("seq", "1", "5000").run().stdout()).hasSize(Command.DEFAULT_KEEP_LINES).endsWith("5000");
    }

    @Test
    void stdoutToFileKeepsItOutOfMemory() throws IOException {
        Path out = tmp.resolve("seq.txt");
        CommandResult r = Command.of("seq", "1", "100000").stdoutTo(out).run();
        assertThat(r.stdout()).isEmpty();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(100000).endsWith("100000");
    }

    @Test
    void stdoutToFileIsOwnerOnlyInOwnerOnlyFolders() throws IOException {
        Path out = tmp.resolve("dumps/today/db.sql");
        Command.of("echo", "rows").stdoutTo(out).run();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.getParent()))).isEqualTo("rwx------");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r--r--"));
        Command.of("echo", "again").stdoutTo(out).run();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
        assertThat(Files.readString(out)).isEqualTo("again\n");
    }

    @Test
    void aRelativeStdoutFileOfAStepLandsInTheRunFolder() throws IOException {
        Path runFolder = tmp.resolve("run");
        Command.of("echo", "abc123 Release v1.1.0").stdoutTo(Path.of("forensics/recent-deployments.txt"))
                .run(dev.rollback.test.TestStepContext.in(runFolder));
        assertThat(Files.readString(runFolder.resolve("forensics/recent-deployments.txt"))).isEqualTo("abc123 Release v1.1.0\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runFolder.resolve("forensics/recent-deployments.txt"))))
                .isEqualTo("rw-------");
    }

    @Test
    void stdoutToUnwritableFileFailsBeforeRunning() throws IOException {
        Files.writeString(tmp.resolve("a-file"), "not a folder");
        assertThatThrownBy(() -> Command.of("echo", "x").stdoutTo(tmp.resolve("a-file/out.txt")).run())
                .isInstanceOf(CommandFailedException.class).hasMessageContaining("cannot be written")
                .hasMessageContaining("nothing was run");
    }

    @Test
    void timeoutKillsTheWholeProcessTree() {
        // parent bash -> (child sleep) and (child bash -> grandchild sleep); each reports its pid
        String script = "sleep 300 & echo child $!; bash -c 'sleep 300 & echo grandchild $!; wait' & echo child $!; wait";
        CommandTimeoutException e = catchThrowableOfType(CommandTimeoutException.class, () ->
                Command.of("bash", "-c", script).timeout(Duration.ofSeconds(2)).run());
        assertThat(e.getMessage()).contains("ran longer than its timeout of PT2S").contains("was killed together with");
        assertThat(e.timeout()).isEqualTo(Duration.ofSeconds(2));
        List<Long> pids = e.partialResult().stdout().stream().map(l -> Long.parseLong(l.split(" ")[1])).collect(Collectors.toList());
        assertThat(pids).hasSize(3);
        for (long pid : pids) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            assertThat(h.map(ProcessHandle::isAlive).orElse(false)).as("process %d still alive", pid).isFalse();
        }
    }

    @Test
    void interruptingTheCallerKillsTheCommand() throws Exception {
        Path pidFile = tmp.resolve("pid");
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                Command.of("bash", "-c", "echo $$ > " + pidFile + "; exec sleep 300").run();
                outcome.complete(null);
            } catch (Throwable ex) {
                outcome.complete(ex);
            }
        });
        t.start();
        long pid = waitForPid(pidFile);
        t.interrupt();
        Throwable ex = outcome.get();
        assertThat(ex).isInstanceOf(CommandFailedException.class).hasMessageContaining("interrupted");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void secretInTheEnvironmentNeverAppearsInAnyCmdline() throws Exception {
        String password = "env-only-pw-93f1c2";
        Secret secret = Secret.of(password);
        Path pidFile = tmp.resolve("pid2");
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                Command.of("bash", "-c", "echo $$ > " + pidFile + "; sleep 30 & wait")
                        .env("DB_PASSWORD", secret).timeout(Duration.ofSeconds(20)).run();
                outcome.complete(null);
            } catch (Throwable ex) {
                outcome.complete(ex);
            }
        });
        t.start();
        long pid = waitForPid(pidFile);
        ProcessHandle bash = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(bash);
        // wait until the sleep child exists, so that children are inspected too
        for (int i = 0; i < 200 && bash.descendants().count() == 0; i++) {
            Thread.sleep(25);
        }
        bash.descendants().forEach(tree::add);
        assertThat(tree).hasSizeGreaterThanOrEqualTo(2);
        for (ProcessHandle h : tree) {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + h.pid() + "/cmdline")), StandardCharsets.UTF_8);
            assertThat(cmdline).as("cmdline of %d", h.pid()).isNotEmpty().doesNotContain(password);
            // proves the secret did reach the process, through its environment
            String environ = new String(Files.readAllBytes(Path.of("/proc/" + h.pid() + "/environ")), StandardCharsets.UTF_8);
            assertThat(environ).contains("DB_PASSWORD=" + password);
        }
        t.interrupt();
        assertThat(outcome.get()).isInstanceOf(CommandFailedException.class);
    }

    @Test
    void secretPrintedByACommandIsMaskedInResultJournalAndLog() throws IOException {
        String password = "journal-pw-5d2e8a";
        Secret secret = Secret.of(password);
        Command leaky = Command.of("bash", "-c", "echo \"connecting with $DB_PASSWORD\"; echo \"auth failed for $DB_PASSWORD\" >&2; exit 4")
                .env("DB_PASSWORD", secret).named("leaky tool");
        RollbackPlan plan = Rollback.plan("secret-plan").step(leaky).build();
        InMemoryJournal journal = InMemoryJournal.create();
        RunReport report = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ci")).run(plan);
        assertThat(report.isSuccess()).isFalse();
        String journalText = String.join("\n", journal.lines("secret-plan", report.runId()));
        assertThat(journalText).contains("leaky tool").contains("exited with 4").doesNotContain(password);
        assertThat(report.failureIfAny()).get().extracting(RunReport.Failure::message).asString()
                .contains("auth failed for ******").doesNotContain(password);

        Path log = Path.of(System.getProperty("org.slf4j.simpleLogger.logFile"));
        String logText = Files.readString(log);
        assertThat(logText).contains("connecting with ******").doesNotContain(password);
    }

    @Test
    void progressReportsEachLineToTheContext() {
        TestStepContext ctx = TestStepContext.in(tmp);
        Command.of("printf", "a\\nb\\n").run(ctx);
        assertThat(ctx.progress()).hasSize(2);
        assertThat(ctx.progress().get(1)).endsWith(" b");
    }

    @Test
    void asCheckPassesOnExpectedExitAndFailsOtherwise() throws Exception {
        TestStepContext ctx = TestStepContext.in(tmp);
        CheckResult ok = Command.of("true").asCheck("true works").check(ctx);
        assertThat(ok.isPassed()).isTrue();
        CheckResult bad = Command.of("bash", "-c", "echo inactive >&2; exit 3").asCheck().check(ctx);
        assertThat(bad.isPassed()).isFalse();
        assertThat(bad.measured()).isEqualTo("exit code 3");
        assertThat(bad.expected()).isEqualTo("exit code 0");
        assertThat(bad.message()).contains("inactive");
    }

    static long waitForPid(Path pidFile) throws InterruptedException, IOException {
        for (int i = 0; i < 400; i++) {
            if (Files.exists(pidFile)) {
                String s = Files.readString(pidFile).trim();
                if (!s.isEmpty()) {
                    return Long.parseLong(s);
                }
            }
            Thread.sleep(25);
        }
        throw new AssertionError("pid file " + pidFile + " never appeared");
    }

    static Path script(Path file, String body) throws IOException {
        Files.writeString(file, body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
