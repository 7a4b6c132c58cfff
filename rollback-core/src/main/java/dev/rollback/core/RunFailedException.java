package dev.rollback.core;

/**
 * A run did not succeed; thrown by {@link RunReport#orThrow()}. Carries the report, and its
 * message names the step, the state left behind and the call that resumes the run. Its cause is
 * the exception the run failed with ({@link RunReport.Failure#exception()}); its own code is
 * {@value #CODE}, the failure's is {@link #failure()}{@code .code()}.
 */
public final class RunFailedException extends RollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "run.failed";
    private static final long serialVersionUID = 1L;
    private final transient RunReport report;

    /** @param report the report of the run */
    public RunFailedException(RunReport report) {
        super(message(report), report.failureIfAny().map(RunReport.Failure::exception).orElse(null));
        this.report = report;
    }

    /** @return the report */
    public RunReport report() {
        return report;
    }

    /** @return why the run stopped: the step, the message, the state left behind, the exception and its code */
    public RunReport.Failure failure() {
        return report.failure();
    }

    private static String message(RunReport r) {
        StringBuilder b = new StringBuilder("Run ").append(r.runId()).append(" of plan '").append(r.planName())
                .append("' ended ").append(r.outcome());
        r.failureIfAny().ifPresent(f -> b.append(" at step ").append(f.index()).append(" '").append(f.step()).append("': ")
                .append(f.message()).append('\n').append(f.stateLeftBehind()).append("\nResume with: ").append(f.resumeCommand()));
        return b.toString();
    }

    @Override
    public String code() {
        return CODE;
    }
}
