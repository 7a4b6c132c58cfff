package dev.rollback.git;

import dev.rollback.core.Secret;

import java.util.Objects;

/**
 * Credentials for a remote. The token is a {@link Secret}: it reaches JGit's HTTP transport in
 * memory only, never an argument list, the journal, a log or an exception message.
 *
 * <pre>{@code
 * GitCredentials creds = GitCredentials.httpToken(Secret.fromEnv("GIT_TOKEN"));      // user x-access-token
 * GitCredentials gitlab = GitCredentials.httpToken("oauth2", Secret.fromEnv("GL_TOKEN"));
 * }</pre>
 */
public final class GitCredentials {
    /** The user name sent with a bare token (GitHub's convention; most servers ignore it for tokens). */
    public static final String TOKEN_USER = "x-access-token";

    private final String username;
    private final Secret token;

    private GitCredentials(String username, Secret token) {
        this.username = username;
        this.token = token;
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
        return new GitCredentials(username, token);
    }

    /** @return the user name */
    public String username() {
        return username;
    }

    /** @return the token, masked in {@code toString} */
    public Secret token() {
        return token;
    }

    /** @return what the credentials are, without the secret, for messages and descriptions */
    @Override
    public String toString() {
        return "HTTP token for user " + username;
    }
}
