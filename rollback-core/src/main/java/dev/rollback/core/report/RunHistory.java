package dev.rollback.core.report;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Downtime;
import dev.rollback.core.Notifier;
import dev.rollback.core.Phase;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.StepKind;
import dev.rollback.core.journal.JournalEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a run's journal says happened, in the shape the reports need: the processes that worked on
 * the run (and which of them died), one record per step with its attempts placed on the time axis,
 * approvals, checks, outputs. Built once from the events; every renderer reads it.
 */
final class RunHistory {
    /** The output key under which a notify step journals the message it sent. */
    static final String NOTIFY_MESSAGE = Notifier.SENT_MESSAGE_OUTPUT;

    /** What became of a step. */
    enum Status {
        SUCCEEDED("ok"), FAILED("FAILED"), SKIPPED("done earlier"), WAIVED("WAIVED"), INTERRUPTED("INTERRUPTED"), RUNNING("running"), NOT_RUN("not run");

        final String label;

        Status(String label) {
            this.label = label;
        }
    }

    /**
     * One process that worked on the run: the first run or a resume.
     *
     * @param number   1 for the process that started the run
     * @param operator who ran it
     * @param host     where
     * @param pid      its process id
     * @param start    when it started (or resumed)
     * @param lastSeen its last journaled event
     * @param outcome  how it ended, or null when it recorded no end
     * @param died     whether a later process resumed the run without this one recording an end
     * @param checkpoint the checkpoint a resume restarted after, or null
     */
    record Invocation(int number, String operator, String host, long pid, Instant start, Instant lastSeen, String outcome,
                      boolean died, String checkpoint) {
    }

    /**
     * One attempt of a step, within one process.
     *
     * @param number     attempt number within its process
     * @param invocation the process that ran it
     * @param start      when it started
     * @param end        its start plus the time the runner measured, or the process's last sign of life when it never ended
     * @param ok         whether it succeeded
     * @param ended      whether its end was journaled
     * @param error      why it failed, or null
     */
    record Attempt(int number, int invocation, Instant start, Instant end, boolean ok, boolean ended, String error) {
        Duration duration() {
            return Duration.between(start, end);
        }
    }

    /** Everything the journal holds about one step. */
    static final class StepRecord {
        final int index;
        String name;
        StepKind kind;
        String phase;
        boolean destructive;
        Status status = Status.NOT_RUN;
        final List<Attempt> attempts = new ArrayList<>();
        List<CheckResult> checks = List.of();
        final Map<String, String> outputs = new LinkedHashMap<>();
        String error;
        String sentMessage;
        Instant pendingStart;
        int pendingAttempt;
        int pendingInvocation;

        StepRecord(int index) {
            this.index = index;
        }

        /** @return the time its attempts took, crash gaps and pauses between attempts left out */
        Duration time() {
            return attempts.stream().map(Attempt::duration).reduce(Duration.ZERO, Duration::plus);
        }

        boolean isCheck() {
            return kind == StepKind.PRECHECK || kind == StepKind.VERIFY;
        }
    }

    /** A decision about an approval. */
    record Approval(Instant time, String step, boolean granted, String who, String method, String reason) {
    }

    /** A check result with the step it belongs to. */
    record StepCheck(StepRecord step, CheckResult result) {
    }

    /** A failed attempt. */
    record FailureRecord(Instant time, StepRecord step, int attempt, boolean retried, String error, String code, Map<String, String> evidence) {
    }

    final List<JournalEvent> events;
    final RollbackPlan plan;
    final String runId;
    final JournalEvent.RunStarted started;
    final List<Invocation> invocations = new ArrayList<>();
    final Map<Integer, StepRecord> steps = new TreeMap<>();
    final List<Approval> approvals = new ArrayList<>();
    final List<StepCheck> checks = new ArrayList<>();
    final List<FailureRecord> failures = new ArrayList<>();
    final Map<String, String> outputs = new LinkedHashMap<>();
    final Map<String, String> allOutputs = new LinkedHashMap<>();
    final Instant t0;
    final Instant t1;
    /** The end of the last process, or null when it recorded none (it stopped, or is still running). */
    final JournalEvent.RunFinished finished;
    /** How long the application was down: stopped to verified healthy. */
    final Downtime downtime;

    RunHistory(List<JournalEvent> events, RollbackPlan plan) {
        this.events = List.copyOf(events);
        this.plan = plan;
        this.runId = events.get(0).runId();
        this.started = events.stream().filter(JournalEvent.RunStarted.class::isInstance).map(JournalEvent.RunStarted.class::cast)
                .findFirst().orElse(null);
        this.t0 = events.get(0).time();
        this.t1 = events.get(events.size() - 1).time();
        if (plan != null) {
            for (PlannedStep s : plan.stepsAndHandlers()) {
                StepRecord r = step(s.index());
                r.name = s.name();
                r.kind = s.kind();
                r.phase = s.phase();
                r.destructive = s.destructive();
            }
        }
        read();
        JournalEvent last = events.get(events.size() - 1);
        this.finished = last instanceof JournalEvent.RunFinished f ? f : null;
        this.downtime = Downtime.of(this.events);
    }

