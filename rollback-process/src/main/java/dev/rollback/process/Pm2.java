package dev.rollback.process;

import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.process.internal.ControlSupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A pm2 app: {@code pm2 stop} / {@code pm2 start}, confirmed with {@code pm2 pid} (0 or empty
 * when stopped), plus an optional health URL.
 *
 * <pre>{@code
 * plan.stopApp(Pm2.app("nextjs-app").healthUrl("http://localhost:3000/api/health"));
 * }</pre>
 */
public final class Pm2 implements HostAppControl {
    private final String app;
    private final ControlSupport support;

    private Pm2(String app, ControlSupport support) {
        this.app = app;
        this.support = support;
    }

    /**
     * @param name the pm2 app name
     * @return the control
     */
    public static Pm2 app(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.startsWith("-")) {
            throw new IllegalArgumentException("Invalid pm2 app name '" + name + "'");
        }
        return new Pm2(name, ControlSupport.defaults());
    }

    /**
     * @param url answers 200 when the app is up
     * @return a copy also checking the URL
     */
    public Pm2 healthUrl(String url) {
        return new Pm2(app, support.withHealthUrl(url));
    }

    /**
     * @param wait how long to wait for the app to stop or start (default 60 s)
     * @return a copy with the wait
     */
    public Pm2 waitUpTo(Duration wait) {
        return new Pm2(app, support.withWait(wait));
    }

    /**
     * @param dirs where {@code pm2} is looked up first
     * @return a copy with the search path
     */
    public Pm2 searchPath(List<Path> dirs) {
        return new Pm2(app, support.withSearchPath(dirs));
    }

    @Override
    public Pm2 via(CommandTransport transport) {
        return new Pm2(app, support.withTransport(transport));
    }

    @Override
    public String name() {
        return "pm2 app " + app;
    }

    @Override
    public void stop(StepContext context) throws InterruptedException {
        support.command("pm2", "stop", app).run(context);
        support.await(context, pid(), r -> !running(r), name(), "stopped");
        support.verifyDown(context, name());
    }

    @Override
    public void start(StepContext context) throws InterruptedException {
        support.command("pm2", "start", app).run(context);
        support.await(context, pid(), Pm2::running, name(), "online");
        support.verifyUp(context, name());
    }

    private static boolean running(CommandResult r) {
        String pid = r.stdoutText().trim();
        return r.exitCode() == 0 && !pid.isEmpty() && !pid.equals("0");
    }

    private Command pid() {
        return support.command("pm2", "pid", app);
    }

    @Override
    public StepDescription describeStop() {
        return describe("stop");
    }

    @Override
    public StepDescription describeStart() {
        return describe("start");
    }

    private StepDescription describe(String verb) {
        return support.describe(verb + " " + name(), List.of(support.command("pm2", verb, app), pid()));
    }
}
