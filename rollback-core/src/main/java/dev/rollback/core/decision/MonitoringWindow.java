package dev.rollback.core.decision;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Durations;
import dev.rollback.core.Notifier;
import dev.rollback.core.Redactor;
import dev.rollback.core.StepContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One run of a monitoring window inside a step: poll, decide, tell, remember how long it watched,
 * until the window is over or a rule at the failing level fires. See {@link Monitoring}.
 */
final class MonitoringWindow {
    private static final Logger LOG = LoggerFactory.getLogger(MonitoringWindow.class);
    /** At least this many memory records per window, so that a crash loses at most a fiftieth of it. */
    private static final int RECORDS_PER_WINDOW = 50;

    private final Duration window;
    private final DecisionTable table;
    private final List<Signal> signals;
    private final List<Check> checks;
    private final Duration interval;
    private final Level failOn;
    private final Notifier notifier;

    MonitoringWindow(Duration window, DecisionTable table, List<Signal> signals, List<Check> checks, Duration interval, Level failOn,
                     Notifier notifier) {
        this.window = window;
        this.table = table;
        this.signals = List.copyOf(signals);
        this.checks = List.copyOf(checks);
        this.interval = interval;
        this.failOn = failOn;
        this.notifier = notifier;
    }

    void run(StepContext ctx) throws InterruptedException {
        Clock clock = ctx.clock();
        Duration before = ctx.recall(Monitoring.MEMORY_WATCHED).map(Duration::parse).orElse(Duration.ZERO);
        Map<String, CheckResult> lastChecks = new ConcurrentHashMap<>();
        List<Signal> sources = new ArrayList<>(signals);
        checks.forEach(c -> sources.add(checkSignal(c, ctx, lastChecks)));
        Duration recordEvery = max(interval, window.dividedBy(RECORDS_PER_WINDOW));

        if (before.compareTo(window) >= 0) {
            finish(ctx, before, 0, Level.NONE, "the window was watched to its end before the run stopped");
            return;
        }
        if (before.isZero()) {
            ctx.recall(Monitoring.MEMORY_FIRED).ifPresentOrElse(
                    fired -> ctx.progress("watching the whole window of " + Durations.human(window) + " again: it failed before ("
                            + fired + ")"),
                    () -> tell(ctx, "Monitoring " + ctx.planName() + " (run " + ctx.runId() + ") for " + Durations.human(window)
                            + ", polling every " + Durations.human(interval) + "; a " + failOn + " rule fails the run."));
        } else {
            ctx.progress("resuming the monitoring window: " + Durations.human(before) + " of " + Durations.human(window)
                    + " watched before the run stopped; watching the remaining " + Durations.human(window.minus(before)));
        }

        SignalHistory history = SignalHistory.create();
        Instant start = clock.instant();
        Duration recorded = before;
        Duration watched = before;
        Level worst = Level.NONE;
        String lastSaid = "";
        Level lastLevel = Level.NONE;
        int polls = 0;
        try {
            while (true) {
                SignalReads.readAll(sources, history, clock);
                polls++;
                Instant now = clock.instant();
                Decision d = table.decide(history, now);
                watched = before.plus(Duration.between(start, now));
                if (d.level().compareTo(failOn) >= 0) {
                    fail(ctx, d, watched, lastChecks);
                }
                worst = worst.max(d.level());
                String said = d.level() + " " + d.fired().stream().map(Decision.Fired::rule).toList() + " " + d.unavailable().keySet();
                boolean changed = !said.equals(lastSaid);
                if (changed && (alarming(d.level()) || alarming(lastLevel))) {
                    tell(ctx, "Monitoring " + ctx.planName() + " (run " + ctx.runId() + "), " + Durations.human(watched) + " of "
                            + Durations.human(window) + ": " + (alarming(d.level())
                            ? d.level() + " (the run fails on " + failOn + "). " + d.summary() : "back to " + d.level() + "."));
                }
                lastSaid = said;
                lastLevel = d.level();
                boolean over = watched.compareTo(window) >= 0;
                if (over || changed || polls == 1 || watched.minus(recorded).compareTo(recordEvery) >= 0) {
                    ctx.progress(progressLine(watched, polls, d));
                }
                if (over) {
                    break;
                }
                if (watched.minus(recorded).compareTo(recordEvery) >= 0) {
                    ctx.remember(Monitoring.MEMORY_WATCHED, watched.truncatedTo(ChronoUnit.MILLIS).toString());
                    recorded = watched;
                }
                Thread.sleep(Math.max(1, min(interval, window.minus(watched)).toMillis()));
            }
        } catch (InterruptedException e) {
            // a timeout or a stop: keep what was watched, so that a resume goes on from here
            Duration upTo = before.plus(Duration.between(start, clock.instant()));
            ctx.remember(Monitoring.MEMORY_WATCHED, min(upTo, window).truncatedTo(ChronoUnit.MILLIS).toString());
            throw e;
        }
        finish(ctx, window, polls, worst, "no " + failOn + " rule fired in " + Durations.human(window)
                + (worst.compareTo(Level.FIX_FORWARD) > 0 ? " (the strongest seen: " + worst + ")" : ""));
    }

