package dev.rollback.core.internal;

import dev.rollback.core.ApprovalRefusedException;
import dev.rollback.core.ApprovalUnavailableException;
import dev.rollback.core.Confirmations;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.RollbackException;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.journal.JournalEvent;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Asks for the approval of destructive steps, journals each answer, and remembers what was
 * approved: all of them before the first step runs, or each when it is reached.
 */
final class ApprovalGate {
    private final RollbackPlan plan;
    private final Confirmations confirmations;
    private final RunRecorder recorder;
    private final Listeners listeners;
    private final Clock clock;
    private final String runId;
    private final Set<Integer> approved = new HashSet<>();

    /**
     * A destructive step that was not approved.
     *
     * @param step     the step
     * @param approval the answer: refused, or no one could be asked
     */
    record Denial(PlannedStep step, Confirmations.Approval approval) {
        RunOutcome outcome() {
            return approval.decision() == Confirmations.Decision.REFUSED ? RunOutcome.REFUSED : RunOutcome.NEEDS_APPROVAL;
        }

        /** The failure's exception; its message is the failure's, followed by {@code what} was run. */
        RollbackException exception(String what) {
            return approval.decision() == Confirmations.Decision.REFUSED
                    ? new ApprovalRefusedException(step.name(), approval.method(), "Not approved: " + approval.reason() + what)
                    : new ApprovalUnavailableException(step.name(), approval.method(), "Needs approval: " + approval.reason() + what);
        }
    }

    ApprovalGate(RollbackPlan plan, Confirmations confirmations, RunRecorder recorder, Listeners listeners, Clock clock, String runId) {
        this.plan = plan;
        this.confirmations = confirmations;
        this.recorder = recorder;
        this.listeners = listeners;
        this.clock = clock;
        this.runId = runId;
    }

    /**
     * Every approval the rest of the run needs, before anything changes: a run no one can approve stops here.
     *
     * @param steps     the steps still to run
     * @param notNeeded positions that need no approval (captures a resume does not take again)
     * @return the first step that was not approved
     */
    Optional<Denial> upFront(List<PlannedStep> steps, Set<Integer> notNeeded) {
        for (PlannedStep step : steps) {
            Optional<Denial> denial = whenReached(step, notNeeded);
            if (denial.isPresent()) {
                return denial;
            }
        }
        return Optional.empty();
    }

    /**
     * @param step      a step about to run
     * @param notNeeded positions that need no approval
     * @return the denial, when the step is destructive, was not approved yet and is not approved now
     */
    Optional<Denial> whenReached(PlannedStep step, Set<Integer> notNeeded) {
        if (!step.destructive() || approved.contains(step.index()) || notNeeded.contains(step.index())) {
            return Optional.empty();
        }
        Confirmations.Approval approval = ask(step);
        if (approval.isApproved()) {
            approved.add(step.index());
            return Optional.empty();
        }
        return Optional.of(new Denial(step, approval));
    }

    private Confirmations.Approval ask(PlannedStep step) {
        listeners.approvalRequested(step);
        Confirmations.Approval approval;
        try {
            approval = confirmations.request(new Confirmations.ApprovalRequest(plan.name(), runId, step));
        } catch (RuntimeException e) {
            approval = Confirmations.Approval.unavailable("error", "asking for approval failed: " + Failures.describe(e));
        }
        if (approval.isApproved()) {
            recorder.append(new JournalEvent.ApprovalGranted(runId, clock.instant(), step.name(), approval.approver(), approval.method()));
        } else {
            recorder.append(new JournalEvent.ApprovalRefused(runId, clock.instant(), step.name(), approval.method(), approval.reason()));
        }
        return approval;
    }
}
