package dev.rollback.core.internal;

import dev.rollback.core.Durations;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunRefusedException;
import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.JournalEvent.PlanDecision.Decision;
import dev.rollback.core.journal.PlanStatus;
import dev.rollback.core.journal.RunSummary;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides, under the plan's lock, whether a new run may start: not while a run is interrupted,
 * not after a success unless the operator says why ({@code --again}) or the plan's window has
 * passed. Refusals and overrides are journaled in the plan's log. Not public API.
 */
public final class PlanGuard {
    private PlanGuard() {
    }

    /**
     * The plan's state from its runs alone: the caller holds the lock, so the lock says nothing.
     *
     * @param journal  the journal
     * @param planName the plan
     * @return the state, never {@link PlanStatus.State#RUNNING}
     */
    public static PlanStatus statusUnderLock(Journal journal, String planName) {
        List<RunSummary> runs = new ArrayList<>();
        for (String id : journal.runIds(planName)) {
            List<JournalEvent> events = journal.read(planName, id);
            if (!events.isEmpty()) {
                runs.add(RunSummary.of(id, events));
            }
        }
        return PlanStatus.of(planName, runs, Optional.empty());
    }

    /**
     * Lets a new run in, or journals the refusal and throws it.
     *
     * @param journal the journal
     * @param writer  the writer holding the plan's lock
     * @param plan    the plan
     * @param me      the new run's holder (its run id, operator, host, pid)
     * @param reason  the operator's reason for the run
     * @param again   whether the operator asked to run again after a success
     * @param clock   the clock
     * @throws RunRefusedException when the plan is interrupted, or succeeded and {@code again} is false
     */
    public static void admitNewRun(Journal journal, Journal.JournalWriter writer, RollbackPlan plan, Holder me, String reason,
                                   boolean again, Clock clock) {
        PlanStatus status = statusUnderLock(journal, plan.name());
        Instant now = clock.instant();
        if (!status.interrupted().isEmpty()) {
            RunSummary blocking = status.interrupted().get(0);
            String others = status.interrupted().size() == 1 ? "" : " (and " + (status.interrupted().size() - 1)
                    + " older interrupted run(s): " + String.join(", ", status.interrupted().subList(1, status.interrupted().size())
                    .stream().map(RunSummary::runId).toList()) + ")";
            writer.append(decision(blocking.runId(), plan, Decision.REFUSED_INTERRUPTED, me, reason, now,
                    "new run " + me.runId() + " refused: " + blocking.describe()));
            throw new RunRefusedException(RunRefusedException.Why.INTERRUPTED, blocking.runId(), status,
                    "Plan '" + plan.name() + "' has an interrupted run, so a new run is refused and nothing was touched: "
                            + blocking.describe() + others + ". A new run could repeat or undo what it did, and would leave its "
                            + "temporaries behind. Either resume it, which finishes its work (--resume " + blocking.runId()
                            + "), or abandon it, which cleans up its temporaries so that a new run can start (--abandon "
                            + blocking.runId() + " --reason TEXT).");
        }
        if (status.lastSuccess().isEmpty()) {
            return;
        }
        RunSummary success = status.lastSuccess().get();
        Duration window = plan.newRunAllowedAfter().orElse(null);
        boolean blocks = status.successBlocksNewRun(window, now);
        if (again) {
            writer.append(decision(me.runId(), plan, Decision.AGAIN, me, reason, now,
                    "new run " + me.runId() + " after " + success.describe()));
            return;
        }
        if (blocks) {
            writer.append(decision(success.runId(), plan, Decision.REFUSED_SUCCEEDED, me, reason, now,
                    "new run " + me.runId() + " refused: " + success.describe()));
            throw new RunRefusedException(RunRefusedException.Why.SUCCEEDED, success.runId(), status,
                    "Plan '" + plan.name() + "' already succeeded: " + success.describe() + ". A new run is refused and nothing was "
                            + "touched: running a rollback again can undo it (a revert of the revert). If it must run again, say why: "
                            + "--again --reason TEXT." + (window == null ? "" : " This plan lets a new run start without --again "
                            + Durations.human(window) + " after a success, from " + success.endedAt().plus(window) + "."));
        }
    }

    /**
     * @param runId    the run the decision is about
     * @param plan     the plan
     * @param decision what was decided
     * @param me       who decided
     * @param reason   why
     * @param now      when
     * @param detail   the facts
     * @return the event
     */
    public static JournalEvent.PlanDecision decision(String runId, RollbackPlan plan, Decision decision, Holder me, String reason,
                                                     Instant now, String detail) {
        return new JournalEvent.PlanDecision(runId, now, plan.name(), decision, me.operator(), reason == null ? "" : reason,
                me.host(), me.pid(), detail);
    }
}