    private void finish(StepContext ctx, Duration watched, int polls, Level worst, String result) {
        ctx.remember(Monitoring.MEMORY_WATCHED, window.toString());
        ctx.output(Monitoring.OUTPUT_WATCHED, Durations.human(watched));
        ctx.output(Monitoring.OUTPUT_POLLS, String.valueOf(polls));
        ctx.output(Monitoring.OUTPUT_WORST, worst.name());
        ctx.output(Monitoring.OUTPUT_RESULT, result);
        ctx.checkResult(CheckResult.passed("monitoring window", Durations.human(watched) + " watched, " + worst + " at worst",
                "no " + failOn + " rule for " + Durations.human(window)));
        tell(ctx, "Monitoring " + ctx.planName() + " (run " + ctx.runId() + ") complete: " + result + ".");
    }

    private void fail(StepContext ctx, Decision d, Duration watched, Map<String, CheckResult> lastChecks) {
        List<String> evidence = new ArrayList<>();
        for (Decision.Fired f : d.fired()) {
            if (f.level().compareTo(failOn) >= 0) {
                evidence.add(f.level() + " '" + f.rule() + "'");
            }
        }
        lastChecks.values().stream().filter(r -> !r.isPassed()).forEach(r -> evidence.add("check " + r.summary()));
        d.unavailable().forEach((signal, why) -> evidence.add("signal " + signal + " unavailable: " + why));
        // the time before the alarm is no evidence of a quiet system: a resume watches the whole window again
        ctx.remember(Monitoring.MEMORY_FIRED, String.join("; ", evidence));
        ctx.remember(Monitoring.MEMORY_WATCHED, Duration.ZERO.toString());
        ctx.output(Monitoring.OUTPUT_WATCHED, Durations.human(watched));
        ctx.output(Monitoring.OUTPUT_WORST, d.level().name());
        ctx.output(Monitoring.OUTPUT_RESULT, d.level() + " after " + Durations.human(watched) + ": " + String.join("; ", evidence));
        ctx.checkResult(CheckResult.failed("monitoring window", d.level() + " after " + Durations.human(watched) + ": "
                + String.join("; ", evidence), "no " + failOn + " rule for " + Durations.human(window), d.summary()));
        tell(ctx, "Monitoring " + ctx.planName() + " (run " + ctx.runId() + ") FAILED after " + Durations.human(watched) + " of "
                + Durations.human(window) + ": " + d.summary() + (lastChecks.values().stream().anyMatch(r -> !r.isPassed())
                ? " Checks: " + String.join("; ", lastChecks.values().stream().filter(r -> !r.isPassed()).map(CheckResult::summary).toList())
                : ""));
        throw new MonitoringFailedException(d, watched, window);
    }

    private String progressLine(Duration watched, int polls, Decision d) {
        Duration left = window.minus(watched);
        Map<String, String> values = new TreeMap<>(d.values());
        d.unavailable().keySet().forEach(k -> values.put(k, "unavailable"));
        List<String> shown = new ArrayList<>();
        values.forEach((k, v) -> shown.add(k + "=" + v));
        return "monitoring: " + Durations.human(min(watched, window)) + " of " + Durations.human(window)
                + (left.isNegative() || left.isZero() ? "" : " (" + Durations.human(left) + " left)") + ", poll " + polls + ": " + d.level()
                + (d.fired().isEmpty() ? "" : " " + d.fired().stream().map(f -> "'" + f.rule() + "'").toList())
                + (shown.isEmpty() ? "" : "; " + String.join(", ", shown));
    }

    /** A check as a signal read with the run's context: 1 while it fails or cannot run, 0 while it passes. */
    private static Signal checkSignal(Check check, StepContext ctx, Map<String, CheckResult> last) {
        return Signal.of(Monitoring.CHECK_SIGNAL_PREFIX + check.name(), () -> {
            CheckResult r;
            try {
                r = check.check(ctx);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                r = CheckResult.failed(check.name(), e.getClass().getSimpleName(), "a result", Redactor.redact(String.valueOf(e.getMessage())));
            }
            if (r == null) {
                r = CheckResult.failed(check.name(), "no result", "a result", "the check returned no result");
            }
            last.put(check.name(), r);
            return r.isPassed() ? 0.0 : 1.0;
        });
    }

    private void tell(StepContext ctx, String message) {
        ctx.progress(message);
        if (notifier == null) {
            return;
        }
        try {
            notifier.send(new Notifier.Notification(ctx.planName(), ctx.runId(), Redactor.redact(message)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Monitoring notification via {} failed: {}", notifier.name(), Redactor.redact(String.valueOf(e.getMessage())));
            ctx.progress("notification via " + notifier.name() + " failed: " + Redactor.redact(String.valueOf(e.getMessage())));
        }
    }

    /** Levels people are told about: CONSIDER and stronger. */
    private static boolean alarming(Level level) {
        return level.compareTo(Level.FIX_FORWARD) > 0;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
