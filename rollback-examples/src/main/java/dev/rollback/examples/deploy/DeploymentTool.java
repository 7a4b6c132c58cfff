package dev.rollback.examples.deploy;

import dev.rollback.core.ApprovalRefusedException;
import dev.rollback.core.ApprovalUnavailableException;
import dev.rollback.core.CheckFailedException;
import dev.rollback.core.RollbackException;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RollbackRunner;
import dev.rollback.core.RunRefusedException;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.JournalLockedException;
import dev.rollback.mongo.MongoRestoreFailedException;
import dev.rollback.postgres.PostgresRestoreFailedException;

import java.util.Objects;

/**
 * A deployment tool's side of a rollback: it runs a plan and decides what to do next from the
 * failure's stable error code and type ({@code docs/errors.md}), never from its message, which is
 * for people and may change.
 *
 * <pre>{@code
 * DeploymentTool.Reaction r = new DeploymentTool(runner).rollback(plan);
 * switch (r.next()) {
 *     case PAGE_DBA -> pager.page("dba", r.detail());
 *     case WAIT_FOR_HOLDER -> scheduler.retryLater();
 *     ...
 * }
 * }</pre>
 */
public final class DeploymentTool {

    /** What the deployment tool does after a rollback. */
    public enum Next {
        /** The rollback succeeded: mark the release rolled back. */
        MARK_ROLLED_BACK,
        /** A restore failed; under the safe strategy the live data was not touched: page the DBA, keep the release blocked. */
        PAGE_DBA,
        /** A check failed after the change (health, smoke, counts): page the application team with what was measured. */
        PAGE_APP_TEAM,
        /** An operator refused the destructive step; nothing was changed: record it and do not retry. */
        RECORD_REFUSAL,
        /** No one could approve the destructive step: run it again with an approver. */
        REQUEST_APPROVER,
        /** Another run holds the plan: wait for it rather than start a second one. */
        WAIT_FOR_HOLDER,
        /** A run of the plan was interrupted: an operator resumes or abandons it first. */
        RESUME_OR_ABANDON,
        /** Anything else: page on-call with the code and the message. */
        PAGE_ONCALL
    }

    /**
     * What to do next, and why.
     *
     * @param next   the next action
     * @param code   the failure's error code, or null after a success
     * @param detail what the people paged need: the database left behind, the check's measurements, the holder
     */
    public record Reaction(Next next, String code, String detail) {
    }

    private final RollbackRunner runner;

    /** @param runner the configured runner (journal, confirmations, operator) */
    public DeploymentTool(RollbackRunner runner) {
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /**
     * Runs the plan and decides what comes next.
     *
     * @param plan the rollback plan
     * @return the reaction
     * @throws RollbackException an exception thrown before the run started that the tool has no answer for
     */
    public Reaction rollback(RollbackPlan plan) {
        RunReport report;
        try {
            report = runner.run(plan);
        } catch (JournalLockedException e) {
            return new Reaction(Next.WAIT_FOR_HOLDER, e.code(), e.holder());
        } catch (RunRefusedException e) {
            return new Reaction(Next.RESUME_OR_ABANDON, e.code(), e.why() + " run " + e.blockingRunId());
        }
        if (report.isSuccess()) {
            return new Reaction(Next.MARK_ROLLED_BACK, null, report.runId());
        }
        RunReport.Failure f = report.failure();
        return switch (f.code()) {
            case PostgresRestoreFailedException.CODE -> new Reaction(Next.PAGE_DBA, f.code(),
                    ((PostgresRestoreFailedException) f.exception()).leftBehindDatabase()
                            .map(db -> "kept for forensics: " + db).orElse("nothing left behind"));
            case MongoRestoreFailedException.CODE -> new Reaction(Next.PAGE_DBA, f.code(),
                    "failed collections: " + ((MongoRestoreFailedException) f.exception()).failedCollections());
            case CheckFailedException.CODE -> new Reaction(Next.PAGE_APP_TEAM, f.code(),
                    ((CheckFailedException) f.exception()).result().summary());
            case ApprovalRefusedException.CODE -> new Reaction(Next.RECORD_REFUSAL, f.code(), f.step());
            case ApprovalUnavailableException.CODE -> new Reaction(Next.REQUEST_APPROVER, f.code(), f.step());
            default -> new Reaction(Next.PAGE_ONCALL, f.code(), f.message());
        };
    }
}
