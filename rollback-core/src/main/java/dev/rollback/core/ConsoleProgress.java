package dev.rollback.core;

import dev.rollback.core.journal.JournalEvent;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Shows a run on a terminal: step n of N with its kind and name, each step's time, retries,
 * approvals, progress of long steps, and each phase's time against its budget.
 *
 * <pre>
 * Run 20261125-031500-3fa2 of plan 'nextcrm-back-to-mongo' (12 steps)
 * == Phase 2: stop application (budget 2 min 00 s)
 * [ 4/12] stop app     stop systemd unit nextcrm
 *         ok in 2.1 s
 * == Phase 2: stop application took 2.3 s of 2 min 00 s
 *         app down from here: downtime lasts until a check passes after the app is started
 * ...
 *         app verified healthy: it was down 4.1 s
 * Run 20261125-031500-3fa2 SUCCEEDED in 3 min 12 s
 * Downtime: 4.1 s (app stopped 03:16:02.100 -&gt; healthy 03:16:06.200)
 * </pre>
 *
 * This is the one place where library code prints: the user chooses the stream.
 */
public final class ConsoleProgress implements RunListener {
    private final PrintStream out;
    private RollbackPlan plan;
    private String currentPhase;
    private final Map<String, Duration> phaseTime = new HashMap<>();
    private final List<JournalEvent> seen = new ArrayList<>();   // this process's events, for the downtime so far
    private boolean appDown;

