package dev.rollback.process;

import dev.rollback.core.AppControl;
import dev.rollback.core.Redactor;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.process.internal.Rollout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * An app control run on every host of a {@link Fleet}, in rolling batches with a failure budget
 * ({@link Fleet#serial(int)}, {@link Fleet#maxFailPercent(int)}; by default one batch, every host
 * tried). Each host's result is published as output {@code fleet.<stop|start>.<host>} (the incident
 * report turns them into a per-host table) and a host that succeeded is remembered in the step's
 * durable memory, so a retry or a resumed run handles only the hosts that failed or were not tried.
 * The step fails with a {@link FleetException} naming the hosts done, failed and not tried. An
 * unreachable host is a failure of that host (ssh gives up after the fleet's connect timeout); the
 * others go on.
 */
public final class FleetControl implements AppControl {
    /**
     * One host and the control that runs there.
     *
     * @param host    the host
     * @param control the control, its commands going over ssh to the host
     */
    public record Member(String host, AppControl control) {
    }

    private final String appName;
    private final List<Member> members;
    private final int parallel;
    private final Rollout.Policy policy;

    FleetControl(String appName, List<Member> members, int parallel, Rollout.Policy policy) {
        this.appName = appName;
        this.members = List.copyOf(members);
        this.parallel = parallel;
        this.policy = policy;
    }

    /** @return the hosts and their controls */
    public List<Member> members() {
        return members;
    }

    @Override
    public String name() {
        return appName + " on " + members.size() + " hosts";
    }

    @Override
    public void stop(StepContext context) throws InterruptedException {
        runAll(context, "stop");
    }

    @Override
    public void start(StepContext context) throws InterruptedException {
        runAll(context, "start");
    }

    /**
     * Runs the action on the hosts not done yet in this run, batch after batch, and returns each
     * host's result without throwing for failed hosts.
     *
     * @param context the step's context
     * @param action  "stop" or "start"
     * @return one result per host, in host order
     * @throws InterruptedException when interrupted
     */
    public List<HostResult> tryAll(StepContext context, String action) throws InterruptedException {
        return rollout(context, action).results();
    }

    private Rollout.Outcome rollout(StepContext context, String action) throws InterruptedException {
        if (!action.equals("stop") && !action.equals("start")) {
            throw new IllegalArgumentException("action must be stop or start, got " + action);
        }
        Map<String, Member> byHost = new LinkedHashMap<>();
        members.forEach(m -> byHost.put(m.host(), m));
        return Rollout.run(context, action + " " + appName, action, List.copyOf(byHost.keySet()), policy,
                (hosts, done) -> runBatch(context, action, hosts.stream().map(byHost::get).toList(), done));
    }

    private void runBatch(StepContext context, String action, List<Member> batch, Consumer<HostResult> done)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, batch.size()));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Member m : batch) {
                futures.add(pool.submit(() -> done.accept(runOne(context, m, action))));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("unexpected failure in fleet worker", e.getCause());
                }
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            throw e;
        } finally {
            pool.shutdown();
        }
    }

    private HostResult runOne(StepContext context, Member m, String action) {
        long t0 = System.nanoTime();
        try {
            if (action.equals("stop")) {
                m.control().stop(context);
            } else {
                m.control().start(context);
            }
            return new HostResult(m.host(), action, HostResult.Status.OK, "", Duration.ofNanos(System.nanoTime() - t0));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String message = String.valueOf(e.getMessage()).lines().map(String::trim).filter(l -> !l.isEmpty())
                    .reduce((a, b) -> a + " | " + b).orElse(e.getClass().getSimpleName());
            return new HostResult(m.host(), action, HostResult.Status.FAILED, Redactor.redact(message),
                    Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    private void runAll(StepContext context, String action) throws InterruptedException {
        Rollout.Outcome outcome = rollout(context, action);
        if (!outcome.ok()) {
            throw Rollout.failure(action + " " + appName, outcome, policy, action.equals("stop") ? "stopped" : "started");
        }
    }

    @Override
    public StepDescription describeStop() {
        return describe("stop");
    }

    @Override
    public StepDescription describeStart() {
        return describe("start");
    }

    private StepDescription describe(String action) {
        StepDescription d = StepDescription.of(action + " " + name()).param("parallel", parallel).param("rollout", policy.describe());
        for (Member m : members) {
            StepDescription md = action.equals("stop") ? m.control().describeStop() : m.control().describeStart();
            for (String c : md.commands()) {
                d = d.command(c);
            }
        }
        return d;
    }
}
