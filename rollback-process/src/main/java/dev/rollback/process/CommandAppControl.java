package dev.rollback.process;

import dev.rollback.core.StepDescription;
import dev.rollback.process.internal.ControlSupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What every application control made of commands shares, held once: the health URL that confirms
 * a stop or a start, how long to wait for it, where the tools are looked up, where the commands run
 * ({@link #via(CommandTransport)}), and the description of a stop and a start (the commands a dry
 * run shows). {@link Systemd}, {@link Pm2}, {@link DockerCompose} and {@link Kubernetes} are its
 * kinds; each adds the options of its own tool. Immutable: every method returns a copy.
 *
 * @param <C> the control's own type
 */
public abstract sealed class CommandAppControl<C extends CommandAppControl<C>> implements HostAppControl
        permits Systemd, Pm2, DockerCompose, Kubernetes {
    final ControlSupport support;

    CommandAppControl(ControlSupport support) {
        this.support = support;
    }

    /** A copy of this control with other shared options. */
    abstract C with(ControlSupport support);

    /** The commands a stop ({@code "stop"}) or a start ({@code "start"}) runs, in order, for its description. */
    abstract List<Command> commands(String verb);

    /**
     * @param url answers 200 when the application is up; refuses or fails once it is stopped
     * @return a copy also checking the URL
     */
    public C healthUrl(String url) {
        return with(support.withHealthUrl(url));
    }

    /**
     * @param wait how long to wait for the application to stop or start (default 60 s)
     * @return a copy with the wait
     */
    public C waitUpTo(Duration wait) {
        return with(support.withWait(wait));
    }

    /**
     * @param dirs where the control's tool is looked up first
     * @return a copy with the search path
     */
    public C searchPath(List<Path> dirs) {
        return with(support.withSearchPath(dirs));
    }

    @Override
    public C via(CommandTransport transport) {
        return with(support.withTransport(transport));
    }

    @Override
    public StepDescription describeStop() {
        return describe("stop");
    }

    @Override
    public StepDescription describeStart() {
        return describe("start");
    }

    StepDescription describe(String verb) {
        return support.describe(verb + " " + name(), commands(verb));
    }
}