    private ConsoleProgress(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /**
     * @param out where to print, usually {@code System.out}
     * @return the listener
     */
    public static ConsoleProgress to(PrintStream out) {
        return new ConsoleProgress(out);
    }

    @Override
    public synchronized void runStarting(RollbackPlan plan, String runId, boolean resumed) {
        this.plan = plan;
        seen.clear();
        appDown = false;
        out.println((resumed ? "Resuming run " : "Run ") + runId + " of plan '" + plan.name() + "' (" + plan.steps().size()
                + " steps, fingerprint " + plan.fingerprint() + ")");
    }

    @Override
    public synchronized void event(RollbackPlan plan, JournalEvent event) {
        this.plan = plan;
        int total = plan.steps().size();
        int width = String.valueOf(total).length();
        seen.add(event);
        if (event instanceof JournalEvent.RunResumed e) {
            out.println("  restarting after " + (e.fromCheckpoint() == null ? "the start (no checkpoint was reached)"
                    : "checkpoint '" + e.fromCheckpoint() + "'"));
        } else if (event instanceof JournalEvent.StepSkipped e) {
            plan.stepAt(e.index()).ifPresent(s -> enterPhase(s.phase()));
            out.printf("[%" + width + "d/%d] skipped      %s (%s)%n", e.index(), total, e.step(), e.reason());
        } else if (event instanceof JournalEvent.StepWaived e) {
            plan.stepAt(e.index()).ifPresent(s -> enterPhase(s.phase()));
            out.printf("[%" + width + "d/%d] WAIVED       %s (by %s: %s)%n", e.index(), total, e.step(), e.operator(), e.reason());
        } else if (event instanceof JournalEvent.StepStarted e) {
            PlannedStep step = plan.stepAt(e.index()).orElseThrow();
            enterPhase(step.phase());
            if (e.attempt() == 1 && e.index() > total) {
                out.printf("%s %-12s %s%n", " ".repeat(2 * width + 2), label(step.kind()), e.step());
            } else if (e.attempt() == 1) {
                out.printf("[%" + width + "d/%d] %-12s %s%n", e.index(), total, label(step.kind()), e.step());
            } else {
                out.printf("%sattempt %d%n", pad(width), e.attempt());
            }
            if (step.kind() == StepKind.STOP_APP && !appDown) {
                appDown = true;
                out.println(pad(width) + "app down from here: downtime lasts until a check passes after the app is started");
            }
        } else if (event instanceof JournalEvent.StepFinished e) {
            PlannedStep step = plan.stepAt(e.index()).orElseThrow();
            addPhaseTime(step.phase(), e.durationMillis());
            StringBuilder b = new StringBuilder(pad(width)).append("ok in ").append(Durations.human(Duration.ofMillis(e.durationMillis())));
            e.checks().forEach(c -> b.append("\n").append(pad(width)).append(c.summary()));
            out.println(b);
            if (appDown && step.kind() == StepKind.VERIFY) {
                Downtime d = Downtime.of(seen);
                Downtime.Window last = d.windows().isEmpty() ? null : d.windows().get(d.windows().size() - 1);
                if (last != null && last.end() == Downtime.End.HEALTHY && e.step().equals(last.untilStep())) {
                    appDown = false;
                    out.println(pad(width) + "app verified healthy: it was down " + Durations.human(last.duration()));
                }
            }
        } else if (event instanceof JournalEvent.StepFailed e) {
            PlannedStep step = plan.stepAt(e.index()).orElseThrow();
            addPhaseTime(step.phase(), e.durationMillis());
            out.println(pad(width) + "FAILED after " + Durations.human(Duration.ofMillis(e.durationMillis())) + ": " + e.error()
                    + (e.willRetry() ? " (will retry)" : ""));
        } else if (event instanceof JournalEvent.ApprovalGranted e) {
            out.println(pad(width) + "'" + e.step() + "' approved by " + e.approver() + (e.role() == null ? "" : " as " + e.role())
                    + " (" + e.method() + ")");
        } else if (event instanceof JournalEvent.ApprovalRefused e) {
            out.println(pad(width) + "'" + e.step() + "' NOT APPROVED (" + e.method() + "): " + e.reason());
        } else if (event instanceof JournalEvent.CapturedFilesMissing e) {
            out.println("  WARNING: " + e.host() + " cannot see " + e.problems().size() + " file(s) this run captured earlier:");
            e.problems().forEach(p -> out.println("    " + p));
        } else if (event instanceof JournalEvent.CheckpointReached e) {
            out.println(pad(width) + "checkpoint '" + e.name() + "' reached");
        }
    }

    @Override
    public synchronized void progress(PlannedStep step, String message) {
        out.println(pad(String.valueOf(plan == null ? 1 : plan.steps().size()).length()) + "... " + message);
    }

    @Override
    public synchronized void runFinished(RunReport report) {
        enterPhase(null);
        out.println("Run " + report.runId() + " " + report.outcome() + " in " + Durations.human(report.duration()));
        if (!report.downtime().isNone()) {
            out.println("Downtime: " + report.downtime().summary());
        }
        report.failureIfAny().ifPresent(f -> {
            out.println("Stopped at step " + f.index() + " '" + f.step() + "': " + f.message());
            f.stateLeftBehind().lines().forEach(l -> out.println("  " + l));
            out.println("Resume with: " + f.resumeCommand());
        });
        if (report.journal() != null) {
            out.println("Journal: " + report.journal());
        }
    }

    private void enterPhase(String phase) {
        if (Objects.equals(phase, currentPhase)) {
            return;
        }
        if (currentPhase != null) {
            Duration budget = plan.phases().stream().filter(p -> p.name().equals(currentPhase)).map(Phase::budget).findFirst().orElse(Duration.ZERO);
            Duration actual = phaseTime.getOrDefault(currentPhase, Duration.ZERO);
            out.println("== " + currentPhase + " took " + Durations.human(actual) + " of " + Durations.human(budget)
                    + (actual.compareTo(budget) > 0 ? " - OVER BUDGET" : ""));
        }
        if (phase != null) {
            Duration budget = plan.phases().stream().filter(p -> p.name().equals(phase)).map(Phase::budget).findFirst().orElse(Duration.ZERO);
            out.println("== " + phase + " (budget " + Durations.human(budget) + ")");
        }
        currentPhase = phase;
    }

    private void addPhaseTime(String phase, long millis) {
        if (phase != null) {
            phaseTime.merge(phase, Duration.ofMillis(millis), Duration::plus);
        }
    }

    private static String label(StepKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static String pad(int width) {
        return " ".repeat(width * 2 + 4);
    }
}
