package dev.rollback.process;

import dev.rollback.process.internal.Rollout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Several hosts that run the same application, reached over ssh (the seeds' loop
 * {@code for SERVER in ...; do ssh $SERVER "sudo systemctl stop nextcrm"; done}), handled in rolling
 * batches with a failure budget.
 *
 * <pre>{@code
 * AppControl all = Fleet.of("web1", "web2", "web3").parallel(2)
 *     .control(Systemd.unit("nextcrm").sudo());
 * plan.stopApp(all);     // every host is tried; the step fails if any host failed
 *
 * AppControl rolling = Fleet.of(hosts).serial(5).parallel(5).maxFailPercent(10)
 *     .connectTimeout(Duration.ofSeconds(5))
 *     .control(Systemd.unit("nextcrm").sudo());
 * plan.startApp(rolling); // 5 hosts at a time; once more than 10 % failed, no further batch starts
 * }</pre>
 *
 * <p>Each host's result is journaled (output {@code fleet.<action>.<host>}, and the step's memory
 * for the hosts done), so a resumed run retries only the hosts that failed or were not tried, and
 * the incident report has a per-host table. An unreachable host fails after the connect timeout
 * (10 s by default; a silent host too, as ssh also times out the banner exchange) and the others go
 * on; a dead connection is dropped after three missed keep-alives.
 */
public final class Fleet {
    private final List<String> hosts;
    private final int parallel;
    private final String sshBinary;
    private final List<String> sshOptions;
    private final List<Path> searchPath;
    private final Rollout.Policy policy;
    private final Duration connectTimeout;

    private Fleet(List<String> hosts, int parallel, String sshBinary, List<String> sshOptions, List<Path> searchPath,
                  Rollout.Policy policy, Duration connectTimeout) {
        this.hosts = hosts;
        this.parallel = parallel;
        this.sshBinary = sshBinary;
        this.sshOptions = sshOptions;
        this.searchPath = searchPath;
        this.policy = policy;
        this.connectTimeout = connectTimeout;
    }

    /**
     * @param hosts the hosts, {@code host} or {@code user@host}, each once
     * @return the fleet, one host at a time, in one batch
     */
    public static Fleet of(String... hosts) {
        Objects.requireNonNull(hosts, "hosts");
        return of(List.of(hosts));
    }

    /**
     * @param hosts the hosts, {@code host} or {@code user@host}, each once
     * @return the fleet, one host at a time, in one batch
     */
    public static Fleet of(List<String> hosts) {
        Objects.requireNonNull(hosts, "hosts");
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("A fleet needs at least one host");
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (String h : hosts) {
            Ssh.to(h); // validates
            if (!unique.add(h)) {
                throw new IllegalArgumentException("Host " + h + " is listed twice in the fleet");
            }
        }
        return new Fleet(List.copyOf(unique), 1, "ssh", List.of(), List.of(), Rollout.Policy.ALL_AT_ONCE, Duration.ofSeconds(10));
    }

    /**
     * @param n how many hosts are handled at once within a batch (default 1)
     * @return a copy
     */
    public Fleet parallel(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("parallel must be at least 1, got " + n);
        }
        return new Fleet(hosts, n, sshBinary, sshOptions, searchPath, policy, connectTimeout);
    }

    /**
     * Rolling batches of {@code n} hosts: a batch starts once the one before it is finished, and
     * only while the failure budget ({@link #maxFailPercent(int)}) is not spent.
     *
     * @param n hosts per batch
     * @return a copy
     */
    public Fleet serial(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("serial must be at least 1 host, got " + n);
        }
        return new Fleet(hosts, parallel, sshBinary, sshOptions, searchPath,
                new Rollout.Policy(n, 0, policy.maxFailPercent()), connectTimeout);
    }

    /**
     * Rolling batches of a percentage of the fleet (rounded up, at least one host).
     *
     * @param percent 1..100
     * @return a copy
     */
    public Fleet serialPercent(int percent) {
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("serialPercent must be 1..100, got " + percent);
        }
        return new Fleet(hosts, parallel, sshBinary, sshOptions, searchPath,
                new Rollout.Policy(0, percent, policy.maxFailPercent()), connectTimeout);
    }

    /**
     * The failure budget across all batches: once more than this percentage of the fleet's hosts
     * failed, no further batch starts (default 0: the first failure ends the rollout after its
     * batch). The step fails whenever a host failed; the budget only decides whether the rollout
     * goes on to the next batch.
     *
     * @param percent 0..100
     * @return a copy
     */
    public Fleet maxFailPercent(int percent) {
        return new Fleet(hosts, parallel, sshBinary, sshOptions, searchPath,
                new Rollout.Policy(policy.serial(), policy.serialPercent(), percent), connectTimeout);
    }

    /**
     * @param timeout how long ssh may take to connect to a host, banner exchange included (default 10 s)
     * @return a copy
     */
    public Fleet connectTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.toSeconds() < 1) {
            throw new IllegalArgumentException("connectTimeout must be at least 1 s (ssh counts whole seconds), got " + timeout);
        }
        return new Fleet(hosts, parallel, sshBinary, sshOptions, searchPath, policy, timeout);
    }

    /**
     * @param binary the ssh client, a name or a path (default {@code ssh})
     * @return a copy using it
     */
    public Fleet sshBinary(String binary) {
        return new Fleet(hosts, parallel, Objects.requireNonNull(binary, "binary"), sshOptions, searchPath, policy, connectTimeout);
    }

    /**
     * @param options extra ssh options for every host
     * @return a copy
     */
    public Fleet sshOptions(String... options) {
        return new Fleet(hosts, parallel, sshBinary, List.of(options), searchPath, policy, connectTimeout);
    }

    /**
     * @param dirs where the ssh client is looked up first
     * @return a copy
     */
    public Fleet searchPath(List<Path> dirs) {
        return new Fleet(hosts, parallel, sshBinary, sshOptions, List.copyOf(dirs), policy, connectTimeout);
    }

    /** @return the hosts, in order */
    public List<String> hosts() {
        return hosts;
    }

    /**
     * @param app what to stop and start on every host
     * @return an app control over the whole fleet
     */
    public FleetControl control(HostAppControl app) {
        Objects.requireNonNull(app, "app");
        // ssh takes the first value of an option: the caller's own come first
        List<String> options = new ArrayList<>(sshOptions);
        options.addAll(List.of("-o", "ConnectTimeout=" + connectTimeout.toSeconds(),
                "-o", "ServerAliveInterval=" + Math.max(1, connectTimeout.toSeconds()), "-o", "ServerAliveCountMax=3"));
        List<FleetControl.Member> members = new ArrayList<>();
        for (String h : hosts) {
            Ssh ssh = Ssh.to(h).binary(sshBinary).options(options.toArray(new String[0]));
            CommandTransport t = new CommandTransport() {
                @Override
                public Command wrap(Command command) {
                    return ssh.wrap(command).searchPath(searchPath);
                }

                @Override
                public String where() {
                    return ssh.where();
                }
            };
            members.add(new FleetControl.Member(h, app.via(t)));
        }
        return new FleetControl(app.name(), members, parallel, policy);
    }
}
