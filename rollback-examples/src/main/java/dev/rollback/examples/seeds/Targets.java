package dev.rollback.examples.seeds;

import dev.rollback.cli.Setting;
import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.FailurePolicy;
import dev.rollback.core.HandlerSteps;
import dev.rollback.core.Notifier;
import dev.rollback.core.Secret;
import dev.rollback.core.StepOptions;
import dev.rollback.core.cli.CommandLineOptions;
import dev.rollback.core.cli.UsageException;
import dev.rollback.core.decision.Monitoring;
import dev.rollback.core.decision.MonitoringFailedException;
import dev.rollback.postgres.Postgres;
import dev.rollback.process.DiskSpace;
import dev.rollback.process.LogNotifier;
import dev.rollback.process.Ssh;
import dev.rollback.process.Webhook;

import java.io.File;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Turns the seeds' settings (URLs as the runbooks write them, tool folders) into library handles. */
public final class Targets {
    /** Folders searched first for the tools a plan runs; every seed reads it. */
    public static final Setting TOOLS_PATH = Setting.text("TOOLS_PATH", "folders searched first for the tools the plan runs (colon-separated)");
    /** The Slack webhook of the notifications; every seed reads it. */
    public static final Setting SLACK_WEBHOOK_URL = Setting.text("SLACK_WEBHOOK_URL",
            "Slack webhook for notifications (else they go to the log)").secret();
    /** The pause between health polls; every seed reads it. */
    public static final Setting HEALTH_RETRY_DELAY = Setting.duration("HEALTH_RETRY_DELAY", "pause between health polls").defaultValue("PT5S");

    /** The deployed git checkout; the seeds that roll code back read it. */
    public static final Setting DEPLOY_DIR = Setting.path("DEPLOY_DIR", "the deployed git checkout").defaultValue(".");
    /** The app's health endpoint; the seeds of one app read it. */
    public static final Setting HEALTH_URL = Setting.text("HEALTH_URL", "the app's health endpoint").defaultValue("http://localhost:3000/api/health");

    /** The webhook of the notices to users; the seeds that tell users read it. */
    public static final Setting USERS_WEBHOOK_URL = Setting.text("USERS_WEBHOOK_URL",
            "webhook of the notices to users (a status-page or mail gateway taking Slack's {\"text\": ...}); else they go to the log").secret();
    /** Whether a safe restore's copy is prepared while the app serves; seeds 000, 001 and 002 read it. */
    public static final Setting RESTORE_ORDER = Setting.choice("RESTORE_ORDER", "prepare-first: restore and verify the copy while the "
            + "app still serves and stop it only for the swap; stop-first: the runbook's order, for a backup too large to hold twice",
            RestoreOrder.class).defaultValue("prepare-first");
    /** Whether the free space for a second copy is checked before a prepare or safe restore. */
    public static final Setting FREE_SPACE_CHECK = Setting.bool("FREE_SPACE_CHECK",
            "check that the database server's disk holds a second copy (twice the database) before restoring into one").defaultValue("true");
    /** The database server's data folder, for the free-space check. */
    public static final Setting DB_DATA_DIR = Setting.path("DB_DATA_DIR", "the database server's data folder, whose file system "
            + "must hold the second copy").defaultValue("/var/lib/postgresql");
    /** Where the free-space check runs. */
    public static final Setting DB_HOST_SSH = Setting.text("DB_HOST_SSH", "ssh destination of the database server for the "
            + "free-space check (default: df runs on this machine)");

    /** The pause between the post-rollback monitoring window's polls; seeds 000 and 003 read it. */
    public static final Setting MONITOR_INTERVAL = Setting.duration("MONITOR_INTERVAL", "pause between the monitoring window's "
            + "health polls (the runbook's watch -n 30)").defaultValue("PT30S");
    /** How many failed polls in a row fail the monitoring window; seeds 000 and 003 read it. */
    public static final Setting MONITOR_FAIL_AFTER = Setting.integer("MONITOR_FAIL_AFTER", "health polls in a row that must fail "
            + "before the monitoring window fails the run (1: any failed poll)").defaultValue("2");

    /**
     * @param runbookWindow the runbook's window, such as {@code PT2H}
     * @return the setting {@code MONITOR_WINDOW}: how long the app is watched after the rollback, {@code 0s} for not at all
     */
    public static Setting monitorWindow(String runbookWindow) {
        return Setting.duration("MONITOR_WINDOW", "how long the app is watched after the rollback; 0s leaves the "
                + "monitoring window out").defaultValue(runbookWindow);
    }

