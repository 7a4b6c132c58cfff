package dev.rollback.process.bench;

import dev.rollback.core.AppControl;
import dev.rollback.process.Ansible;
import dev.rollback.process.Fleet;
import dev.rollback.process.FleetTestApp;
import dev.rollback.test.SshHosts;
import dev.rollback.test.TestStepContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Stop and start an app on N hosts (20 by default), each a real OpenSSH server on a loopback
 * address ({@link SshHosts}), with {@link Fleet} (parallel 1, 5, 20) and with {@link Ansible}
 * (forks 5, 20, and 20 with {@code ANSIBLE_PIPELINING}), in the same run, rounds interleaved; and the floor: one bare {@code ssh host true}
 * per host, one after the other. Prints a Markdown table: the median of the rounds for a stop plus
 * a start of every host, and per host (that time divided by the hosts). Needs sshd, root and
 * ansible-core. Run: see docs/performance.md#fleets-ssh-loop-and-ansible.
 */
public final class FleetBench {
    private FleetBench() {
    }

    /**
     * @param args hosts (20), rounds (3)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        if (!SshHosts.available()) {
            throw new IllegalStateException("needs /usr/sbin/sshd and root (apt-get install openssh-server)");
        }
        Path dir = Files.createTempDirectory("fleet-bench-");
        FleetTestApp app = FleetTestApp.in(dir);
        try (SshHosts hosts = SshHosts.start(dir.resolve("sshd"), n, Map.of("FLEET_STATE", app.state().toString()))) {
            Path inventory = inventory(dir, hosts, app);
            Map<String, AppControl> controls = new LinkedHashMap<>();
            for (int p : new int[] {1, 5, 20}) {
                controls.put("Fleet over ssh, parallel " + p, Fleet.of(hosts.destinations()).sshOptions(hosts.sshOptions())
                        .parallel(Math.min(p, n)).control(app.control()));
            }
            for (int f : new int[] {5, 20}) {
                controls.put("Ansible ad-hoc command, forks " + f, Ansible.app("billing", ansible(inventory, hosts, app, "stop", f),
                        ansible(inventory, hosts, app, "start", f)));
            }
            controls.put("Ansible ad-hoc command, forks 20, ANSIBLE_PIPELINING", Ansible.app("billing",
                    ansible(inventory, hosts, app, "stop", 20).env("ANSIBLE_PIPELINING", "true"),
                    ansible(inventory, hosts, app, "start", 20).env("ANSIBLE_PIPELINING", "true")));
            Map<String, double[]> times = new LinkedHashMap<>();
            controls.keySet().forEach(k -> times.put(k, new double[rounds]));
            double[] floor = new double[rounds];
            // warm-up: host keys, python byte code, ssh control sockets
            for (AppControl c : controls.values()) {
                c.start(TestStepContext.in(Files.createTempDirectory(dir, "warm")));
                c.stop(TestStepContext.in(Files.createTempDirectory(dir, "warm")));
            }
            for (int r = 0; r < rounds; r++) {
                for (Map.Entry<String, AppControl> e : controls.entrySet()) {
                    long t0 = System.nanoTime();
                    e.getValue().stop(TestStepContext.in(Files.createTempDirectory(dir, "run")));
                    e.getValue().start(TestStepContext.in(Files.createTempDirectory(dir, "run")));
                    times.get(e.getKey())[r] = (System.nanoTime() - t0) / 1e9;
                    for (String h : hosts.addresses()) {
                        if (!app.running(h)) {
                            throw new IllegalStateException(e.getKey() + " left the app down on " + h);
                        }
                    }
                }
                long t0 = System.nanoTime();
                for (String h : hosts.destinations()) {
                    List<String> cmd = new ArrayList<>(List.of("ssh", "-o", "BatchMode=yes"));
                    cmd.addAll(List.of(hosts.sshOptions()));
                    cmd.addAll(List.of(h, "true"));
                    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                    p.getInputStream().readAllBytes();
                    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                        throw new IllegalStateException("ssh " + h + " true failed");
                    }
                }
                floor[r] = (System.nanoTime() - t0) / 1e9;
            }
            System.out.printf("%d hosts (one sshd each on 127.0.0.x), %d rounds, %d cores; stop then start of every host%n%n",
                    n, rounds, Runtime.getRuntime().availableProcessors());
            System.out.println("| how | stop + start, all hosts (median s) | min – max (s) | per host (ms) |");
            System.out.println("|---|---|---|---|");
            times.forEach((k, v) -> row(k, v, n));
            row("floor: bare `ssh host true`, one host after the other (one connection per host)", floor, n);
        } finally {
            app.reset();
        }
    }

    private static Ansible ansible(Path inventory, SshHosts hosts, FleetTestApp app, String action, int forks) {
        return Ansible.module("ansible.builtin.command", app.ctl() + " " + action).hosts("all").inventory(inventory).forks(forks)
                .privateKey(hosts.clientKey())
                .sshCommonArgs("-o UserKnownHostsFile=" + hosts.knownHosts() + " -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes");
    }

    private static Path inventory(Path dir, SshHosts hosts, FleetTestApp app) throws Exception {
        StringBuilder inv = new StringBuilder("[app]\n");
        for (String a : hosts.addresses()) {
            inv.append(a).append('\n');
        }
        inv.append("\n[app:vars]\nansible_port=").append(hosts.port()).append("\nansible_user=").append(hosts.user())
                .append("\nansible_python_interpreter=/usr/bin/python3\n");
        Path f = dir.resolve("hosts.ini");
        Files.writeString(f, inv);
        return f;
    }

    private static void row(String what, double[] secs, int hosts) {
        double[] s = secs.clone();
        Arrays.sort(s);
        double median = s[s.length / 2];
        System.out.printf("| %s | %.2f | %.2f – %.2f | %.0f |%n", what, median, s[0], s[s.length - 1], median * 1000 / hosts);
    }
}
