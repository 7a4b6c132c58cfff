package dev.rollback.cli;

import dev.rollback.core.Approver;
import dev.rollback.core.ConsoleProgress;
import dev.rollback.core.PlanValidationException;
import dev.rollback.core.Redactor;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RollbackRunner;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.cli.CommandLineOptions;
import dev.rollback.core.cli.ExitCode;
import dev.rollback.core.cli.RollbackCommand;
import dev.rollback.core.cli.UsageException;
import dev.rollback.core.decision.Decision;
import dev.rollback.core.decision.Level;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.JournalProvider;
import dev.rollback.core.live.LivePage;
import dev.rollback.core.live.RunWatch;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The command line of a rollback program, on picocli: the same flags and exit codes for every plan,
 * the settings the program declares listed by {@code --help}, a misspelled flag or setting caught
 * with the closest name suggested, a bad value refused naming the setting and the form it expects,
 * no stack trace unless {@code --debug}, a live page ({@code --live}) and a watch of a run from
 * another terminal ({@code --watch}).
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     System.exit(RollbackProgram.named("nextcrm-rollback")
 *         .settings(Setting.text("DATABASE_URL", "the database to restore").secret().required(),
 *                   Setting.duration("HEALTH_RETRY_DELAY", "pause between health polls").defaultValue("PT5S"))
 *         .execute(args, options -> NextcrmPlan.build(options)));
 * }
 * }</pre>
 *
 * Exit codes are those of {@link ExitCode}: 0 done, 1 failed (resumable), 2 usage (a bad flag, an
 * unknown or malformed setting), 3 refused, 4 needs approval, 5 the plan could not be built.
 */
public final class RollbackProgram {
    private final String programName;
    private final List<Setting> settings;
    private PrintStream out = System.out;
    private PrintStream err = System.err;
    private InputStream in = System.in;
    private Map<String, String> env = System.getenv();
    private Consumer<RollbackRunner> runnerCustomizer = r -> { };
    private Function<CommandLineOptions, Decision> decider;

    private RollbackProgram(String programName, List<Setting> settings) {
        this.programName = Objects.requireNonNull(programName, "programName");
        this.settings = List.copyOf(settings);
    }

    /**
     * @param programName how the program is started, as printed in usage and resume commands
     *                    ({@code "java -jar nextcrm-rollback.jar"})
     * @return a program front with no declared settings (then any {@code --set} is passed on)
     */
    public static RollbackProgram named(String programName) {
        return new RollbackProgram(programName, List.of());
    }

    /**
     * Declares the settings the plan reads. With settings declared, {@code --help} lists them and a
     * {@code --set} of any other name is refused.
     *
     * @param declared the settings
     * @return this
     */
    public RollbackProgram settings(Setting... declared) {
        return settings(List.of(declared));
    }

    /**
     * @param declared the settings the plan reads
     * @return this
     */
    public RollbackProgram settings(List<Setting> declared) {
        List<Setting> all = new ArrayList<>(settings);
        all.addAll(declared);
        new DeclaredSettings(all);   // refuses a name declared twice
        RollbackProgram p = new RollbackProgram(programName, all);
        p.out = out;
        p.err = err;
        p.in = in;
        p.env = env;
        p.runnerCustomizer = runnerCustomizer;
        p.decider = decider;
        return p;
    }

    /**
     * @param out where progress, help and the dry-run description go
     * @param err where errors and approval prompts go
     * @param in  where approvals are read
     * @return this
     */
    public RollbackProgram streams(PrintStream out, PrintStream err, InputStream in) {
        this.out = Objects.requireNonNull(out);
        this.err = Objects.requireNonNull(err);
        this.in = Objects.requireNonNull(in);
        return this;
    }

    /**
     * @param env the environment settings fall back on (default: the process environment)
     * @return this
     */
    public RollbackProgram environment(Map<String, String> env) {
        this.env = Map.copyOf(env);
        return this;
    }

    /**
     * @param customizer adjusts the runner before it runs (listeners such as {@code RollbackTelemetry}, a clock)
     * @return this
     */
    public RollbackProgram customizeRunner(Consumer<RollbackRunner> customizer) {
        this.runnerCustomizer = Objects.requireNonNull(customizer);
        return this;
    }

