package dev.rollback.core.cli;

import dev.rollback.core.AbandonReport;
import dev.rollback.core.Approver;
import dev.rollback.core.Confirmations;
import dev.rollback.core.ConsoleProgress;
import dev.rollback.core.PlanChangedException;
import dev.rollback.core.PlanValidationException;
import dev.rollback.core.Redactor;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackException;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RollbackRunner;
import dev.rollback.core.RunNotResumableException;
import dev.rollback.core.RunRefusedException;
import dev.rollback.core.RunReport;
import dev.rollback.core.WaiverRefusedException;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalLockedException;
import dev.rollback.core.journal.JournalProvider;
import dev.rollback.core.journal.LockNotBreakableException;
import dev.rollback.core.journal.PlanLock;
import dev.rollback.core.journal.PlanStatus;
import dev.rollback.core.report.IncidentReport;
import dev.rollback.core.report.PostMortem;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns any plan into a program with the same flags and exit codes, so that a deployment tool
 * can drive every rollback the same way:
 *
 * <pre>
 *   --dry-run            print the plan with every command it would run; change nothing
 *   --yes NAME           approve destructive steps in NAME's name (the seeds' --force)
 *   --approve NAME:ROLE  an approver and their role, repeated for a plan that needs several
 *                        (such as "Migration Lead + DBA, or CTO"); not the operator
 *   --waive NAME         skip a precheck (or capture) the plan marks waivable, repeated; needs --reason
 *   --no-input           never read standard input (destructive steps then need --yes)
 *   --resume RUN_ID      resume a stopped run after its last checkpoint ("latest" for the newest)
 *   --abandon RUN_ID     abandon an interrupted run: clean up its temporaries (needs --reason)
 *   --again              run a plan that already succeeded once more (needs --reason)
 *   --status             print each plan's state: idle, running (by whom), interrupted, succeeded
 *   --break-lock         break the plan's lease before it expires (needs --reason; shared journals)
 *   --journal DIR|URL    journal folder (default ./rollback-journal), or postgresql://host:port/db?schema=rollback
 *   --journal-password-env NAME  the environment variable with the journal server's password
 *                        (default PGPASSWORD or PGPASSFILE; never on the command line)
 *   --reason TEXT        why the rollback runs, for the journal and the incident report
 *   --operator NAME      who runs it (default: the OS user)
 *   --set NAME=VALUE     a setting, instead of the environment variable NAME
 * </pre>
 *
 * Exit codes are those of {@link ExitCode}. On failure it prints the exact command that resumes
 * the run.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     System.exit(RollbackCommand.named("nextcrm-rollback")
 *         .execute(args, options -> NextcrmPlan.build(options.require("DATABASE_URL"))));
 * }
 * }</pre>
 */
public final class RollbackCommand {
    private final String programName;
    private PrintStream out = System.out;
    private PrintStream err = System.err;
    private InputStream in = System.in;
    private Map<String, String> env = System.getenv();
    private Consumer<RollbackRunner> runnerCustomizer = r -> { };

    private RollbackCommand(String programName) {
        this.programName = Objects.requireNonNull(programName, "programName");
    }

    /**
     * @param programName how the program is started, as printed in the resume command
     *                    ("java -jar nextcrm-rollback.jar")
     * @return a command front
     */
    public static RollbackCommand named(String programName) {
        return new RollbackCommand(programName);
    }

    /**
     * @param out where progress and the dry-run description go
     * @param err where errors and approval prompts go
     * @param in  where approvals are read
     * @return this
     */
    public RollbackCommand streams(PrintStream out, PrintStream err, InputStream in) {
        this.out = Objects.requireNonNull(out);
        this.err = Objects.requireNonNull(err);
        this.in = Objects.requireNonNull(in);
        return this;
    }

    /**
     * @param env the environment settings fall back on (default: the process environment)
     * @return this
     */
    public RollbackCommand environment(Map<String, String> env) {
        this.env = Map.copyOf(env);
        return this;
    }

