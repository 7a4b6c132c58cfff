package dev.rollback.process;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Redactor;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.core.spi.DescribedCheck;
import dev.rollback.core.spi.DescribedStep;
import dev.rollback.process.internal.Argv;
import dev.rollback.process.internal.ControlSupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A pm2 app: {@code pm2 stop} / {@code pm2 start} / {@code pm2 restart}, confirmed from
 * {@code pm2 jlist} (the app's status, pid, restart count and uptime), plus an optional health URL.
 *
 * <p>The app must already be known to pm2 (registered once with {@code pm2 start app.js --name X}
 * or an ecosystem file); a name pm2 does not know is refused before anything runs — {@code pm2
 * start X} would otherwise look for a script called X in the working folder and launch it. A start
 * counts as done once the control has watched the same process stay {@code online} — same pid, same
 * restart count — for {@link #stableFor(Duration)} (5 s by default), so an app that crashes on start
 * and is restarted by pm2 again and again is reported as crashing, with its restart count and the end
 * of its error log, not as online. The window is measured on this JVM's clock between two readings
 * of {@code pm2 jlist}, never from pm2's {@code pm_uptime} (another host's clock over ssh).
 *
 * <p>{@code pm2 jlist} prints the environment of every app; its output goes to a private temporary
 * file that is deleted once read, never to the log.
 *
 * <pre>{@code
 * plan.stopApp(Pm2.app("nextjs-app").healthUrl("http://localhost:3000/api/health"));
 * plan.step(Pm2.app("worker").home(Path.of("/srv/pm2")).restart());
 * plan.verify(Pm2.app("nextjs-app").isOnline());
 * }</pre>
 */
public final class Pm2 extends CommandAppControl<Pm2> {
    /**
     * The default stability window. pm2's own {@code min_uptime} (1 s) only tells a tight crash loop
     * from a slow one; a Node app that fails on start often does so after loading its framework or
     * connecting to a database, which takes seconds, and longer on a loaded host during an incident.
     */
    static final Duration DEFAULT_STABLE = Duration.ofSeconds(5);
    private static final Duration CRASH_WAIT = Duration.ofSeconds(2);

    private final String app;
    private final Duration stableFor;

    private Pm2(String app, ControlSupport support, Duration stableFor) {
        super(support);
        this.app = app;
        this.stableFor = stableFor;
    }

    @Override
    Pm2 with(ControlSupport support) {
        return new Pm2(app, support, stableFor);
    }

    /**
     * What {@code pm2 jlist} says about one app.
     *
     * @param name      the app's name
     * @param status    pm2's status: {@code online}, {@code stopped}, {@code errored}, {@code launching}, ...
     * @param pid       the process id, 0 when not running
     * @param restarts  how many times pm2 restarted it ({@code restart_time})
     * @param startedAt when its current process started ({@code pm_uptime}), or null
     * @param errorLog  its error log file on the host, or null
     */
    public record Process(String name, String status, long pid, int restarts, Instant startedAt, String errorLog) {
        /** @return whether pm2 reports it online with a process */
        public boolean online() {
            return "online".equals(status) && pid > 0;
        }
    }

    /**
     * @param name the pm2 app name
     * @return the control
     */
    public static Pm2 app(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.startsWith("-") || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("Invalid pm2 app name '" + name + "'");
        }
        return new Pm2(name, ControlSupport.defaults(), DEFAULT_STABLE);
    }

    /**
     * The pm2 daemon to talk to, as {@code PM2_HOME} (default: pm2's own, {@code ~/.pm2}). Locally
     * only: over ssh, set it in the remote user's environment instead.
     *
     * @param pm2Home the daemon's home folder
     * @return a copy talking to that daemon
     */
    public Pm2 home(Path pm2Home) {
        return with(support.withEnv("PM2_HOME", pm2Home.toAbsolutePath().toString()));
    }

    /**
     * How long a started app must be seen online — the same process, not restarted by pm2 in between —
     * before the start counts (default 5 s). Longer for apps that can fail late in their start (a
     * database connection with a long timeout); zero takes the first online reading. A health URL, when
     * set, must answer 200 as well.
     *
     * @param uptime the stability window
     * @return a copy
     */
    public Pm2 stableFor(Duration uptime) {
        Objects.requireNonNull(uptime, "uptime");
        if (uptime.isNegative()) {
            throw new IllegalArgumentException("stableFor must not be negative, got " + uptime);
        }
        return new Pm2(app, support, uptime);
    }

    @Override
    public String name() {
        return "pm2 app " + app;
    }

    @Override
    public void stop(StepContext context) throws InterruptedException {
        requireKnown();
        support.command("pm2", "stop", app).run(context);
        long deadline = System.nanoTime() + support.waitTime().toNanos();
        Process p = require();
        while (p.pid() > 0 || "online".equals(p.status()) || "stopping".equals(p.status())) {
            if (System.nanoTime() > deadline) {
                throw new AppControlException(name() + " is not stopped after " + support.waitTime() + ": pm2 reports it "
                        + p.status() + " with pid " + p.pid() + ". Look at it with 'pm2 describe " + app
                        + "'; the plan can be resumed once it is stopped.");
            }
            progress(context, "waiting for " + name() + " to stop (" + p.status() + ")");
            Thread.sleep(ControlSupport.POLL.toMillis());
            p = require();
        }
        support.verifyDown(context, name());
    }

    @Override
    public void start(StepContext context) throws InterruptedException {
        requireKnown();
        support.command("pm2", "start", app).run(context);
        awaitStable(context, -1);
        support.verifyUp(context, name());
    }

    /**
     * {@code pm2 restart <app>} as a step: done once a new process is online and stable (and the
     * health URL, if any, answers 200).
     *
     * @return the step
     */
    public Step restart() {
        String stepName = "restart " + name();
        return DescribedStep.of(stepName, support.describe(stepName, List.of(support.command("pm2", "restart", app), jlist())), context -> {
            Process before = require();
            support.command("pm2", "restart", app).run(context);
            awaitStable(context, before.pid());
            support.verifyUp(context, name());
        });
    }

    /**
     * Reads the app's state from {@code pm2 jlist}.
     *
     * @return the app, or empty when pm2 does not know it
     * @throws AppControlException when pm2 cannot be asked or answers something unreadable
     */
    public Optional<Process> status() {
        return list().stream().filter(p -> p.name().equals(app)).findFirst();
    }

    /**
     * A check that passes when pm2 reports the app online.
     *
     * @return the check
     */
    public Check isOnline() {
        String checkName = name() + " is online";
        return DescribedCheck.of(checkName, support.describe(checkName, List.of(jlist())), context -> {
            Optional<Process> p = status();
            if (p.isEmpty()) {
                return CheckResult.failed(checkName, "unknown to pm2", "online", "pm2 has no app named " + app);
            }
            String measured = p.get().status() + ", pid " + p.get().pid() + ", " + p.get().restarts() + " restarts";
            return p.get().online() ? CheckResult.passed(checkName, measured, "online")
                    : CheckResult.failed(checkName, measured, "online", name() + " is " + p.get().status());
        });
    }

    /**
     * Waits until a process other than {@code oldPid} has been seen online, with the same pid and restart
     * count, for {@link #stableFor}: from the end of the reading that first showed it to the start of a
     * later reading that still shows it. pm2 restarting it three times while we wait (or giving up:
     * {@code errored}) is a crash on start.
     */
    private void awaitStable(StepContext context, long oldPid) throws InterruptedException {
        long deadline = System.nanoTime() + support.waitTime().toNanos();
        int firstRestarts = -1;
        long waitingSince = 0;
        Process watched = null;
        long watchedSince = 0;
        while (true) {
            long asked = System.nanoTime();
            Process p = require();
            long answered = System.nanoTime();
            firstRestarts = firstRestarts < 0 ? p.restarts() : firstRestarts;
            // it exited since we started it; pm2 may hold it there for good once its restart limit is reached
            boolean exited = "waiting restart".equals(p.status()) && p.restarts() > firstRestarts;
            waitingSince = !exited ? 0 : waitingSince == 0 ? System.nanoTime() : waitingSince;
            if (exited && System.nanoTime() - waitingSince > CRASH_WAIT.toNanos()) {
                throw crashed(p, "it exited and pm2 is holding it in 'waiting restart'");
            }
            if (p.online() && p.pid() != oldPid) {
                if (watched == null || watched.pid() != p.pid() || watched.restarts() != p.restarts()) {
                    watched = p;   // a process not seen before: its window starts when this reading answered
                    watchedSince = answered;
                }
                if (stableFor.isZero() || asked - watchedSince >= stableFor.toNanos()) {
                    return;
                }
            } else {
                watched = null;
            }
            if ("errored".equals(p.status())) {
                throw crashed(p, "pm2 gave up restarting it (status errored)");
            }
            if (p.restarts() - firstRestarts >= 3) {
                throw crashed(p, "pm2 restarted it " + (p.restarts() - firstRestarts) + " times while we waited (now "
                        + p.status() + ")");
            }
            if (System.nanoTime() > deadline) {
                throw p.restarts() > firstRestarts ? crashed(p, "it keeps being restarted (" + p.status() + ")")
                        : watched != null ? new AppControlException(name() + " has been online for only "
                        + Duration.ofNanos(asked - watchedSince).toMillis() + " ms of the " + stableFor + " it must stay up (stableFor) when the "
                        + support.waitTime() + " wait ran out. Wait longer (waitUpTo) or shorten the window; the plan can be resumed.")
                        : new AppControlException(name() + " is not online after " + support.waitTime() + ": pm2 reports it "
                        + p.status() + " with pid " + p.pid() + ". " + errorTail(p)
                        + "Look at 'pm2 logs " + app + "'; the plan can be resumed once it is online.");
            }
            progress(context, "waiting for " + name() + " to be online and stable (" + p.status() + ", " + p.restarts() + " restarts)");
            Thread.sleep(ControlSupport.POLL.toMillis());
        }
    }

    private AppControlException crashed(Process p, String why) {
        return new AppControlException(name() + " crashes on start: " + why + "; " + p.restarts() + " restarts in all. "
                + errorTail(p) + "Fix the application (see 'pm2 logs " + app + "'), then resume the plan.");
    }

    private String errorTail(Process p) {
        if (p.errorLog() == null) {
            return "";
        }
        try {
            CommandResult tail = support.command("tail", "-n", "5", p.errorLog()).runAnyExit(null);
            List<String> lines = tail.exitCode() == 0 ? tail.stdoutTail(5) : List.of();
            return lines.isEmpty() ? "Its error log " + p.errorLog() + " is empty. "
                    : "Last lines of " + p.errorLog() + ":\n  " + String.join("\n  ", lines) + "\n";
        } catch (RuntimeException e) {
            return "Its error log is " + p.errorLog() + ". ";
        }
    }

    private void requireKnown() {
        require();
    }

    private Process require() {
        List<Process> all = list();
        return all.stream().filter(p -> p.name().equals(app)).findFirst().orElseThrow(() -> new AppControlException(
                "pm2 has no app named '" + app + "'" + support.environment().getOrDefault("PM2_HOME", "")
                        .transform(h -> h.isEmpty() ? "" : " (PM2_HOME " + h + ")")
                        + "; it knows " + (all.isEmpty() ? "no apps" : all.stream().map(Process::name).toList())
                        + ". Nothing was run. Register the app with pm2 first (pm2 start <script> --name " + app
                        + ", or your ecosystem file), or fix the app name in the plan."));
    }

    private Command jlist() {
        return support.command("pm2", "jlist");
    }

    private List<Process> list() {
        Path out = null;
        try {
            out = Files.createTempFile("pm2-jlist-", ".json");   // 0600: jlist prints each app's environment
            Command c = jlist().stdoutTo(out);
            CommandResult r = c.runAnyExit(null);
            String text = Files.readString(out);
            if (r.exitCode() != 0) {
                throw new AppControlException("Cannot read pm2's process list: " + Argv.render(c.argv()) + " exited with "
                        + r.exitCode() + (r.stderr().isEmpty() ? "" : ": " + String.join(" | ", r.stderrTail(3)))
                        + ". Check that pm2 runs for this user" + " (pm2 ping).");
            }
            return parse(text);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read pm2's process list: " + e.getMessage(), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a private temporary file; nothing else to do
                }
            }
        }
    }

    /** pm2 prints a banner before the JSON the first time it starts its daemon: read the last line that is a JSON array. */
    static List<Process> parse(String text) {
        String json = null;
        List<String> lines = text.lines().toList();
        for (int i = lines.size() - 1; i >= 0 && json == null; i--) {
            if (lines.get(i).startsWith("[")) {
                json = lines.get(i);
            }
        }
        if (json == null) {
            throw new AppControlException("pm2 jlist printed no process list (" + text.length() + " characters of other output); "
                    + "is the pm2 on the search path the real one?");
        }
        try {
            List<Process> out = new ArrayList<>();
            for (Object o : JSON.std.listFrom(json)) {
                Map<?, ?> m = (Map<?, ?>) o;
                Map<?, ?> env = m.get("pm2_env") instanceof Map<?, ?> e ? e : Map.of();
                Object uptime = env.get("pm_uptime");
                out.add(new Process(String.valueOf(m.get("name")), String.valueOf(env.get("status")), number(m.get("pid")),
                        (int) number(env.get("restart_time")),
                        uptime instanceof Number n && n.longValue() > 0 ? Instant.ofEpochMilli(n.longValue()) : null,
                        env.get("pm_err_log_path") == null ? null : String.valueOf(env.get("pm_err_log_path"))));
            }
            return out;
        } catch (IOException | ClassCastException e) {
            throw new AppControlException("pm2 jlist printed something that is not its process list: "
                    + Redactor.redact(e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("")));
        }
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static void progress(StepContext context, String message) {
        if (context != null) {
            context.progress(message);
        }
    }

    @Override
    List<Command> commands(String verb) {
        return List.of(jlist(), support.command("pm2", verb, app), jlist());
    }

    @Override
    StepDescription describe(String verb) {
        return super.describe(verb).param("stableFor", stableFor);
    }
}
