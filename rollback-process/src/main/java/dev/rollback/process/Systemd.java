package dev.rollback.process;

import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.process.internal.ControlSupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A systemd unit as the application: {@code systemctl stop}, {@code start} and
 * {@code is-active} to confirm the result, plus an optional health URL.
 *
 * <pre>{@code
 * plan.stopApp(Systemd.unit("nextcrm").sudo().healthUrl("http://localhost:3000/api/health"));
 * }</pre>
 */
public final class Systemd implements HostAppControl {
    private final String unit;
    private final ControlSupport support;

    private Systemd(String unit, ControlSupport support) {
        this.unit = unit;
        this.support = support;
    }

    /**
     * @param name the unit, such as {@code nextcrm} or {@code nextcrm.service}
     * @return the control
     */
    public static Systemd unit(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.startsWith("-") || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("Invalid systemd unit name '" + name + "'");
        }
        return new Systemd(name, ControlSupport.defaults());
    }

    /** @return a copy running {@code systemctl} through {@code sudo -n} (never prompts) */
    public Systemd sudo() {
        return new Systemd(unit, support.withSudo(true));
    }

    /**
     * @param url answers 200 when the app is up; refused or failing after a stop
     * @return a copy also checking the URL
     */
    public Systemd healthUrl(String url) {
        return new Systemd(unit, support.withHealthUrl(url));
    }

    /**
     * @param wait how long to wait for the unit to stop or start (default 60 s)
     * @return a copy with the wait
     */
    public Systemd waitUpTo(Duration wait) {
        return new Systemd(unit, support.withWait(wait));
    }

    /**
     * @param dirs where {@code systemctl} is looked up first
     * @return a copy with the search path
     */
    public Systemd searchPath(List<Path> dirs) {
        return new Systemd(unit, support.withSearchPath(dirs));
    }

    @Override
    public Systemd via(CommandTransport transport) {
        return new Systemd(unit, support.withTransport(transport));
    }

    @Override
    public String name() {
        return "systemd unit " + unit;
    }

    @Override
    public void stop(StepContext context) throws InterruptedException {
        support.command("systemctl", "stop", unit).run(context);
        support.await(context, isActive(), r -> r.exitCode() != 0, name(), "inactive");
        support.verifyDown(context, name());
    }

    @Override
    public void start(StepContext context) throws InterruptedException {
        support.command("systemctl", "start", unit).run(context);
        support.await(context, isActive(), r -> r.exitCode() == 0, name(), "active");
        support.verifyUp(context, name());
    }

    private Command isActive() {
        return support.command("systemctl", "is-active", unit);
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
        return support.describe(verb + " " + name(), List.of(support.command("systemctl", verb, unit), isActive()));
    }
}
