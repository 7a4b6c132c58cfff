package dev.rollback.core;

/**
 * A run did not succeed; thrown by {@link RunReport#orThrow()}. Carries the report, and its
 * message names the step, the state left behind and the call that resumes the run.
 */
public final class RunFailedException extends RollbackException {
    private static final long serialVersionUID = 1L;
    private final transient RunReport report;

    /** @param report the report of the run */
    public RunFailedException(RunReport report) {
        super(message(report));
        this.report = report;
    }

    /** @return the report */
    public RunReport report() {
        return report;
    }

    private static String message(RunReport r) {
        StringBuilder b = new StringBuilder("Run ").append(r.runId()).append(" of plan '").append(r.planName())
                .append("' ended ").append(r.outcome());
        r.failureIfAny().ifPresent(f -> b.append(" at step ").append(f.index()).append(" '").append(f.step()).append("': ")
                .append(f.message()).append('\n').append(f.stateLeftBehind()).append("\nResume with: ").append(f.resumeCommand()));
        return b.toString();
    }
}
