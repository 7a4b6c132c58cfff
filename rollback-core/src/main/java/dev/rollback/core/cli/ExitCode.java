package dev.rollback.core.cli;

import dev.rollback.core.RunOutcome;

/** Exit codes of a rollback program, for the deployment tool that runs it. */
public enum ExitCode {
    /** The run succeeded (possibly with warnings from continue-on-failure steps), or a dry run. */
    OK(0),
    /** A step failed; the run stopped and can be resumed. */
    FAILED(1),
    /** Bad arguments or a missing setting; nothing ran. */
    USAGE(2),
    /** The run was refused: another run holds the lock, the plan changed, the operator said no, or nothing to resume. */
    REFUSED(3),
    /** A destructive step needs approval and no one could be asked; rerun with --yes NAME. */
    NEEDS_APPROVAL(4),
    /** The plan is not valid (build() refused it). */
    INVALID_PLAN(5);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** @return the process exit code */
    public int code() {
        return code;
    }

    /**
     * @param outcome a run outcome
     * @return its exit code
     */
    public static ExitCode of(RunOutcome outcome) {
        switch (outcome) {
            case SUCCEEDED:
            case SUCCEEDED_WITH_WARNINGS:
            case DRY_RUN:
                return OK;
            case NEEDS_APPROVAL:
                return NEEDS_APPROVAL;
            case REFUSED:
                return REFUSED;
            default:
                return FAILED;
        }
    }
}
