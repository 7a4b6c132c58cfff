package dev.rollback.process;

import dev.rollback.core.StepContext;
import dev.rollback.process.internal.ControlSupport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A docker compose project: {@code docker compose -f FILE stop [services]} and
 * {@code up -d [services]}, confirmed with {@code ps --status running --services}. Stop keeps
 * the containers (unlike the seeds' {@code down}), so their logs stay for forensics.
 *
 * <pre>{@code
 * plan.stopApp(DockerCompose.file(Path.of("docker-compose.production.yml")).services("web", "worker"));
 * }</pre>
 */
public final class DockerCompose extends CommandAppControl<DockerCompose> {
    private final Path file;
    private final List<String> services;

    private DockerCompose(Path file, List<String> services, ControlSupport support) {
        super(support);
        this.file = file;
        this.services = services;
    }

    @Override
    DockerCompose with(ControlSupport support) {
        return new DockerCompose(file, services, support);
    }

    /**
     * @param composeFile the compose file
     * @return the control, for all services of the file
     */
    public static DockerCompose file(Path composeFile) {
        return new DockerCompose(Objects.requireNonNull(composeFile, "composeFile"), List.of(), ControlSupport.defaults());
    }

    /**
     * @param names the services to stop and start (default: all)
     * @return a copy limited to them
     */
    public DockerCompose services(String... names) {
        for (String n : names) {
            if (n == null || n.isBlank() || n.startsWith("-")) {
                throw new IllegalArgumentException("Invalid compose service name '" + n + "'");
            }
        }
        return new DockerCompose(file, List.of(names), support);
    }

    @Override
    public String name() {
        return "docker compose " + file + (services.isEmpty() ? "" : " " + services);
    }

    private Command compose(String... args) {
        List<String> argv = new ArrayList<>(List.of("docker", "compose", "-f", file.toString()));
        argv.addAll(List.of(args));
        argv.addAll(services);
        return support.command(argv.toArray(new String[0]));
    }

    private Command running() {
        return compose("ps", "--status", "running", "--services");
    }

    @Override
    public void stop(StepContext context) throws InterruptedException {
        compose("stop").run(context);
        support.await(context, running(), r -> r.exitCode() == 0 && r.stdoutText().isBlank(), name(), "stopped");
        support.verifyDown(context, name());
    }

    @Override
    public void start(StepContext context) throws InterruptedException {
        compose("up", "-d").run(context);
        support.await(context, running(), this::allRunning, name(), "running");
        support.verifyUp(context, name());
    }

    private boolean allRunning(CommandResult r) {
        if (r.exitCode() != 0) {
            return false;
        }
        Set<String> up = new HashSet<>();
        for (String line : r.stdout()) {
            if (!line.isBlank()) {
                up.add(line.trim());
            }
        }
        return services.isEmpty() ? !up.isEmpty() : up.containsAll(services);
    }

    @Override
    List<Command> commands(String verb) {
        return List.of(verb.equals("stop") ? compose("stop") : compose("up", "-d"), running());
    }
}
