package dev.rollback.test;

import dev.rollback.core.AppControl;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An {@link AppControl} that records every stop and start with the time it happened, knows
 * whether the application would be running, and can be told to fail the next stop or start.
 * Thread-safe.
 *
 * <pre>{@code
 * FakeAppControl app = FakeAppControl.named("nextcrm");
 * app.failNextStop(new IllegalStateException("unit did not stop within 30s"));
 * RunReport report = runner.run(Rollback.plan("p").stopApp(app).step("x", c -> { }).startApp(app).build());
 * assertThat(report).failedAt("stop nextcrm");
 * assertThat(app.isRunning()).isTrue();
 * }</pre>
 */
public final class FakeAppControl implements AppControl {
    /** What was asked of the application. */
    public enum Action {
        /** A stop. */
        STOP,
        /** A start. */
        START
    }

    /**
     * One call.
     *
     * @param action    stop or start
     * @param time      when, by the fake's clock
     * @param succeeded whether the call succeeded
     * @param runId     the run that made it
     */
    public record Call(Action action, Instant time, boolean succeeded, String runId) {
    }

    private final String name;
    private final Clock clock;
    private final List<Call> calls = new ArrayList<>();
    private boolean running;
    private Exception nextStopFailure;
    private Exception nextStartFailure;

    private FakeAppControl(String name, Clock clock, boolean running) {
        this.name = name;
        this.clock = clock;
        this.running = running;
    }

    /**
     * @param name the application name; steps are named "stop NAME" and "start NAME"
     * @return a fake of a running application, timed by the system clock
     */
    public static FakeAppControl named(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a fake application needs a name; steps are named after it");
        }
        return new FakeAppControl(name, Clock.systemUTC(), true);
    }

    /**
     * @param clock the clock for call times (a {@link ManualClock} for predictable times)
     * @return a new fake with that clock and this fake's state (calls are not copied)
     */
    public FakeAppControl clock(Clock clock) {
        synchronized (this) {
            return new FakeAppControl(name, Objects.requireNonNull(clock, "clock"), running);
        }
    }

    /**
     * @param running whether the application is up before the run
     * @return a new fake in that state (calls are not copied)
     */
    public synchronized FakeAppControl initiallyRunning(boolean running) {
        return new FakeAppControl(name, clock, running);
    }

    /**
     * Makes the next stop fail with this exception (once); the application stays as it was.
     *
     * @param failure what stop throws
     * @return this fake
     */
    public synchronized FakeAppControl failNextStop(Exception failure) {
        this.nextStopFailure = Objects.requireNonNull(failure, "failure");
        return this;
    }

    /**
     * Makes the next start fail with this exception (once); the application stays as it was.
     *
     * @param failure what start throws
     * @return this fake
     */
    public synchronized FakeAppControl failNextStart(Exception failure) {
        this.nextStartFailure = Objects.requireNonNull(failure, "failure");
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void stop(StepContext context) throws Exception {
        Exception f = nextStopFailure;
        nextStopFailure = null;
        calls.add(new Call(Action.STOP, clock.instant(), f == null, context == null ? null : context.runId()));
        if (f != null) {
            throw f;
        }
        running = false;
    }

    @Override
    public synchronized void start(StepContext context) throws Exception {
        Exception f = nextStartFailure;
        nextStartFailure = null;
        calls.add(new Call(Action.START, clock.instant(), f == null, context == null ? null : context.runId()));
        if (f != null) {
            throw f;
        }
        running = true;
    }

    @Override
    public StepDescription describeStop() {
        return StepDescription.of("stop " + name + " (fake)");
    }

    @Override
    public StepDescription describeStart() {
        return StepDescription.of("start " + name + " (fake)");
    }

    /** @return whether the application would be up now */
    public synchronized boolean isRunning() {
        return running;
    }

    /** @return every call so far, in order, failed ones included */
    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** @return the actions of every call so far, in order */
    public synchronized List<Action> actions() {
        return calls.stream().map(Call::action).toList();
    }

    /** @return how many stops succeeded */
    public synchronized int stops() {
        return (int) calls.stream().filter(c -> c.action() == Action.STOP && c.succeeded()).count();
    }

    /** @return how many starts succeeded */
    public synchronized int starts() {
        return (int) calls.stream().filter(c -> c.action() == Action.START && c.succeeded()).count();
    }

    @Override
    public synchronized String toString() {
        return "FakeAppControl[" + name + (running ? ", running" : ", stopped") + ", " + calls.size() + " calls]";
    }
}