    /**
     * The post-rollback monitoring window, as read from {@code MONITOR_WINDOW}, {@link #MONITOR_INTERVAL}
     * and {@link #MONITOR_FAIL_AFTER}.
     *
     * @param window    how long to watch; zero for not at all
     * @param interval  the pause between polls
     * @param failAfter failed polls in a row that fail the window
     */
    public record Watch(Duration window, Duration interval, int failAfter) {
        /**
         * @param o             the program's options
         * @param runbookWindow the runbook's window, the default of {@code MONITOR_WINDOW}
         * @return the settings
         */
        public static Watch from(CommandLineOptions o, String runbookWindow) {
            int failAfter = Integer.parseInt(o.setting("MONITOR_FAIL_AFTER", "2"));
            if (failAfter < 1) {
                throw new UsageException("MONITOR_FAIL_AFTER must be at least 1, got " + failAfter);
            }
            return new Watch(Setting.parseDuration(o.setting("MONITOR_WINDOW", runbookWindow)),
                    Setting.parseDuration(o.setting("MONITOR_INTERVAL", "PT30S")), failAfter);
        }

        /** @return whether the plan watches the app after the rollback */
        public boolean on() {
            return !window.isZero() && !window.isNegative();
        }

        /**
         * @param team   who is told
         * @param checks what is watched; each one failing {@link #failAfter} polls in a row fails the run
         * @return the monitoring for {@code monitorFor(window(), ...)}
         */
        public Monitoring of(Notifier team, Check... checks) {
            return Monitoring.checks(checks).every(interval).failAfter(failAfter).notifier(team);
        }
    }