    private StepRecord step(int index) {
        return steps.computeIfAbsent(index, StepRecord::new);
    }

    private StepRecord step(int index, String name, StepKind kind) {
        StepRecord r = step(index);
        if (r.name == null) {
            r.name = name;
        }
        if (r.kind == null) {
            r.kind = kind;
        }
        return r;
    }

    private void read() {
        int invocation = 0;
        Instant lastSeen = null;
        JournalEvent.RunStarted s0 = null;
        JournalEvent.RunResumed r0 = null;
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.RunStarted s || e instanceof JournalEvent.RunResumed) {
                if (invocation > 0) {
                    closeInvocation(invocation, s0, r0, lastSeen, null, true);
                    interruptPending(invocation, lastSeen);
                }
                invocation++;
                s0 = e instanceof JournalEvent.RunStarted s ? s : null;
                r0 = e instanceof JournalEvent.RunResumed r ? r : null;
            } else if (e instanceof JournalEvent.StepStarted s) {
                StepRecord r = step(s.index(), s.step(), s.kind());
                r.pendingStart = s.time();
                r.pendingAttempt = s.attempt();
                r.pendingInvocation = invocation;
                r.status = Status.RUNNING;
            } else if (e instanceof JournalEvent.StepFinished f) {
                StepRecord r = step(f.index(), f.step(), f.kind());
                Instant from = startOf(r, f.time(), f.durationMillis());
                r.attempts.add(new Attempt(f.attempt(), invocation, from, from.plusMillis(f.durationMillis()), true, true, null));
                r.pendingStart = null;
                r.status = Status.SUCCEEDED;
                r.error = null;
                r.checks = f.checks();
                r.outputs.putAll(f.outputs());
                f.checks().forEach(c -> checks.add(new StepCheck(r, c)));
                outputs.putAll(f.outputs());
                allOutputs.putAll(f.outputs());
                sent(r, f.outputs());
            } else if (e instanceof JournalEvent.StepFailed f) {
                StepRecord r = step(f.index(), f.step(), f.kind());
                Instant from = startOf(r, f.time(), f.durationMillis());
                r.attempts.add(new Attempt(f.attempt(), invocation, from, from.plusMillis(f.durationMillis()), false, true, f.error()));
                r.pendingStart = null;
                failures.add(new FailureRecord(f.time(), r, f.attempt(), f.willRetry(), f.error(), f.errorCode(), f.outputs()));
                allOutputs.putAll(f.outputs());
                sent(r, f.outputs());
                if (!f.willRetry()) {
                    r.status = Status.FAILED;
                    r.error = f.error();
                    r.checks = f.checks();
                    f.checks().forEach(c -> checks.add(new StepCheck(r, c)));
                }
            } else if (e instanceof JournalEvent.StepWaived w) {
                StepRecord r = step(w.index());
                if (r.name == null) {
                    r.name = w.step();
                }
                r.status = Status.WAIVED;
                r.error = "waived by " + w.operator() + ": " + w.reason();
            } else if (e instanceof JournalEvent.StepSkipped s) {
                StepRecord r = step(s.index());
                if (r.name == null) {
                    r.name = s.step();
                }
                r.status = Status.SKIPPED;
            } else if (e instanceof JournalEvent.ApprovalGranted a) {
                approvals.add(new Approval(a.time(), a.step(), true, a.role() == null ? a.approver() : a.approver() + " as " + a.role(),
                        a.method(), null));
            } else if (e instanceof JournalEvent.ApprovalRefused a) {
                approvals.add(new Approval(a.time(), a.step(), false, null, a.method(), a.reason()));
            } else if (e instanceof JournalEvent.CheckpointReached c) {
                c.outputs().forEach(outputs::putIfAbsent);
                c.outputs().forEach(allOutputs::putIfAbsent);
            } else if (e instanceof JournalEvent.RunFinished f) {
                closeInvocation(invocation, s0, r0, f.time(), f.outcome(), false);
                s0 = null;
                r0 = null;
            }
            lastSeen = e.time();
        }
        if (invocation > 0 && (s0 != null || r0 != null)) {
            closeInvocation(invocation, s0, r0, lastSeen, null, false);
        }
    }

    /** A notify step journals the message it sent as an output; the report shows it instead of the template. */
    private static void sent(StepRecord r, Map<String, String> out) {
        String m = out.get(NOTIFY_MESSAGE);
        if (m != null) {
            r.sentMessage = m;
        }
    }

    /** The attempt's start: its StepStarted in this process, else its end less its duration. */
    private static Instant startOf(StepRecord r, Instant end, long millis) {
        return r.pendingStart != null ? r.pendingStart : end.minusMillis(millis);
    }

    private void interruptPending(int invocation, Instant lastSeen) {
        for (StepRecord r : steps.values()) {
            if (r.pendingStart != null && r.pendingInvocation == invocation) {
                r.attempts.add(new Attempt(r.pendingAttempt, invocation, r.pendingStart, lastSeen, false, false,
                        "the process died during this attempt"));
                r.pendingStart = null;
                r.status = Status.INTERRUPTED;
            }
        }
    }

    private void closeInvocation(int number, JournalEvent.RunStarted s, JournalEvent.RunResumed r, Instant lastSeen, String outcome,
                                 boolean died) {
        if (s == null && r == null) {
            return;
        }
        invocations.add(s != null
                ? new Invocation(number, s.operator(), s.host(), s.pid(), s.time(), lastSeen, outcome, died, null)
                : new Invocation(number, r.operator(), r.host(), r.pid(), r.time(), lastSeen, outcome, died, r.fromCheckpoint()));
    }

    /** @return the plan's name */
    String planName() {
        return started != null ? started.planName() : plan != null ? plan.name() : "?";
    }

    /** @return whether the last process recorded an end */
    boolean ended() {
        return finished != null;
    }

    /** @return whether the run ended in success */
    boolean succeeded() {
        return finished != null && finished.outcome().startsWith("SUCCEEDED");
    }

    /** @return the abandon that closed the run, if it was abandoned */
    Optional<JournalEvent.RunAbandoned> abandoned() {
        return events.stream().filter(JournalEvent.RunAbandoned.class::isInstance).map(JournalEvent.RunAbandoned.class::cast).findFirst();
    }

    /** @return whether the run needs someone: it failed, was refused, or stopped without an end */
    boolean needsAttention() {
        return !succeeded();
    }

    /** @return the crash gaps: from a dead process's last event to the next process's start */
    List<Gap> gaps() {
        List<Gap> gaps = new ArrayList<>();
        for (int i = 0; i + 1 < invocations.size(); i++) {
            Invocation a = invocations.get(i);
            Invocation b = invocations.get(i + 1);
            gaps.add(new Gap(a, b, a.lastSeen(), b.start()));
        }
        return gaps;
    }

    /**
     * The time between two processes: the first died (or stopped) at {@code from}, the next resumed at {@code to}.
     *
     * @param before the process that stopped
     * @param after  the process that resumed
     * @param from   the first's last event
     * @param to     the second's start
     */
    record Gap(Invocation before, Invocation after, Instant from, Instant to) {
    }

    /** @return the steps the plan or the journal know, in plan order */
    List<StepRecord> stepList() {
        return List.copyOf(steps.values());
    }

    /** @return the phases, with each one's steps, in plan order (empty without a plan) */
    List<Phase> phases() {
        return plan == null ? List.of() : plan.phases();
    }

    /**
     * @param phase a phase
     * @return the time its steps' attempts took
     */
    Duration phaseTime(Phase phase) {
        return steps.values().stream().filter(s -> phase.name().equals(s.phase)).map(StepRecord::time).reduce(Duration.ZERO, Duration::plus);
    }

    /** @return the application's state as the run left it: the last app step that finished, or the one that failed */
    Optional<StepRecord> lastAppStep() {
        StepRecord last = null;
        Instant when = null;
        for (StepRecord r : steps.values()) {
            if ((r.kind == StepKind.STOP_APP || r.kind == StepKind.START_APP) && !r.attempts.isEmpty()) {
                Instant t = r.attempts.get(r.attempts.size() - 1).end();
                if (when == null || !t.isBefore(when)) {
                    last = r;
                    when = t;
                }
            }
        }
        return Optional.ofNullable(last);
    }

    /** @return the steps that changed something and finished (or may have: interrupted, failed, or still running) */
    List<StepRecord> changes() {
        return steps.values().stream().filter(r -> r.kind != null && !r.kind.isReadOnly() && (!r.attempts.isEmpty() || r.pendingStart != null))
                .toList();
    }

    /** @return whether a restore step finished */
    boolean restoreRan() {
        return steps.values().stream().anyMatch(r -> r.kind == StepKind.RESTORE
                && r.attempts.stream().anyMatch(Attempt::ok));
    }

    /** @return whether the plan has a restore step at all (unknown without a plan or a journaled one) */
    boolean hasRestore() {
        return steps.values().stream().anyMatch(r -> r.kind == StepKind.RESTORE);
    }
}
