package dev.rollback.git;

import dev.rollback.test.TestStepContext;

import dev.rollback.core.Secret;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.UploadPack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Push over SSH with a private key held in a Secret, to a real SSH server (Apache MINA sshd, started in the
 * test) that serves a bare repository through JGit's receive-pack; keys made with ssh-keygen.
 */
class SshPushIT {
    @TempDir
    Path tmp;
    SshServer sshd;
    TestRepo local;
    Path bare;
    Path knownHosts;
    PublicKey authorizedKey;
    final AtomicInteger logins = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        local = TestRepo.init(tmp.resolve("app"));
        local.commit("app.txt", "v1\n", "release 1");
        bare = local.addBareOrigin(tmp.resolve("srv").resolve("origin.git"));

        Path clientKey = keygen("id_ecdsa", "");
        authorizedKey = publicKey(clientKey.resolveSibling("id_ecdsa.pub"));

        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(tmp.resolve("host-key.ser"));
        hostKeys.setAlgorithm(KeyUtils.EC_ALGORITHM);
        sshd.setKeyPairProvider(hostKeys);
        sshd.setPublickeyAuthenticator((user, key, session) -> {
            logins.incrementAndGet();
            return "git".equals(user) && KeyUtils.compareKeys(key, authorizedKey);
        });
        sshd.setCommandFactory((channel, command) -> new GitPackCommand(command, tmp.resolve("srv")));
        sshd.start();

