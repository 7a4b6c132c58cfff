package dev.rollback.core.journal;

import dev.rollback.core.CheckResult;
import dev.rollback.core.StepKind;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One entry of a run's journal. Every event carries the run id and the time it was written;
 * {@code docs/journal-format.md} lists every type and field as it appears in the JSON Lines file.
 */
public sealed interface JournalEvent {

    /** @return the run the event belongs to */
    String runId();

    /** @return when it was written */
    Instant time();

    /**
     * A run began.
     *
     * @param runId       run id
     * @param time        when
     * @param planName    the plan
     * @param fingerprint the plan's fingerprint; a resume must match it
     * @param operator    who runs it
     * @param reason      why, as the operator said
     * @param host        host name of the runner
     * @param pid         process id of the runner
     * @param stepCount   steps in the plan; its handlers are journaled at positions after them
     */
    record RunStarted(String runId, Instant time, String planName, String fingerprint, String operator, String reason,
                      String host, long pid, int stepCount) implements JournalEvent {
    }

    /**
     * A stopped run was taken up again.
     *
     * @param runId          run id
     * @param time           when
     * @param fingerprint    the plan's fingerprint (equal to the run's)
     * @param operator       who resumed it
     * @param host           host name
     * @param pid            process id
     * @param fromCheckpoint the checkpoint it restarts after, or null for the start
     */
    record RunResumed(String runId, Instant time, String fingerprint, String operator, String host, long pid,
                      String fromCheckpoint) implements JournalEvent {
    }

    /**
     * A step attempt began. Forced to disk before the step runs.
     *
     * @param runId   run id
     * @param time    when
     * @param index   position in the plan, from 1
     * @param step    step name
     * @param kind    step kind
     * @param attempt attempt number, from 1
     */
    record StepStarted(String runId, Instant time, int index, String step, StepKind kind, int attempt)
            implements JournalEvent {
    }

    /**
     * A step finished.
     *
     * @param runId          run id
     * @param time           when
     * @param index          position
     * @param step           name
     * @param kind           kind
     * @param attempt        the attempt that succeeded
     * @param durationMillis how long that attempt took
     * @param outputs        what it published
     * @param checks         check results, for checks
     */
    record StepFinished(String runId, Instant time, int index, String step, StepKind kind, int attempt,
                        long durationMillis, Map<String, String> outputs, List<CheckResult> checks)
            implements JournalEvent {
        /** Copies the collections. */
        public StepFinished {
            outputs = Map.copyOf(outputs);
            checks = List.copyOf(checks);
        }
    }

    /**
     * A step attempt failed.
     *
     * @param runId          run id
     * @param time           when
     * @param index          position
     * @param step           name
     * @param kind           kind
     * @param attempt        the attempt that failed
     * @param durationMillis how long it took
     * @param error          what went wrong, redacted
     * @param willRetry      whether another attempt follows
     * @param checks         check results, for checks
     * @param outputs        what the attempt published before it failed (evidence: the orphan count,
     *                       the half-restored database it left behind)
     * @param errorType      the fully qualified type of the exception the step failed with
     *                       ({@link dev.rollback.core.RunReport.Failure#errorType()}), or null in a journal
     *                       written before it was recorded
     * @param errorCode      the failure's stable error code ({@code docs/errors.md}), or null in a journal
     *                       written before it was recorded
     */
    record StepFailed(String runId, Instant time, int index, String step, StepKind kind, int attempt,
                      long durationMillis, String error, boolean willRetry, List<CheckResult> checks,
                      Map<String, String> outputs, String errorType, String errorCode)
            implements JournalEvent {
        /** Copies the collections. */
        public StepFailed {
            checks = List.copyOf(checks);
            outputs = Map.copyOf(outputs);
        }
    }

    /**
     * A step remembered a value for this run: a moving input it resolved ({@code HEAD}, "latest
     * backup", "now") or a state it is about to act on (the next rename of a swap). Forced to disk
     * before {@link dev.rollback.core.StepContext#remember(String, String)} returns, and handed back
     * to the same step on every later attempt and resume of the run, on any machine.
     *
     * @param runId run id
     * @param time  when
     * @param index the step's position
     * @param step  the step's name
     * @param key   the key, by convention {@code "<area>.<name>"}
     * @param value the value (never a secret)
     */
    record StepMemory(String runId, Instant time, int index, String step, String key, String value)
            implements JournalEvent {
    }

    /**
     * A step was not run: it finished before the checkpoint a resume restarted after.
     *
     * @param runId  run id
     * @param time   when
     * @param index  position
     * @param step   name
     * @param reason why
     */
    record StepSkipped(String runId, Instant time, int index, String step, String reason) implements JournalEvent {
    }

    /**
     * A waivable precheck or capture was not run: the operator waived it ({@code --waive NAME --reason TEXT}).
     *
     * @param runId    run id
     * @param time     when
     * @param index    position
     * @param step     name
     * @param operator who waived it
     * @param reason   why, as the operator said
     */
    record StepWaived(String runId, Instant time, int index, String step, String operator, String reason) implements JournalEvent {
    }

