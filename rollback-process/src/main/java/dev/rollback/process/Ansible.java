package dev.rollback.process;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.rollback.core.AppControl;
import dev.rollback.core.Redactor;
import dev.rollback.core.Secret;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.process.internal.Rollout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A playbook ({@code ansible-playbook}) or an ad-hoc module ({@code ansible -m}) as a rollback
 * step, for fleets that outgrow an ssh loop. Its per-host results are the same as a {@link Fleet}'s:
 * output {@code fleet.<action>.<host>} for each host, the hosts done remembered in the step's
 * durable memory, the step failing with a {@link FleetException} that names the hosts done, failed
 * and not tried — so a resumed run limits the next {@code ansible-playbook} to the hosts that
 * failed or were not tried ({@code --limit}), and the incident report has the per-host table.
 *
 * <pre>{@code
 * Ansible stop = Ansible.playbook(Path.of("ops/stop-app.yml")).inventory(Path.of("ops/hosts.ini"))
 *     .limit("app_servers").forks(20).action("stop")
 *     .becomePassword(Secret.fromEnv("BECOME_PASSWORD"));      // a 0600 file, never argv
 * Ansible start = Ansible.module("ansible.builtin.systemd", "name=crm state=started")
 *     .hosts("app_servers").inventory(Path.of("ops/hosts.ini")).action("start");
 * plan.stopApp(Ansible.app("crm-application", stop, start));
 * }</pre>
 *
 * <p>Per-host results come from what ansible-core itself ships (verified with 2.14): the
 * {@code PLAY RECAP} of the default stdout callback (playbooks) or the one-line host status of
 * ad-hoc runs ({@code host | CHANGED | rc=0}), with each host's last result read from the
 * {@code ansible.builtin.tree} callback's JSON files for the message. ansible-core has no JSON
 * stdout callback of its own ({@code json} lives in the {@code ansible.posix} collection, which
 * Debian ships in the 500 MB {@code ansible} package); the tree callback needs nothing beyond
 * ansible-core.
 *
 * <p>Batches and a failure budget ({@link #serial(int)}, {@link #maxFailPercent(int)}) run one
 * ansible invocation per batch, limited to that batch; a playbook's own {@code serial} and
 * {@code max_fail_percentage} still apply inside it. Vault and become passwords go to ansible
 * through 0600 files in a private folder, deleted after the run; extra vars are arguments, so they
 * must not be secrets (use vault).
 */
public final class Ansible implements Step {
    private static final Pattern RECAP = Pattern.compile("^(\\S+)\\s+:\\s+ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)");
    private static final Pattern AD_HOC = Pattern.compile("^(\\S+) \\| (SUCCESS|CHANGED|SKIPPED|FAILED!?|UNREACHABLE!)(?: |$)");
    private static final Pattern LISTED_HOSTS = Pattern.compile("^(\\s*)hosts \\(\\d+\\):\\s*$");

    private final Settings s;

    /** Every setting, copied whole by each setter. */
    private record Settings(Path playbook, String module, String moduleArgs, String pattern, String inventory, List<String> limit,
                            int forks, boolean check, Map<String, String> extraVars, Secret vaultPassword, boolean become,
                            Secret becomePassword, String user, Path privateKey, String sshCommonArgs, Duration connectTimeout,
                            Map<String, String> env, List<Path> searchPath, Rollout.Policy policy, String action, String name,
                            boolean destructive, Duration timeout) {
    }

    private Ansible(Settings s) {
        this.s = s;
    }

    /**
     * @param playbook the playbook file
     * @return a step running it (give it an {@link #inventory(Path)})
     */
    public static Ansible playbook(Path playbook) {
        Objects.requireNonNull(playbook, "playbook");
        return new Ansible(new Settings(playbook, null, null, null, null, List.of(), 0, false, Map.of(), null, false, null,
                null, null, null, Duration.ofSeconds(10), Map.of(), List.of(), Rollout.Policy.ALL_AT_ONCE, "ansible",
                null, false, Duration.ofMinutes(30)));
    }

    /**
     * An ad-hoc module run ({@code ansible <hosts> -m <module> -a <args>}); hosts default to {@code all}.
     *
     * @param module the module, such as {@code ansible.builtin.systemd}
     * @param args   its arguments ({@code name=crm state=stopped}), or empty
     * @return a step running it (give it an {@link #inventory(Path)})
     */
    public static Ansible module(String module, String args) {
        Objects.requireNonNull(module, "module");
        if (module.isBlank() || module.startsWith("-")) {
            throw new IllegalArgumentException("Invalid Ansible module name '" + module + "'");
        }
        return new Ansible(new Settings(null, module, Objects.requireNonNull(args, "args"), "all", null, List.of(), 0, false,
                Map.of(), null, false, null, null, null, null, Duration.ofSeconds(10), Map.of(), List.of(),
                Rollout.Policy.ALL_AT_ONCE, "ansible", null, false, Duration.ofMinutes(30)));
    }

    /**
     * An app control whose stop and start are two Ansible runs; their per-host results are
     * published as {@code fleet.stop.<host>} and {@code fleet.start.<host>}, as a {@link Fleet}'s.
     *
     * @param name  the app's name for plans and reports
     * @param stop  the run that stops it
     * @param start the run that starts it
     * @return the control
     */
    public static AppControl app(String name, Ansible stop, Ansible start) {
        Objects.requireNonNull(name, "name");
        Ansible down = stop.action("stop");
        Ansible up = start.action("start");
        return new AppControl() {
            @Override
            public String name() {
                return name + " (Ansible)";
            }

            @Override
            public void stop(StepContext context) throws Exception {
                down.execute(context);
            }

            @Override
            public void start(StepContext context) throws Exception {
                up.execute(context);
            }

            @Override
            public StepDescription describeStop() {
                return down.describe();
            }

            @Override
            public StepDescription describeStart() {
                return up.describe();
            }
        };
    }

    private Ansible with(Settings n) {
        return new Ansible(n);
    }

    /**
     * @param file an inventory file or folder
     * @return a copy
     */
    public Ansible inventory(Path file) {
        return inventory(Objects.requireNonNull(file, "file").toString());
    }

    /**
     * @param inventory what {@code -i} takes: a file, a folder, or a comma-separated host list ending in a comma
     * @return a copy
     */
    public Ansible inventory(String inventory) {
        Objects.requireNonNull(inventory, "inventory");
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout, s.env,
                s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * @param pattern the host pattern of an ad-hoc run (default {@code all})
     * @return a copy
     */
    public Ansible hosts(String pattern) {
        requireModule("hosts");
        requireWord(pattern, "host pattern");
        return with(new Settings(s.playbook, s.module, s.moduleArgs, pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout, s.env,
                s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * @param patterns hosts or groups the run is limited to ({@code --limit})
     * @return a copy
     */
    public Ansible limit(String... patterns) {
        for (String p : patterns) {
            requireWord(p, "limit pattern");
        }
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, List.of(patterns), s.forks, s.check,
                s.extraVars, s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout,
                s.env, s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * @param n hosts handled at once ({@code --forks}; Ansible's default is 5)
     * @return a copy
     */
    public Ansible forks(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("forks must be at least 1, got " + n);
        }
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, n, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout, s.env,
                s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /** @return a copy in check mode ({@code --check}): modules report what they would change and change nothing */
    public Ansible checkMode() {
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, true, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout, s.env,
                s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * @param name  an extra variable ({@code -e}); an argument, so never a secret
     * @param value its value
     * @return a copy
     */
    public Ansible extraVar(String name, String value) {
        requireWord(name, "variable name");
        Map<String, String> vars = new LinkedHashMap<>(s.extraVars);
        vars.put(name, Objects.requireNonNull(value, "value"));
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, vars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout, s.env,
                s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * @param password the vault password, given to ansible as a 0600 file ({@code --vault-password-file})
     * @return a copy
     */
    public Ansible vaultPassword(Secret password) {
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                Objects.requireNonNull(password, "password"), s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs,
                s.connectTimeout, s.env, s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /** @return a copy running tasks with privilege escalation ({@code --become}) */
    public Ansible become() {
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, true, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout, s.env,
                s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * @param password the become (sudo) password, given to ansible as a 0600 file ({@code --become-password-file}); implies {@link #become()}
     * @return a copy
     */
    public Ansible becomePassword(Secret password) {
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, true, Objects.requireNonNull(password, "password"), s.user, s.privateKey, s.sshCommonArgs,
                s.connectTimeout, s.env, s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * @param remoteUser the ssh login ({@code -u})
     * @return a copy
     */
    public Ansible user(String remoteUser) {
        requireWord(remoteUser, "user");
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, remoteUser, s.privateKey, s.sshCommonArgs, s.connectTimeout, s.env,
                s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * @param key the ssh private key ({@code --private-key})
     * @return a copy
     */
    public Ansible privateKey(Path key) {
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, Objects.requireNonNull(key, "key"), s.sshCommonArgs,
                s.connectTimeout, s.env, s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * @param args options for every ssh connection ({@code --ssh-common-args}), such as a known_hosts file
     * @return a copy
     */
    public Ansible sshCommonArgs(String args) {
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, Objects.requireNonNull(args, "args"),
                s.connectTimeout, s.env, s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * @param timeout how long a connection to one host may take ({@code --timeout}, default 10 s); an unreachable host then fails
     * @return a copy
     */
    public Ansible connectTimeout(Duration timeout) {
        if (timeout.toSeconds() < 1) {
            throw new IllegalArgumentException("connectTimeout must be at least 1 s, got " + timeout);
        }
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, timeout, s.env,
                s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * @param name  an environment variable for ansible, such as {@code ANSIBLE_CONFIG}
     * @param value its value (not a secret)
     * @return a copy
     */
    public Ansible env(String name, String value) {
        Map<String, String> e = new LinkedHashMap<>(s.env);
        e.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout, e,
                s.searchPath, s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * @param dirs where {@code ansible} and {@code ansible-playbook} are looked up first
     * @return a copy
     */
    public Ansible searchPath(List<Path> dirs) {
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout, s.env,
                List.copyOf(dirs), s.policy, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * Rolling batches: one ansible run per batch of {@code n} hosts, limited to it.
     *
     * @param n hosts per batch
     * @return a copy
     */
    public Ansible serial(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("serial must be at least 1 host, got " + n);
        }
        return policy(new Rollout.Policy(n, 0, s.policy.maxFailPercent()));
    }

    /**
     * @param percent the failure budget across all batches, as {@link Fleet#maxFailPercent(int)}
     * @return a copy
     */
    public Ansible maxFailPercent(int percent) {
        return policy(new Rollout.Policy(s.policy.serial(), s.policy.serialPercent(), percent));
    }

    private Ansible policy(Rollout.Policy p) {
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout, s.env,
                s.searchPath, p, s.action, s.name, s.destructive, s.timeout));
    }

    /**
     * @param key the action's key in the per-host outputs {@code fleet.<key>.<host>} (default {@code ansible})
     * @return a copy
     */
    public Ansible action(String key) {
        Objects.requireNonNull(key, "key");
        if (!key.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("An action key is letters, digits, '-' and '_', got '" + key + "'");
        }
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout, s.env,
                s.searchPath, s.policy, key, s.name, s.destructive, s.timeout));
    }

    /**
     * @param stepName the step's name in plans and reports
     * @return a copy
     */
    public Ansible named(String stepName) {
        Objects.requireNonNull(stepName, "stepName");
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout, s.env,
                s.searchPath, s.policy, s.action, stepName, s.destructive, s.timeout));
    }

    /** @return a copy marked as destroying or replacing data, so that it asks for approval */
    public Ansible markDestructive() {
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout, s.env,
                s.searchPath, s.policy, s.action, s.name, true, s.timeout));
    }

    /**
     * @param t how long one ansible run may take (default 30 min); then it is killed
     * @return a copy
     */
    public Ansible timeout(Duration t) {
        return with(new Settings(s.playbook, s.module, s.moduleArgs, s.pattern, s.inventory, s.limit, s.forks, s.check, s.extraVars,
                s.vaultPassword, s.become, s.becomePassword, s.user, s.privateKey, s.sshCommonArgs, s.connectTimeout, s.env,
                s.searchPath, s.policy, s.action, s.name, s.destructive, Objects.requireNonNull(t, "t")));
    }

    @Override
    public String name() {
        if (s.name != null) {
            return s.name;
        }
        return s.playbook != null ? "ansible-playbook " + s.playbook.getFileName() + (s.check ? " (check mode)" : "")
                : "ansible " + s.pattern + " -m " + s.module + (s.check ? " (check mode)" : "");
    }

    @Override
    public boolean destructive() {
        return s.destructive;
    }

    /**
     * The hosts the run covers: the inventory's hosts matching the pattern (ad-hoc) or the plays'
     * patterns (playbook), within {@link #limit(String...)}; asked of ansible itself ({@code --list-hosts}).
     * Ansible lists a limited set in no stable order, so they are sorted by name (digits as numbers:
     * web2 before web10), which keeps the batches the same on every attempt and resume.
     *
     * @return the hosts, in name order
     */
    public List<String> listHosts() {
        requireInventory();
        List<String> argv = new ArrayList<>(s.playbook != null ? List.of("ansible-playbook", "-i", s.inventory)
                : List.of("ansible", s.pattern, "-i", s.inventory));
        if (!s.limit.isEmpty()) {
            argv.addAll(List.of("--limit", String.join(",", s.limit)));
        }
        argv.add("--list-hosts");
        Path work = null;
        try {
            if (s.vaultPassword != null) {   // vars files are decrypted when the play is read
                work = privateFolder();
                argv.addAll(List.of("--vault-password-file", secretFile(work, "vault-password", s.vaultPassword)));
            }
            if (s.playbook != null) {
                argv.add(s.playbook.toString());
            }
            CommandResult r = command(argv).keepLines(1_000_000).run();
            LinkedHashSet<String> hosts = new LinkedHashSet<>();
            int indent = -1;
            for (String line : r.stdout()) {
                Matcher m = LISTED_HOSTS.matcher(line);
                if (m.matches()) {
                    indent = m.group(1).length();
                } else if (indent >= 0 && !line.isBlank() && leading(line) > indent) {
                    hosts.add(line.trim());
                } else {
                    indent = -1;
                }
            }
            // ansible prints a --limit'ed list in no stable order; batches and resumes need one
            List<String> sorted = new ArrayList<>(hosts);
            sorted.sort(Ansible::naturalOrder);
            return List.copyOf(sorted);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the ansible run: " + e.getMessage(), e);
        } finally {
            deleteTree(work);
        }
    }

    /** web2 before web10: digit runs compare as numbers. */
    static int naturalOrder(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                int c = new BigInteger(a.substring(si, i)).compareTo(new BigInteger(b.substring(sj, j)));
                if (c != 0) {
                    return c;
                }
            } else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static Path privateFolder() throws IOException {
        return Files.createTempDirectory("rollback-ansible-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    @Override
    public void execute(StepContext context) throws InterruptedException {
        List<String> hosts = listHosts();
        if (hosts.isEmpty()) {
            throw new FleetException(name() + ": no host of inventory " + s.inventory + " matches "
                    + (s.playbook != null ? "the playbook's plays" : "'" + s.pattern + "'")
                    + (s.limit.isEmpty() ? "" : " within --limit " + String.join(",", s.limit))
                    + "; nothing was run. Check the inventory and the patterns.", List.of());
        }
        Rollout.Outcome outcome = Rollout.run(context, name(), s.action, hosts, s.policy, (batch, done) -> runBatch(context, batch, done));
        if (!outcome.ok()) {
            throw Rollout.failure(name(), outcome, s.policy, "done");
        }
    }

    private void runBatch(StepContext context, List<String> batch, Consumer<HostResult> done) {
        Path work = null;
        try {
            work = privateFolder();
            Path tree = Files.createDirectory(work.resolve("tree"));
            Command c = command(argv(batch, work, tree)).env("ANSIBLE_CALLBACK_TREE_DIR", tree.toString())
                    .timeout(s.timeout).keepLines(200_000).named(name());
            long t0 = System.nanoTime();
            CommandResult r = c.runAnyExit(context);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            Map<String, Outcome> status = s.playbook != null ? recap(r.stdout()) : adHoc(r.stdout());
            for (String h : batch) {
                Outcome outcome = status.get(h);
                String detail = treeMessage(tree.resolve(h));
                if (outcome == null) {
                    done.accept(new HostResult(h, s.action, HostResult.Status.FAILED, "ansible reported no result for this host (exit "
                            + r.exitCode() + (r.stderr().isEmpty() ? "" : ": " + String.join(" | ", r.stderrTail(3))) + ")", took));
                } else if (outcome == Outcome.OK) {
                    done.accept(new HostResult(h, s.action, HostResult.Status.OK, "", took));
                } else {
                    String why = detail.isEmpty() ? "see the ansible output in the log" : detail;
                    done.accept(new HostResult(h, s.action, HostResult.Status.FAILED,
                            outcome == Outcome.UNREACHABLE ? "unreachable: " + why : detail.isEmpty() ? "failed (" + why + ")" : detail, took));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the ansible run: " + e.getMessage(), e);
        } finally {
            deleteTree(work);
        }
    }

    private List<String> argv(List<String> batch, Path work, Path tree) throws IOException {
        requireInventory();
        List<String> argv = new ArrayList<>();
        if (s.playbook != null) {
            argv.addAll(List.of("ansible-playbook", "-i", s.inventory));
        } else {
            argv.addAll(List.of("ansible", s.pattern, "-i", s.inventory, "-m", s.module));
            if (!s.moduleArgs.isEmpty()) {
                argv.add("--args=" + s.moduleArgs);   // one argument: a value starting with '-' is not taken for an option
            }
            argv.addAll(List.of("-t", tree.toString()));
        }
        // each batch is limited to its hosts not done yet in this run (within the step's own limit)
        argv.addAll(List.of("--limit", batch == null ? "<hosts of the batch not done yet>" : String.join(",", batch)));
        if (s.forks > 0) {
            argv.addAll(List.of("--forks", String.valueOf(s.forks)));
        }
        if (s.check) {
            argv.add("--check");
        }
        for (Map.Entry<String, String> v : s.extraVars.entrySet()) {
            argv.addAll(List.of("-e", v.getKey() + "=" + v.getValue()));
        }
        if (s.vaultPassword != null) {
            argv.addAll(List.of("--vault-password-file", secretFile(work, "vault-password", s.vaultPassword)));
        }
        if (s.become) {
            argv.add("--become");
        }
        if (s.becomePassword != null) {
            argv.addAll(List.of("--become-password-file", secretFile(work, "become-password", s.becomePassword)));
        }
        if (s.user != null) {
            argv.addAll(List.of("-u", s.user));
        }
        if (s.privateKey != null) {
            argv.addAll(List.of("--private-key", s.privateKey.toString()));
        }
        if (s.sshCommonArgs != null) {
            argv.add("--ssh-common-args=" + s.sshCommonArgs);
        }
        argv.addAll(List.of("--timeout", String.valueOf(s.connectTimeout.toSeconds())));
        if (s.playbook != null) {
            argv.add(s.playbook.toString());
        }
        return argv;
    }

    /** The secret in a 0600 file of the run's private folder; work is null for descriptions. */
    private static String secretFile(Path work, String name, Secret secret) throws IOException {
        if (work == null) {
            return "<0600 file with the " + name.replace('-', ' ') + ">";
        }
        Path f = work.resolve(name);
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(f, secret.reveal() + "\n");
        return f.toString();
    }

    private Command command(List<String> argv) {
        Command c = Command.of(argv).searchPath(s.searchPath).timeout(s.timeout)
                .env("ANSIBLE_CALLBACKS_ENABLED", "ansible.builtin.tree")
                .env("ANSIBLE_STDOUT_CALLBACK", "default")
                .env("ANSIBLE_NOCOLOR", "1")
                .env("ANSIBLE_RETRY_FILES_ENABLED", "false");
        for (Map.Entry<String, String> e : s.env.entrySet()) {
            c = c.env(e.getKey(), e.getValue());
        }
        return c;
    }

    /** What Ansible said about one host. */
    enum Outcome {
        /** Done. */
        OK,
        /** A task failed there. */
        FAILED,
        /** Ansible could not connect to it, whatever the transport's wording ("Connection refused", "Broken pipe", ...). */
        UNREACHABLE
    }

    /** {@code host : ok=1 changed=1 unreachable=0 failed=0 ...}: done unless unreachable or failed. */
    static Map<String, Outcome> recap(List<String> lines) {
        Map<String, Outcome> out = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = RECAP.matcher(line);
            if (m.find()) {
                out.put(m.group(1), Integer.parseInt(m.group(4)) > 0 ? Outcome.UNREACHABLE
                        : Integer.parseInt(m.group(5)) > 0 ? Outcome.FAILED : Outcome.OK);
            }
        }
        return out;
    }

    /** {@code host | CHANGED | rc=0 >>}, {@code host | SKIPPED} (check mode), {@code host | FAILED! => {...}}, {@code host | UNREACHABLE! => {...}}. */
    static Map<String, Outcome> adHoc(List<String> lines) {
        Map<String, Outcome> out = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = AD_HOC.matcher(line);
            if (m.find()) {
                out.put(m.group(1), m.group(2).startsWith("UNREACHABLE") ? Outcome.UNREACHABLE
                        : m.group(2).startsWith("FAILED") ? Outcome.FAILED : Outcome.OK);
            }
        }
        return out;
    }

    /** The host's last result as the tree callback wrote it: its message and the end of its error output. */
    private static String treeMessage(Path file) {
        if (!Files.isRegularFile(file)) {
            return "";
        }
        try {
            Map<String, Object> r = JSON.std.mapFrom(Files.readString(file));
            List<String> parts = new ArrayList<>();
            if (r.get("msg") instanceof String msg && !msg.isBlank()) {
                parts.add(msg.trim());
            }
            if (r.get("rc") instanceof Number rc && rc.intValue() != 0) {
                parts.add("rc " + rc);
            }
            if (r.get("stderr") instanceof String err && !err.isBlank()) {
                List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
                parts.add(String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
            }
            return Redactor.redact(String.join("; ", parts));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public StepDescription describe() {
        List<String> argv;
        try {
            argv = argv(null, null, Path.of("<tree folder>"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StepDescription d = StepDescription.of(name()).param("rollout", s.policy.describe()).param("results",
                "PLAY RECAP / ad-hoc status, messages from the ansible.builtin.tree callback");
        if (s.vaultPassword != null || s.becomePassword != null) {
            d = d.param("secrets", "in 0600 files of a private folder, deleted after the run");
        }
        return d.command(argv);
    }

    private void requireInventory() {
        if (s.inventory == null) {
            throw new IllegalStateException(name() + " has no inventory: give it inventory(Path) or inventory(\"host1,host2,\")");
        }
    }

    private void requireModule(String setting) {
        if (s.module == null) {
            throw new IllegalStateException(setting + "(..) is for ad-hoc module runs; a playbook names its hosts in its plays (use limit)");
        }
    }

    private static void requireWord(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank() || value.startsWith("-") || value.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("Invalid " + what + " '" + value + "'");
        }
    }

    private static int leading(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a private temporary folder; the OS cleans it eventually
        }
    }
}
