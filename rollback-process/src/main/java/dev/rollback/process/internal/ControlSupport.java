package dev.rollback.process.internal;

import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.process.AppControlException;
import dev.rollback.process.Command;
import dev.rollback.process.CommandResult;
import dev.rollback.process.CommandTransport;
import dev.rollback.process.Http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Settings and helpers shared by the command-based app controls: search path, transport,
 * health URL, how long to wait for the application to go down or come up.
 *
 * @param searchPath where executables are looked up first
 * @param transport  where commands run
 * @param healthUrl  a URL that answers 200 when the app is up, or null
 * @param waitTime   how long to wait for the app to reach the wanted state
 * @param sudo       whether to prefix commands with {@code sudo -n}
 * @param environment variables set on every command before it goes through the transport (a
 *                    transport such as ssh refuses them, with a message naming them)
 */
public record ControlSupport(List<Path> searchPath, CommandTransport transport, String healthUrl, Duration waitTime, boolean sudo,
                             Map<String, String> environment) {
    /** How often the state is polled. */
    public static final Duration POLL = Duration.ofMillis(200);
    /** Each command of a control may run at most this long. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);

    /** Validates. */
    public ControlSupport {
        searchPath = List.copyOf(searchPath);
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(waitTime, "waitTime");
        if (waitTime.isNegative() || waitTime.isZero()) {
            throw new IllegalArgumentException("wait must be positive, got " + waitTime);
        }
        if (healthUrl != null) {
            Http.get(healthUrl); // validates the URL now, not at 3 a.m.
        }
    }

    /** @return the defaults: PATH, local, no health URL, 60 s, no sudo */
    public static ControlSupport defaults() {
        return new ControlSupport(List.of(), CommandTransport.LOCAL, null, Duration.ofSeconds(60), false, Map.of());
    }

    /**
     * @param dirs search path
     * @return a copy
     */
    public ControlSupport withSearchPath(List<Path> dirs) {
        return new ControlSupport(dirs, transport, healthUrl, waitTime, sudo, environment);
    }

    /**
     * @param t transport
     * @return a copy
     */
    public ControlSupport withTransport(CommandTransport t) {
        return new ControlSupport(searchPath, t, healthUrl, waitTime, sudo, environment);
    }

    /**
     * @param url health URL
     * @return a copy
     */
    public ControlSupport withHealthUrl(String url) {
        return new ControlSupport(searchPath, transport, Objects.requireNonNull(url, "url"), waitTime, sudo, environment);
    }

    /**
     * @param d wait
     * @return a copy
     */
    public ControlSupport withWait(Duration d) {
        return new ControlSupport(searchPath, transport, healthUrl, d, sudo, environment);
    }

    /**
     * @param s sudo
     * @return a copy
     */
    public ControlSupport withSudo(boolean s) {
        return new ControlSupport(searchPath, transport, healthUrl, waitTime, s, environment);
    }

    /**
     * @param name  an environment variable of every command
     * @param value its value (not a secret: it is shown in dry runs)
     * @return a copy
     */
    public ControlSupport withEnv(String name, String value) {
        Map<String, String> e = new LinkedHashMap<>(environment);
        e.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new ControlSupport(searchPath, transport, healthUrl, waitTime, sudo, e);
    }

    /**
     * The command as it will run: sudo prefix, transport, search path and timeout applied.
     *
     * @param argv the local argument list
     * @return the command
     */
    public Command command(String... argv) {
        List<String> all = new ArrayList<>();
        if (sudo) {
            all.add("sudo");
            all.add("-n");
        }
        all.addAll(List.of(argv));
        Command c = Command.of(all).searchPath(searchPath).timeout(COMMAND_TIMEOUT);
        for (Map.Entry<String, String> e : environment.entrySet()) {
            c = c.env(e.getKey(), e.getValue());
        }
        return transport.wrap(c);
    }

    /**
     * Polls a command until its result satisfies {@code done}, or the wait is over.
     *
     * @param ctx   step context, or null
     * @param probe the command that shows the state (any exit code is accepted)
     * @param done  whether the state is reached
     * @return the last result, which satisfies {@code done}
     * @throws InterruptedException   when interrupted
     * @throws AppControlException    when the state was not reached in time
     */
    public CommandResult await(StepContext ctx, Command probe, Predicate<CommandResult> done, String app, String wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + waitTime.toNanos();
        CommandResult last;
        while (true) {
            last = probe.runAnyExit(null);
            if (done.test(last)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new AppControlException(app + " is not " + wanted + " after " + waitTime + ": "
                        + Argv.render(probe.argv()) + " exited with " + last.exitCode()
                        + (last.stdout().isEmpty() ? "" : " and printed " + String.join(" | ", last.stdoutTail(3)))
                        + (last.stderr().isEmpty() ? "" : "; stderr: " + String.join(" | ", last.stderrTail(3)))
                        + ". Look at the application on its host; the plan can be resumed once it is " + wanted + ".");
            }
            if (ctx != null) {
                ctx.progress("waiting for " + app + " to be " + wanted);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /**
     * After a stop: the health URL, if any, must refuse or fail.
     *
     * @param ctx step context
     * @param app the app's name for messages
     * @throws InterruptedException when interrupted
     */
    public void verifyDown(StepContext ctx, String app) throws InterruptedException {
        if (healthUrl == null) {
            return;
        }
        int attempts = (int) Math.max(1, waitTime.toMillis() / 500);
        CheckResult r = Http.down(healthUrl).requestTimeout(Duration.ofSeconds(2)).retry(attempts, Duration.ofMillis(500)).check(ctx);
        if (!r.isPassed()) {
            throw new AppControlException(app + " was stopped but " + healthUrl + " still answers (" + r.measured()
                    + "): something else serves it, or the stop did not take. Find the process that listens there before going on.");
        }
    }

    /**
     * After a start: the health URL, if any, must answer 200.
     *
     * @param ctx step context
     * @param app the app's name for messages
     * @throws InterruptedException when interrupted
     */
    public void verifyUp(StepContext ctx, String app) throws InterruptedException {
        if (healthUrl == null) {
            return;
        }
        int attempts = (int) Math.max(1, waitTime.toMillis() / 500);
        CheckResult r = Http.get(healthUrl).requestTimeout(Duration.ofSeconds(5)).retry(attempts, Duration.ofMillis(500)).check(ctx);
        if (!r.isPassed()) {
            throw new AppControlException(app + " was started but " + healthUrl + " does not answer 200 after " + waitTime
                    + " (" + r.message() + "). Look at the application's log; the plan can be resumed once it is healthy.");
        }
    }

    /**
     * What a stop or start does, for dry runs: where it runs, the health URL it checks, and the
     * commands it runs (the action, then the probe that confirms it).
     *
     * @param summary  "stop systemd unit nextcrm"
     * @param commands the commands, as they will run (already wrapped for a transport where needed)
     * @return the description
     */
    public StepDescription describe(String summary, List<Command> commands) {
        StepDescription d = StepDescription.of(summary).param("where", transport.where());
        for (Map.Entry<String, String> e : environment.entrySet()) {
            d = d.param("env." + e.getKey(), e.getValue());
        }
        if (healthUrl != null) {
            d = d.param("health", healthUrl);
        }
        for (Command c : commands) {
            d = d.command(c.argv());
        }
        return d;
    }
}
