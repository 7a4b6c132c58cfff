package dev.rollback.core.internal;

import dev.rollback.core.PlannedStep;
import dev.rollback.core.Redactor;
import dev.rollback.core.RollbackException;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.StepFailedException;
import dev.rollback.core.StepKind;
import dev.rollback.core.StepResult;

import java.util.List;
import java.util.Optional;

/**
 * How the runner describes a failure: its redacted message, its exception and its type, and the
 * state a stopped run left behind. Not public API.
 */
public final class Failures {
    private static final int MAX_CAUSES = 4;

    private Failures() {
    }

    /**
     * The exception a step failed with, as a report carries it: the library's own exceptions as
     * they are, any other wrapped once in a {@link StepFailedException} with a redacted message.
     *
     * @param t what the step threw
     * @return the failure's exception
     */
    public static RollbackException of(Throwable t) {
        return t instanceof RollbackException r ? r : new StepFailedException(describe(t), t);
    }

    /**
     * @param e a failure's exception
     * @return the type the step threw: the wrapped exception's for a {@link StepFailedException}
     */
    public static String errorType(RollbackException e) {
        Throwable own = e instanceof StepFailedException && e.getCause() != null ? e.getCause() : e;
        return own.getClass().getName();
    }

    /**
     * @param t    an exception
     * @param type a type
     * @return whether the exception or one of its causes is of the type
     */
    public static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Renders a failure for people: the message chain, redacted, without repeating a message a
     * wrapper already holds.
     *
     * @param t the failure
     * @return one line
     */
    public static String describe(Throwable t) {
        StringBuilder b = new StringBuilder();
        Throwable c = t;
        int depth = 0;
        while (c != null && depth < MAX_CAUSES) {
            String msg = c.getMessage();
            String part = c instanceof StepFailedException ? null
                    : c instanceof RollbackException ? msg
                    : c.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
            if (part != null && (b.length() == 0 || !b.toString().contains(part))) {
                if (b.length() > 0) {
                    b.append(" <- caused by ");
                }
                b.append(part);
            }
            c = c.getCause() == c ? null : c.getCause();
            depth++;
        }
        return Redactor.redact(b.toString());
    }

    /**
     * The failure of a run that stopped at a step: what went wrong, what was done (and which of it
     * destroyed data), the last checkpoint, and what did not run.
     *
     * @param plan    the plan
     * @param results the results so far, in plan order
     * @param step    where it stopped
     * @param e       the exception
     * @param message what went wrong
     * @param resume  the call that resumes the run
     * @return the failure
     */
    static RunReport.Failure stoppedAt(RollbackPlan plan, List<StepResult> results, PlannedStep step, RollbackException e, String message,
                                       String resume) {
        StringBuilder state = new StringBuilder();
        List<StepResult> done = results.stream().filter(r -> r.status() == StepResult.Status.SUCCEEDED
                || r.status() == StepResult.Status.SKIPPED).toList();
        state.append("Done: ").append(done.isEmpty() ? "nothing" : String.join(", ", done.stream()
                .map(r -> r.index() + " '" + r.name() + "'" + (plan.steps().get(r.index() - 1).destructive() ? " (destructive)" : ""))
                .toList())).append(".\n");
        Optional<StepResult> cp = done.stream().filter(r -> r.kind() == StepKind.CHECKPOINT).reduce((a, b) -> b);
        state.append(cp.map(c -> "Last checkpoint: '" + c.name() + "' (step " + c.index() + "); a resume restarts after it.")
                .orElse("No checkpoint reached; a resume restarts from the first step.")).append('\n');
        state.append("Stopped at: ").append(step.index()).append(" '").append(step.name()).append("'. Not run: ")
                .append(stepsAfter(plan, step.index(), "nothing")).append('.');
        if (step.options().waivable() && (step.kind() == StepKind.PRECHECK || step.kind() == StepKind.CAPTURE)) {
            state.append("\n'").append(step.name()).append("' is waivable: if the team accepts going on without it, run again with --waive '")
                    .append(step.name()).append("' --reason TEXT (journaled with the operator, shown in the report).");
        }
        return new RunReport.Failure(step.name(), step.index(), Redactor.redact(message), state.toString(), resume, e);
    }

    /**
     * The failure of a run whose approvals, asked before its first step, were not all given: nothing
     * was changed in this invocation.
     *
     * @param plan       the plan
     * @param step       the step not approved
     * @param e          the exception
     * @param afterIndex the position this invocation started after (0, or the checkpoint a resume restarts after)
     * @param resume     the call that resumes the run
     * @return the failure
     */
    static RunReport.Failure notApprovedUpFront(RollbackPlan plan, PlannedStep step, RollbackException e, int afterIndex, String resume) {
        String state = (afterIndex == 0 ? "Done: nothing." : "Done: steps up to " + afterIndex + " in an earlier invocation.")
                + "\nApprovals are asked before the first step runs, and step " + step.index() + " '" + step.name()
                + "' was not approved, so nothing was changed in this invocation.\nNot run: " + stepsAfter(plan, afterIndex, "") + '.';
        return new RunReport.Failure(step.name(), step.index(), Redactor.redact(e.getMessage()), state, resume, e);
    }

    private static String stepsAfter(RollbackPlan plan, int index, String none) {
        List<String> after = plan.steps().stream().filter(s -> s.index() > index).map(s -> s.index() + " '" + s.name() + "'").toList();
        return after.isEmpty() ? none : String.join(", ", after);
    }
}
