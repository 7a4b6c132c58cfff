package dev.rollback.process;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs commands on another host with the {@code ssh} client. The local side is an argument
 * list; the remote side gets each argument single-quoted, because ssh hands the remote command
 * to the remote user's shell as one string. {@code BatchMode=yes} makes ssh fail instead of
 * prompting for a password.
 *
 * <p>The remote side finds executables on the remote user's {@code PATH}; a command's
 * {@link Command#searchPath(List)} is not carried over. Environment variables (and so secrets) are not sent over ssh: a command with
 * {@link Command#env(String, String)} set is refused.
 *
 * <pre>{@code
 * AppControl web1 = Systemd.unit("nextcrm").sudo().via(Ssh.to("deploy@web1"));
 * }</pre>
 */
public final class Ssh implements CommandTransport {
    private final String host;
    private final String binary;
    private final List<String> options;

    private Ssh(String host, String binary, List<String> options) {
        this.host = host;
        this.binary = binary;
        this.options = options;
    }

    /**
     * @param host the destination, {@code host} or {@code user@host}
     * @return the transport
     */
    public static Ssh to(String host) {
        Objects.requireNonNull(host, "host");
        if (host.isBlank() || host.startsWith("-") || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("Invalid ssh destination '" + host + "'");
        }
        return new Ssh(host, "ssh", List.of("-o", "BatchMode=yes"));
    }

    /**
     * @param sshBinary the ssh client to run, a name on the search path or a path (default {@code ssh})
     * @return a copy using it
     */
    public Ssh binary(String sshBinary) {
        Objects.requireNonNull(sshBinary, "sshBinary");
        return new Ssh(host, sshBinary, options);
    }

    /**
     * @param opts extra ssh options, such as {@code "-p", "2222"} or {@code "-i", keyPath}
     * @return a copy adding them
     */
    public Ssh options(String... opts) {
        List<String> o = new ArrayList<>(options);
        o.addAll(List.of(opts));
        return new Ssh(host, binary, List.copyOf(o));
    }

    /** @return the destination */
    public String host() {
        return host;
    }

    @Override
    public Command wrap(Command command) {
        if (!command.environment().isEmpty()) {
            throw new IllegalArgumentException("Command " + command.argv().get(0) + " sets environment variables "
                    + command.environment().keySet() + ", which ssh does not carry; set them on " + host + " instead");
        }
        List<String> argv = new ArrayList<>();
        argv.add(binary);
        argv.addAll(options);
        argv.add(host);
        argv.add("--");
        for (String arg : command.argv()) {
            argv.add(quote(arg));
        }
        // The command's own search path names local folders; the remote side uses its own PATH.
        Command c = Command.of(argv).named(command.name() + " on " + host);
        return command.timeoutOrNull() == null ? c : c.timeout(command.timeoutOrNull());
    }

    static String quote(String arg) {
        if (!arg.isEmpty() && arg.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || "-_./=:,@%+".indexOf(ch) >= 0)) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    @Override
    public String where() {
        return "ssh " + host;
    }
}