    /**
     * @param customizer adjusts the runner before it runs (listeners, clock)
     * @return this
     */
    public RollbackCommand customizeRunner(Consumer<RollbackRunner> customizer) {
        this.runnerCustomizer = Objects.requireNonNull(customizer);
        return this;
    }

    /**
     * Parses the arguments, builds the plan and runs, dry-runs or resumes it.
     *
     * @param args        the program's arguments
     * @param planFactory builds the plan from the options
     * @return the exit code; pass it to {@code System.exit}
     */
    public int execute(String[] args, Function<CommandLineOptions, RollbackPlan> planFactory) {
        CommandLineOptions options;
        try {
            options = parse(args);
        } catch (UsageException e) {
            err.println(programName + ": " + e.getMessage());
            err.println(usage());
            return ExitCode.USAGE.code();
        }
        if (options == null) {
            out.println(usage());
            return ExitCode.OK.code();
        }
        if (options.status()) {
            return status(options);
        }
        RollbackPlan plan;
        try {
            plan = planFactory.apply(options);
        } catch (UsageException e) {
            err.println(programName + ": " + e.getMessage());
            return ExitCode.USAGE.code();
        } catch (PlanValidationException e) {
            err.println(programName + ": " + e.getMessage());
            return ExitCode.INVALID_PLAN.code();
        } catch (IllegalArgumentException e) {
            err.println(programName + ": " + Redactor.redact(e.getMessage()));
            return ExitCode.USAGE.code();
        } catch (RuntimeException e) {
            // the plan factory failed (a backup not found, a target unreachable): say why, no stack trace
            err.println(programName + ": the plan could not be built: " + Redactor.redact(String.valueOf(e.getMessage())));
            return ExitCode.INVALID_PLAN.code();
        }
        return execute(options, plan);
    }

    /**
     * Dry-runs, runs or resumes a plan with options already parsed (by a front such as
     * {@code rollback-cli}'s {@code RollbackProgram}).
     *
     * @param options the options
     * @param plan    the plan built from them
     * @return the exit code
     */
    public int execute(CommandLineOptions options, RollbackPlan plan) {
        if (options.dryRun()) {
            out.println("DRY RUN: nothing will be changed.");
            out.print(plan.describe());
            return ExitCode.OK.code();
        }
        Journal journal = openJournal(options);
        if (journal == null) {
            return ExitCode.USAGE.code();
        }
        String journalArg = " --journal " + ResumeCommandLine.quote(journalArgument(options, journal));
        RollbackRunner runner = Rollback.runner().journal(journal).listener(ConsoleProgress.to(out))
                .operator(options.operator()).reason(options.reason())
                .confirmations(!options.approvers().isEmpty() ? Confirmations.approvers(options.approvers())
                        : options.approver() != null ? Confirmations.autoApprove(options.approver())
                        : options.noInput() ? Confirmations.none()
                        : Confirmations.console(new BufferedReader(new InputStreamReader(in, Charset.defaultCharset())), err))
                .resumeCommand(id -> ResumeCommandLine.render(programName, id, journalArgument(options, journal), repeated(options),
                        options.settings()));
        options.waivers().forEach(w -> runner.waive(w, options.reason()));
        runnerCustomizer.accept(runner);
        try {
            if (options.breakLock()) {
                return breakLock(runner, plan, options);
            }
            if (options.abandon() != null) {
                return abandon(runner, plan, options.abandon(), options.reason(), journalArg);
            }
            RunReport report;
            if (options.resume() != null) {
                String id = options.resume();
                if (id.equals("latest")) {
                    id = runner.latestRun(plan).orElseThrow(() -> new RunNotResumableException(
                            "No run of plan '" + plan.name() + "' in " + journalArgument(options, journal) + " to resume"));
                }
                report = runner.resume(plan, id);
            } else if (options.again()) {
                report = runner.runAgain(plan, options.reason());
            } else {
                report = runner.run(plan);
            }
            out.println("Incident report: " + report.runDirectory().resolve(IncidentReport.FILE_NAME));
            out.println("Post-mortem skeleton: " + report.runDirectory().resolve(PostMortem.FILE_NAME));
            return ExitCode.of(report.outcome()).code();
        } catch (RunRefusedException e) {
            err.println(programName + ": " + e.getMessage());
            if (e.why() == RunRefusedException.Why.INTERRUPTED) {
                err.println("  Resume it:  " + ResumeCommandLine.render(programName, e.blockingRunId(), journalArgument(options, journal),
                        repeated(options), options.settings()));
                err.println("  Abandon it: " + programName + " --abandon " + e.blockingRunId() + " --reason TEXT" + journalArg);
            } else {
                err.println("  Run again:  " + programName + " --again --reason TEXT" + journalArg
                        + options.approvalArguments().stream().map(w -> " " + ResumeCommandLine.quote(w)).collect(Collectors.joining()));
            }
            return ExitCode.REFUSED.code();
        } catch (WaiverRefusedException e) {
            err.println(programName + ": " + e.getMessage());
            return ExitCode.USAGE.code();
        } catch (JournalLockedException | LockNotBreakableException | PlanChangedException | RunNotResumableException e) {
            err.println(programName + ": " + e.getMessage());
            return ExitCode.REFUSED.code();
        } catch (RollbackException e) {
            err.println(programName + ": " + e.getMessage());
            return ExitCode.FAILED.code();
        }
    }

