package dev.rollback.core.cli;

import dev.rollback.core.Approver;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The options a rollback program was started with, handed to the plan factory so that a plan
 * can read its targets from {@code --set NAME=VALUE} or the environment, named as in the seeds
 * ({@code DATABASE_URL}, ...).
 *
 * @param dryRun           {@code --dry-run}: describe the plan, run nothing
 * @param approver         {@code --yes NAME}: approve destructive steps in that name, or null
 * @param resume           {@code --resume RUN_ID}: resume that run ("latest" for the newest), or null
 * @param journal          {@code --journal DIR}: the journal folder, or null when the journal is on a server
 * @param reason           {@code --reason TEXT}: why the rollback runs (or is abandoned, run again, unlocked)
 * @param operator         {@code --operator NAME}: who runs it
 * @param noInput          {@code --no-input}: never read standard input
 * @param settings         {@code --set NAME=VALUE} pairs
 * @param env              the environment to fall back on
 * @param journalUrl       {@code --journal postgresql://...}: a journal on a server, or null for a folder
 * @param abandon          {@code --abandon RUN_ID}: abandon that run, or null
 * @param again            {@code --again}: run a plan that already succeeded once more
 * @param status           {@code --status}: print every plan's state, run nothing
 * @param breakLock        {@code --break-lock}: break the plan's lease before it expires
 * @param journalPasswordEnv {@code --journal-password-env NAME}: the environment variable with the journal's password, or null
 * @param approvers        {@code --approve NAME:ROLE}, repeated: the people who approve destructive steps, in order (empty when none)
 * @param waivers          {@code --waive NAME}, repeated: waivable prechecks and captures to skip, for {@code reason} (empty when none)
 */
public record CommandLineOptions(boolean dryRun, String approver, String resume, Path journal, String reason,
                                 String operator, boolean noInput, Map<String, String> settings, Map<String, String> env,
                                 String journalUrl, String abandon, boolean again, boolean status, boolean breakLock,
                                 String journalPasswordEnv, List<Approver> approvers, List<String> waivers) {

    /** Copies the maps and the approvers. */
    public CommandLineOptions {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));   // in the order given
        env = Map.copyOf(env);
        approvers = List.copyOf(approvers);
        waivers = List.copyOf(waivers);
    }

    /**
     * Options without waivers ({@code --waive}).
     *
     * @param dryRun             {@code --dry-run}
     * @param approver           {@code --yes NAME}, or null
     * @param resume             {@code --resume RUN_ID}, or null
     * @param journal            the journal folder, or null
     * @param reason             {@code --reason TEXT}
     * @param operator           {@code --operator NAME}
     * @param noInput            {@code --no-input}
     * @param settings           {@code --set NAME=VALUE} pairs
     * @param env                the environment
     * @param journalUrl         the journal's URL, or null
     * @param abandon            {@code --abandon RUN_ID}, or null
     * @param again              {@code --again}
     * @param status             {@code --status}
     * @param breakLock          {@code --break-lock}
     * @param journalPasswordEnv {@code --journal-password-env NAME}, or null
     * @param approvers          {@code --approve NAME:ROLE}, repeated
     */
    public CommandLineOptions(boolean dryRun, String approver, String resume, Path journal, String reason, String operator,
                              boolean noInput, Map<String, String> settings, Map<String, String> env, String journalUrl, String abandon,
                              boolean again, boolean status, boolean breakLock, String journalPasswordEnv, List<Approver> approvers) {
        this(dryRun, approver, resume, journal, reason, operator, noInput, settings, env, journalUrl, abandon, again, status, breakLock,
                journalPasswordEnv, approvers, List.of());
    }

    /**
     * Options without named approvers ({@code --approve}).
     *
     * @param dryRun             {@code --dry-run}
     * @param approver           {@code --yes NAME}, or null
     * @param resume             {@code --resume RUN_ID}, or null
     * @param journal            the journal folder, or null
     * @param reason             {@code --reason TEXT}
     * @param operator           {@code --operator NAME}
     * @param noInput            {@code --no-input}
     * @param settings           {@code --set NAME=VALUE} pairs
     * @param env                the environment
     * @param journalUrl         the journal's URL, or null
     * @param abandon            {@code --abandon RUN_ID}, or null
     * @param again              {@code --again}
     * @param status             {@code --status}
     * @param breakLock          {@code --break-lock}
     * @param journalPasswordEnv {@code --journal-password-env NAME}, or null
     */
    public CommandLineOptions(boolean dryRun, String approver, String resume, Path journal, String reason, String operator,
                              boolean noInput, Map<String, String> settings, Map<String, String> env, String journalUrl, String abandon,
                              boolean again, boolean status, boolean breakLock, String journalPasswordEnv) {
        this(dryRun, approver, resume, journal, reason, operator, noInput, settings, env, journalUrl, abandon, again, status, breakLock,
                journalPasswordEnv, List.of(), List.of());
    }

    /**
     * Options of a plain run (no abandon, again, status or lock override), with a folder journal.
     *
     * @param dryRun   {@code --dry-run}
     * @param approver {@code --yes NAME}, or null
     * @param resume   {@code --resume RUN_ID}, or null
     * @param journal  the journal folder
     * @param reason   {@code --reason TEXT}
     * @param operator {@code --operator NAME}
     * @param noInput  {@code --no-input}
     * @param settings {@code --set NAME=VALUE} pairs
     * @param env      the environment
     */
    public CommandLineOptions(boolean dryRun, String approver, String resume, Path journal, String reason, String operator,
                              boolean noInput, Map<String, String> settings, Map<String, String> env) {
        this(dryRun, approver, resume, journal, reason, operator, noInput, settings, env, null, null, false, false, false, null, List.of(),
                List.of());
    }

    /** @return the approval flags, as a resume repeats them: {@code --approve NAME:ROLE} for each, or {@code --yes NAME} */
    public List<String> approvalArguments() {
        if (!approvers.isEmpty()) {
            return approvers.stream().flatMap(a -> Stream.of("--approve", a.role() == null ? a.name() : a.name() + ":" + a.role())).toList();
        }
        return approver == null ? List.of() : List.of("--yes", approver);
    }

    /** @return the waiver flags, as a resume repeats them: {@code --waive NAME} for each, then {@code --reason TEXT}; or none */
    public List<String> waiverArguments() {
        if (waivers.isEmpty()) {
            return List.of();
        }
        return Stream.concat(waivers.stream().flatMap(w -> Stream.of("--waive", w)), Stream.of("--reason", reason)).toList();
    }

    /** @return what follows {@code --journal}: the server URL, or the folder */
    public String journalLocation() {
        return journalUrl != null ? journalUrl : String.valueOf(journal);
    }

    /**
     * A setting from {@code --set NAME=VALUE}, else from the environment variable NAME.
     *
     * @param name the name, as in the seeds ({@code DATABASE_URL})
     * @return its value, if set
     */
    public Optional<String> setting(String name) {
        String v = settings.get(name);
        return Optional.ofNullable(v != null ? v : env.get(name));
    }

    /**
     * A setting the plan cannot do without.
     *
     * @param name the name
     * @return its value
     * @throws UsageException naming the setting and how to give it (a secret only through the environment)
     */
    public String require(String name) {
        return setting(name).orElseThrow(() -> new UsageException(ResumeCommandLine.isSecret(name, "")
                ? name + " is not set; it is a secret, so export " + name + " in the environment (never on the command line, where ps shows it)"
                : name + " is not set; export " + name + "=... or pass --set " + name + "=..."));
    }

    /**
     * @param name the name
     * @param fallback value when it is not set
     * @return the setting or the fallback
     */
    public String setting(String name, String fallback) {
        return setting(name).orElse(fallback);
    }
}
