package dev.rollback.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A fleet of real hosts for tests: one real OpenSSH server ({@code /usr/sbin/sshd}) per loopback
 * address ({@code 127.0.0.11}, {@code 127.0.0.12}, ...), all on one free port, started in parallel,
 * with a generated host key pinned in a {@code known_hosts} file and a generated client key.
 * Each server sets {@code SSH_TEST_HOST} (its address) and the variables you give in the
 * sessions it starts, so a script on the "host" knows which host it is. Hosts can be taken down
 * ({@link #stop(String)}: connection refused) or made silent ({@link #silence(String)}: the port
 * accepts and never answers, as a hung or black-holed host does).
 *
 * <pre>{@code
 * try (SshHosts hosts = SshHosts.start(tmp, 20, Map.of("APP_STATE", state.toString()))) {
 *     Fleet fleet = Fleet.of(hosts.destinations().toArray(String[]::new)).sshOptions(hosts.sshOptions());
 *     hosts.stop(hosts.addresses().get(3));
 *     ...
 * }
 * }</pre>
 *
 * Needs {@code /usr/sbin/sshd} (Debian's openssh-server) and permission to run it (root, as in
 * CI); check {@link #available()} first and skip with the reason.
 */
public final class SshHosts implements AutoCloseable {
    private static final Path SSHD = Path.of("/usr/sbin/sshd");
    private static final int FIRST = 11;

    private final Path dir;
    private final int port;
    private final String user;
    private final Map<String, Process> servers = new LinkedHashMap<>();
    private final Map<String, ServerSocket> silent = new LinkedHashMap<>();
    private final List<String> addresses;
    private final Map<String, String> env;

    private SshHosts(Path dir, int port, String user, List<String> addresses, Map<String, String> env) {
        this.dir = dir;
        this.port = port;
        this.user = user;
        this.addresses = List.copyOf(addresses);
        this.env = Map.copyOf(env);
    }

    /** @return whether sshd is installed and this process may run it (root) */
    public static boolean available() {
        return Files.isExecutable(SSHD) && "root".equals(System.getProperty("user.name"));
    }

    /**
     * Starts {@code count} servers, in parallel, and waits until each listens.
     *
     * @param dir   a folder of the test's, for keys, configurations and logs
     * @param count how many hosts (at most 200)
     * @param env   variables every session gets (no spaces or quotes in values)
     * @return the hosts
     */
    public static SshHosts start(Path dir, int count, Map<String, String> env) {
        if (count < 1 || count > 200) {
            throw new IllegalArgumentException("count must be 1..200, got " + count);
        }
        if (!available()) {
            throw new IllegalStateException("sshd is not installed at " + SSHD + " or this is not root (apt-get install openssh-server)");
        }
        try {
            Files.createDirectories(dir);
            keygen(dir.resolve("host_key"));
            keygen(dir.resolve("client_key"));
            Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"), StandardCopyOption.REPLACE_EXISTING);
            Files.createDirectories(Path.of("/run/sshd"));
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                addresses.add("127.0.0." + (FIRST + i));
            }
            int port = freePort(addresses);
            String hostKey = Files.readString(dir.resolve("host_key.pub")).trim();
            StringBuilder known = new StringBuilder();
            for (String a : addresses) {
                known.append('[').append(a).append("]:").append(port).append(' ').append(hostKey).append('\n');
            }
            Files.writeString(dir.resolve("known_hosts"), known);
            SshHosts hosts = new SshHosts(dir, port, System.getProperty("user.name"), addresses, env);
            for (String a : addresses) {
                hosts.launch(a);
            }
            for (String a : addresses) {
                hosts.awaitListening(a);
            }
            return hosts;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the ssh hosts in " + dir, e);
        }
    }

    private void launch(String address) throws IOException {
        Path conf = dir.resolve("sshd_config-" + address);
        StringBuilder setEnv = new StringBuilder("SetEnv SSH_TEST_HOST=" + address);
        env.forEach((k, v) -> setEnv.append(' ').append(k).append('=').append(v));
        Files.writeString(conf, String.join("\n",
                "Port " + port, "ListenAddress " + address, "HostKey " + dir.resolve("host_key"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PidFile " + dir.resolve("sshd-" + address + ".pid"),
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password", "StrictModes no", "UsePAM no", "LogLevel ERROR",
                "MaxStartups 100:30:200", "MaxSessions 50", "Subsystem sftp internal-sftp", setEnv.toString(), ""));
        Process p = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd-" + address + ".log").toFile()).start();
        servers.put(address, p);
    }

    private void awaitListening(String address) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!listening(address, port)) {
            Process p = servers.get(address);
            if (!p.isAlive()) {
                throw new IllegalStateException("sshd on " + address + ":" + port + " exited: "
                        + Files.readString(dir.resolve("sshd-" + address + ".log")));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("sshd on " + address + ":" + port + " did not listen within 30 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** @return every host's address, in order ({@code 127.0.0.11}, ...) */
    public List<String> addresses() {
        return addresses;
    }

    /** @return every host as an ssh destination, {@code user@address} */
    public List<String> destinations() {
        return addresses.stream().map(a -> user + "@" + a).toList();
    }

    /** @return the port every server listens on */
    public int port() {
        return port;
    }

    /** @return the client's private key */
    public Path clientKey() {
        return dir.resolve("client_key");
    }

    /** @return the known_hosts file that pins every host's key */
    public Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    /** @return the login user */
    public String user() {
        return user;
    }

    /** @return ssh client options to reach the hosts: port, key, pinned host keys */
    public String[] sshOptions() {
        return new String[] {"-p", String.valueOf(port), "-i", clientKey().toString(),
            "-o", "UserKnownHostsFile=" + knownHosts(), "-o", "StrictHostKeyChecking=yes", "-o", "IdentitiesOnly=yes"};
    }

    /**
     * Takes a host down: its server and every session it had are stopped (an ssh connection kept
     * open by a client, such as Ansible's ControlPersist, breaks too), new connections are refused.
     *
     * @param address the host
     */
    public void stop(String address) {
        Process p = servers.remove(Objects.requireNonNull(address, "address"));
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroy();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Makes a host silent: its server is stopped and the port accepts connections that never get
     * an answer, as a hung or black-holed host.
     *
     * @param address the host
     */
    public void silence(String address) {
        stop(address);
        try {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(InetAddress.getByName(address), port), 50);
            silent.put(address, s);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not listen on " + address + ":" + port, e);
        }
    }

    /**
     * Brings a host back that {@link #stop(String)} or {@link #silence(String)} took down.
     *
     * @param address the host
     */
    public void start(String address) {
        if (!addresses.contains(address)) {
            throw new IllegalArgumentException(address + " is not one of these hosts");
        }
        if (servers.containsKey(address)) {
            return;
        }
        try {
            ServerSocket s = silent.remove(address);
            if (s != null) {
                s.close();
            }
            launch(address);
            awaitListening(address);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start sshd on " + address, e);
        }
    }

    /** Stops every server and silent port. */
    @Override
    public void close() {
        for (Process p : servers.values()) {
            p.destroy();
        }
        for (Process p : servers.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        servers.clear();
        for (ServerSocket s : silent.values()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        silent.clear();
    }

    private static int freePort(List<String> addresses) throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            int candidate;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                candidate = s.getLocalPort();
            }
            boolean free = true;
            for (String a : addresses) {
                if (listening(a, candidate)) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return candidate;
            }
        }
        throw new IllegalStateException("no port free on all of " + addresses);
    }

    private static boolean listening(String address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void keygen(Path key) throws IOException {
        Files.deleteIfExists(key);
        Files.deleteIfExists(Path.of(key + ".pub"));
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("ssh-keygen failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    }
}