    /**
     * A check for a monitoring window: no line matching the pattern was added to the log since the
     * window's first poll (the runbooks' "no critical errors in logs"). A log that does not exist yet
     * has no such line; one that shrank (rotated) is read from its start.
     *
     * @param log     the log file
     * @param pattern what a bad line matches
     * @param name    the check's name
     * @return the check; it remembers where the log ended at its first poll, so use it in one window
     */
    public static Check noNewLinesMatching(Path log, Pattern pattern, String name) {
        AtomicLong start = new AtomicLong(-1);
        return Check.of(name, ctx -> {
            long size = Files.isRegularFile(log) ? Files.size(log) : 0;
            start.compareAndSet(-1, size);
            if (size < start.get()) {
                start.set(0);
            }
            List<String> hits = new ArrayList<>();
            if (size > start.get()) {
                try (SeekableByteChannel ch = Files.newByteChannel(log)) {
                    ch.position(start.get());
                    new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8).lines()
                            .filter(l -> pattern.matcher(l).find()).forEach(hits::add);
                }
            }
            return hits.isEmpty() ? CheckResult.passed(name, "no new line matching " + pattern, "none")
                    : CheckResult.failed(name, hits.size() + " new lines matching " + pattern, "none", log + ": " + hits.get(hits.size() - 1));
        });
    }

    /** When the copy a safe restore swaps in is made. */
    public enum RestoreOrder {
        /** Restore and verify while the app serves; stop only for the swap (downtime independent of the data size). */
        PREPARE_FIRST,
        /** The runbooks' order: stop the app, then restore. */
        STOP_FIRST
    }

    /**
     * The free-space check of a second copy, as read from {@link #FREE_SPACE_CHECK}, {@link #DB_DATA_DIR}
     * and {@link #DB_HOST_SSH}.
     *
     * @param check   whether to check
     * @param dataDir the server's data folder
     * @param sshHost where df runs, or null for this machine
     */
    public record FreeSpace(boolean check, Path dataDir, String sshHost) {
        /**
         * @param o the program's options
         * @return the settings
         */
        public static FreeSpace from(CommandLineOptions o) {
            return new FreeSpace(Boolean.parseBoolean(o.setting("FREE_SPACE_CHECK", "true")), Path.of(o.setting("DB_DATA_DIR", "/var/lib/postgresql")),
                    o.setting("DB_HOST_SSH").filter(h -> !h.isBlank()).orElse(null));
        }

        /**
         * The runbook's "need at least 2x this amount free" (seed 002, contingency 3): the database's
         * size, then twice that free on its server's disk.
         *
         * @param pg        the database
         * @param toolsPath folders searched first for df and ssh
         * @return the prechecks, none when the check is off
         */
        public List<Check> prechecks(Postgres pg, List<Path> toolsPath) {
            if (!check) {
                return List.of();
            }
            DiskSpace disk = DiskSpace.at(dataDir).searchPath(toolsPath);
            return List.of(pg.databaseSize(), (sshHost == null ? disk : disk.via(Ssh.to(sshHost))).atLeast(2.0, pg.sizeOutputKey()));
        }
    }

    private Targets() {
    }

    /**
     * The options of a notification step: a name people recognise in the journal and the report (the
     * runbook's "notify DevOps", "update status page"), and a failure that does not stop the rollback.
     *
     * @param name the step's name
     * @return the options
     */
    public static StepOptions notice(String name) {
        return StepOptions.defaults().onFailure(FailurePolicy.CONTINUE).name(name);
    }

    /**
     * The message of a seed's failure handler ({@code plan.onFailure(h -> h.notify(team, ...))}): what
     * stopped, why, and the state the run left behind, for the runbooks' "escalate immediately".
     *
     * @param what what the plan rolls back, for the first line
     * @return the message, with the runner's {@code ${failure.*}} placeholders
     */
    public static String failureNotice(String what) {
        return "ROLLBACK FAILED: " + what + " (plan ${plan}, run ${runId}) stopped at ${failure.step} (${failure.code}): "
                + "${failure.message}\n${failure.state}";
    }

    /**
     * The message of a seed's failure handler when the rollback completed and only its monitoring
     * window failed afterwards: not a failed rollback, but one whose result did not hold.
     *
     * @param what what the plan rolled back, for the first line
     * @return the message, with the runner's {@code ${failure.message}} (the rule that fired)
     */
    public static String monitoringNotice(String what) {
        return "ROLLBACK COMPLETE, THEN THE MONITORING WINDOW FIRED: " + what + " (plan ${plan}, run ${runId}): the rollback completed; "
                + "${failure.message}";
    }

    /**
     * A seed's failure handler: tells the team what stopped and the state left behind
     * ({@link #failureNotice(String)}), or, when only the monitoring window after a completed
     * rollback failed, that the rollback completed and which rule fired ({@link #monitoringNotice(String)}).
     *
     * @param team who is told
     * @param what what the plan rolls back
     * @return the handler, for {@code plan.onFailure(...)}
     */
    public static Consumer<HandlerSteps> tellTheTeamOnFailure(Notifier team, String what) {
        return h -> h.notify(team, failureNotice(what), Map.of(MonitoringFailedException.CODE, monitoringNotice(what)));
    }

    /**
     * The runbooks' emergency where the broken database is down: the operator waives its connection
     * precheck ({@code --waive 'can connect to DB' --reason TEXT}, journaled with the operator), and
     * the plan then leaves out the other steps that need that server, which could not run.
     *
     * @param o           the program's options
     * @param databaseUrl the broken database's URL
     * @return whether the operator waived the connection precheck of that database
     */
    public static boolean declaredDown(CommandLineOptions o, String databaseUrl) {
        return o.waivers().contains(postgres(databaseUrl).canConnect().name());
    }

    /**
     * @param system   the server declared down
     * @param leftOut  what the plan leaves out because of it
     * @return the notice that tells the team, with the operator's reason in the journal beside it
     */
    public static String declaredDownNotice(String system, String leftOut) {
        return "EMERGENCY ROLLBACK (plan ${plan}, run ${runId}): " + system + " is down; its connection check was waived by the operator "
                + "(see the journal for who and why). Left out, since they need it: " + leftOut + ".";
    }

    /**
     * @param slackWebhook the team's Slack webhook, or null
     * @return the notifier of the team: the webhook, or the log
     */
    public static Notifier team(String slackWebhook) {
        return slackWebhook != null ? Webhook.slack(Secret.of(slackWebhook)) : LogNotifier.create();
    }

    /**
     * @param webhook the users' notice webhook, or null
     * @return the notifier of the users: the webhook, or the log
     */
    public static Notifier users(String webhook) {
        return webhook != null ? Webhook.slack(Secret.of(webhook)).named("users webhook") : LogNotifier.create();
    }

    /**
     * @param url {@code DATABASE_URL} as the runbooks write it ({@code postgresql://user:password@host:5432/db}) or a JDBC URL
     * @return the library's handle; the password becomes a {@link dev.rollback.core.Secret}
     */
    public static Postgres postgres(String url) {
        return Postgres.at(url);
    }

    /**
     * @param extra a PATH-like list of folders to search first (stand-ins in drills), may be null
     * @return the folders
     */
    public static List<Path> searchPath(String extra) {
        List<Path> dirs = new ArrayList<>();
        if (extra != null) {
            for (String d : extra.split(File.pathSeparator)) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        return dirs;
    }

    /** @return whether {@code pg_dump} and {@code pg_restore} are on PATH or under /usr/lib/postgresql */
    public static boolean postgresToolsInstalled() {
        List<Path> dirs = new ArrayList<>(searchPath(System.getenv("PATH")));
        try (Stream<Path> versions = Files.isDirectory(Path.of("/usr/lib/postgresql")) ? Files.list(Path.of("/usr/lib/postgresql")) : Stream.empty()) {
            versions.forEach(v -> dirs.add(v.resolve("bin")));
        } catch (IOException e) {
            // no versioned folders: PATH alone decides
        }
        return dirs.stream().anyMatch(d -> Files.isExecutable(d.resolve("pg_dump")) && Files.isExecutable(d.resolve("pg_restore")));
    }

    /**
     * @param csv a comma-separated setting, such as {@code APP_SERVERS=web1,web2}
     * @return its non-blank items, trimmed, in order
     */
    public static List<String> list(String csv) {
        List<String> out = new ArrayList<>();
        for (String part : csv.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return List.copyOf(out);
    }
}