        PublicKey hostKey = hostKeys.loadKeys(null).iterator().next().getPublic();
        knownHosts = tmp.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + sshd.getPort() + " " + PublicKeyEntry.toString(hostKey) + "\n");
        local.git("remote", "add", "deploy", "ssh://git@127.0.0.1:" + sshd.getPort() + "/origin.git");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (sshd != null) {
            sshd.stop(true);
        }
    }

    private Path keygen(String name, String passphrase) {
        Path key = tmp.resolve("keys").resolve(name);
        key.getParent().toFile().mkdirs();
        GitCli.Result r = runKeygen(key, passphrase);
        assertThat(r.exitCode()).as("ssh-keygen: %s", r.stderr()).isZero();
        return key;
    }

    private static GitCli.Result runKeygen(Path key, String passphrase) {
        try {
            Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", passphrase, "-C", "rollback-test", "-f",
                    key.toString()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new GitCli.Result(p.waitFor(), out, out);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("ssh-keygen could not run", e);
        }
    }

    private static PublicKey publicKey(Path pub) throws Exception {
        return PublicKeyEntry.parsePublicKeyEntry(Files.readString(pub).strip()).resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
    }

    private TestStepContext ctx() {
        return TestStepContext.in(tmp.resolve("run")).runId("20260101-000000-5555").stepName("push over ssh");
    }

    @Test
    void pushesWithAKeyFromASecretAndChecksTheHostKey() throws Exception {
        String head = local.commit("app.txt", "v1 again\n", "revert bad release");
        Secret key = Secret.of(Files.readString(tmp.resolve("keys/id_ecdsa")));

        Git.repo(local.dir()).push("deploy").branch("main").credentials(GitCredentials.sshKey(key, knownHosts)).execute(ctx());

        assertThat(GitCli.git(bare, "rev-parse", "main")).isEqualTo(head);
        assertThat(GitCli.tryGit(bare, "fsck", "--strict", "--no-dangling").exitCode()).isZero();
        assertThat(logins.get()).isPositive();
    }

    @Test
    void aKeyWithAPassphraseIsDecryptedInMemory() throws Exception {
        Path protectedKey = keygen("id_protected", "correct horse battery");
        authorizedKey = publicKey(protectedKey.resolveSibling("id_protected.pub"));
        String head = local.commit("app.txt", "v3\n", "release 3");

        GitCredentials creds = GitCredentials.sshKey(Secret.of(Files.readString(protectedKey)), Secret.of("correct horse battery"), knownHosts);
        Git.repo(local.dir()).push("deploy").branch("main").credentials(creds).execute(ctx());

        assertThat(GitCli.git(bare, "rev-parse", "main")).isEqualTo(head);
        assertThat(creds.toString()).isEqualTo("SSH key with passphrase, host keys from " + knownHosts);

        GitCredentials wrong = GitCredentials.sshKey(Secret.of(Files.readString(protectedKey)), Secret.of("wrong passphrase"), knownHosts);
        assertThatThrownBy(() -> Git.repo(local.dir()).push("deploy").branch("main").credentials(wrong).execute(ctx()))
                .isInstanceOf(GitOperationException.class).hasMessageContaining("SSH private key could not be read")
                .hasMessageContaining("right passphrase");
    }

    @Test
    void aKeyTheServerDoesNotKnowIsAClearErrorWithoutTheKey() throws Exception {
        String keyText = Files.readString(keygen("id_stranger", ""));
        String before = GitCli.git(bare, "rev-parse", "main");
        local.commit("app.txt", "v2\n", "release 2");

        assertThatThrownBy(() -> Git.repo(local.dir()).push("deploy").branch("main")
                .credentials(GitCredentials.sshKey(Secret.of(keyText), knownHosts)).execute(ctx()))
                .isInstanceOf(GitAuthenticationException.class).hasMessageContaining("refused the credentials")
                .satisfies(e -> {
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        assertThat(String.valueOf(t.getMessage())).doesNotContain("PRIVATE KEY").doesNotContain(keyText.substring(40, 80));
                    }
                });
        assertThat(GitCli.git(bare, "rev-parse", "main")).isEqualTo(before);
    }

    @Test
    void anUnknownHostKeyIsRefusedAndKnownHostsIsNotTouched() throws Exception {
        // known_hosts vouches for another key at this address: a man in the middle, as far as we can tell
        Path other = keygen("id_other_host", "");
        String impostor = "[127.0.0.1]:" + sshd.getPort() + " " + Files.readString(other.resolveSibling("id_other_host.pub")).strip() + "\n";
        Files.writeString(knownHosts, impostor);
        String before = GitCli.git(bare, "rev-parse", "main");
        local.commit("app.txt", "v2\n", "release 2");
        Secret key = Secret.of(Files.readString(tmp.resolve("keys/id_ecdsa")));

        assertThatThrownBy(() -> Git.repo(local.dir()).push("deploy").branch("main").credentials(GitCredentials.sshKey(key, knownHosts))
                .execute(ctx()))
                .isInstanceOf(GitOperationException.class).hasMessageContaining("could not be verified")
                .hasMessageContaining("never accept an unknown key blindly");
        assertThat(Files.readString(knownHosts)).isEqualTo(impostor);
        assertThat(GitCli.git(bare, "rev-parse", "main")).isEqualTo(before);
        assertThat(logins.get()).as("no key offered to an unverified server").isZero();
    }

    @Test
    void garbageKeyTextOrAMissingKnownHostsFileIsAClearError() {
        assertThatThrownBy(() -> Git.repo(local.dir()).push("deploy").branch("main")
                .credentials(GitCredentials.sshKey(Secret.of("not a key at all"), knownHosts)).execute(ctx()))
                .isInstanceOf(GitOperationException.class).hasMessageContaining("SSH private key could not be read");
        Path missing = tmp.resolve("nope/known_hosts");
        assertThatThrownBy(() -> Git.repo(local.dir()).push("deploy").branch("main")
                .credentials(GitCredentials.sshKey(Secret.of("irrelevant key"), missing)).execute(ctx()))
                .isInstanceOf(GitOperationException.class).hasMessageContaining("known_hosts file " + missing + " does not exist");
    }

    /** Serves git-receive-pack and git-upload-pack for bare repositories under a root, through JGit. */
    static final class GitPackCommand implements Command, Runnable {
        private final String command;
        private final Path root;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        GitPackCommand(String command, Path root) {
            this.command = command;
            this.root = root;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread t = new Thread(this, "git-pack " + command);
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void run() {
            String[] parts = command.split(" ", 2);
            String path = parts.length < 2 ? "" : parts[1].replace("'", "").replaceFirst("^/", "");
            try (Repository repo = new FileRepositoryBuilder().setGitDir(root.resolve(path).toFile()).setMustExist(true).build()) {
                if (parts[0].equals("git-receive-pack")) {
                    new ReceivePack(repo).receive(in, out, err);
                } else if (parts[0].equals("git-upload-pack")) {
                    new UploadPack(repo).upload(in, out, err);
                } else {
                    exit.onExit(127, "unknown command " + parts[0]);
                    return;
                }
                out.flush();
                exit.onExit(0);
            } catch (Exception e) {
                exit.onExit(1, e.toString());
            }
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }
}
