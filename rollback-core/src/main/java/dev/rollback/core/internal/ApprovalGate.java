package dev.rollback.core.internal;

import dev.rollback.core.ApprovalPolicy;
import dev.rollback.core.ApprovalRefusedException;
import dev.rollback.core.ApprovalUnavailableException;
import dev.rollback.core.Approver;
import dev.rollback.core.Confirmations;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.RollbackException;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.journal.JournalEvent;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Asks for the approval of destructive steps, journals each answer, and remembers what was
 * approved: all of them before the first step runs, or each when it is reached. Under a plan's
 * {@link ApprovalPolicy} of more than one person it asks each approver in turn and refuses the
 * operator as an approver, the same person twice, and a set of approvers the policy does not accept.
 */
final class ApprovalGate {
    private final RollbackPlan plan;
    private final Confirmations confirmations;
    private final RunRecorder recorder;
    private final Listeners listeners;
    private final Clock clock;
    private final String runId;
    private final String operator;
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

    ApprovalGate(RollbackPlan plan, Confirmations confirmations, RunRecorder recorder, Listeners listeners, Clock clock, String runId,
                 String operator) {
        this.plan = plan;
        this.operator = operator;
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
        ApprovalPolicy policy = plan.approvalPolicy();
        Confirmations.ApprovalRequest request = new Confirmations.ApprovalRequest(plan.name(), runId, step, policy, operator);
        if (!policy.isSingle()) {
            return askEach(step, request);
        }
        Confirmations.Approval approval;
        try {
            approval = confirmations.request(request);
        } catch (RuntimeException e) {
            approval = Confirmations.Approval.unavailable("error", "asking for approval failed: " + Failures.describe(e));
        }
        return approval.isApproved() ? granted(step, approval) : refused(step, approval);
    }

    /** Each approver the policy needs, in turn: every approval journaled, then the set checked against the policy. */
    private Confirmations.Approval askEach(PlannedStep step, Confirmations.ApprovalRequest request) {
        ApprovalPolicy policy = request.policy();
        List<Confirmations.Approval> answers;
        try {
            answers = List.copyOf(confirmations.requestEach(request));
        } catch (RuntimeException e) {
            answers = List.of(Confirmations.Approval.unavailable("error", "asking for approval failed: " + Failures.describe(e)));
        }
        String needs = "step '" + step.name() + "' needs approval by " + policy.describe() + ", each a different person and not "
                + "the operator";
        List<Approver> approvers = new ArrayList<>();
        String method = "none";
        for (Confirmations.Approval answer : answers) {
            method = answer.method();
            if (!answer.isApproved()) {
                return refused(step, answer);
            }
            Approver who = new Approver(answer.approver(), answer.role());
            if (who.samePersonAs(operator)) {
                return refused(step, Confirmations.Approval.refused(method, who.name() + " runs this plan and may not also approve it "
                        + "(self-approval is refused); " + needs + ". Ask someone else to approve"));
            }
            if (approvers.stream().anyMatch(a -> a.samePersonAs(who.name()))) {
                return refused(step, Confirmations.Approval.refused(method, who.name() + " approved twice; " + needs
                        + ". Name each approver once"));
            }
            approvers.add(who);
            granted(step, answer);
        }
        if (!policy.isSatisfiedBy(approvers)) {
            return refused(step, Confirmations.Approval.unavailable(method, needs + "; approved by " + (approvers.isEmpty() ? "no one"
                    : approvers.stream().map(Approver::toString).reduce((a, b) -> a + ", " + b).orElseThrow())
                    + ". Name the approvers with --approve NAME:ROLE, once for each, or run at a terminal to ask them in turn"));
        }
        return Confirmations.Approval.approved(approvers.stream().map(Approver::toString).reduce((a, b) -> a + ", " + b).orElseThrow(),
                method);
    }

    private Confirmations.Approval granted(PlannedStep step, Confirmations.Approval approval) {
        recorder.append(new JournalEvent.ApprovalGranted(runId, clock.instant(), step.name(), approval.approver(), approval.method(),
                approval.role()));
        return approval;
    }

    private Confirmations.Approval refused(PlannedStep step, Confirmations.Approval approval) {
        recorder.append(new JournalEvent.ApprovalRefused(runId, clock.instant(), step.name(), approval.method(), approval.reason()));
        return approval;
    }
}
