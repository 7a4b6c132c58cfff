package dev.rollback.core.decision;

import dev.rollback.core.Notifier;
import dev.rollback.core.Redactor;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RollbackRunner;
import dev.rollback.core.RunReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Polls signals on a schedule, decides with a {@link DecisionTable}, and acts: when a MUST rule
 * holds it runs the rollback plan — once — with the decision's evidence as the run's reason, so
 * that the journal and the incident report say why; SHOULD and CONSIDER (and signals that cannot
 * be read) are sent to a notifier when they change.
 *
 * <pre>{@code
 * Watchdog watchdog = Watchdog.watch(table)
 *     .signals(Signal.failing("health.failing", Http.get(healthUrl).expectStatus(200)),
 *              Signal.of("error.rate", metrics::errorRate))
 *     .every(Duration.ofSeconds(30))
 *     .notifier(slack)
 *     .onMust(plan, Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("watchdog")))
 *     .start();
 * ...
 * watchdog.stop(Duration.ofMinutes(1));
 * }</pre>
 */
public final class Watchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

    /** Where a watchdog is in its life. */
    public enum State {
        /** Built, not started. */
        IDLE,
        /** Polling. */
        WATCHING,
        /** A MUST rule held and the plan was run; it polls no more. */
        TRIGGERED,
        /** Stopped. */
        STOPPED
    }

    private final DecisionTable table;
    private final List<Signal> signals = new ArrayList<>();
    private Duration interval = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();
    private Notifier notifier;
    private RollbackPlan plan;
    private RollbackRunner runner;
    private Consumer<Decision> listener = d -> { };
    private final SignalHistory history = SignalHistory.create();

    private final AtomicReference<State> state = new AtomicReference<>(State.IDLE);
    private final Object pollLock = new Object();
    private ScheduledExecutorService scheduler;
    private volatile Decision lastDecision;
    private volatile RunReport triggeredRun;
    private volatile RuntimeException triggerError;
    private String lastNotified = "";

    private Watchdog(DecisionTable table) {
        this.table = Objects.requireNonNull(table, "table");
    }

    /**
     * @param table the rules
     * @return a watchdog to configure
     */
    public static Watchdog watch(DecisionTable table) {
        return new Watchdog(table);
    }

    /**
     * @param sources the signals to read on each poll; every signal the rules use must be here
     * @return this
     */
    public Watchdog signals(Signal... sources) {
        signals.addAll(List.of(sources));
        return this;
    }

    /**
     * @param interval time between polls (default 30 s)
     * @return this
     */
    public Watchdog every(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the poll interval must be positive");
        }
        this.interval = interval;
        return this;
    }

    /**
     * @param clock the clock that stamps samples (a manual clock in tests)
     * @return this
     */
    public Watchdog clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * @param notifier where SHOULD, CONSIDER and unreadable signals are reported
     * @return this
     */
    public Watchdog notifier(Notifier notifier) {
        this.notifier = Objects.requireNonNull(notifier, "notifier");
        return this;
    }

    /**
     * @param plan   the rollback to run when a MUST rule holds
     * @param runner how to run it (journal, confirmations: a watchdog has no console, so approve by name)
     * @return this
     */
    public Watchdog onMust(RollbackPlan plan, RollbackRunner runner) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.runner = Objects.requireNonNull(runner, "runner");
        return this;
    }

    /**
     * @param listener sees every decision
     * @return this
     */
    public Watchdog listener(Consumer<Decision> listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Starts polling on a background thread.
     *
     * @return this
     */
    public Watchdog start() {
        validate();
        if (!state.compareAndSet(State.IDLE, State.WATCHING)) {
            throw new IllegalStateException("watchdog already " + state.get());
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rollback-watchdog");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::pollSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Reads every signal once, decides and acts. What the schedule calls; tests call it directly
     * with a manual clock.
     *
     * @return the decision
     */
    public Decision pollOnce() {
        validate();
        synchronized (pollLock) {
            State s = state.get();
            if (s == State.TRIGGERED || s == State.STOPPED) {
                return lastDecision;
            }
            try {
                SignalReads.readAll(signals, history, clock);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return lastDecision;
            }
            Decision d = table.decide(history, clock.instant());
            lastDecision = d;
            try {
                listener.accept(d);
            } catch (RuntimeException e) {
                LOG.warn("Watchdog listener failed: {}", Redactor.redact(String.valueOf(e)));
            }
            act(d);
            return d;
        }
    }

    private void act(Decision d) {
        if (d.level() == Level.MUST && plan != null) {
            state.set(State.TRIGGERED);
            LOG.warn("MUST roll back: {}", d.summary());
            notifyPeople("MUST roll back; running plan '" + plan.name() + "'. " + d.summary());
            try {
                triggeredRun = runner.reason(d.summary()).run(plan);
                LOG.info("Rollback run {} ended {}", triggeredRun.runId(), triggeredRun.outcome());
            } catch (RuntimeException e) {
                triggerError = e;
                LOG.error("The rollback plan could not run: {}", Redactor.redact(String.valueOf(e.getMessage())));
            }
            if (scheduler != null) {
                scheduler.shutdown();
            }
            return;
        }
        String key = d.level() + " " + d.fired().stream().map(Decision.Fired::rule).toList() + " " + d.unavailable().keySet();
        if (d.level().compareTo(Level.FIX_FORWARD) > 0 && !key.equals(lastNotified)) {
            notifyPeople(d.level() + " roll back? " + d.summary());
        }
        lastNotified = d.level().compareTo(Level.FIX_FORWARD) > 0 ? key : "";
    }

    private void notifyPeople(String message) {
        if (notifier == null) {
            return;
        }
        try {
            notifier.send(new Notifier.Notification(plan == null ? "watchdog" : plan.name(), "watchdog", Redactor.redact(message)));
        } catch (Exception e) {
            LOG.warn("Watchdog notification via {} failed: {}", notifier.name(), Redactor.redact(String.valueOf(e.getMessage())));
        }
    }

    private void pollSafely() {
        try {
            pollOnce();
        } catch (RuntimeException e) {
            LOG.error("Watchdog poll failed: {}", Redactor.redact(String.valueOf(e)));
        }
    }

    /**
     * Stops polling. A rollback already running is not interrupted: this waits for it, up to the timeout.
     *
     * @param timeout how long to wait for a poll (or a rollback) in progress
     * @return whether everything had stopped within the timeout
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean stop(Duration timeout) throws InterruptedException {
        state.getAndUpdate(s -> s == State.TRIGGERED ? s : State.STOPPED);
        if (scheduler == null) {
            return true;
        }
        scheduler.shutdown();
        return scheduler.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops polling, waiting up to a minute for a poll in progress. */
    @Override
    public void close() {
        try {
            stop(Duration.ofMinutes(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return where the watchdog is */
    public State state() {
        return state.get();
    }

    /** @return the latest decision */
    public Optional<Decision> lastDecision() {
        return Optional.ofNullable(lastDecision);
    }

    /** @return the report of the rollback it ran, once triggered */
    public Optional<RunReport> triggeredRun() {
        return Optional.ofNullable(triggeredRun);
    }

    /** @return why the rollback could not run, if it could not */
    public Optional<RuntimeException> triggerError() {
        return Optional.ofNullable(triggerError);
    }

    /** @return the samples so far */
    public SignalHistory history() {
        return history;
    }

    private void validate() {
        List<String> names = signals.stream().map(Signal::name).toList();
        List<String> missing = table.signals().stream().filter(s -> !names.contains(s)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the rules read signals no source provides: " + missing
                    + "; add them with .signals(Signal.of(\"name\", ...))");
        }
    }
}
