package dev.rollback.core.cli;

import dev.rollback.core.Confirmations;
import dev.rollback.core.ConsoleProgress;
import dev.rollback.core.PlanChangedException;
import dev.rollback.core.PlanValidationException;
import dev.rollback.core.RollbackException;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RollbackRunner;
import dev.rollback.core.Rollback;
import dev.rollback.core.RunNotResumableException;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalLockedException;
import dev.rollback.core.report.IncidentReport;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Turns any plan into a program with the same flags and exit codes, so that a deployment tool
 * can drive every rollback the same way:
 *
 * <pre>
 *   --dry-run            print the plan with every command it would run; change nothing
 *   --yes NAME           approve destructive steps in NAME's name (the seeds' --force)
 *   --no-input           never read standard input (destructive steps then need --yes)
 *   --resume RUN_ID      resume a stopped run after its last checkpoint ("latest" for the newest)
 *   --journal DIR        journal folder (default ./rollback-journal)
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
            err.println(programName + ": " + dev.rollback.core.Redactor.redact(e.getMessage()));
            return ExitCode.USAGE.code();
        } catch (RuntimeException e) {
            // the plan factory failed (a backup not found, a target unreachable): say why, no stack trace
            err.println(programName + ": the plan could not be built: " + dev.rollback.core.Redactor.redact(String.valueOf(e.getMessage())));
            return ExitCode.INVALID_PLAN.code();
        }
        if (options.dryRun()) {
            out.println("DRY RUN: nothing will be changed.");
            out.print(plan.describe());
            return ExitCode.OK.code();
        }
        FileJournal journal = FileJournal.in(options.journal());
        RollbackRunner runner = Rollback.runner().journal(journal).listener(ConsoleProgress.to(out))
                .operator(options.operator()).reason(options.reason())
                .confirmations(options.approver() != null ? Confirmations.autoApprove(options.approver())
                        : options.noInput() ? Confirmations.none()
                        : Confirmations.console(new BufferedReader(new InputStreamReader(in, Charset.defaultCharset())), err))
                .resumeCommand(id -> ResumeCommandLine.render(programName, id, journal.root().toString(), options.approver(),
                        options.settings()));
        runnerCustomizer.accept(runner);
        try {
            RunReport report;
            if (options.resume() != null) {
                String id = options.resume();
                if (id.equals("latest")) {
                    id = runner.latestRun(plan).orElseThrow(() -> new RunNotResumableException(
                            "No run of plan '" + plan.name() + "' in " + journal.root() + " to resume"));
                }
                report = runner.resume(plan, id);
            } else {
                report = runner.run(plan);
            }
            out.println("Incident report: " + report.runDirectory().resolve(IncidentReport.FILE_NAME));
            return ExitCode.of(report.outcome()).code();
        } catch (JournalLockedException | PlanChangedException | RunNotResumableException e) {
            err.println(programName + ": " + e.getMessage());
            return ExitCode.REFUSED.code();
        } catch (RollbackException e) {
            err.println(programName + ": " + e.getMessage());
            return ExitCode.FAILED.code();
        }
    }

    /** @return the usage text */
    public String usage() {
        return "Usage: " + programName + " [--dry-run] [--yes APPROVER] [--no-input] [--resume RUN_ID|latest] [--journal DIR]\n"
                + "       [--reason TEXT] [--operator NAME] [--set NAME=VALUE]...\n"
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
        String approver = null;
        String resume = null;
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
                case "--resume" -> resume = value(list, ++i, a);
                case "--journal" -> journal = Path.of(value(list, ++i, a));
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
        return new CommandLineOptions(dryRun, approver, resume, journal, reason, operator, noInput, settings, env);
    }

    private static String value(List<String> args, int i, String flag) {
        if (i >= args.size() || args.get(i).startsWith("--")) {
            throw new UsageException(flag + " needs a value");
        }
        return args.get(i);
    }
}
