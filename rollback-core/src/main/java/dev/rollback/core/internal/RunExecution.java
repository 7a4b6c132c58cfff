package dev.rollback.core.internal;

import dev.rollback.core.AbandonReport;
import dev.rollback.core.Downtime;
import dev.rollback.core.FailurePolicy;
import dev.rollback.core.Phase;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.Redactor;
import dev.rollback.core.RollbackException;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunNotResumableException;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.StepKind;
import dev.rollback.core.StepResult;
import dev.rollback.core.StepTimeoutException;
import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.JournalException;
import dev.rollback.core.journal.LeaseLostException;
import dev.rollback.core.journal.RunSummary;
import dev.rollback.core.report.IncidentReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One invocation of a plan, in order: a run, a resume, an abandon or a dry run. The parts it
 * orders each do one thing: {@link ResumePoint} (where to restart), {@link ApprovalGate} (asking
 * before destroying), {@link StepRunner} and {@link StepAttempt} (a step, each attempt within its
 * timeout), {@link Failures} (describing a failure), {@link RunRecorder} and {@link Listeners}
 * (the journal first, then whoever listens). Not public API.
 */
public final class RunExecution {
    private static final Logger LOG = LoggerFactory.getLogger("dev.rollback.runner");
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final RollbackPlan plan;
    private final RunSettings settings;
    private final Listeners listeners;