    private int abandon(RollbackRunner runner, RollbackPlan plan, String runId, String reason, String journalArg) {
        AbandonReport report = runner.abandon(plan, runId, reason);
        out.println("Abandoned run " + runId + " of plan '" + plan.name() + "' (" + reason + "):");
        if (report.steps().isEmpty()) {
            out.println("  no step had started: nothing to clean up");
        }
        for (AbandonReport.CleanedStep s : report.steps()) {
            if (s.error() != null) {
                out.println("  step " + s.index() + " '" + s.step() + "': cleanup FAILED: " + s.error());
            } else if (s.removed().isEmpty()) {
                out.println("  step " + s.index() + " '" + s.step() + "': nothing to remove");
            } else {
                s.removed().forEach(r -> out.println("  step " + s.index() + " '" + s.step() + "': removed " + r));
            }
        }
        out.println("Plan '" + plan.name() + "' is idle: a new run can start" + (report.isClean() ? "."
                : ", but the failed cleanups above left objects to remove by hand."));
        out.println("Incident report: " + report.runDirectory().resolve(IncidentReport.FILE_NAME));
        return report.isClean() ? ExitCode.OK.code() : ExitCode.FAILED.code();
    }

    private int breakLock(RollbackRunner runner, RollbackPlan plan, CommandLineOptions options) {
        Optional<PlanLock> broken = runner.breakLock(plan, options.reason());
        if (broken.isEmpty()) {
            out.println("Plan '" + plan.name() + "' has no holder: there is no lock to break.");
        } else {
            out.println("Broke the lock of plan '" + plan.name() + "' held by " + broken.get().describe()
                    + ". That runner can no longer write to the journal; resume its run with --resume " + broken.get().holder().runId() + ".");
        }
        return ExitCode.OK.code();
    }

