package dev.rollback.core.internal;

import dev.rollback.core.AbandonReport;
import dev.rollback.core.ApprovalRefusedException;
import dev.rollback.core.ApprovalUnavailableException;
import dev.rollback.core.CheckFailedException;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.ConsoleProgress;
import dev.rollback.core.FailurePolicy;
import dev.rollback.core.Phase;
import dev.rollback.core.PlanChangedException;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.Redactor;
import dev.rollback.core.RollbackException;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunListener;
import dev.rollback.core.RunNotResumableException;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepKind;
import dev.rollback.core.StepResult;
import dev.rollback.core.StepTimeoutException;
import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalException;
import dev.rollback.core.journal.LeaseLostException;
import dev.rollback.core.journal.RunSummary;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.report.IncidentReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;

/** One invocation of a plan: a run, a resume or a dry run. Not public API. */
public final class RunExecution {
    private static final Logger LOG = LoggerFactory.getLogger("dev.rollback.runner");
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(5);

    private final RollbackPlan plan;
    private final Journal journal;
    private final Confirmations confirmations;
    private final List<RunListener> listeners;
    private final String operator;
    private final String reason;
    private final Clock clock;
    private final Function<String, String> resumeCommand;
    private final boolean approvalsUpFront;

    private final Map<String, String> outputs = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Each step's durable memory, by step name: what it remembered in any invocation of this run. */
    private final Map<String, Map<String, String>> memory = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<StepResult> results = new ArrayList<>();
    /** The handlers that ran in this invocation, in order. */
    private final List<StepResult> handlerResults = new ArrayList<>();
    /** The failure the handlers now running react to, or null. */
    private volatile RunReport.Failure handling;
    /** Captures that finished before a destructive step started: a resume does not take them again. */
    private final Map<Integer, JournalEvent.StepFinished> capturesTaken = new LinkedHashMap<>();
    private Journal.JournalWriter writer;
    private String runId;
    private CapturedFiles capturedFiles;
    /** The step whose start was journaled last, and whether its end was journaled too: where a journal failure stopped the run. */
    private PlannedStep lastStarted;
    private boolean lastStartedEnded = true;

    /**
     * @param plan          plan
     * @param journal       journal
     * @param confirmations approvals
     * @param listeners     listeners
     * @param operator      operator
     * @param reason        reason
     * @param clock         clock
     * @param resumeCommand    renders the resume call
     * @param approvalsUpFront ask for every destructive step before the first step runs
     */
    public RunExecution(RollbackPlan plan, Journal journal, Confirmations confirmations, List<RunListener> listeners,
                        String operator, String reason, Clock clock, Function<String, String> resumeCommand,
                        boolean approvalsUpFront) {
        this.plan = plan;
        this.journal = journal;
        this.confirmations = confirmations;
        this.listeners = listeners;
        this.operator = operator;
        this.reason = reason;
        this.clock = clock;
        this.resumeCommand = resumeCommand;
        this.approvalsUpFront = approvalsUpFront;
    }

    /** @return the report of a dry run */
    public RunReport dryRun() {
        Instant now = clock.instant();
        List<StepResult> steps = plan.steps().stream().map(s -> notRun(s)).toList();
        List<RunReport.PhaseResult> phases = plan.phases().stream()
                .map(p -> new RunReport.PhaseResult(p.name(), p.budget(), Duration.ZERO)).toList();
        return new RunReport(plan.name(), plan.fingerprint(), "dry-run", RunOutcome.DRY_RUN, now, now, steps, phases,
                null, Map.of(), "none (dry run)", null, List.of());
    }

    /**
     * Starts a new run, unless the plan's state refuses it (an interrupted run, or a success).
     *
     * @param again       the operator asked to run again after a success
     * @param againReason why, for the plan's log (with {@code again})
     * @return the report of a new run
     * @throws dev.rollback.core.RunRefusedException when the plan's state refuses a new run (journaled)
     */
    public RunReport run(boolean again, String againReason) {
        Instant now = clock.instant();
        runId = RUN_ID.format(now) + "-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        Holder me = Holder.thisProcess(runId, operator);
        writer = journal.open(plan.name(), me);
        try {
            PlanGuard.admitNewRun(journal, writer, plan, me, again ? againReason : reason, again, clock);
            notifyStarting(false);
            append(new JournalEvent.RunStarted(runId, now, plan.name(), plan.fingerprint(), operator,
                    reason.isEmpty() && again ? againReason : reason, me.host(), me.pid(), plan.steps().size()));
            capturedFiles = new CapturedFiles(journal.runDirectory(plan.name(), runId));
            return execute(0, List.of());
        } catch (JournalException | LeaseLostException e) {
            throw stoppedByJournal(e);
        } finally {
            writer.close();
        }
    }

