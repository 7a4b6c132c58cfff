package dev.rollback.process;

import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.process.internal.ControlSupport;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An application stopped and started by two commands of your own, confirmed by a health URL
 * and/or a status command (exit 0 when up).
 *
 * <pre>{@code
 * AppControl app = GenericApp.of("billing",
 *         Command.of("/opt/billing/bin/stop"), Command.of("/opt/billing/bin/start"))
 *     .healthUrl("http://localhost:8080/health");
 * }</pre>
 */
public final class GenericApp implements HostAppControl {
    private final String name;
    private final Command stop;
    private final Command start;
    private final Command status;
    private final ControlSupport support;

    private GenericApp(String name, Command stop, Command start, Command status, ControlSupport support) {
        this.name = name;
        this.stop = stop;
        this.start = start;
        this.status = status;
        this.support = support;
    }

    /**
     * @param name  the app's name
     * @param stop  the command that stops it
     * @param start the command that starts it
     * @return the control; give it a {@link #healthUrl(String)} or {@link #statusCommand(Command)}
     */
    public static GenericApp of(String name, Command stop, Command start) {
        Objects.requireNonNull(name, "name");
        return new GenericApp(name, Objects.requireNonNull(stop, "stop"), Objects.requireNonNull(start, "start"), null,
                ControlSupport.defaults());
    }

    /**
     * @param url answers 200 when up, refuses or fails when down
     * @return a copy checking it
     */
    public GenericApp healthUrl(String url) {
        return new GenericApp(name, stop, start, status, support.withHealthUrl(url));
    }

    /**
     * @param command exits 0 when the app is up, anything else when it is down
     * @return a copy polling it
     */
    public GenericApp statusCommand(Command command) {
        return new GenericApp(name, stop, start, Objects.requireNonNull(command, "command"), support);
    }

    /**
     * @param wait how long to wait for the app to stop or start (default 60 s)
     * @return a copy with the wait
     */
    public GenericApp waitUpTo(Duration wait) {
        return new GenericApp(name, stop, start, status, support.withWait(wait));
    }

    @Override
    public GenericApp via(CommandTransport transport) {
        return new GenericApp(name, stop, start, status, support.withTransport(transport));
    }

    @Override
    public String name() {
        return name;
    }

    private void requireVerification() {
        if (status == null && support.healthUrl() == null) {
            throw new IllegalStateException("GenericApp '" + name + "' cannot confirm that it stopped or started: "
                    + "give it healthUrl(...) or statusCommand(...)");
        }
    }

    @Override
    public void stop(StepContext context) throws InterruptedException {
        requireVerification();
        support.transport().wrap(stop).run(context);
        if (status != null) {
            support.await(context, support.transport().wrap(status), r -> r.exitCode() != 0, name, "down");
        }
        support.verifyDown(context, name);
    }

    @Override
    public void start(StepContext context) throws InterruptedException {
        requireVerification();
        support.transport().wrap(start).run(context);
        if (status != null) {
            support.await(context, support.transport().wrap(status), r -> r.exitCode() == 0, name, "up");
        }
        support.verifyUp(context, name);
    }

    @Override
    public StepDescription describeStop() {
        requireVerification();
        return describe("stop", stop);
    }

    @Override
    public StepDescription describeStart() {
        requireVerification();
        return describe("start", start);
    }

    private StepDescription describe(String verb, Command c) {
        List<Command> commands = status == null ? List.of(support.transport().wrap(c))
                : List.of(support.transport().wrap(c), support.transport().wrap(status));
        return support.describe(verb + " " + name, commands);
    }
}
