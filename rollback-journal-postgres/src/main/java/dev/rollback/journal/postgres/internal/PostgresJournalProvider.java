package dev.rollback.journal.postgres.internal;

import dev.rollback.core.Secret;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalProvider;
import dev.rollback.journal.postgres.PostgresJournal;

import java.util.List;
import java.util.Map;

/**
 * Opens {@code --journal postgresql://...} on the command line: the password comes from the
 * environment (the named variable, {@code PGPASSWORD}, {@code PGPASSFILE} or {@code ~/.pgpass}),
 * the user from the URL or {@code PGUSER}. Not public API; registered as a service.
 */
public final class PostgresJournalProvider implements JournalProvider {

    /** Needed by the service loader. */
    public PostgresJournalProvider() {
    }

    @Override
    public boolean accepts(String location) {
        return JournalUrl.looksLikePostgres(location);
    }

    @Override
    public Journal open(String location, Map<String, String> environment, String passwordVariable) {
        JournalUrl url = JournalUrl.parse(location);
        String user = url.user() != null ? url.user() : environment.getOrDefault("PGUSER", System.getProperty("user.name", "postgres"));
        Secret password = Passwords.find(url, user, environment, passwordVariable);
        return PostgresJournal.at(location, password).user(user);
    }

    @Override
    public List<String> schemes() {
        return List.of("postgresql://", "postgres://");
    }
}
