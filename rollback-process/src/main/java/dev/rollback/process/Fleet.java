package dev.rollback.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Several hosts that run the same application, reached over ssh (the seeds' loop
 * {@code for SERVER in ...; do ssh $SERVER "sudo systemctl stop nextcrm"; done}).
 *
 * <pre>{@code
 * AppControl all = Fleet.of("web1", "web2", "web3").parallel(2)
 *     .control(Systemd.unit("nextcrm").sudo());
 * plan.stopApp(all);     // every host is tried; the step fails if any host failed
 * }</pre>
 */
public final class Fleet {
    private final List<String> hosts;
    private final int parallel;
    private final Function<String, CommandTransport> transport;
    private final String sshBinary;
    private final List<String> sshOptions;
    private final List<Path> searchPath;

    private Fleet(List<String> hosts, int parallel, String sshBinary, List<String> sshOptions, List<Path> searchPath) {
        this.hosts = hosts;
        this.parallel = parallel;
        this.sshBinary = sshBinary;
        this.sshOptions = sshOptions;
        this.searchPath = searchPath;
        this.transport = null;
    }

    /**
     * @param hosts the hosts, {@code host} or {@code user@host}, each once
     * @return the fleet, one host at a time
     */
    public static Fleet of(String... hosts) {
        Objects.requireNonNull(hosts, "hosts");
        if (hosts.length == 0) {
            throw new IllegalArgumentException("A fleet needs at least one host");
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (String h : hosts) {
            Ssh.to(h); // validates
            if (!unique.add(h)) {
                throw new IllegalArgumentException("Host " + h + " is listed twice in the fleet");
            }
        }
        return new Fleet(List.copyOf(unique), 1, "ssh", List.of(), List.of());
    }

    /**
     * @param n how many hosts are handled at once (default 1)
     * @return a copy
     */
    public Fleet parallel(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("parallel must be at least 1, got " + n);
        }
        return new Fleet(hosts, n, sshBinary, sshOptions, searchPath);
    }

    /**
     * @param binary the ssh client, a name or a path (default {@code ssh})
     * @return a copy using it
     */
    public Fleet sshBinary(String binary) {
        return new Fleet(hosts, parallel, Objects.requireNonNull(binary, "binary"), sshOptions, searchPath);
    }

    /**
     * @param options extra ssh options for every host
     * @return a copy
     */
    public Fleet sshOptions(String... options) {
        return new Fleet(hosts, parallel, sshBinary, List.of(options), searchPath);
    }

    /**
     * @param dirs where the ssh client is looked up first
     * @return a copy
     */
    public Fleet searchPath(List<Path> dirs) {
        return new Fleet(hosts, parallel, sshBinary, sshOptions, List.copyOf(dirs));
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
        List<FleetControl.Member> members = new ArrayList<>();
        for (String h : hosts) {
            Ssh ssh = Ssh.to(h).binary(sshBinary).options(sshOptions.toArray(new String[0]));
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
        return new FleetControl(app.name(), members, parallel);
    }
}
