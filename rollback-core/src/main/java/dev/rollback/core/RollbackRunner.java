package dev.rollback.core;

import dev.rollback.core.internal.RunExecution;
import dev.rollback.core.internal.RunSettings;
import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.JournalLockedException;
import dev.rollback.core.journal.LockNotBreakableException;
import dev.rollback.core.journal.PlanLock;
import dev.rollback.core.journal.PlanStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Runs plans: journals every step, asks before destroying anything, retries, enforces timeouts,
 * stops with a report that says how to resume. Configure it, then {@link #run(RollbackPlan)},
 * {@link #dryRun(RollbackPlan)} or {@link #resume(RollbackPlan, String)}.
 *
 * <pre>{@code
 * RunReport report = Rollback.runner()
 *     .journal(FileJournal.in(journalDir))
 *     .confirmations(Confirmations.console())
 *     .listener(ConsoleProgress.to(System.out))
 *     .operator("alice").reason("error rate 12% after v2.3.0")
 *     .run(plan);
 * }</pre>
 */
public final class RollbackRunner {
    private Journal journal = InMemoryJournal.create();
    private Confirmations confirmations = Confirmations.none();
    private final List<RunListener> listeners = new ArrayList<>();
    private String operator = System.getProperty("user.name", "unknown");
    private String reason = "";
    private Clock clock = Clock.systemUTC();
    private Function<String, String> resumeCommand;
    private boolean approvalsUpFront = true;
    private final Map<String, String> waivers = new LinkedHashMap<>();

    RollbackRunner() {
    }

    /**
     * @param journal where runs are recorded (default: in memory)
     * @return this runner
     */
    public RollbackRunner journal(Journal journal) {
        this.journal = Objects.requireNonNull(journal, "journal");
        return this;
    }

    /**
     * @param confirmations how destructive steps are approved (default: {@link Confirmations#none()})
     * @return this runner
     */
    public RollbackRunner confirmations(Confirmations confirmations) {
        this.confirmations = Objects.requireNonNull(confirmations, "confirmations");
        return this;
    }

    /**
     * @param listener one more listener
     * @return this runner
     */
    public RollbackRunner listener(RunListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * @param operator who runs the plan, for the journal and report (default: the OS user)
     * @return this runner
     */
    public RollbackRunner operator(String operator) {
        this.operator = Objects.requireNonNull(operator, "operator");
        return this;
    }

    /**
     * @param reason why the rollback runs, for the journal and report
     * @return this runner
     */
    public RollbackRunner reason(String reason) {
        this.reason = Objects.requireNonNull(reason, "reason");
        return this;
    }

    /**
     * @param clock the clock for journal times (a manual clock in tests)
     * @return this runner
     */
    public RollbackRunner clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * How the resume call is spelled in failure reports. The command-line front sets it to its
     * own command line; by default it is the Java call.
     *
     * @param runIdToCommand renders the command for a run id
     * @return this runner
     */
    public RollbackRunner resumeCommand(Function<String, String> runIdToCommand) {
        this.resumeCommand = Objects.requireNonNull(runIdToCommand, "runIdToCommand");
        return this;
    }

    /**
     * Asks for each destructive step's approval only when the step is reached, instead of for all
     * of them before the first step runs (the default). Up front is safer: a run that cannot be
     * approved — no console, no approver — stops before it changes anything.
     *
     * @return this runner
     */
    public RollbackRunner approvalsWhenReached() {
        this.approvalsUpFront = false;
        return this;
    }

    /**
     * Skips a waivable precheck or capture in this runner's runs ({@code --waive NAME --reason TEXT}):
     * for the emergency where the check cannot pass because the broken system is down. The step must
     * be marked {@link StepOptions#waivable(boolean)}; a capture a destructive step depends on only in a plan
     * that {@link PlanBuilder#allowWaivingCaptures(String) allows it}. The waiver is journaled
     * ({@code StepWaived}, with the operator) and shown in the incident report; a waiver the plan does
     * not allow stops the run before anything runs ({@link WaiverRefusedException}).
     *
     * @param stepName the step's name in the plan
     * @param reason   why it may be skipped
     * @return this runner
     */
    public RollbackRunner waive(String stepName, String reason) {
        waivers.put(Objects.requireNonNull(stepName, "stepName"), Objects.requireNonNull(reason, "reason"));
        return this;
    }

    /** @return the journal in use */
    public Journal journal() {
        return journal;
    }

    /**
     * Runs a plan from its first step, unless the plan's state refuses a new run: while a run of
     * the plan is interrupted (resume it or {@link #abandon abandon} it), or after the plan
     * succeeded (use {@link #runAgain(RollbackPlan, String)}, or give the plan a window with
     * {@link PlanBuilder#allowNewRunAfter(Duration)}). A refusal touches nothing and is
     * journaled in the plan's log with the operator and reason.
     *
     * @param plan the plan
     * @return the report; a failed run is a report with outcome {@link RunOutcome#FAILED}, not an exception
     * @throws JournalLockedException when another run of the plan is active
     * @throws RunRefusedException when the plan has an interrupted run, or already succeeded
     */
    public RunReport run(RollbackPlan plan) {
        return execution(plan).run(false, null);
    }

    /**
     * Runs a plan that already succeeded once more ({@code --again --reason TEXT}). The override is
     * journaled in the plan's log with the operator and reason. An interrupted run still refuses it.
     *
     * @param plan   the plan
     * @param reason why it must run again; required
     * @return the report
     * @throws IllegalArgumentException when the reason is blank
     * @throws RunRefusedException      when the plan has an interrupted run
     */
    public RunReport runAgain(RollbackPlan plan, String reason) {
        requireReason(reason, "running a plan again");
        return execution(plan).run(true, reason);
    }

    /**
     * Abandons an interrupted run instead of resuming it ({@code --abandon RUN --reason TEXT}): the
     * cleanup ({@link Step#cleanUp(StepContext)}) of each step that started in it removes its
     * temporaries, what each removed and what failed is journaled, and the plan is idle again, so
     * that a new run can start. Kept data (the original a swap set aside, forensics) stays.
     *
     * @param plan   the plan the run belongs to (a changed plan cleans up the steps it still has by name)
     * @param runId  the run
     * @param reason why it is abandoned; required
     * @return what was removed and what failed
     * @throws IllegalArgumentException when the reason is blank
     * @throws RunNotResumableException when there is no such run, or it succeeded or was abandoned already
     * @throws JournalLockedException when a run of the plan is active
     */
    public AbandonReport abandon(RollbackPlan plan, String runId, String reason) {
        requireReason(reason, "abandoning a run");
        Objects.requireNonNull(runId, "runId");
        return execution(plan).abandon(runId, reason);
    }

    /**
     * The plan's state in this runner's journal: idle, running (by whom), interrupted or succeeded.
     *
     * @param plan the plan
     * @return its state
     */
    public PlanStatus status(RollbackPlan plan) {
        return journal.status(Objects.requireNonNull(plan, "plan").name());
    }

    /**
     * Breaks the plan's lease before it expires ({@code --break-lock --reason TEXT}), so that
     * another runner can take over at once; the former holder can never append again. Journaled
     * with the operator, the reason and the former holder. Only journals with leases can do this.
     *
     * @param plan   the plan
     * @param reason why; required
     * @return the lock that was broken, or empty when no one held it
     * @throws IllegalArgumentException when the reason is blank
     * @throws LockNotBreakableException when the journal's locks cannot be broken
     */
    public Optional<PlanLock> breakLock(RollbackPlan plan, String reason) {
        requireReason(reason, "breaking a lock");
        return journal.breakLock(Objects.requireNonNull(plan, "plan").name(),
                Holder.thisProcess("(break-lock)", operator), reason);
    }

    private static void requireReason(String reason, String what) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException(what + " needs a reason, for the journal and the incident report");
        }
    }

    /**
     * Resumes a stopped run after the last checkpoint it reached; steps that finished before it
     * are not run again, and their outputs are given back.
     *
     * @param plan  the same plan the run started with
     * @param runId the run
     * @return the report
     * @throws PlanChangedException      when the plan's fingerprint differs from the run's
     * @throws RunNotResumableException  when there is no such run or it already succeeded
     */
    public RunReport resume(RollbackPlan plan, String runId) {
        return execution(plan).resume(runId);
    }

    /**
     * Describes the plan and runs nothing: no journal, no lock, no approvals.
     *
     * @param plan the plan
     * @return a report with outcome {@link RunOutcome#DRY_RUN}; print {@link RollbackPlan#describe()}
     */
    public RunReport dryRun(RollbackPlan plan) {
        return execution(plan).dryRun();
    }

    /**
     * The run of this plan that started last, by the start time in its journal (run ids of runs
     * started in the same second do not sort by time).
     *
     * @param plan a plan
     * @return the id of its most recent run in the journal
     */
    public Optional<String> latestRun(RollbackPlan plan) {
        String latest = null;
        Instant latestStart = null;
        for (String id : journal.runIds(plan.name())) {
            Instant start = journal.read(plan.name(), id).stream()
                    .filter(JournalEvent.RunStarted.class::isInstance)
                    .map(JournalEvent::time).findFirst().orElse(Instant.MIN);
            if (latestStart == null || !start.isBefore(latestStart)) {
                latest = id;
                latestStart = start;
            }
        }
        return Optional.ofNullable(latest);
    }

    private RunExecution execution(RollbackPlan plan) {
        Objects.requireNonNull(plan, "plan");
        Function<String, String> resume = resumeCommand != null ? resumeCommand
                : id -> "Rollback.runner().journal(" + journal + ").resume(plan, \"" + id + "\")";
        return new RunExecution(plan, new RunSettings(journal, confirmations, listeners, operator, reason, clock, resume, approvalsUpFront, waivers));
    }
}