    /**
     * @param plan     the plan
     * @param settings how the runner runs it
     */
    public RunExecution(RollbackPlan plan, RunSettings settings) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listeners = new Listeners(plan, settings.listeners());
    }

    /** @return the report of a dry run */
    public RunReport dryRun() {
        Instant now = settings.clock().instant();
        List<StepResult> steps = plan.steps().stream().map(RunExecution::notRun).toList();
        List<RunReport.PhaseResult> phases = plan.phases().stream()
                .map(p -> new RunReport.PhaseResult(p.name(), p.budget(), Duration.ZERO)).toList();
        return new RunReport(plan.name(), plan.fingerprint(), "dry-run", RunOutcome.DRY_RUN, now, now, steps, phases,
                null, Map.of(), "none (dry run)", null, List.of(), Downtime.NONE);
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
        Waivers.check(plan, settings.waivers());
        Instant now = settings.clock().instant();
        String runId = RUN_ID.format(now) + "-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        Holder me = Holder.thisProcess(runId, settings.operator());
        Journal.JournalWriter writer = settings.journal().open(plan.name(), me);
        RunRecorder recorder = new RunRecorder(plan, writer, listeners);
        try {
            PlanGuard.admitNewRun(settings.journal(), writer, plan, me, again ? againReason : settings.reason(), again, settings.clock());
            listeners.runStarting(runId, false);
            recorder.append(new JournalEvent.RunStarted(runId, now, plan.name(), plan.fingerprint(), settings.operator(),
                    settings.reason().isEmpty() && again ? againReason : settings.reason(), me.host(), me.pid(), plan.steps().size()));
            return new Invocation(new RunState(runId), recorder, true).execute(0, List.of());
        } catch (JournalException | LeaseLostException e) {
            throw recorder.stopped(e, runId, resumeCall(runId));
        } finally {
            writer.close();
        }
    }

    /**
     * @param runId the run to resume
     * @return the report
     */
    public RunReport resume(String runId) {
        Waivers.check(plan, settings.waivers());
        Holder me = Holder.thisProcess(runId, settings.operator());
        Journal.JournalWriter writer = settings.journal().open(plan.name(), me);
        RunRecorder recorder = new RunRecorder(plan, writer, listeners);
        try {
            ResumePoint point = ResumePoint.of(plan, settings.journal(), runId);
            RunState state = new RunState(runId);
            state.recall(point.events(), false);
            if (point.checkpoint() != null) {
                state.publish(point.checkpoint().outputs());
            }
            listeners.runStarting(runId, true);
            recorder.append(new JournalEvent.RunResumed(runId, settings.clock().instant(), plan.fingerprint(), settings.operator(),
                    me.host(), me.pid(), point.checkpoint() == null ? null : point.checkpoint().name()));
            Invocation invocation = new Invocation(state, recorder, true);
            List<String> missing = invocation.capturedFiles.resumeFrom(point.events());
            if (!missing.isEmpty()) {
                LOG.warn("Run {} resumes on {} without {} file(s) it captured earlier: {}", runId, me.host(), missing.size(),
                        String.join("; ", missing));
                recorder.append(new JournalEvent.CapturedFilesMissing(runId, settings.clock().instant(), me.host(), missing));
            }
            List<PlannedStep> stopAgain = point.stopsToRepeat(plan);
            for (PlannedStep s : plan.steps().subList(0, point.after())) {
                if (stopAgain.contains(s)) {
                    state.results.add(notRun(s));   // replaced by its result when it runs again
                    continue;
                }
                String why = "finished before checkpoint '" + point.checkpoint().name() + "' in an earlier invocation";
                recorder.append(new JournalEvent.StepSkipped(runId, settings.clock().instant(), s.index(), s.name(), why));
                state.results.add(new StepResult(s.index(), s.name(), s.kind(), s.phase(), StepResult.Status.SKIPPED, 0,
                        Duration.ZERO, List.of(), Map.of(), null, null));
            }
            if (!stopAgain.isEmpty()) {
                LOG.info("Run {}: a failure handler started the application again after the last invocation; stopping it again "
                        + "before going on after checkpoint '{}'", runId, point.checkpoint().name());
            }
            state.capturesTaken.putAll(point.capturesTaken(plan));
            return invocation.execute(point.after(), stopAgain);
        } catch (JournalException | LeaseLostException e) {
            throw recorder.stopped(e, runId, resumeCall(runId));
        } finally {
            writer.close();
        }
    }

    /**
     * Abandons an interrupted run: each started step cleans up its temporaries, then the run is
     * closed for good and the plan is idle.
     *
     * @param runId  the run
     * @param reason why, as the operator said
     * @return what the cleanups removed and what failed
     * @throws RunNotResumableException when there is no such run, or it succeeded or was abandoned already
     */
    public AbandonReport abandon(String runId, String reason) {
        Holder me = Holder.thisProcess(runId, settings.operator());
        Journal.JournalWriter writer = settings.journal().open(plan.name(), me);
        try {
            List<JournalEvent> events = ResumePoint.eventsOf(plan, settings.journal(), runId, " to abandon");
            RunSummary summary = RunSummary.of(runId, events);
            if (summary.state() == RunSummary.State.SUCCEEDED || summary.state() == RunSummary.State.ABANDONED) {
                throw new RunNotResumableException("Run " + runId + " of plan '" + plan.name() + "' cannot be abandoned: "
                        + summary.describe() + ". Only a run that failed or died can be abandoned.");
            }
            RunState state = new RunState(runId);
            state.recall(events, true);
            RunRecorder recorder = new RunRecorder(plan, writer, listeners);
            Invocation invocation = new Invocation(state, recorder, false);
            LOG.info("Abandoning run {} of plan '{}' ({}): cleaning up its started steps", runId, plan.name(), summary.describe());
            AbandonReport report = Abandonment.run(plan, runId, events, step -> invocation.steps.context(step, new ArrayList<>()),
                    recorder::append, me, reason, settings.clock(), invocation.runDirectory);
            invocation.writeIncidentReport(null);
            return report;
        } finally {
            writer.close();
        }
    }

    private String resumeCall(String runId) {
        return settings.resumeCommand().apply(runId);
    }

    private static StepResult notRun(PlannedStep s) {
        return new StepResult(s.index(), s.name(), s.kind(), s.phase(), StepResult.Status.NOT_RUN, 0, Duration.ZERO,
                List.of(), Map.of(), null, null);
    }

    /** The parts of one invocation, and the order in which they run the plan. */
    private final class Invocation {
        private final RunState state;
        private final RunRecorder recorder;
        private final Path runDirectory;
        private final CapturedFiles capturedFiles;
        private final StepRunner steps;
        private final ApprovalGate approvals;

        Invocation(RunState state, RunRecorder recorder, boolean recordsFiles) {
            this.state = state;
            this.recorder = recorder;
            this.runDirectory = settings.journal().runDirectory(plan.name(), state.runId);
            this.capturedFiles = recordsFiles ? new CapturedFiles(runDirectory) : null;
            this.steps = new StepRunner(plan, state, recorder, listeners, settings.clock(), capturedFiles, runDirectory);
            this.approvals = new ApprovalGate(plan, settings.confirmations(), recorder, listeners, settings.clock(), state.runId,
                    settings.operator());
        }

        RunReport execute(int afterIndex, List<PlannedStep> stopAgain) {
            Instant startedAt = settings.clock().instant();
            long t0 = System.nanoTime();
            RunOutcome outcome = RunOutcome.SUCCEEDED;
            RunReport.Failure failure = null;
            List<PlannedStep> rest = plan.steps().subList(afterIndex, plan.steps().size());
            if (settings.approvalsUpFront()) {
                Optional<ApprovalGate.Denial> denied = approvals.upFront(rest, state.capturesTaken.keySet());
                if (denied.isPresent()) {
                    outcome = denied.get().outcome();
                    failure = Failures.notApprovedUpFront(plan, denied.get().step(), denied.get().exception("; nothing was run"),
                            afterIndex, resumeCall(state.runId));
                    markNotRun(afterIndex);
                }
            }
            for (PlannedStep step : stopAgain) {
                if (failure != null) {
                    break;
                }
                StepResult result = steps.run(step);
                state.results.set(step.index() - 1, result);
                if (result.status() == StepResult.Status.FAILED) {
                    outcome = RunOutcome.FAILED;
                    failure = Failures.stoppedAt(plan, state.results, step, result.exception(), result.error(), resumeCall(state.runId));
                    markNotRun(afterIndex);
                }
            }
            String phase = null;   // the phase whose steps this invocation runs, until its handlers have run
            for (PlannedStep step : rest) {
                if (failure != null) {
                    break;
                }
                Optional<ApprovalGate.Denial> denied = approvals.whenReached(step, state.capturesTaken.keySet());
                if (denied.isPresent()) {
                    outcome = denied.get().outcome();
                    RollbackException e = denied.get().exception("");
                    failure = Failures.stoppedAt(plan, state.results, step, e, e.getMessage(), resumeCall(state.runId));
                    markNotRun(step.index() - 1);
                    break;
                }
                if (!Objects.equals(phase, step.phase())) {
                    if (phase != null && runHandlers(phase, RollbackPlan.Handler.When.ALWAYS, null)) {
                        outcome = RunOutcome.SUCCEEDED_WITH_WARNINGS;
                    }
                    phase = step.phase();
                }
                JournalEvent.StepFinished taken = state.capturesTaken.get(step.index());
                if (taken != null) {
                    state.publish(taken.outputs());
                    recorder.append(new JournalEvent.StepSkipped(state.runId, settings.clock().instant(), step.index(), step.name(),
                            "capture already taken in this run before a destructive step started; its files and outputs stand as journaled"));
                    state.results.add(new StepResult(step.index(), step.name(), step.kind(), step.phase(), StepResult.Status.SKIPPED, 0,
                            Duration.ZERO, List.of(), taken.outputs(), null, null));
                    continue;
                }
                String waived = settings.waivers().get(step.name());
                if (waived != null) {
                    recorder.append(new JournalEvent.StepWaived(state.runId, settings.clock().instant(), step.index(), step.name(),
                            settings.operator(), waived));
                    state.results.add(new StepResult(step.index(), step.name(), step.kind(), step.phase(), StepResult.Status.SKIPPED, 0,
                            Duration.ZERO, List.of(), Map.of(), "waived by " + settings.operator() + ": " + waived, null));
                    continue;
                }
                StepResult result = steps.run(step);
                state.results.add(result);
                if (result.status() == StepResult.Status.FAILED) {
                    boolean mustStop = step.options().onFailure() == FailurePolicy.ABORT
                            || result.exception() instanceof StepTimeoutException te && te.stillRunning();
                    if (mustStop) {
                        outcome = RunOutcome.FAILED;
                        failure = Failures.stoppedAt(plan, state.results, step, result.exception(), result.error(), resumeCall(state.runId));
                        markNotRun(step.index());
                        break;
                    }
                    outcome = RunOutcome.SUCCEEDED_WITH_WARNINGS;
                }
                if (step.kind() == StepKind.CHECKPOINT) {
                    recorder.append(new JournalEvent.CheckpointReached(state.runId, settings.clock().instant(), step.index(), step.name(),
                            state.outputs()));
                }
            }
            boolean handlerFailed = false;
            if (phase != null) {
                // The phase the run stopped in has its failure handlers run; one it finished, only its always handlers.
                boolean stoppedHere = failure != null && phase.equals(plan.steps().get(failure.index() - 1).phase());
                if (stoppedHere) {
                    handlerFailed |= runHandlers(phase, RollbackPlan.Handler.When.ON_FAILURE, failure);
                }
                handlerFailed |= runHandlers(phase, RollbackPlan.Handler.When.ALWAYS, failure);
            }
            if (failure != null) {
                handlerFailed |= runHandlers(null, RollbackPlan.Handler.When.ON_FAILURE, failure);
            }
            handlerFailed |= runHandlers(null, RollbackPlan.Handler.When.ALWAYS, failure);
            if (handlerFailed && outcome == RunOutcome.SUCCEEDED) {
                outcome = RunOutcome.SUCCEEDED_WITH_WARNINGS;
            }
            return finish(outcome, failure, startedAt, t0);
        }

        private RunReport finish(RunOutcome outcome, RunReport.Failure failure, Instant startedAt, long t0) {
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            recorder.append(new JournalEvent.RunFinished(state.runId, settings.clock().instant(), outcome.name(),
                    failure == null ? null : failure.step(), failure == null ? null : failure.message(), millis));
            RunReport report = new RunReport(plan.name(), plan.fingerprint(), state.runId, outcome, startedAt,
                    startedAt.plusMillis(millis), state.results, phaseResults(), failure, state.outputs(),
                    settings.journal().describeLocation(plan.name(), state.runId), runDirectory, state.handlerResults, downtime());
            LOG.atLevel(listeners.level(Level.INFO)).log("Run {} of plan '{}' ended {} in {} ms", state.runId, plan.name(), outcome, millis);
            writeIncidentReport(outcome.isSuccess() ? null : resumeCall(state.runId));
            listeners.runFinished(report);
            return report;
        }

        /**
         * Runs the handlers of a phase (or, with null, of the plan) that run at this ending, each
         * once, journaled like steps. A failing handler is recorded and the next one runs.
         *
         * @return whether one of them failed
         */
        private boolean runHandlers(String phase, RollbackPlan.Handler.When when, RunReport.Failure failure) {
            boolean failed = false;
            for (PlannedStep handler : plan.handlers(phase, when)) {
                state.handling(failure);
                try {
                    StepResult result = steps.run(handler);
                    state.handlerResults.add(result);
                    failed |= result.status() == StepResult.Status.FAILED;
                } finally {
                    state.handling(null);
                }
            }
            return failed;
        }

        /** The run's downtime over all its processes, read back from the journal; none if it cannot be read. */
        private Downtime downtime() {
            try {
                return Downtime.of(settings.journal().read(plan.name(), state.runId));
            } catch (RuntimeException e) {
                LOG.warn("Could not read run {} back to measure its downtime: {}", state.runId, Redactor.redact(String.valueOf(e)));
                return Downtime.NONE;
            }
        }

        /** Every run leaves its incident report in its run folder; failing to write it does not change the outcome. */
        void writeIncidentReport(String resume) {
            try {
                Path file = IncidentReport.write(settings.journal(), plan, state.runId, resume);
                LOG.atLevel(listeners.level(Level.INFO)).log("Incident report: {}", file);
            } catch (RuntimeException e) {
                LOG.warn("Could not write the incident report of run {}: {}", state.runId, Redactor.redact(String.valueOf(e)));
            }
        }

        private void markNotRun(int fromIndex) {
            for (PlannedStep s : plan.steps().subList(fromIndex, plan.steps().size())) {
                state.results.add(notRun(s));
            }
        }

        private List<RunReport.PhaseResult> phaseResults() {
            List<RunReport.PhaseResult> out = new ArrayList<>();
            for (Phase p : plan.phases()) {
                Duration actual = Stream.concat(state.results.stream(), state.handlerResults.stream()).filter(r -> p.name().equals(r.phase()))
                        .map(StepResult::duration).reduce(Duration.ZERO, Duration::plus);
                out.add(new RunReport.PhaseResult(p.name(), p.budget(), actual));
            }
            return out;
        }
    }
}