    /**
     * A destructive step was approved.
     *
     * @param runId    run id
     * @param time     when
     * @param step     the step
     * @param approver who approved
     * @param method   how (console, auto-approve, --approve)
     * @param role     the role they approved in, under a plan's approval policy with roles; null otherwise
     *                 (and in lines written before roles existed)
     */
    record ApprovalGranted(String runId, Instant time, String step, String approver, String method, String role)
            implements JournalEvent {
        /**
         * An approval with no role.
         *
         * @param runId    run id
         * @param time     when
         * @param step     the step
         * @param approver who approved
         * @param method   how
         */
        public ApprovalGranted(String runId, Instant time, String step, String approver, String method) {
            this(runId, time, step, approver, method, null);
        }
    }

    /**
     * A destructive step was not approved, or no one could be asked.
     *
     * @param runId  run id
     * @param time   when
     * @param step   the step
     * @param method how it was asked
     * @param reason why it was not approved
     */
    record ApprovalRefused(String runId, Instant time, String step, String method, String reason)
            implements JournalEvent {
    }

    /**
     * A checkpoint was reached; a resume restarts after it with these outputs.
     *
     * @param runId   run id
     * @param time    when
     * @param index   position
     * @param name    checkpoint name
     * @param outputs every output published so far
     */
    record CheckpointReached(String runId, Instant time, int index, String name, Map<String, String> outputs)
            implements JournalEvent {
        /** Copies the outputs. */
        public CheckpointReached {
            outputs = Map.copyOf(outputs);
        }
    }

    /**
     * A file in the run folder was written by a step: recorded with its size and SHA-256 after the
     * step's attempt, so that a resume on a machine that cannot see the run folder names what is
     * missing, and anyone can check a forensic file is the one the run captured.
     *
     * @param runId  run id
     * @param time   when
     * @param index  the step's position
     * @param step   the step's name
     * @param path   the file, relative to the run folder, with {@code /} separators
     * @param size   its size in bytes
     * @param sha256 its SHA-256, 64 hex digits
     */
    record FileCaptured(String runId, Instant time, int index, String step, String path, long size, String sha256)
            implements JournalEvent {
    }

    /**
     * A resume found that files the run captured are missing from the run folder it can see, or
     * differ from what was captured (another machine's folder, a folder not shared).
     *
     * @param runId    run id
     * @param time     when
     * @param host     the host that resumed
     * @param problems one line per file: path, what was captured, what is there
     */
    record CapturedFilesMissing(String runId, Instant time, String host, List<String> problems) implements JournalEvent {
        /** Copies the list. */
        public CapturedFilesMissing {
            problems = List.copyOf(problems);
        }
    }

    /**
     * An abandon ran a started step's {@link dev.rollback.core.Step#cleanUp cleanUp}.
     *
     * @param runId   the abandoned run
     * @param time    when
     * @param index   the step's position
     * @param step    the step's name
     * @param removed what it removed, one line per object (empty: nothing to remove)
     * @param error   why cleaning up failed, or null when it succeeded
     */
    record StepCleanedUp(String runId, Instant time, int index, String step, List<String> removed, String error)
            implements JournalEvent {
        /** Copies the list. */
        public StepCleanedUp {
            removed = List.copyOf(removed);
        }
    }

    /**
     * The run was abandoned: its started steps were cleaned up and it will never be resumed. The
     * last event of an abandoned run.
     *
     * @param runId           the abandoned run
     * @param time            when
     * @param operator        who abandoned it
     * @param reason          why, as the operator said
     * @param host            host name of the process that abandoned it
     * @param pid             its process id
     * @param cleanupFailures how many steps failed to clean up (their leftovers are named in their
     *                        {@link StepCleanedUp} events)
     */
    record RunAbandoned(String runId, Instant time, String operator, String reason, String host, long pid, int cleanupFailures)
            implements JournalEvent {
    }

    /**
     * A decision about a plan as a whole, kept in the plan's log rather than a run's: a new run
     * refused, an override, a lock broken or taken over. {@link #runId()} is the run the decision
     * is about (the interrupted run that blocked a new one, the run abandoned, the new run let in
     * by {@code --again}, the run whose lease was taken over).
     *
     * @param runId    the run the decision is about
     * @param time     when
     * @param planName the plan
     * @param decision what was decided
     * @param operator who asked for it
     * @param reason   why, as the operator said (may be empty for a refusal)
     * @param host     host name of the deciding process
     * @param pid      its process id
     * @param detail   the facts behind it, for people ("run X succeeded at ...", the former holder)
     */
    record PlanDecision(String runId, Instant time, String planName, Decision decision, String operator, String reason,
                        String host, long pid, String detail) implements JournalEvent {
        /** What was decided about a plan. */
        public enum Decision {
            /** A new run was refused: a run of the plan is interrupted. */
            REFUSED_INTERRUPTED,
            /** A new run was refused: the plan already succeeded. */
            REFUSED_SUCCEEDED,
            /** An interrupted run was abandoned (after its cleanup). */
            ABANDONED,
            /** A new run was let in after a success ({@code --again}). */
            AGAIN,
            /** A live lock or lease was broken before it expired ({@code --break-lock}). */
            LOCK_BROKEN,
            /** An expired lease was taken over by another runner. */
            LEASE_TAKEN_OVER
        }
    }

    /**
     * The run ended, in any outcome.
     *
     * @param runId          run id
     * @param time           when
     * @param outcome        the {@link dev.rollback.core.RunOutcome} name
     * @param failedStep     the step that stopped it, or null
     * @param message        what went wrong, or null
     * @param durationMillis total time of this invocation
     */
    record RunFinished(String runId, Instant time, String outcome, String failedStep, String message,
                       long durationMillis) implements JournalEvent {
    }
}