    /**
     * Writes a run's incident report again from its journal, with the command that resumes it: for a
     * run whose process died (its report, if any, is older than its journal), or to read a run
     * another machine is running.
     *
     * @param options the options (the journal, the approver and settings for the resume command)
     * @param plan    the plan
     * @param runId   the run, or {@code latest}
     * @return the exit code
     */
    public int report(CommandLineOptions options, RollbackPlan plan, String runId) {
        Journal journal = openJournal(options);
        if (journal == null) {
            return ExitCode.USAGE.code();
        }
        String id = runId.equals("latest") ? Rollback.runner().journal(journal).latestRun(plan).orElse(null) : runId;
        if (id == null || journal.read(plan.name(), id).isEmpty()) {
            err.println(programName + ": no run " + (id == null ? "" : id + " ") + "of plan '" + plan.name() + "' in "
                    + journalArgument(options, journal));
            return ExitCode.REFUSED.code();
        }
        Path md = IncidentReport.write(journal, plan, id, ResumeCommandLine.render(programName, id,
                journalArgument(options, journal), repeated(options), options.settings()));
        out.println("Incident report: " + md);
        out.println("Incident report (HTML): " + md.resolveSibling(IncidentReport.HTML_FILE_NAME));
        out.println("Post-mortem skeleton: " + md.resolveSibling(PostMortem.FILE_NAME));
        return ExitCode.OK.code();
    }

    /**
     * Prints every plan's state in the journal the options name: idle, running (by whom), interrupted
     * runs with the commands that resume or abandon them, succeeded ({@code --status}).
     *
     * @param options the options
     * @return the exit code
     */
    public int status(CommandLineOptions options) {
        Journal journal = openJournal(options);
        if (journal == null) {
            return ExitCode.USAGE.code();
        }
        String journalArg = " --journal " + ResumeCommandLine.quote(journalArgument(options, journal));
        try {
            List<String> plans = journal.planNames();
            out.println("Journal: " + journalArgument(options, journal));
            if (plans.isEmpty()) {
                out.println("  no plans recorded");
            }
            for (String name : plans) {
                PlanStatus status = journal.status(name);
                out.println(status.describe());
                for (var r : status.interrupted()) {
                    out.println("    resume:  " + programName + " --resume " + r.runId() + journalArg);
                    out.println("    abandon: " + programName + " --abandon " + r.runId() + " --reason TEXT" + journalArg);
                }
                status.lock().filter(PlanLock::expired).ifPresent(l -> out.println("    the lease of run " + l.holder().runId()
                        + " expired: its runner stopped renewing it; resume it with --resume " + l.holder().runId() + journalArg));
            }
            return ExitCode.OK.code();
        } catch (RollbackException e) {
            err.println(programName + ": " + e.getMessage());
            return ExitCode.FAILED.code();
        }
    }

    /** The journal the options name, or null after saying what is wrong with them (a usage error). */
    private Journal openJournal(CommandLineOptions options) {
        try {
            return JournalProvider.at(options.journalLocation(), env, options.journalPasswordEnv());
        } catch (IllegalArgumentException e) {
            err.println(programName + ": " + Redactor.redact(e.getMessage()));
            return null;
        }
    }

    /** The flags a resume or a second run repeats: the approvers and the waivers. */
    private static List<String> repeated(CommandLineOptions options) {
        List<String> words = new ArrayList<>(options.approvalArguments());
        words.addAll(options.waiverArguments());
        return words;
    }

    private static String journalArgument(CommandLineOptions options, Journal journal) {
        return options.journalUrl() != null ? options.journalUrl() : journal instanceof FileJournal f ? f.root().toString()
                : String.valueOf(options.journal());
    }

    /** @return the usage text */
    public String usage() {
        return "Usage: " + programName + " [--dry-run] [--yes APPROVER | --approve NAME:ROLE...] [--waive NAME... --reason TEXT] [--no-input] [--resume RUN_ID|latest] [--journal DIR|URL]\n"
                + "       [--reason TEXT] [--operator NAME] [--set NAME=VALUE]... [--journal-password-env NAME]\n"
                + "       " + programName + " --abandon RUN_ID --reason TEXT | --again --reason TEXT | --break-lock --reason TEXT | --status\n"
                + "Exit codes: 0 done, 1 failed (resumable), 2 usage, 3 refused, 4 needs approval, 5 invalid plan";
    }