    /**
     * Gives the program a {@code --decide} mode: the function reads the program's signals (a health
     * URL, SQL queries, people's judgements, as its settings configure them) and returns the decision
     * of its decision table; {@code --decide} prints it and runs nothing. {@code --watchdog EVERY} calls
     * it every interval and runs the plan at the first MUST (the function should keep its samples
     * between calls, so that rules sustained for minutes can hold). See {@code docs/decisions.md}.
     *
     * @param decide reads the signals and decides, from the parsed options and settings
     * @return this
     */
    public RollbackProgram decisions(Function<CommandLineOptions, Decision> decide) {
        this.decider = Objects.requireNonNull(decide, "decide");
        return this;
    }

    /** The flags every rollback program takes. */
    @Command(sortOptions = false, abbreviateSynopsis = true,
            description = "Runs, dry-runs, resumes or follows a rollback plan; every run is journaled and leaves an incident report.")
    static final class Flags {
        @Option(names = "--dry-run", description = "print the plan with every command it would run; change nothing")
        boolean dryRun;
        @Option(names = "--yes", paramLabel = "APPROVER", description = "approve destructive steps in APPROVER's name")
        String approver;
        @Option(names = "--approve", paramLabel = "NAME:ROLE", description = "an approver and their role; repeat it for a plan "
                + "that needs several (such as Migration Lead + DBA, or CTO); never the operator")
        List<String> approvers = new ArrayList<>();
        @Option(names = "--waive", paramLabel = "NAME", description = "skip a precheck (or capture) the plan marks waivable, such as one "
                + "that needs the broken system up; repeatable; needs --reason")
        List<String> waivers = new ArrayList<>();
        @Option(names = "--no-input", description = "never read standard input (destructive steps then need --yes)")
        boolean noInput;
        @Option(names = "--resume", paramLabel = "RUN_ID|latest", description = "resume a stopped run after its last checkpoint")
        String resume;
        @Option(names = "--abandon", paramLabel = "RUN_ID", description = "abandon an interrupted run: clean up its temporaries (needs --reason)")
        String abandon;
        @Option(names = "--again", description = "run a plan that already succeeded once more (needs --reason)")
        boolean again;
        @Option(names = "--status", description = "print each plan's state: idle, running (by whom), interrupted, succeeded")
        boolean status;
        @Option(names = "--break-lock", description = "break the plan's lease before it expires (needs --reason; shared journals)")
        boolean breakLock;
        @Option(names = "--journal", paramLabel = "DIR|URL", defaultValue = "rollback-journal",
                description = "journal folder (default: ${DEFAULT-VALUE}), or postgresql://host:port/db?schema=rollback")
        String journal;
        @Option(names = "--journal-password-env", paramLabel = "NAME", description = "the environment variable with the journal server's password")
        String journalPasswordEnv;
        @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "", description = "why the rollback runs, for the journal and the report")
        String reason;
        @Option(names = "--operator", paramLabel = "NAME", description = "who runs it (default: the OS user)")
        String operator;
        @Option(names = "--set", paramLabel = "NAME=VALUE", description = "a setting (see Settings below), instead of the environment variable NAME")
        Map<String, String> settings = new LinkedHashMap<>();
        @Option(names = "--live", paramLabel = "[HOST:]PORT", description = "serve a read-only live page of the run (127.0.0.1 unless a host is given; elsewhere it needs the printed token)")
        String live;
        @Option(names = "--watch", paramLabel = "RUN_ID|latest", description = "follow a run of this plan from its journal (from another terminal or machine) until it ends")
        String watch;
        @Option(names = "--report", paramLabel = "RUN_ID|latest", description = "write a run's incident report again from its journal (a run whose process died) and print where")
        String report;
        @Option(names = "--decide", description = "read the signals the settings name and print the decision table's verdict; run nothing")
        boolean decide;
        @Option(names = "--watchdog", paramLabel = "EVERY", description = "read the signals every EVERY (30s, 1m) and run the plan "
                + "as soon as the decision table says MUST (approvals as for any run: --yes or a console)")
        String watchdog;
        @Option(names = "--debug", description = "print stack traces of errors")
        boolean debug;
        @Option(names = "--completion", description = "print a bash completion script for this program")
        boolean completion;
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
        boolean help;
    }

    /**
     * Parses the arguments, checks the settings, builds the plan and runs, dry-runs, resumes or
     * watches it.
     *
     * @param args        the program's arguments
     * @param planFactory builds the plan from the options
     * @return the exit code; pass it to {@code System.exit}
     */
    public int execute(String[] args, Function<CommandLineOptions, RollbackPlan> planFactory) {
        Flags flags = new Flags();
        CommandLine cli = commandLine(flags);
        try {
            cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            err.println(programName + ": " + e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
                err.println("Run " + programName + " --help for the flags and settings.");
            }
            return ExitCode.USAGE.code();
        }
        if (flags.help) {
            cli.usage(out);
            return ExitCode.OK.code();
        }
        if (flags.completion) {
            out.print(AutoComplete.bash(programName.replaceAll(".*[ /]", ""), cli));
            return ExitCode.OK.code();
        }
        List<String> conflicts = conflicts(flags);
        DeclaredSettings declared = new DeclaredSettings(settings);
        conflicts.addAll(declared.problems(flags.settings, env));
        if (!conflicts.isEmpty()) {
            conflicts.forEach(c -> err.println(programName + ": " + c));
            return ExitCode.USAGE.code();
        }
        boolean url = flags.journal.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*");
        CommandLineOptions options = new CommandLineOptions(flags.dryRun, flags.approver, flags.resume, url ? null : Path.of(flags.journal),
                flags.reason, flags.operator != null ? flags.operator : System.getProperty("user.name", "unknown"), flags.noInput,
                declared.normalized(flags.settings), withDefaults(declared, declared.normalized(env)), url ? flags.journal : null,
                flags.abandon, flags.again, flags.status, flags.breakLock, flags.journalPasswordEnv,
                flags.approvers.stream().map(Approver::parse).toList(), flags.waivers);
        if (flags.status) {
            return RollbackCommand.named(programName).streams(out, err, in).environment(env).status(options);
        }
        if (flags.decide) {
            return decide(options, flags.debug);
        }
        if (flags.watchdog != null) {
            Decision must;
            try {
                must = awaitMust(options, Setting.parseDuration(flags.watchdog));
            } catch (RuntimeException e) {
                return planFailure(e, flags.debug);
            }
            if (must == null) {
                err.println(programName + ": the watchdog was interrupted before any rule said MUST; nothing ran");
                return ExitCode.REFUSED.code();
            }
            options = new CommandLineOptions(options.dryRun(), options.approver(), options.resume(), options.journal(),
                    (options.reason().isBlank() ? "" : options.reason() + "; ") + "watchdog: " + must.summary(), options.operator(),
                    options.noInput(), options.settings(), options.env(), options.journalUrl(), options.abandon(), options.again(),
                    options.status(), options.breakLock(), options.journalPasswordEnv());
        }
        RollbackPlan plan;
        try {
            plan = planFactory.apply(options);
        } catch (RuntimeException e) {
            return planFailure(e, flags.debug);
        }
        if (flags.watch != null) {
            return watch(flags, plan);
        }
        if (flags.report != null) {
            return RollbackCommand.named(programName).streams(out, err, in).environment(env).report(options, plan, flags.report);
        }
        LivePage page = null;
        try {
            RollbackCommand core = RollbackCommand.named(programName).streams(out, err, in).environment(env);
            if (flags.live != null && !flags.dryRun) {
                page = LivePage.start(flags.live);
                LivePage p = page;
                out.println("Live page: " + page.url() + (page.requiresToken() ? "  (the token in it is required; share it only with those who follow the run)" : ""));
                core.customizeRunner(r -> {
                    runnerCustomizer.accept(r);
                    r.listener(p);
                    p.journal(r.journal());
                });
            } else {
                core.customizeRunner(runnerCustomizer);
            }
            return core.execute(options, plan);
        } catch (IllegalArgumentException e) {
            err.println(programName + ": " + Redactor.redact(e.getMessage()));
            return ExitCode.USAGE.code();
        } finally {
            if (page != null) {
                page.close();
            }
        }
    }

    private List<String> conflicts(Flags f) {
        List<String> c = new ArrayList<>();
        if (!f.waivers.isEmpty() && (f.reason == null || f.reason.isBlank())) {
            c.add("--waive needs --reason TEXT: why the check may be skipped, for the journal and the incident report");
        }
        if (f.approver != null && !f.approvers.isEmpty()) {
            c.add("--yes and --approve cannot be combined: name every approver with --approve NAME:ROLE");
        }
        for (String a : f.approvers) {
            try {
                Approver.parse(a);
            } catch (IllegalArgumentException e) {
                c.add("--approve " + e.getMessage());
            }
        }
        List<String> actions = new ArrayList<>();
        if (f.dryRun) {
            actions.add("--dry-run");
        }
        if (f.resume != null) {
            actions.add("--resume");
        }
        if (f.abandon != null) {
            actions.add("--abandon");
        }
        if (f.again) {
            actions.add("--again");
        }
        if (f.status) {
            actions.add("--status");
        }
        if (f.breakLock) {
            actions.add("--break-lock");
        }
        if (f.watch != null) {
            actions.add("--watch");
        }
        if (f.report != null) {
            actions.add("--report");
        }
        if (f.decide) {
            actions.add("--decide");
        }
        if (f.watchdog != null) {
            actions.add("--watchdog");
            try {
                if (Setting.parseDuration(f.watchdog).isZero() || Setting.parseDuration(f.watchdog).isNegative()) {
                    c.add("--watchdog needs a positive interval, e.g. 30s");
                }
            } catch (RuntimeException e) {
                c.add("--watchdog " + f.watchdog + ": not an interval; write 30s, 1m or PT30S");
            }
        }
        if (actions.size() > 1) {
            c.add(String.join(" and ", actions) + " cannot be combined: choose one");
        }
        if ((f.abandon != null || f.again || f.breakLock) && f.reason.isBlank()) {
            c.add(actions.get(0) + " needs --reason TEXT: why, for the journal and the incident report");
        }
        if (f.watch != null && f.approver != null) {
            c.add("--watch only follows a run; it approves nothing, so it takes no --yes");
        }
        if (f.approver != null && f.approver.isBlank()) {
            c.add("--yes needs the approver's name");
        }
        if (f.live != null) {
            try {
                LivePage.address(f.live);
            } catch (IllegalArgumentException e) {
                c.add(e.getMessage());
            }
        }
        return c;
    }

    /** --decide: the decision, one fired rule a line, then the level alone on the last line for scripts. */
    private int decide(CommandLineOptions options, boolean debug) {
        if (decider == null) {
            err.println(programName + ": --decide needs a decision table, and this program has none");
            return ExitCode.USAGE.code();
        }
        Decision d;
        try {
            d = decider.apply(options);
        } catch (RuntimeException e) {
            return planFailure(e, debug);
        }
        out.println("Decision at " + d.time() + ": " + describe(d.level()));
        for (Decision.Fired f : d.fired()) {
            out.println("  " + f.level() + "  " + f.rule() + (f.evidence().isEmpty() ? "" : ": " + Redactor.redact(String.join("; ", f.evidence()))));
        }
        if (!d.values().isEmpty()) {
            out.println("Signals: " + Redactor.redact(d.values().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(java.util.stream.Collectors.joining(", "))));
        }
        d.unavailable().forEach((k, v) -> out.println("Unavailable (never taken for healthy): " + k + ": " + Redactor.redact(v)));
        out.println("decision: " + d.level());
        return ExitCode.OK.code();
    }

    /**
     * --watchdog: decides every interval (the program's decider keeps the samples, so sustained rules
     * can hold), prints each change of level, and returns the first MUST; null when interrupted.
     */
    private Decision awaitMust(CommandLineOptions options, java.time.Duration every) {
        if (decider == null) {
            throw new UsageException("--watchdog needs a decision table, and this program has none");
        }
        Level last = null;
        while (true) {
            Decision d = decider.apply(options);
            if (d.level() != last) {
                out.println("Watchdog at " + d.time() + ": " + describe(d.level()) + (d.fired().isEmpty() ? ""
                        : " (" + Redactor.redact(d.fired().stream().map(Decision.Fired::rule).collect(java.util.stream.Collectors.joining("; "))) + ")"));
                d.unavailable().forEach((k, v) -> out.println("  unavailable (never taken for healthy): " + k + ": " + Redactor.redact(v)));
                last = d.level();
            }
            if (d.level() == Level.MUST) {
                out.println("MUST roll back: running the plan. " + Redactor.redact(d.summary()));
                return d;
            }
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    private static String describe(Level level) {
        return switch (level) {
            case MUST -> "MUST roll back now";
            case SHOULD -> "SHOULD roll back";
            case CONSIDER -> "CONSIDER rolling back: evaluate";
            case FIX_FORWARD -> "fix forward, do not roll back";
            case NONE -> "no rule holds: nothing to do";
        };
    }

    /** The environment with each declared default filled in, so that the plan reads one value either way. */
    private static Map<String, String> withDefaults(DeclaredSettings declared, Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>(env);
        for (Setting s : declared.all()) {
            if (s.defaultValue() != null) {
                out.putIfAbsent(s.name(), s.type() == Setting.Type.DURATION ? Setting.parseDuration(s.defaultValue()).toString() : s.defaultValue());
            }
        }
        return out;
    }

    /** A plan factory that failed: a usage problem exits 2, anything else 5, with its message and no stack trace unless --debug. */
    private int planFailure(RuntimeException e, boolean debug) {
        String message = Redactor.redact(String.valueOf(e.getMessage()));
        int code;
        if (e instanceof UsageException) {
            err.println(programName + ": " + message);
            code = ExitCode.USAGE.code();
        } else if (e instanceof PlanValidationException) {
            err.println(programName + ": " + message);
            code = ExitCode.INVALID_PLAN.code();
        } else if (e instanceof DateTimeParseException || e instanceof NumberFormatException) {
            err.println(programName + ": a setting has a value of the wrong form: " + message
                    + (settings.isEmpty() ? "" : "; run --help for each setting's form"));
            code = ExitCode.USAGE.code();
        } else {
            err.println(programName + ": the plan could not be built: " + message);
            code = ExitCode.INVALID_PLAN.code();
        }
        if (debug) {
            e.printStackTrace(err);
        } else if (code == ExitCode.INVALID_PLAN.code() && !(e instanceof PlanValidationException)) {
            err.println("(run with --debug for the stack trace)");
        }
        return code;
    }

    private int watch(Flags f, RollbackPlan plan) {
        Journal journal;
        try {
            journal = JournalProvider.at(f.journal, env, f.journalPasswordEnv);
        } catch (IllegalArgumentException e) {
            err.println(programName + ": " + Redactor.redact(e.getMessage()));
            return ExitCode.USAGE.code();
        }
        LivePage page = f.live != null ? LivePage.start(f.live).journal(journal) : null;
        try {
            if (page != null) {
                out.println("Live page: " + page.url());
            }
            RunWatch watch = RunWatch.of(journal, plan, f.watch).noticeQuietAfter(Duration.ofSeconds(60), n -> err.println(programName + ": " + n));
            Optional<JournalEvent.RunFinished> end = page != null ? watch.follow(ConsoleProgress.to(out), page) : watch.follow(ConsoleProgress.to(out));
            return end.map(e -> ExitCode.of(RunOutcome.valueOf(e.outcome())).code()).orElse(ExitCode.FAILED.code());
        } catch (IllegalArgumentException e) {
            err.println(programName + ": " + e.getMessage());
            return ExitCode.REFUSED.code();
        } finally {
            if (page != null) {
                page.close();
            }
        }
    }

    private CommandLine commandLine(Flags flags) {
        CommandLine cli = new CommandLine(flags).setCommandName(programName).setCaseInsensitiveEnumValuesAllowed(true)
                .setOverwrittenOptionsAllowed(false).setUnmatchedArgumentsAllowed(false).setUsageHelpWidth(120);
        cli.getCommandSpec().usageMessage().footer(footer().replace("%", "%%").replace("\n", "%n"));
        return cli;
    }

    /** The settings and the exit codes, under the flags in {@code --help}. */
    private String footer() {
        StringBuilder b = new StringBuilder();
        if (!settings.isEmpty()) {
            b.append("\nSettings (--set NAME=VALUE, or the environment variable NAME; secrets only from the environment):\n");
            int width = settings.stream().mapToInt(s -> s.name().length()).max().orElse(10);
            for (Setting s : settings) {
                String kind = s.type() == Setting.Type.CHOICE ? String.join("|", s.choices()) : s.type().name().toLowerCase(Locale.ROOT);
                String extra = (s.isSecret() ? ", secret: from the environment only" : "") + (s.isRequired() ? ", required" : "")
                        + (s.defaultValue() != null && !s.isSecret() ? ", default " + s.defaultValue() : "");
                b.append(String.format(Locale.ROOT, "  %-" + width + "s  %s%s%n      %s", s.name(), kind, extra, s.description())).append('\n');
            }
        }
        b.append("\nExit codes: 0 done, 1 failed (resumable; the resume command is printed), 2 usage, 3 refused,\n"
                + "            4 needs approval, 5 the plan could not be built.");
        return b.toString();
    }

    /** @return the settings this program declares */
    public List<Setting> declaredSettings() {
        return settings;
    }

    @Override
    public String toString() {
        return "RollbackProgram[" + programName + ", settings " + Arrays.toString(settings.stream().map(Setting::name).toArray()) + "]";
    }
}
