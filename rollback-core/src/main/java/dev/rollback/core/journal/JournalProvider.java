package dev.rollback.core.journal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Opens journals named by a location on the command line ({@code --journal
 * postgresql://host:5432/ops?schema=rollback}). Modules that provide a journal register a provider
 * as a {@link ServiceLoader} service ({@code META-INF/services/dev.rollback.core.journal.JournalProvider});
 * a location no provider accepts is a folder for a {@link FileJournal}.
 *
 * <pre>{@code
 * Journal journal = JournalProvider.at("postgresql://db-ops:5432/ops", System.getenv(), null);
 * }</pre>
 */
public interface JournalProvider {

    /**
     * @param location what follows {@code --journal}
     * @return whether this provider opens it (by its scheme, such as {@code postgresql://})
     */
    boolean accepts(String location);

    /**
     * Opens the journal. Passwords come from the environment, never from the location.
     *
     * @param location         the location
     * @param environment      the environment ({@code PGPASSWORD}, {@code PGPASSFILE}, ...)
     * @param passwordVariable the environment variable holding the password, or null for the provider's defaults
     * @return the journal
     * @throws IllegalArgumentException when the location is malformed or holds a password, saying what to write instead
     */
    Journal open(String location, Map<String, String> environment, String passwordVariable);

    /**
     * @return the schemes this provider accepts, for messages ("postgresql://")
     */
    List<String> schemes();

    /**
     * Opens the journal at a location: through the provider that accepts it, or as a folder.
     *
     * @param location         a folder, or a URL a provider accepts
     * @param environment      the environment
     * @param passwordVariable the environment variable holding the password, or null
     * @return the journal
     * @throws IllegalArgumentException when the location looks like a URL no provider on the class
     *                                  path accepts, naming the module to add
     */
    static Journal at(String location, Map<String, String> environment, String passwordVariable) {
        List<String> schemes = new ArrayList<>();
        for (JournalProvider p : ServiceLoader.load(JournalProvider.class, JournalProvider.class.getClassLoader())) {
            if (p.accepts(location)) {
                return p.open(location, environment, passwordVariable);
            }
            schemes.addAll(p.schemes());
        }
        if (location.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            String scheme = location.substring(0, location.indexOf("://") + 3);
            throw new IllegalArgumentException("No journal on the class path opens " + scheme + " locations"
                    + (schemes.isEmpty() ? "" : " (known: " + String.join(", ", schemes) + ")")
                    + (scheme.startsWith("postgres") ? "; add dev.rollback:rollback-journal-postgres to the program's dependencies" : "")
                    + ", or give a folder for a file journal");
        }
        if (passwordVariable != null) {
            throw new IllegalArgumentException("--journal-password-env is for a journal on a server; a file journal in "
                    + location + " needs no password");
        }
        return FileJournal.in(Path.of(location));
    }
}
