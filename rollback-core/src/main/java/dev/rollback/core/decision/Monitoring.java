package dev.rollback.core.decision;

import dev.rollback.core.Check;
import dev.rollback.core.Durations;
import dev.rollback.core.Notifier;
import dev.rollback.core.Step;
import dev.rollback.core.StepDescription;
import dev.rollback.core.spi.DescribedStep;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a post-rollback monitoring window watches: the signals of a {@link DecisionTable} (the
 * runbook's MUST / SHOULD / CONSIDER table), checks (a health endpoint, a row count), or both, polled
 * at an interval. The runbooks end with one: "Monitor closely for 2 hours" (seed 000), "Monitor for
 * 30 minutes" (seed 003). A plan watches it with {@link dev.rollback.core.StepsBuilder#monitorFor
 * .monitorFor(window, monitoring)}; the step
 * fails the run with a {@link MonitoringFailedException} when a rule at {@link #failOn(Level) the
 * failing level} fires, and tells people through the {@link #notifier(Notifier) notifier}.
 * Immutable: every method returns a copy.
 *
 * <pre>{@code
 * Monitoring watch = Monitoring.rules(SeedDecisionTables.seed000())
 *     .signals(Signal.failing("health.failing", Http.get(healthUrl).expectStatus(200)),
 *              Signal.of("error.rate", metrics::errorRate))
 *     .withChecks(Http.get(healthUrl).expectJson("database", "mongodb"))   // a failing check is a MUST
 *     .every(Duration.ofSeconds(30))
 *     .notifier(team);
 * plan.monitorFor(Duration.ofHours(2), watch);
 * }</pre>
 *
 * <p>A resume after a crash inside the window watches what remained of it, not the whole window
 * again: the step remembers how long it has watched (in {@link dev.rollback.core.StepContext#remember step memory},
 * at most {@linkplain #every every poll} and at least 50 times per window). After a rule fired, a
 * resume watches the whole window again: time before the alarm is no evidence of a quiet system.
 */
public final class Monitoring {
    /** The output with how long the window watched, for people ("2 h 00 min"). */
    public static final String OUTPUT_WATCHED = "monitor.watched";
    /** The output with the number of polls in the invocation that finished the window. */
    public static final String OUTPUT_POLLS = "monitor.polls";
    /** The output with the strongest decision seen below the failing level ("NONE" when no rule ever fired). */
    public static final String OUTPUT_WORST = "monitor.worst";
    /** The output with one line on how the window ended. */
    public static final String OUTPUT_RESULT = "monitor.result";
    /** The step-memory key of the time watched so far, an ISO-8601 duration. */
    public static final String MEMORY_WATCHED = "monitor.watched";
    /** The step-memory key of the alarm that failed an earlier attempt. */
    public static final String MEMORY_FIRED = "monitor.fired";
    /** The signal names checks get: this prefix and the check's name. */
    public static final String CHECK_SIGNAL_PREFIX = "check.";

    private final DecisionTable table;
    private final List<Signal> signals;
    private final List<Check> checks;
    private final int failAfter;
    private final Duration interval;
    private final Level failOn;
    private final Notifier notifier;

    private Monitoring(DecisionTable table, List<Signal> signals, List<Check> checks, int failAfter, Duration interval,
                       Level failOn, Notifier notifier) {
        this.table = table;
        this.signals = List.copyOf(signals);
        this.checks = List.copyOf(checks);
        this.failAfter = failAfter;
        this.interval = interval;
        this.failOn = failOn;
        this.notifier = notifier;
    }

    /**
     * Watches a decision table's rules; give every signal they read with {@link #signals(Signal...)}.
     *
     * @param table the rules
     * @return a monitoring that fails on MUST and polls every 30 s
     */
    public static Monitoring rules(DecisionTable table) {
        return new Monitoring(Objects.requireNonNull(table, "table"), List.of(), List.of(), 1, Duration.ofSeconds(30), Level.MUST, null);
    }

    /**
     * Watches checks: a check that fails (or cannot run: a refused connection) is a MUST rule,
     * {@code check '<name>' failing}, on {@link #failAfter(int) one failing poll} by default.
     *
     * @param checks the checks, at least one
     * @return a monitoring that fails on MUST and polls every 30 s
     */
    public static Monitoring checks(Check... checks) {
        if (checks.length == 0) {
            throw new IllegalArgumentException("Monitoring.checks needs at least one check");
        }
        return new Monitoring(null, List.of(), List.of(checks), 1, Duration.ofSeconds(30), Level.MUST, null);
    }

    /**
     * @param sources where the rules' signals come from; every signal a rule reads needs one
     * @return a copy with these signals added
     */
    public Monitoring signals(Signal... sources) {
        List<Signal> all = new ArrayList<>(signals);
        for (Signal s : sources) {
            all.add(Objects.requireNonNull(s, "signal"));
        }
        return new Monitoring(table, all, checks, failAfter, interval, failOn, notifier);
    }

    /**
     * @param more checks to watch besides the rules; each failing one is a MUST rule
     * @return a copy with these checks added
     */
    public Monitoring withChecks(Check... more) {
        List<Check> all = new ArrayList<>(checks);
        for (Check c : more) {
            all.add(Objects.requireNonNull(c, "check"));
        }
        return new Monitoring(table, signals, all, failAfter, interval, failOn, notifier);
    }

    /**
     * @param polls how many polls in a row a check must fail before its rule fires (default 1:
     *              the runbooks ask for 100 % uptime in the window)
     * @return a copy
     */
    public Monitoring failAfter(int polls) {
        if (polls < 1) {
            throw new IllegalArgumentException("failAfter needs at least one poll, got " + polls);
        }
        return new Monitoring(table, signals, checks, polls, interval, failOn, notifier);
    }

    /**
     * @param pollInterval the time between polls (default 30 s, as the seeds' {@code watch -n 30})
     * @return a copy
     */
    public Monitoring every(Duration pollInterval) {
        Objects.requireNonNull(pollInterval, "interval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("the poll interval must be positive, got " + pollInterval);
        }
        return new Monitoring(table, signals, checks, failAfter, pollInterval, failOn, notifier);
    }

    /**
     * @param level the weakest level that fails the window (default {@link Level#MUST}); weaker
     *              levels, and signals that cannot be read, are sent to the notifier when they change.
     *              {@link Level#CONSIDER} also fails on a signal that cannot be read.
     * @return a copy
     */
    public Monitoring failOn(Level level) {
        Objects.requireNonNull(level, "level");
        if (level.compareTo(Level.CONSIDER) < 0) {
            throw new IllegalArgumentException("failOn needs CONSIDER, SHOULD or MUST; " + level + " would fail a healthy system");
        }
        return new Monitoring(table, signals, checks, failAfter, interval, level, notifier);
    }

    /**
     * @param target who is told: the window's start and end, every change of the decision below the
     *               failing level, and the alarm that fails it (a failing notification is logged and
     *               never fails the window)
     * @return a copy
     */
    public Monitoring notifier(Notifier target) {
        return new Monitoring(table, signals, checks, failAfter, interval, failOn, Objects.requireNonNull(target, "notifier"));
    }

    /** @return the time between polls */
    public Duration interval() {
        return interval;
    }

    /** @return the weakest level that fails the window */
    public Level failingLevel() {
        return failOn;
    }

    /**
     * The step that watches for a window: non-destructive, it polls until the window is over and
     * succeeds, or fails with a {@link MonitoringFailedException} as soon as a rule at the failing
     * level fires. What {@code .monitorFor(window, monitoring)} adds to a plan.
     *
     * @param window how long to watch (seconds in drills, hours in production)
     * @return the step, named {@code monitor for <window>}
     * @throws IllegalArgumentException when the window is not positive, or a rule reads a signal no source gives
     */
    public Step forWindow(Duration window) {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a monitoring window must be positive, got " + window);
        }
        DecisionTable rules = effectiveTable();
        String name = "monitor for " + Durations.human(window);
        StepDescription description = StepDescription.of(name)
                .param("window", window)
                .param("every", interval)
                .param("fails on", failOn + " or stronger")
                .param("rules", rules.rules().size())
                .param("signals", String.join(", ", rules.signals()))
                .param("notifier", notifier == null ? "none" : notifier.name());
        MonitoringWindow watch = new MonitoringWindow(window, rules, signals, checks, interval, failOn, notifier);
        return DescribedStep.of(name, description, watch::run);
    }

    /** The table's rules and one MUST rule per check; refuses rules whose signals have no source. */
    private DecisionTable effectiveTable() {
        List<Rule> rules = new ArrayList<>(table == null ? List.of() : table.rules());
        Set<String> sources = new LinkedHashSet<>();
        signals.forEach(s -> sources.add(s.name()));
        for (Check c : checks) {
            String signal = CHECK_SIGNAL_PREFIX + c.name();
            if (!sources.add(signal)) {
                throw new IllegalArgumentException("two monitored checks are named '" + c.name() + "'; give one another name");
            }
            SignalCondition failing = Condition.signal(signal).atLeast(1);
            rules.add(Rule.must("check '" + c.name() + "' failing" + (failAfter > 1 ? " " + failAfter + " polls in a row" : ""),
                    failAfter > 1 ? failing.forConsecutiveSamples(failAfter) : failing));
        }
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("a monitoring window needs rules or checks to watch");
        }
        DecisionTable all = DecisionTable.of(rules.toArray(Rule[]::new));
        List<String> missing = all.signals().stream().filter(s -> !sources.contains(s)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the monitoring rules read signals no source provides: " + missing
                    + "; add them with .signals(Signal.of(\"name\", ...))");
        }
        return all;
    }
}
