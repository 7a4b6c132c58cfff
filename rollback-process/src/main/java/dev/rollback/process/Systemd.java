package dev.rollback.process;

import dev.rollback.core.StepContext;
import dev.rollback.process.internal.ControlSupport;

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
public final class Systemd extends CommandAppControl<Systemd> {
    private final String unit;

    private Systemd(String unit, ControlSupport support) {
        super(support);
        this.unit = unit;
    }

    @Override
    Systemd with(ControlSupport support) {
        return new Systemd(unit, support);
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
        return with(support.withSudo(true));
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
    List<Command> commands(String verb) {
        return List.of(support.command("systemctl", verb, unit), isActive());
    }
}