    /**
     * @param id the run to resume
     * @return the report
     */
    public RunReport resume(String id) {
        this.runId = id;
        Holder me = Holder.thisProcess(id, operator);
        writer = journal.open(plan.name(), me);
        try {
            List<JournalEvent> events = eventsOf(id, "");
            JournalEvent.RunStarted started = events.stream().filter(JournalEvent.RunStarted.class::isInstance)
                    .map(JournalEvent.RunStarted.class::cast).findFirst()
                    .orElseThrow(() -> new RunNotResumableException("Run " + id + " has no start event; its journal is damaged"));
            if (!started.fingerprint().equals(plan.fingerprint())) {
                throw new PlanChangedException(id, started.fingerprint(), plan.fingerprint());
            }
            Optional<JournalEvent.RunFinished> finished = events.stream().filter(JournalEvent.RunFinished.class::isInstance)
                    .map(JournalEvent.RunFinished.class::cast).reduce((a, b) -> b);
            if (finished.isPresent() && RunOutcome.valueOf(finished.get().outcome()).isSuccess()
                    && events.get(events.size() - 1) instanceof JournalEvent.RunFinished) {
                throw new RunNotResumableException("Run " + id + " of plan '" + plan.name() + "' already finished "
                        + finished.get().outcome() + " at " + finished.get().time() + "; there is nothing to resume");
            }
            Optional<JournalEvent.RunAbandoned> abandoned = events.stream().filter(JournalEvent.RunAbandoned.class::isInstance)
                    .map(JournalEvent.RunAbandoned.class::cast).findFirst();
            if (abandoned.isPresent()) {
                throw new RunNotResumableException("Run " + id + " of plan '" + plan.name() + "' was abandoned by "
                        + abandoned.get().operator() + " at " + abandoned.get().time() + " (" + abandoned.get().reason()
                        + "); its temporaries were cleaned up and it cannot be resumed. Start a new run instead.");
            }
            for (JournalEvent e : events) {
                if (e instanceof JournalEvent.StepMemory m) {
                    memoryOf(m.step()).put(m.key(), m.value());
                }
            }
            JournalEvent.CheckpointReached checkpoint = events.stream().filter(JournalEvent.CheckpointReached.class::isInstance)
                    .map(JournalEvent.CheckpointReached.class::cast).reduce((a, b) -> b).orElse(null);
            int resumeAfter = 0;
            if (checkpoint != null) {
                resumeAfter = checkpoint.index();
                outputs.putAll(checkpoint.outputs());
            }
            notifyStarting(true);
            append(new JournalEvent.RunResumed(id, clock.instant(), plan.fingerprint(), operator, me.host(),
                    me.pid(), checkpoint == null ? null : checkpoint.name()));
            capturedFiles = new CapturedFiles(journal.runDirectory(plan.name(), id));
            List<String> missing = capturedFiles.resumeFrom(events);
            if (!missing.isEmpty()) {
                LOG.warn("Run {} resumes on {} without {} file(s) it captured earlier: {}", id, me.host(), missing.size(), String.join("; ", missing));
                append(new JournalEvent.CapturedFilesMissing(id, clock.instant(), me.host(), missing));
            }
            // A failure handler that started the application again undid the stop the checkpoint stands on:
            // the application is stopped again (AppControl.stop is safe to repeat) before the run goes on.
            boolean appStartedByHandler = handlerRanInLastInvocation(events, StepKind.START_APP);
            List<PlannedStep> stopAgain = new ArrayList<>();
            for (PlannedStep s : plan.steps()) {
                if (s.index() > resumeAfter) {
                    break;
                }
                if (appStartedByHandler && s.kind() == StepKind.STOP_APP) {
                    stopAgain.add(s);
                    results.add(notRun(s));   // replaced by its result when it runs again
                    continue;
                }
                String why = "finished before checkpoint '" + checkpoint.name() + "' in an earlier invocation";
                append(new JournalEvent.StepSkipped(id, clock.instant(), s.index(), s.name(), why));
                results.add(new StepResult(s.index(), s.name(), s.kind(), s.phase(), StepResult.Status.SKIPPED, 0,
                        Duration.ZERO, List.of(), Map.of(), null, null));
            }
            if (!stopAgain.isEmpty()) {
                LOG.info("Run {}: a failure handler started the application again after the last invocation; stopping it again "
                        + "before going on after checkpoint '{}'", id, checkpoint.name());
            }
            capturesTaken.putAll(capturesTakenBeforeDestroying(events, resumeAfter));
            return execute(resumeAfter, stopAgain);
        } catch (JournalException | LeaseLostException e) {
            throw stoppedByJournal(e);
        } finally {
            writer.close();
        }
    }