    /**
     * Parses arguments.
     *
     * @param args the arguments
     * @return the options, or null when help was asked for
     * @throws UsageException naming the bad argument
     */
    CommandLineOptions parse(String[] args) {
        boolean dryRun = false;
        boolean noInput = false;
        boolean again = false;
        boolean status = false;
        boolean breakLock = false;
        String approver = null;
        List<Approver> approvers = new ArrayList<>();
        List<String> waivers = new ArrayList<>();
        String resume = null;
        String abandon = null;
        String journalUrl = null;
        String passwordEnv = null;
        Path journal = Path.of("rollback-journal");
        String reason = "";
        String operator = System.getProperty("user.name", "unknown");
        Map<String, String> settings = new LinkedHashMap<>();
        List<String> list = List.of(args);
        for (int i = 0; i < list.size(); i++) {
            String a = list.get(i);
            switch (a) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--dry-run" -> dryRun = true;
                case "--no-input" -> noInput = true;
                case "--yes" -> approver = value(list, ++i, a);
                case "--approve" -> approvers.add(approver(value(list, ++i, a)));
                case "--waive" -> waivers.add(value(list, ++i, a));
                case "--resume" -> resume = value(list, ++i, a);
                case "--journal" -> {
                    String j = value(list, ++i, a);
                    if (j.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
                        journalUrl = j;
                        journal = null;
                    } else {
                        journalUrl = null;
                        journal = Path.of(j);
                    }
                }
                case "--journal-password-env" -> passwordEnv = value(list, ++i, a);
                case "--abandon" -> abandon = value(list, ++i, a);
                case "--again" -> again = true;
                case "--status" -> status = true;
                case "--break-lock" -> breakLock = true;
                case "--reason" -> reason = value(list, ++i, a);
                case "--operator" -> operator = value(list, ++i, a);
                case "--set" -> {
                    String kv = value(list, ++i, a);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new UsageException("--set takes NAME=VALUE, got '" + kv + "'");
                    }
                    settings.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                default -> throw new UsageException("unknown argument '" + a + "'");
            }
        }
        if (dryRun && resume != null) {
            throw new UsageException("--dry-run and --resume cannot be combined: a dry run runs nothing to resume");
        }
        if (approver != null && approver.isBlank()) {
            throw new UsageException("--yes needs the approver's name");
        }
        if (!waivers.isEmpty() && reason.isBlank()) {
            throw new UsageException("--waive needs --reason TEXT: why the check may be skipped, for the journal and the incident report");
        }
        if (approver != null && !approvers.isEmpty()) {
            throw new UsageException("--yes and --approve cannot be combined: name every approver with --approve NAME:ROLE");
        }
        List<String> actions = new ArrayList<>();
        if (dryRun) {
            actions.add("--dry-run");
        }
        if (resume != null) {
            actions.add("--resume");
        }
        if (abandon != null) {
            actions.add("--abandon");
        }
        if (again) {
            actions.add("--again");
        }
        if (status) {
            actions.add("--status");
        }
        if (breakLock) {
            actions.add("--break-lock");
        }
        if (actions.size() > 1) {
            throw new UsageException(String.join(" and ", actions) + " cannot be combined: choose one");
        }
        if ((abandon != null || again || breakLock) && reason.isBlank()) {
            throw new UsageException(actions.get(0) + " needs --reason TEXT: why, for the journal and the incident report");
        }
        return new CommandLineOptions(dryRun, approver, resume, journal, reason, operator, noInput, settings, env, journalUrl, abandon,
                again, status, breakLock, passwordEnv, approvers, waivers);
    }

    /**
     * @param text what followed {@code --approve}
     * @return the approver
     * @throws UsageException when it names no one
     */
    static Approver approver(String text) {
        try {
            return Approver.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--approve " + e.getMessage());
        }
    }

    private static String value(List<String> args, int i, String flag) {
        if (i >= args.size() || args.get(i).startsWith("--")) {
            throw new UsageException(flag + " needs a value");
        }
        return args.get(i);
    }
}
