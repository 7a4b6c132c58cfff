package dev.rollback.core.cli;

import dev.rollback.core.Redactor;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The command that resumes a run, as an operator pastes it: the program, the run, the journal,
 * the approvers, and every {@code --set} the run was started with that is not a secret. A secret
 * never appears: it goes through the environment, as for the first run.
 */
final class ResumeCommandLine {
    /** Setting names that hold secrets by their name alone. */
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|passwd|secret|token|api_?key|access_?key|private_?key|credential|auth).*");
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private ResumeCommandLine() {
    }

    /**
     * @param program  how the program is started
     * @param runId    the run
     * @param journal  the journal location, as given
     * @param approval the approval flags ({@code --yes NAME}, or {@code --approve NAME:ROLE} for each), or none
     * @param settings the {@code --set} values the run was started with
     * @return the command line, words quoted for a POSIX shell
     */
    static String render(String program, String runId, String journal, List<String> approval, Map<String, String> settings) {
        StringBuilder b = new StringBuilder(program).append(" --resume ").append(quote(runId)).append(" --journal ").append(quote(journal));
        approval.forEach(word -> b.append(' ').append(quote(word)));
        settings.forEach((name, value) -> {
            if (!isSecret(name, value)) {
                b.append(" --set ").append(quote(name + "=" + value));
            }
        });
        return b.toString();
    }

    /**
     * @param name  a setting's name
     * @param value its value
     * @return whether it is a secret: by its name, or because its value holds a registered secret
     *         or a password in a URL
     */
    static boolean isSecret(String name, String value) {
        return SECRET_NAME.matcher(name).matches() || !Redactor.redact(value).equals(value);
    }

    /**
     * @param word a word
     * @return it, single-quoted for a POSIX shell when it holds anything but safe characters
     */
    static String quote(String word) {
        return SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
