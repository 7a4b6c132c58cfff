package dev.rollback.process;

import dev.rollback.core.AppControl;
import dev.rollback.core.Redactor;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An app control run on every host of a {@link Fleet}. Every host is tried, also after one
 * fails; each host's result is published as output {@code fleet.<host>.<stop|start>} and the
 * step fails with a {@link FleetException} listing the hosts that failed.
 */
public final class FleetControl implements AppControl {
    private static final Logger LOG = LoggerFactory.getLogger(FleetControl.class);

    /**
     * One host and the control that runs there.
     *
     * @param host    the host
     * @param control the control, its commands going over ssh to the host
     */
    public record Member(String host, AppControl control) {
    }

    /**
     * What happened on one host.
     *
     * @param host     the host
     * @param action   "stop" or "start"
     * @param ok       whether it succeeded
     * @param message  empty on success, else the failure
     * @param duration how long it took
     */
    public record HostResult(String host, String action, boolean ok, String message, Duration duration) {
    }

    private final String appName;
    private final List<Member> members;
    private final int parallel;

    FleetControl(String appName, List<Member> members, int parallel) {
        this.appName = appName;
        this.members = List.copyOf(members);
        this.parallel = parallel;
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
     * Runs the action on every host and returns each host's result, without throwing for failed hosts.
     *
     * @param context the step's context
     * @param action  "stop" or "start"
     * @return one result per host, in host order
     * @throws InterruptedException when interrupted
     */
    public List<HostResult> tryAll(StepContext context, String action) throws InterruptedException {
        if (!action.equals("stop") && !action.equals("start")) {
            throw new IllegalArgumentException("action must be stop or start, got " + action);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, members.size()));
        try {
            List<Future<HostResult>> futures = new ArrayList<>();
            for (Member m : members) {
                futures.add(pool.submit(() -> runOne(context, m, action)));
            }
            List<HostResult> results = new ArrayList<>();
            for (Future<HostResult> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("unexpected failure in fleet worker", e.getCause());
                }
            }
            return results;
        } catch (InterruptedException e) {
            pool.shutdownNow();
            throw e;
        } finally {
            pool.shutdown();
        }
    }

    private HostResult runOne(StepContext context, Member m, String action) {
        long t0 = System.nanoTime();
        HostResult r;
        try {
            if (action.equals("stop")) {
                m.control().stop(context);
            } else {
                m.control().start(context);
            }
            r = new HostResult(m.host(), action, true, "", Duration.ofNanos(System.nanoTime() - t0));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            r = new HostResult(m.host(), action, false, Redactor.redact(String.valueOf(e.getMessage())),
                    Duration.ofNanos(System.nanoTime() - t0));
        }
        LOG.info("{} {} on {}: {}", action, appName, m.host(), r.ok() ? "ok" : "FAILED " + r.message());
        synchronized (context) {
            context.output("fleet." + m.host() + "." + action, r.ok() ? "ok" : "failed");
            context.progress(action + " on " + m.host() + ": " + (r.ok() ? "ok" : "failed"));
        }
        return r;
    }

    private void runAll(StepContext context, String action) throws InterruptedException {
        List<HostResult> results = tryAll(context, action);
        List<HostResult> failed = results.stream().filter(r -> !r.ok()).toList();
        if (!failed.isEmpty()) {
            StringBuilder b = new StringBuilder(action + " " + appName + " failed on " + failed.size() + " of "
                    + results.size() + " hosts (all hosts were tried):");
            for (HostResult r : results) {
                b.append("\n  ").append(r.host()).append(": ").append(r.ok() ? "ok" : "FAILED " + r.message());
            }
            b.append("\nThe hosts marked ok are ").append(action.equals("stop") ? "stopped" : "started")
                    .append("; fix the failed ones and resume the run.");
            throw new FleetException(b.toString(), results);
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
        StepDescription d = StepDescription.of(action + " " + name()).param("parallel", parallel);
        for (Member m : members) {
            StepDescription md = action.equals("stop") ? m.control().describeStop() : m.control().describeStart();
            for (String c : md.commands()) {
                d = d.command(c);
            }
        }
        return d;
    }
}
