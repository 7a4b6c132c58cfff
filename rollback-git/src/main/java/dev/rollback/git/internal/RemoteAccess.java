package dev.rollback.git.internal;

import dev.rollback.git.GitCredentials;
import dev.rollback.git.GitOperationException;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.KeyPasswordProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * How the transport commands of one step reach a remote: HTTP basic credentials, or an SSH session
 * factory with the key held in memory, host keys from the given known_hosts only, and no {@code ~/.ssh}.
 */
public final class RemoteAccess implements AutoCloseable {
    private final CredentialsProvider credentials;
    private final SshdSessionFactory ssh;
    private final Path home;

    private RemoteAccess(CredentialsProvider credentials, SshdSessionFactory ssh, Path home) {
        this.credentials = credentials;
        this.ssh = ssh;
        this.home = home;
    }

    /**
     * @param creds the credentials, or null for none
     * @param repo  the repository, for messages
     * @return the access; close it after the step
     */
    public static RemoteAccess of(GitCredentials creds, Path repo) {
        if (creds == null) {
            return new RemoteAccess(null, null, null);
        }
        if (creds.kind() == GitCredentials.Kind.HTTP_TOKEN) {
            return new RemoteAccess(new UsernamePasswordCredentialsProvider(creds.username(), creds.token().reveal().toCharArray()), null, null);
        }
        if (!Files.isRegularFile(creds.knownHosts())) {
            throw new GitOperationException(repo, "The known_hosts file " + creds.knownHosts() + " does not exist; without it the "
                    + "server's identity cannot be checked. Nothing was pushed. Fix: write the server's host key there "
                    + "(ssh-keyscan -p PORT HOST >> known_hosts, then verify its fingerprint)", null);
        }
        List<KeyPair> keys = loadKeys(creds, repo);
        Path home;
        try {
            // JGit wants a home and .ssh folder; an empty private one keeps the operator's ~/.ssh out of the run
            home = Files.createTempDirectory("rollback-git-ssh", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createDirectory(home.resolve(".ssh"));
        } catch (IOException e) {
            throw Repos.io(repo, "create a private folder for the SSH session", e);
        }
        SshdSessionFactory factory = new SshdSessionFactoryBuilder()
                .setHomeDirectory(home.toFile())
                .setSshDirectory(home.resolve(".ssh").toFile())
                .setConfigStoreFactory((h, f, u) -> null)
                .setPreferredAuthentications("publickey")
                .setDefaultIdentities(dir -> List.of())
                .setDefaultKeysProvider(dir -> keys)
                .setDefaultKnownHostsFiles(dir -> List.of(creds.knownHosts()))
                .setKeyPasswordProvider(cp -> new NoPassphrase())
                .build(null);
        return new RemoteAccess(null, factory, home);
    }

    private static List<KeyPair> loadKeys(GitCredentials creds, Path repo) {
        FilePasswordProvider password = creds.passphrase().<FilePasswordProvider>map(p -> FilePasswordProvider.of(p.reveal())).orElse(null);
        try {
            List<KeyPair> keys = new ArrayList<>();
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("rollback SSH key"),
                    new ByteArrayInputStream(creds.token().reveal().getBytes(StandardCharsets.UTF_8)), password);
            if (loaded != null) {
                loaded.forEach(keys::add);
            }
            if (keys.isEmpty()) {
                throw new GeneralSecurityException("no key found in the text");
            }
            return keys;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new GitOperationException(repo, "The SSH private key could not be read (" + e.getClass().getSimpleName()
                    + "). Nothing was pushed. Fix: pass the whole private key file's text (OpenSSH or PEM), with the right "
                    + "passphrase if it has one", null);
        }
    }

    /**
     * Points a transport command at these credentials.
     *
     * @param command the command
     * @param <C>     its type
     * @return the command
     */
    public <C extends TransportCommand<C, ?>> C apply(C command) {
        command.setCredentialsProvider(credentials);
        if (ssh != null) {
            command.setTransportConfigCallback(t -> {
                if (t instanceof SshTransport s) {
                    s.setSshSessionFactory(ssh);
                }
            });
        }
        return command;
    }

    @Override
    public void close() {
        if (ssh != null) {
            ssh.close();
        }
        if (home != null) {
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover empty temporary folder holds nothing secret
            }
        }
    }

    /** Keys are decrypted before the session; nothing is ever asked interactively. */
    private static final class NoPassphrase implements KeyPasswordProvider {
        @Override
        public char[] getPassphrase(URIish uri, int attempt) {
            return null;
        }

        @Override
        public void setAttempts(int attempts) {
        }

        @Override
        public boolean keyLoaded(URIish uri, int attempt, Exception error) {
            return false;
        }
    }
}