    /** A run's events; none means no such run, which is refused naming the runs there are. */
    private List<JournalEvent> eventsOf(String id, String purpose) {
        List<JournalEvent> events = journal.read(plan.name(), id);
        if (events.isEmpty()) {
            List<String> known = journal.runIds(plan.name());
            throw new RunNotResumableException("No run " + id + " of plan '" + plan.name() + "' in "
                    + journal.describeLocation(plan.name(), id) + purpose + (known.isEmpty() ? "; the journal has no runs of this plan"
                    : "; recorded runs: " + String.join(", ", known.subList(Math.max(0, known.size() - 5), known.size()))));
        }
        return events;
    }

    /**
     * Captures are taken once per run: once a destructive step has started, the captures that
     * finished before it hold the only pre-rollback state there is, and taking them again would
     * overwrite it with what the destructive step left.
     */
    private Map<Integer, JournalEvent.StepFinished> capturesTakenBeforeDestroying(List<JournalEvent> events, int resumeAfter) {
        boolean destroyed = events.stream().anyMatch(e -> e instanceof JournalEvent.StepStarted s && s.index() <= plan.steps().size()
                && plan.steps().get(s.index() - 1).destructive());
        Map<Integer, JournalEvent.StepFinished> taken = new LinkedHashMap<>();
        if (!destroyed) {
            return taken;
        }
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.StepFinished f && f.index() > resumeAfter && f.kind() == StepKind.CAPTURE) {
                taken.put(f.index(), f);
            }
        }
        return taken;
    }

    /**
     * Abandons an interrupted run: each started step cleans up its temporaries, then the run is
     * closed for good and the plan is idle.
     *
     * @param id     the run
     * @param reason why, as the operator said
     * @return what the cleanups removed and what failed
     * @throws RunNotResumableException when there is no such run, or it succeeded or was abandoned already
     */
    public AbandonReport abandon(String id, String reason) {
        this.runId = id;
        Holder me = Holder.thisProcess(id, operator);
        writer = journal.open(plan.name(), me);
        try {
            List<JournalEvent> events = eventsOf(id, " to abandon");
            RunSummary summary = RunSummary.of(id, events);
            if (summary.state() == RunSummary.State.SUCCEEDED || summary.state() == RunSummary.State.ABANDONED) {
                throw new RunNotResumableException("Run " + id + " of plan '" + plan.name() + "' cannot be abandoned: " + summary.describe()
                        + ". Only a run that failed or died can be abandoned.");
            }
            for (JournalEvent e : events) {
                if (e instanceof JournalEvent.StepMemory m) {
                    memoryOf(m.step()).put(m.key(), m.value());
                } else if (e instanceof JournalEvent.StepFinished f) {
                    outputs.putAll(f.outputs());
                } else if (e instanceof JournalEvent.StepFailed f) {
                    outputs.putAll(f.outputs()); // a failed attempt's evidence names what it left behind
                } else if (e instanceof JournalEvent.CheckpointReached c) {
                    outputs.putAll(c.outputs());
                }
            }
            Path runDirectory = journal.runDirectory(plan.name(), id);
            LOG.info("Abandoning run {} of plan '{}' ({}): cleaning up its started steps", id, plan.name(), summary.describe());
            AbandonReport report = Abandonment.run(plan, id, events, step -> new Context(step, runDirectory, new ArrayList<>()),
                    this::append, me, reason, clock, runDirectory);
            writeIncidentReport(null);
            return report;
        } finally {
            writer.close();
        }
    }

    /**
     * The journal refused an event (its server is gone, the disk is full, another runner took
     * the lease): the run stops before its next step, with nothing run that is not journaled.
     */
    private RollbackException stoppedByJournal(RollbackException e) {
        String next;
        if (lastStarted != null && !lastStartedEnded) {
            next = "after step " + lastStarted.index() + " '" + lastStarted.name() + "' ran (its end could not be journaled, so a "
                    + "resume runs it again)";
        } else if (lastStarted == null) {
            next = "before its first step";
        } else if (lastStarted.index() < plan.steps().size()) {
            next = "before step " + (lastStarted.index() + 1) + " '" + plan.steps().get(lastStarted.index()).name() + "'";
        } else {
            next = "at its end";
        }
        if (e instanceof LeaseLostException) {
            LOG.error("Run {} of plan '{}' stopped {}: {}", runId, plan.name(), next, e.getMessage());
            return new LeaseLostException(e.getMessage() + " This runner stopped " + next
                    + " and runs nothing more; the other runner goes on with the plan.");
        }
        LOG.error("Run {} of plan '{}' stopped {}: the journal failed: {}", runId, plan.name(), next, e.getMessage());
        return new JournalException("The journal stopped accepting events, so run " + runId + " of plan '" + plan.name()
                + "' stopped " + next + "; nothing ran that the journal did not record. Cause: " + e.getMessage()
                + " Once the journal is back, resume with: " + resumeCommand.apply(runId), e);
    }

    /**
     * Whether a handler of this kind started in the run's last invocation: its positions follow the
     * plan's steps, and its events follow the invocation's start.
     */
    private boolean handlerRanInLastInvocation(List<JournalEvent> events, StepKind kind) {
        boolean found = false;
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.RunStarted || e instanceof JournalEvent.RunResumed) {
                found = false;
            } else if (e instanceof JournalEvent.StepStarted s && plan.handlerAt(s.index()).isPresent() && s.kind() == kind) {
                found = true;
            }
        }
        return found;
    }

    private RunReport execute(int afterIndex, List<PlannedStep> stopAgain) {
        Instant startedAt = clock.instant();
        long t0 = System.nanoTime();
        RunOutcome outcome = RunOutcome.SUCCEEDED;
        RunReport.Failure failure = null;
        Path runDirectory = journal.runDirectory(plan.name(), runId);
        List<PlannedStep> steps = plan.steps();
        java.util.Set<Integer> approved = new java.util.HashSet<>();
        if (approvalsUpFront) {
            // Every approval this run needs, before anything changes: a run no one can approve stops here.
            for (int i = afterIndex; i < steps.size() && failure == null; i++) {
                PlannedStep step = steps.get(i);
                if (step.destructive() && !capturesTaken.containsKey(step.index())) {
                    Confirmations.Approval approval = approve(step);
                    if (approval.isApproved()) {
                        approved.add(step.index());
                    } else {
                        outcome = approval.decision() == Confirmations.Decision.REFUSED ? RunOutcome.REFUSED : RunOutcome.NEEDS_APPROVAL;
                        failure = failure(step, notApproved(step, approval, "; nothing was run"), afterIndex);
                        markNotRun(afterIndex);
                    }
                }
            }
        }
        for (PlannedStep step : stopAgain) {
            if (failure != null) {
                break;
            }
            StepResult result = runStep(step, runDirectory);
            results.set(step.index() - 1, result);
            if (result.status() == StepResult.Status.FAILED) {
                outcome = RunOutcome.FAILED;
                failure = failure(step, result.exception(), result.error());
                markNotRun(afterIndex);
            }
        }
        String phase = null;   // the phase whose steps this invocation runs, until its handlers have run
        for (int i = afterIndex; i < steps.size() && failure == null; i++) {
            PlannedStep step = steps.get(i);
            if (step.destructive() && !approved.contains(step.index()) && !capturesTaken.containsKey(step.index())) {
                Confirmations.Approval approval = approve(step);
                if (!approval.isApproved()) {
                    outcome = approval.decision() == Confirmations.Decision.REFUSED ? RunOutcome.REFUSED : RunOutcome.NEEDS_APPROVAL;
                    failure = failure(step, notApproved(step, approval, ""));
                    markNotRun(i);
                    break;
                }
            }
            if (!Objects.equals(phase, step.phase())) {
                if (phase != null && runHandlers(phase, RollbackPlan.Handler.When.ALWAYS, null, runDirectory)) {
                    outcome = RunOutcome.SUCCEEDED_WITH_WARNINGS;
                }
                phase = step.phase();
            }
            JournalEvent.StepFinished taken = capturesTaken.get(step.index());
            if (taken != null) {
                outputs.putAll(taken.outputs());
                append(new JournalEvent.StepSkipped(runId, clock.instant(), step.index(), step.name(), "capture already taken in this "
                        + "run before a destructive step started; its files and outputs stand as journaled"));
                results.add(new StepResult(step.index(), step.name(), step.kind(), step.phase(), StepResult.Status.SKIPPED, 0,
                        Duration.ZERO, List.of(), taken.outputs(), null, null));
                continue;
            }
            StepResult result = runStep(step, runDirectory);
            results.add(result);
            if (result.status() == StepResult.Status.FAILED) {
                boolean mustStop = step.options().onFailure() == FailurePolicy.ABORT
                        || result.exception() instanceof StepTimeoutException te && te.stillRunning();
                if (mustStop) {
                    outcome = RunOutcome.FAILED;
                    failure = failure(step, result.exception(), result.error());
                    markNotRun(i + 1);
                    break;
                }
                outcome = RunOutcome.SUCCEEDED_WITH_WARNINGS;
            }
            if (step.kind() == StepKind.CHECKPOINT) {
                append(new JournalEvent.CheckpointReached(runId, clock.instant(), step.index(), step.name(), snapshotOutputs()));
            }
        }
        boolean handlerFailed = false;
        if (phase != null) {
            // The phase the run stopped in has its failure handlers run; one it finished, only its always handlers.
            boolean stoppedHere = failure != null && phase.equals(plan.steps().get(failure.index() - 1).phase());
            if (stoppedHere) {
                handlerFailed |= runHandlers(phase, RollbackPlan.Handler.When.ON_FAILURE, failure, runDirectory);
            }
            handlerFailed |= runHandlers(phase, RollbackPlan.Handler.When.ALWAYS, failure, runDirectory);
        }
        if (failure != null) {
            handlerFailed |= runHandlers(null, RollbackPlan.Handler.When.ON_FAILURE, failure, runDirectory);
        }
        handlerFailed |= runHandlers(null, RollbackPlan.Handler.When.ALWAYS, failure, runDirectory);
        if (handlerFailed && outcome == RunOutcome.SUCCEEDED) {
            outcome = RunOutcome.SUCCEEDED_WITH_WARNINGS;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        append(new JournalEvent.RunFinished(runId, clock.instant(), outcome.name(),
                failure == null ? null : failure.step(), failure == null ? null : failure.message(), millis));
        RunReport report = new RunReport(plan.name(), plan.fingerprint(), runId, outcome, startedAt,
                startedAt.plusMillis(millis), results, phaseResults(), failure, snapshotOutputs(),
                journal.describeLocation(plan.name(), runId), runDirectory, handlerResults);
        LOG.atLevel(level(Level.INFO)).log("Run {} of plan '{}' ended {} in {} ms", runId, plan.name(), outcome, millis);
        writeIncidentReport(outcome.isSuccess() ? null : resumeCommand.apply(runId));
        for (RunListener l : listeners) {
            try {
                l.runFinished(report);
            } catch (RuntimeException e) {
                LOG.warn("Listener {} failed: {}", l, Redactor.redact(String.valueOf(e)));
            }
        }
        return report;
    }

    /**
     * Runs the handlers of a phase (or, with null, of the plan) that run at this ending, each once,
     * journaled like steps. A failing handler is recorded and the next one runs.
     *
     * @return whether one of them failed
     */
    private boolean runHandlers(String phase, RollbackPlan.Handler.When when, RunReport.Failure failure, Path runDirectory) {
        boolean failed = false;
        for (PlannedStep handler : plan.handlers(phase, when)) {
            handling = failure;
            try {
                StepResult result = runStep(handler, runDirectory);
                handlerResults.add(result);
                failed |= result.status() == StepResult.Status.FAILED;
            } finally {
                handling = null;
            }
        }
        return failed;
    }

    /** Every run leaves its incident report in its run folder; failing to write it does not change the outcome. */
    private void writeIncidentReport(String resume) {
        try {
            Path file = IncidentReport.write(journal, plan, runId, resume);
            LOG.atLevel(level(Level.INFO)).log("Incident report: {}", file);
        } catch (RuntimeException e) {
            LOG.warn("Could not write the incident report of run {}: {}", runId, Redactor.redact(String.valueOf(e)));
        }
    }

    private StepResult runStep(PlannedStep step, Path runDirectory) {
        int attempts = step.options().retry().attempts();
        long stepStart = System.nanoTime();
        String lastError = null;
        List<CheckResult> checks = new ArrayList<>();
        for (int attempt = 1; attempt <= attempts; attempt++) {
            append(new JournalEvent.StepStarted(runId, clock.instant(), step.index(), step.name(), step.kind(), attempt));
            lastStarted = step;
            lastStartedEnded = false;
            LOG.atLevel(level(Level.INFO)).log("[{}/{}] {} {} (attempt {})", step.index() <= plan.steps().size() ? step.index() : "handler",
                    plan.steps().size(), step.kind(), step.name(), attempt);
            checks = Collections.synchronizedList(new ArrayList<>());
            Context ctx = new Context(step, runDirectory, checks);
            long a0 = System.nanoTime();
            Throwable thrown = attempt(step, ctx, checks);
            long attemptMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - a0);
            recordCapturedFiles(step);
            if (thrown == null) {
                outputs.putAll(ctx.stepOutputs);
                append(new JournalEvent.StepFinished(runId, clock.instant(), step.index(), step.name(), step.kind(), attempt,
                        attemptMillis, ctx.stepOutputs, checks));
                lastStartedEnded = true;
                return new StepResult(step.index(), step.name(), step.kind(), step.phase(), StepResult.Status.SUCCEEDED, attempt,
                        Duration.ofNanos(System.nanoTime() - stepStart), checks, ctx.stepOutputs, null, null);
            }
            RollbackException error = Failures.of(thrown);
            lastError = Failures.describe(thrown);
            boolean stillRunning = error instanceof StepTimeoutException te && te.stillRunning();
            boolean retry = attempt < attempts && !stillRunning && !(thrown instanceof InterruptedException);
            Map<String, String> evidence = snapshot(ctx.stepOutputs);
            append(new JournalEvent.StepFailed(runId, clock.instant(), step.index(), step.name(), step.kind(), attempt,
                    attemptMillis, lastError, retry, checks, evidence, Failures.errorType(error), error.code()));
            lastStartedEnded = true;
            LOG.atLevel(level(Level.WARN)).log("Step '{}' failed (attempt {} of {}): {}", step.name(), attempt, attempts, lastError);
            if (!retry) {
                return new StepResult(step.index(), step.name(), step.kind(), step.phase(), StepResult.Status.FAILED, attempt,
                        Duration.ofNanos(System.nanoTime() - stepStart), checks, evidence,
                        attempts > 1 ? lastError + " (after " + attempt + " attempts)" : lastError, error);
            }
            try {
                Thread.sleep(step.options().retry().delayAfter(attempt).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new StepResult(step.index(), step.name(), step.kind(), step.phase(), StepResult.Status.FAILED, attempt,
                        Duration.ofNanos(System.nanoTime() - stepStart), checks, Map.of(), "interrupted while waiting to retry: " + lastError, error);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** Journals the files the step's attempt wrote into the run folder, before its end is journaled. */
    private void recordCapturedFiles(PlannedStep step) {
        if (capturedFiles == null) {
            return;
        }
        try {
            capturedFiles.changedBy(runId, step.index(), step.name(), clock).forEach(this::append);
        } catch (java.io.UncheckedIOException e) {
            LOG.warn("Could not record the files step '{}' wrote into the run folder: {}", step.name(), e.getMessage());
        }
    }

    /** Runs one attempt; returns the failure, or null on success. */
    private Throwable attempt(PlannedStep step, Context ctx, List<CheckResult> checks) {
        java.util.concurrent.Callable<Void> body = () -> {
            if (step.isCheck()) {
                CheckResult r = step.check().check(ctx);
                if (r == null) {
                    throw new IllegalStateException("check '" + step.name() + "' returned no result");
                }
                checks.add(r);
                if (!r.isPassed()) {
                    throw new CheckFailedException(r);
                }
            } else {
                step.step().execute(ctx);
            }
            return null;
        };
        Duration timeout = step.options().timeout();
        if (timeout == null) {
            try {
                body.call();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }
        FutureTask<Void> task = new FutureTask<>(body);
        Thread worker = new Thread(task, "rollback-step-" + step.index());
        worker.setDaemon(true);
        worker.start();
        try {
            task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            task.cancel(true);
            try {
                worker.join(INTERRUPT_GRACE.toMillis());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            return new StepTimeoutException(step.name(), timeout, worker.isAlive());
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            return e;
        }
    }

    private Confirmations.Approval approve(PlannedStep step) {
        Confirmations.Approval approval;
        for (RunListener l : listeners) {
            try {
                l.approvalRequested(plan, step);
            } catch (RuntimeException e) {
                LOG.warn("Listener {} failed: {}", l, Redactor.redact(String.valueOf(e)));
            }
        }
        try {
            approval = confirmations.request(new Confirmations.ApprovalRequest(plan.name(), runId, step));
        } catch (RuntimeException e) {
            approval = Confirmations.Approval.unavailable("error", "asking for approval failed: " + Failures.describe(e));
        }
        if (approval.isApproved()) {
            append(new JournalEvent.ApprovalGranted(runId, clock.instant(), step.name(), approval.approver(), approval.method()));
        } else {
            append(new JournalEvent.ApprovalRefused(runId, clock.instant(), step.name(), approval.method(), approval.reason()));
        }
        return approval;
    }

    /** The exception of an approval that was not given; its message is the failure's. */
    private static RollbackException notApproved(PlannedStep step, Confirmations.Approval approval, String what) {
        return approval.decision() == Confirmations.Decision.REFUSED
                ? new ApprovalRefusedException(step.name(), approval.method(), "Not approved: " + approval.reason() + what)
                : new ApprovalUnavailableException(step.name(), approval.method(), "Needs approval: " + approval.reason() + what);
    }

    private RunReport.Failure failure(PlannedStep step, RollbackException exception) {
        return failure(step, exception, exception.getMessage());
    }

    private RunReport.Failure failure(PlannedStep step, RollbackException exception, String message) {
        return failure(step, exception, message, -1);
    }

    private RunReport.Failure failure(PlannedStep step, RollbackException exception, int beforeStepsAfter) {
        return failure(step, exception, exception.getMessage(), beforeStepsAfter);
    }

    /** With {@code beforeStepsAfter >= 0}: the run stopped before running any step after that index. */
    private RunReport.Failure failure(PlannedStep step, RollbackException exception, String message, int beforeStepsAfter) {
        if (beforeStepsAfter >= 0) {
            List<String> notRun = plan.steps().stream().filter(s -> s.index() > beforeStepsAfter).map(s -> s.index() + " '" + s.name() + "'").toList();
            String state = (beforeStepsAfter == 0 ? "Done: nothing." : "Done: steps up to " + beforeStepsAfter + " in an earlier invocation.")
                    + "\nApprovals are asked before the first step runs, and step " + step.index() + " '" + step.name()
                    + "' was not approved, so nothing was changed in this invocation.\nNot run: " + String.join(", ", notRun) + '.';
            return new RunReport.Failure(step.name(), step.index(), Redactor.redact(message), state, resumeCommand.apply(runId), exception);
        }
        StringBuilder state = new StringBuilder();
        List<StepResult> done = results.stream().filter(r -> r.status() == StepResult.Status.SUCCEEDED
                || r.status() == StepResult.Status.SKIPPED).toList();
        state.append("Done: ").append(done.isEmpty() ? "nothing" : String.join(", ", done.stream()
                .map(r -> r.index() + " '" + r.name() + "'" + (plan.steps().get(r.index() - 1).destructive() ? " (destructive)" : ""))
                .toList())).append(".\n");
        Optional<StepResult> cp = done.stream().filter(r -> r.kind() == StepKind.CHECKPOINT).reduce((a, b) -> b);
        state.append(cp.map(c -> "Last checkpoint: '" + c.name() + "' (step " + c.index() + "); a resume restarts after it.")
                .orElse("No checkpoint reached; a resume restarts from the first step.")).append('\n');
        List<String> notRun = plan.steps().stream().filter(s -> s.index() > step.index()).map(s -> s.index() + " '" + s.name() + "'").toList();
        state.append("Stopped at: ").append(step.index()).append(" '").append(step.name()).append("'. Not run: ")
                .append(notRun.isEmpty() ? "nothing" : String.join(", ", notRun)).append('.');
        return new RunReport.Failure(step.name(), step.index(), Redactor.redact(message), state.toString(), resumeCommand.apply(runId),
                exception);
    }

    private void markNotRun(int fromIndex) {
        for (int j = fromIndex; j < plan.steps().size(); j++) {
            results.add(notRun(plan.steps().get(j)));
        }
    }

    private static StepResult notRun(PlannedStep s) {
        return new StepResult(s.index(), s.name(), s.kind(), s.phase(), StepResult.Status.NOT_RUN, 0, Duration.ZERO,
                List.of(), Map.of(), null, null);
    }

    private List<RunReport.PhaseResult> phaseResults() {
        List<RunReport.PhaseResult> out = new ArrayList<>();
        for (Phase p : plan.phases()) {
            Duration actual = Stream.concat(results.stream(), handlerResults.stream()).filter(r -> p.name().equals(r.phase()))
                    .map(StepResult::duration).reduce(Duration.ZERO, Duration::plus);
            out.add(new RunReport.PhaseResult(p.name(), p.budget(), actual));
        }
        return out;
    }

    private Map<String, String> memoryOf(String stepName) {
        return memory.computeIfAbsent(stepName, k -> Collections.synchronizedMap(new LinkedHashMap<>()));
    }

    private Map<String, String> snapshotOutputs() {
        return snapshot(outputs);
    }

    private static Map<String, String> snapshot(Map<String, String> synchronizedMap) {
        synchronized (synchronizedMap) {
            return new LinkedHashMap<>(synchronizedMap);
        }
    }

    /**
     * What the console progress shows (steps, their failures, the end) is logged at its own level
     * only when no console progress follows the run; with one, at DEBUG, so a console with a log
     * binding does not show every line twice.
     */
    private Level level(Level own) {
        return listeners.stream().anyMatch(ConsoleProgress.class::isInstance) ? Level.DEBUG : own;
    }

    private void append(JournalEvent event) {
        writer.append(event);
        for (RunListener l : listeners) {
            try {
                l.event(plan, event);
            } catch (RuntimeException e) {
                LOG.warn("Listener {} failed: {}", l, Redactor.redact(String.valueOf(e)));
            }
        }
    }

    private void notifyStarting(boolean resumed) {
        for (RunListener l : listeners) {
            try {
                l.runStarting(plan, runId, resumed);
            } catch (RuntimeException e) {
                LOG.warn("Listener {} failed: {}", l, Redactor.redact(String.valueOf(e)));
            }
        }
    }

    private final class Context implements StepContext {
        private final PlannedStep step;
        private final Path runDirectory;
        private final Map<String, String> stepOutputs = Collections.synchronizedMap(new LinkedHashMap<>());
        private final List<CheckResult> checks;

        Context(PlannedStep step, Path runDirectory, List<CheckResult> checks) {
            this.step = step;
            this.runDirectory = runDirectory;
            this.checks = checks;
        }

        @Override
        public void checkResult(CheckResult result) {
            java.util.Objects.requireNonNull(result, "result");
            checks.add(result);   // journaled with the attempt's end, like a verify step's result
        }

        @Override
        public String runId() {
            return runId;
        }

        @Override
        public String planName() {
            return plan.name();
        }

        @Override
        public String stepName() {
            return step.name();
        }

        @Override
        public Path runDirectory() {
            return runDirectory;
        }

        @Override
        public void output(String key, String value) {
            java.util.Objects.requireNonNull(key, "key");
            java.util.Objects.requireNonNull(value, "value");
            stepOutputs.put(key, Redactor.redact(value));
        }

        @Override
        public Optional<String> output(String key) {
            String v = stepOutputs.get(key);
            return Optional.ofNullable(v != null ? v : outputs.get(key));
        }

        @Override
        public Map<String, String> outputs() {
            Map<String, String> all = snapshotOutputs();
            synchronized (stepOutputs) {
                all.putAll(stepOutputs);
            }
            return Collections.unmodifiableMap(all);
        }

        @Override
        public void remember(String key, String value) {
            java.util.Objects.requireNonNull(key, "key");
            java.util.Objects.requireNonNull(value, "value");
            Map<String, String> mine = memoryOf(step.name());
            synchronized (mine) {
                // Durable first: a kill right after this call must find the value on resume.
                append(new JournalEvent.StepMemory(runId, clock.instant(), step.index(), step.name(), key, value));
                mine.put(key, Redactor.redact(value));
            }
        }

        @Override
        public Optional<String> recall(String key) {
            return Optional.ofNullable(memoryOf(step.name()).get(key));
        }

        @Override
        public Map<String, String> memory() {
            Map<String, String> mine = memoryOf(step.name());
            synchronized (mine) {
                return Collections.unmodifiableMap(new LinkedHashMap<>(mine));
            }
        }

        @Override
        public void progress(String message) {
            String m = Redactor.redact(message);
            LOG.atLevel(level(Level.INFO)).log("[{}] {}", step.name(), m);
            for (RunListener l : listeners) {
                try {
                    l.progress(step, m);
                } catch (RuntimeException e) {
                    LOG.warn("Listener {} failed: {}", l, Redactor.redact(String.valueOf(e)));
                }
            }
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public Optional<RunReport.Failure> failure() {
            return Optional.ofNullable(handling);
        }
    }
}
