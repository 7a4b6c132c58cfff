package dev.rollback.process;

import dev.rollback.core.AppControl;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.test.SshHosts;
import dev.rollback.test.TestStepContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@link Ansible} for real: ansible-core (Debian's; {@code .ci/run} installs it) over ssh against
 * 10 real OpenSSH servers on loopback addresses ({@link SshHosts}), stopping and starting a real
 * process on each host with a playbook and with ad-hoc modules; one host failing, then a resumed
 * run limited to it; check mode; an unreachable host; a vault password that never reaches argv.
 * Needs sshd, root and ansible-playbook; else skipped with the reason.
 */
class AnsibleIT {
    private static final int HOSTS = 10;
    private static Path dir;
    private static FleetTestApp app;
    private static Path ctl;
    private static Path inventory;
    private static SshHosts hosts;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startHosts() throws Exception {
        Assumptions.assumeTrue(SshHosts.available(), "sshd is not installed or this is not root (.ci/run installs openssh-server)");
        Assumptions.assumeTrue(Pm2IT.onPath("ansible-playbook"), "ansible-core is not installed (.ci/run installs it)");
        dir = Files.createTempDirectory("ansibleit-");
        app = FleetTestApp.in(dir);
        ctl = app.ctl();
        hosts = SshHosts.start(dir.resolve("sshd"), HOSTS, Map.of("FLEET_STATE", app.state().toString()));
        StringBuilder inv = new StringBuilder("[app]\n");
        for (int i = 0; i < HOSTS; i++) {
            inv.append("web").append(i + 1).append(" ansible_host=").append(hosts.addresses().get(i)).append('\n');
        }
        inv.append("\n[app:vars]\nansible_port=").append(hosts.port()).append("\nansible_user=").append(hosts.user())
                .append("\nansible_python_interpreter=/usr/bin/python3\napp_ctl=").append(ctl).append('\n');
        inventory = dir.resolve("hosts.ini");
        Files.writeString(inventory, inv);
        Files.writeString(dir.resolve("app.yml"), """
                - hosts: app
                  gather_facts: false
                  tasks:
                    - name: "{{ app_action }} the app"
                      ansible.builtin.command: "{{ app_ctl }} {{ app_action }}"
                """);
    }

    @AfterAll
    static void stopHosts() throws Exception {
        if (hosts != null) {
            app.reset();
            hosts.close();
        }
    }

    @BeforeEach
    void cleanHosts() {
        app.reset();
        hosts.addresses().forEach(hosts::start);
    }

    private static Ansible playbook(String action) {
        return base(Ansible.playbook(dir.resolve("app.yml"))).extraVar("app_action", action);
    }

    private static Ansible base(Ansible a) {
        return a.inventory(inventory).privateKey(hosts.clientKey()).forks(HOSTS).connectTimeout(Duration.ofSeconds(3))
                .sshCommonArgs("-o UserKnownHostsFile=" + hosts.knownHosts() + " -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes")
                .env("ANSIBLE_SSH_ARGS", "-o ControlMaster=auto -o ControlPersist=5s")
                .env("ANSIBLE_PIPELINING", "true")
                .env("ANSIBLE_LOCAL_TEMP", dir.resolve("ansible-tmp").toString());
    }

    private static String host(int i) {
        return hosts.addresses().get(i - 1);
    }

    private static List<String> calls(int i) {
        return app.calls(host(i));
    }

    private static boolean running(int i) {
        return app.running(host(i));
    }

    @Test
    void stopsAndStartsTheAppOnTenHostsAndAResumeRunsOnlyTheFailedHost() throws Exception {
        base(Ansible.module("ansible.builtin.command", ctl + " start")).hosts("app").execute(TestStepContext.in(tmp.resolve("setup")));
        for (int i = 1; i <= HOSTS; i++) {
            assertThat(running(i)).as("web%d runs the app", i).isTrue();
        }
        app.breakOn(host(4), "the unit file is missing");
        AppControl billing = Ansible.app("billing", playbook("stop"), playbook("start"));
        RollbackPlan plan = Rollback.plan("billing-restart").stopApp(billing).startApp(billing).build();
        FileJournal journal = FileJournal.in(tmp.resolve("journal"));

        RunReport first = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ops@example.com")).run(plan);

        assertThat(first.isSuccess()).isFalse();
        assertThat(first.failureIfAny().orElseThrow().message()).contains("failed on 1 of 10 hosts", "web4", "the unit file is missing",
                "rc 3", "done (9)");
        assertThat(running(4)).isTrue();
        assertThat(running(5)).isFalse();
        app.repair(host(4));

        RunReport resumed = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ops@example.com"))
                .resume(plan, first.runId());

        assertThat(resumed.isSuccess()).as(String.valueOf(resumed.failureIfAny())).isTrue();
        for (int i = 1; i <= HOSTS; i++) {
            assertThat(running(i)).as("web%d runs again", i).isTrue();
        }
        assertThat(calls(1)).as("stopped once, started once").containsExactly("start", "stop", "start");
        assertThat(calls(4)).as("the failed stop, the retry limited to web4, the start").containsExactly("start", "stop", "stop", "start");
        String report = Files.readString(journal.runDirectory("billing-restart", first.runId()).resolve("incident-report.md"));
        assertThat(report).contains("## Hosts", "| Host | stop | start |", "| web4 | ok | ok |", "- stop: 10 ok");
    }

    @Test
    void checkModeChangesNothingAndLimitAndBatchesNarrowTheRun() throws Exception {
        TestStepContext ctx = TestStepContext.in(tmp);
        Ansible dry = base(Ansible.module("ansible.builtin.command", ctl + " start")).hosts("app").limit("web1", "web2", "web3")
                .checkMode();
        assertThat(dry.listHosts()).containsExactly("web1", "web2", "web3");
        dry.execute(ctx);
        for (int i = 1; i <= HOSTS; i++) {
            assertThat(calls(i)).as("check mode ran nothing on web%d", i).isEmpty();
        }
        assertThat(ctx.outputs()).containsOnlyKeys("fleet.ansible.web1", "fleet.ansible.web2", "fleet.ansible.web3");

        Ansible batches = playbook("start").limit("web1", "web2", "web3", "web4", "web5").serial(2).maxFailPercent(0).action("start");
        List<String> order = batches.listHosts();
        assertThat(order).containsExactly("web1", "web2", "web3", "web4", "web5");
        hosts.stop(host(Integer.parseInt(order.get(1).substring(3))));   // batch 1's second host is down
        FleetException e = catchThrowableOfType(FleetException.class, () -> batches.execute(TestStepContext.in(tmp.resolve("b"))));
        assertThat(e.hosts(HostResult.Status.OK)).containsExactly(order.get(0));
        assertThat(e.hosts(HostResult.Status.FAILED)).containsExactly(order.get(1));
        assertThat(e.hosts(HostResult.Status.NOT_TRIED)).containsExactlyElementsOf(order.subList(2, 5));
        // Ansible words a stopped sshd as "Connection refused", or as "Data could not be sent to remote host ...
        // Broken pipe" when a persistent ssh connection to it was still open: either way it is unreachable,
        // and Ansible's own reason names the host's address
        String down = order.get(1);
        HostResult failed = e.results().stream().filter(r -> r.host().equals(down)).findFirst().orElseThrow();
        assertThat(failed.message()).startsWith("unreachable: ").contains(host(Integer.parseInt(down.substring(3))));
        assertThat(e.getMessage()).contains(down + ": " + failed.message()).contains("spent after batch 1 of 3");
        for (String notTried : order.subList(2, 5)) {
            assertThat(calls(Integer.parseInt(notTried.substring(3)))).as(notTried).isEmpty();
        }
    }

    @Test
    void theVaultPasswordReachesAnsibleThroughAPrivateFileNeverArgv() throws Exception {
        String password = "vault-pw-" + Long.toHexString(System.nanoTime());
        Path pwFile = tmp.resolve("pw");
        Files.writeString(pwFile, password);
        Path vars = dir.resolve("secret-vars.yml");
        Files.writeString(vars, "app_action: start\n");
        Process enc = new ProcessBuilder("ansible-vault", "encrypt", "--vault-password-file", pwFile.toString(), vars.toString())
                .redirectErrorStream(true).start();
        assertThat(enc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(enc.exitValue()).as(new String(enc.getInputStream().readAllBytes())).isZero();
        Files.delete(pwFile);
        Path play = dir.resolve("vaulted.yml");
        Files.writeString(play, """
                - hosts: app
                  gather_facts: false
                  vars_files: [secret-vars.yml]
                  tasks:
                    - ansible.builtin.command: "{{ app_ctl }} {{ app_action }}"
                """);
        Ansible vaulted = base(Ansible.playbook(play)).limit("web1").vaultPassword(Secret.of(password));
        assertThat(vaulted.describe().commands().get(0)).contains("--vault-password-file '<0600 file with the vault password>'")
                .doesNotContain(password);

        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            try {
                vaulted.execute(TestStepContext.in(tmp.resolve("v")));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        boolean sawAnsible = false;
        while (!run.isDone()) {
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                    try {
                        String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                        seen.add(cmdline);
                        sawAnsible |= cmdline.contains("vaulted.yml");
                    } catch (IOException gone) {
                        // the process ended
                    }
                }
            }
            Thread.sleep(20);
        }
        run.get(5, TimeUnit.SECONDS);
        assertThat(sawAnsible).as("the sniff saw ansible-playbook running").isTrue();
        assertThat(seen).noneMatch(c -> c.contains(password));
        assertThat(running(1)).as("the vaulted variable reached the play").isTrue();
        // the private folder of this run's password file (named in ansible's argv) is gone; other builds on this
        // machine share the temp folder, so only this run's folder is looked for
        List<Path> vaultFolders = seen.stream().filter(c -> c.contains("vaulted.yml") && c.contains("--vault-password-file "))
                .map(c -> Path.of(c.substring(c.indexOf("--vault-password-file ") + "--vault-password-file ".length()).split(" ")[0]).getParent())
                .distinct().toList();
        assertThat(vaultFolders).as("the password file's folder, from ansible's argv").isNotEmpty()
                .allSatisfy(f -> assertThat(f.getFileName().toString()).startsWith("rollback-ansible-"))
                .allSatisfy(f -> assertThat(f).doesNotExist());
    }
}
