package dev.rollback.git;

import dev.rollback.core.Secret;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Credentials for a remote: an HTTP(S) token, or an SSH private key with the known_hosts file that
 * vouches for the server. Secret values are {@link Secret}s: they reach JGit's transport in memory
 * only, never an argument list, a file, the journal, a log or an exception message.
 *
 * <pre>{@code
 * GitCredentials https = GitCredentials.httpToken(Secret.fromEnv("GIT_TOKEN"));      // user x-access-token
 * GitCredentials gitlab = GitCredentials.httpToken("oauth2", Secret.fromEnv("GL_TOKEN"));
 * GitCredentials ssh = GitCredentials.sshKey(Secret.fromEnv("DEPLOY_KEY"), Path.of("/etc/rollback/known_hosts"));
 * }</pre>
 */
public final class GitCredentials {
    /** The user name sent with a bare token (GitHub's convention; most servers ignore it for tokens). */
    public static final String TOKEN_USER = "x-access-token";

    /** What kind of credentials these are. */
    public enum Kind {
        /** User name and token (or password) for HTTP(S) basic authentication. */
        HTTP_TOKEN,
        /** A private key for SSH public-key authentication. */
        SSH_KEY
    }

    private final Kind kind;
    private final String username;
    private final Secret secret;
    private final Secret passphrase;
    private final Path knownHosts;

    private GitCredentials(Kind kind, String username, Secret secret, Secret passphrase, Path knownHosts) {
        this.kind = kind;
        this.username = username;
        this.secret = secret;
        this.passphrase = passphrase;
        this.knownHosts = knownHosts;
    }

    /**
     * An HTTP(S) token sent as the password of basic authentication, with user {@value #TOKEN_USER}.
     *
     * @param token the token
     * @return the credentials
     */
    public static GitCredentials httpToken(Secret token) {
        return httpToken(TOKEN_USER, token);
    }

    /**
     * An HTTP(S) user name and token or password.
     *
     * @param username the user name, not secret
     * @param token    the token or password
     * @return the credentials
     */
    public static GitCredentials httpToken(String username, Secret token) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(token, "token");
        if (username.isBlank()) {
            throw new IllegalArgumentException("The user name for the token is blank; pass one, or use httpToken(token)");
        }
        if (token.isEmpty()) {
            throw new IllegalArgumentException("The token for user " + username + " is empty; check the variable it is read from");
        }
        return new GitCredentials(Kind.HTTP_TOKEN, username, token, null, null);
    }

    /**
     * An SSH private key without passphrase. The server's host key must be in the known_hosts file;
     * an unknown or changed host key is refused, never accepted silently. {@code ~/.ssh} is not read.
     *
     * @param privateKey the private key's text (OpenSSH or PEM format)
     * @param knownHosts a known_hosts file listing the server's host key
     * @return the credentials
     */
    public static GitCredentials sshKey(Secret privateKey, Path knownHosts) {
        return ssh(privateKey, null, knownHosts);
    }

    /**
     * An SSH private key protected by a passphrase.
     *
     * @param privateKey the private key's text (OpenSSH or PEM format)
     * @param passphrase its passphrase
     * @param knownHosts a known_hosts file listing the server's host key
     * @return the credentials
     */
    public static GitCredentials sshKey(Secret privateKey, Secret passphrase, Path knownHosts) {
        return ssh(privateKey, Objects.requireNonNull(passphrase, "passphrase"), knownHosts);
    }

    private static GitCredentials ssh(Secret privateKey, Secret passphrase, Path knownHosts) {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(knownHosts, "knownHosts");
        if (privateKey.isEmpty()) {
            throw new IllegalArgumentException("The SSH private key is empty; check the variable or file it is read from");
        }
        return new GitCredentials(Kind.SSH_KEY, null, privateKey, passphrase, knownHosts.toAbsolutePath().normalize());
    }

    /** @return what kind of credentials these are */
    public Kind kind() {
        return kind;
    }

    /** @return the user name of HTTP credentials; null for an SSH key (the user comes from the URL) */
    public String username() {
        return username;
    }

    /** @return the token, or the SSH private key, masked in {@code toString} */
    public Secret token() {
        return secret;
    }

    /** @return the SSH key's passphrase, if any */
    public Optional<Secret> passphrase() {
        return Optional.ofNullable(passphrase);
    }

    /** @return the known_hosts file for an SSH key; null for HTTP credentials */
    public Path knownHosts() {
        return knownHosts;
    }

    /** @return what the credentials are, without the secret, for messages and descriptions */
    @Override
    public String toString() {
        return kind == Kind.HTTP_TOKEN ? "HTTP token for user " + username
                : "SSH key" + (passphrase != null ? " with passphrase" : "") + ", host keys from " + knownHosts;
    }
}
