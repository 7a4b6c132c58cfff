package dev.rollback.process;

import dev.rollback.process.internal.Rollout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

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
    private final Settings settings;

    /** The fleet's options, copied by {@link #with(UnaryOperator)}: one place instead of a constructor call per option. */
    private record Settings(List<String> hosts, int parallel, String sshBinary, List<String> sshOptions, List<Path> searchPath,
                            Rollout.Policy policy, Duration connectTimeout) {
        Settings parallel(int n) {
            return new Settings(hosts, n, sshBinary, sshOptions, searchPath, policy, connectTimeout);
        }

        Settings policy(Rollout.Policy p) {
            return new Settings(hosts, parallel, sshBinary, sshOptions, searchPath, p, connectTimeout);
        }

        Settings ssh(String binary, List<String> options, Duration timeout) {
            return new Settings(hosts, parallel, binary, options, searchPath, policy, timeout);
        }

        Settings searchPath(List<Path> dirs) {
            return new Settings(hosts, parallel, sshBinary, sshOptions, dirs, policy, connectTimeout);
        }
    }

    private Fleet(Settings settings) {
        this.settings = settings;
    }

    private Fleet with(UnaryOperator<Settings> change) {
        return new Fleet(change.apply(settings));
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
        return new Fleet(new Settings(List.copyOf(unique), 1, "ssh", List.of(), List.of(), Rollout.Policy.ALL_AT_ONCE, Duration.ofSeconds(10)));
    }

    /**
     * @param n how many hosts are handled at once within a batch (default 1)
     * @return a copy
     */
    public Fleet parallel(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("parallel must be at least 1, got " + n);
        }
        return with(s -> s.parallel(n));
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
        return with(s -> s.policy(new Rollout.Policy(n, 0, s.policy().maxFailPercent())));
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
        return with(s -> s.policy(new Rollout.Policy(0, percent, s.policy().maxFailPercent())));
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
        return with(s -> s.policy(new Rollout.Policy(s.policy().serial(), s.policy().serialPercent(), percent)));
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
        return with(s -> s.ssh(s.sshBinary(), s.sshOptions(), timeout));
    }

    /**
     * @param binary the ssh client, a name or a path (default {@code ssh})
     * @return a copy using it
     */
    public Fleet sshBinary(String binary) {
        Objects.requireNonNull(binary, "binary");
        return with(s -> s.ssh(binary, s.sshOptions(), s.connectTimeout()));
    }

    /**
     * @param options extra ssh options for every host
     * @return a copy
     */
    public Fleet sshOptions(String... options) {
        List<String> copy = List.of(options);
        return with(s -> s.ssh(s.sshBinary(), copy, s.connectTimeout()));
    }

    /**
     * @param dirs where the ssh client is looked up first
     * @return a copy
     */
    public Fleet searchPath(List<Path> dirs) {
        List<Path> copy = List.copyOf(dirs);
        return with(s -> s.searchPath(copy));
    }

    /** @return the hosts, in order */
    public List<String> hosts() {
        return settings.hosts();
    }

    /**
     * @param app what to stop and start on every host
     * @return an app control over the whole fleet
     */
    public FleetControl control(HostAppControl app) {
        Objects.requireNonNull(app, "app");
        // ssh takes the first value of an option: the caller's own come first
        Settings s = settings;
        List<String> options = new ArrayList<>(s.sshOptions());
        options.addAll(List.of("-o", "ConnectTimeout=" + s.connectTimeout().toSeconds(),
                "-o", "ServerAliveInterval=" + Math.max(1, s.connectTimeout().toSeconds()), "-o", "ServerAliveCountMax=3"));
        List<FleetControl.Member> members = new ArrayList<>();
        for (String h : s.hosts()) {
            Ssh ssh = Ssh.to(h).binary(s.sshBinary()).options(options.toArray(new String[0]));
            CommandTransport t = new CommandTransport() {
                @Override
                public Command wrap(Command command) {
                    return ssh.wrap(command).searchPath(s.searchPath());
                }

                @Override
                public String where() {
                    return ssh.where();
                }
            };
            members.add(new FleetControl.Member(h, app.via(t)));
        }
        return new FleetControl(app.name(), members, s.parallel(), s.policy());
    }
}
