package dev.rollback.test;

import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.StepResult;
import dev.rollback.test.internal.Texts;
import org.assertj.core.api.AbstractAssert;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Assertions on a {@link RunReport}: how the run ended, which steps ran, were skipped by a
 * resume or never ran, the outputs it published and its phases against their budgets. Failure
 * messages carry the report's failure, the state left behind and the step table. Obtain one
 * with {@link RollbackAssertions#assertThat(RunReport)}.
 *
 * <pre>{@code
 * RunReport report = Rollback.runner().confirmations(Confirmations.autoApprove("ci")).run(plan);
 *
 * // succeeds
 * assertThat(report).succeeded()
 *                   .ranStepsInOrder("stop app", "restore backup", "start app")
 *                   .hasOutput("backup.path", "/backups/nightly.dump");
 *
 * // fails: the run succeeded, with the step table in the message
 * assertThat(report).failedAt("restore backup");
 * }</pre>
 */
public final class RunReportAssert extends AbstractAssert<RunReportAssert, RunReport> {

    RunReportAssert(RunReport actual) {
        super(actual, RunReportAssert.class);
    }

    /**
     * Verifies that the run ended {@link RunOutcome#SUCCEEDED}: every step succeeded or was
     * skipped by a resume. A run that succeeded with warnings does not pass.
     *
     * <pre>{@code
     * assertThat(report).succeeded();   // fails for a FAILED run, with its failure and state left behind
     * }</pre>
     *
     * @return this assertion
     */
    public RunReportAssert succeeded() {
        return hasOutcome(RunOutcome.SUCCEEDED);
    }

    /**
     * Verifies the run's outcome.
     *
     * <pre>{@code
     * assertThat(report).hasOutcome(RunOutcome.SUCCEEDED_WITH_WARNINGS);
     * }</pre>
     *
     * @param outcome the expected outcome
     * @return this assertion
     */
    public RunReportAssert hasOutcome(RunOutcome outcome) {
        isNotNull();
        Objects.requireNonNull(outcome, "outcome");
        if (actual.outcome() != outcome) {
            failWithMessage("Expecting run %s of plan '%s' to end %s but it ended %s.%n%s", actual.runId(), actual.planName(), outcome,
                    actual.outcome(), summary());
        }
        return this;
    }

    /**
     * Verifies that the run ended {@link RunOutcome#FAILED} and that this step stopped it.
     *
     * <pre>{@code
     * assertThat(report).failedAt("restore backup");   // fails when it succeeded or stopped elsewhere
     * }</pre>
     *
     * @param stepName the step expected to have stopped the run
     * @return this assertion
     */
    public RunReportAssert failedAt(String stepName) {
        hasOutcome(RunOutcome.FAILED);
        requireStep(stepName);
        if (actual.failure() == null || !actual.failure().step().equals(stepName)) {
            failWithMessage("Expecting run %s of plan '%s' to have failed at '%s' but it failed at '%s'.%n%s", actual.runId(),
                    actual.planName(), stepName, actual.failure() == null ? "no step" : actual.failure().step(), summary());
        }
        return this;
    }

    /**
     * Verifies that the run stopped because a destructive step needed an approval no one could
     * give ({@link RunOutcome#NEEDS_APPROVAL}), as it does with {@code Confirmations.none()}.
     *
     * <pre>{@code
     * RunReport report = Rollback.runner().run(planWithARestore);   // no confirmations configured
     * assertThat(report).needsApproval().didNotRun("restore backup");
     * }</pre>
     *
     * @return this assertion
     */
    public RunReportAssert needsApproval() {
        return hasOutcome(RunOutcome.NEEDS_APPROVAL);
    }

    /**
     * Verifies that these steps ran in this invocation (succeeded or failed), in this order,
     * possibly with other steps between them.
     *
     * <pre>{@code
     * assertThat(report).ranStepsInOrder("stop app", "start app");   // fails if "start app" was never reached
     * }</pre>
     *
     * @param names step names, in the expected order
     * @return this assertion
     */
    public RunReportAssert ranStepsInOrder(String... names) {
        isNotNull();
        Objects.requireNonNull(names, "names");
        List<String> ran = actual.steps().stream().filter(RunReportAssert::ran).map(StepResult::name).toList();
        for (String n : names) {
            StepResult r = requireStep(n);
            if (!ran(r)) {
                failWithMessage("Expecting step '%s' of run %s to have run but it is %s.%n%s", n, actual.runId(), r.status(), summary());
            }
        }
        Texts.Subsequence<String> mismatch = Texts.subsequenceMismatch(ran, List.of(names));
        if (mismatch != null) {
            failWithMessage("Expecting run %s to have run steps in order %s but '%s' ran before '%s'.%nSteps that ran: %s",
                    actual.runId(), List.of(names), mismatch.later(), mismatch.earlier(), ran);
        }
        return this;
    }

    /**
     * Verifies that these steps were skipped by a resume: they finished before the checkpoint the
     * resume restarted after.
     *
     * <pre>{@code
     * RunReport resumed = runner.resume(plan, runId);
     * assertThat(resumed).skipped("capture", "stop app", "app-stopped");
     * }</pre>
     *
     * @param names step names
     * @return this assertion
     */
    public RunReportAssert skipped(String... names) {
        return hasStatus(List.of(StepResult.Status.SKIPPED), "skipped by a resume", names);
    }

    /**
     * Verifies that these steps did not run in this invocation: never reached
     * ({@link StepResult.Status#NOT_RUN}) or skipped by a resume.
     *
     * <pre>{@code
     * assertThat(report).failedAt("verify counts").didNotRun("start app");
     * }</pre>
     *
     * @param names step names
     * @return this assertion
     */
    public RunReportAssert didNotRun(String... names) {
        return hasStatus(List.of(StepResult.Status.NOT_RUN, StepResult.Status.SKIPPED), "not to have run", names);
    }

    /**
     * Verifies that the run published this output (a step's output, or one given back by a resume).
     *
     * <pre>{@code
     * assertThat(report).hasOutput("git.safety-tag", "rollback/before-20261125");
     * }</pre>
     *
     * @param key   the output key
     * @param value its expected value
     * @return this assertion
     */
    public RunReportAssert hasOutput(String key, String value) {
        isNotNull();
        String v = actual.outputs().get(key);
        if (v == null) {
            failWithMessage("Expecting run %s to have published output '%s' but it did not.%nOutputs: %s", actual.runId(), key,
                    actual.outputs());
        }
        if (!v.equals(value)) {
            failWithMessage("Expecting output '%s' of run %s to be%n  %s%nbut it is%n  %s", key, actual.runId(), value, v);
        }
        return this;
    }

    /**
     * Verifies that a phase took no longer than its budget in this invocation.
     *
     * <pre>{@code
     * assertThat(report).phaseWithinBudget("Phase 3: restore");
     * }</pre>
     *
     * @param phaseName the phase
     * @return this assertion
     */
    public RunReportAssert phaseWithinBudget(String phaseName) {
        isNotNull();
        Optional<RunReport.PhaseResult> p = actual.phases().stream().filter(x -> x.name().equals(phaseName)).findFirst();
        if (p.isEmpty()) {
            failWithMessage("Expecting run %s to have a phase named '%s' but it has none.%nPhases: %s", actual.runId(), phaseName,
                    actual.phases().stream().map(RunReport.PhaseResult::name).toList());
        }
        RunReport.PhaseResult r = p.orElseThrow();
        if (r.isOverBudget()) {
            failWithMessage("Expecting phase '%s' of run %s to stay within its budget of %s but it took %s.%nSteps of the phase: %s",
                    phaseName, actual.runId(), Texts.human(r.budget()), Texts.human(r.actual()),
                    actual.steps().stream().filter(s -> phaseName.equals(s.phase()))
                            .map(s -> s.name() + " " + Texts.human(s.duration())).toList());
        }
        return this;
    }

    private RunReportAssert hasStatus(List<StepResult.Status> statuses, String what, String... names) {
        isNotNull();
        Objects.requireNonNull(names, "names");
        List<String> wrong = new ArrayList<>();
        for (String n : names) {
            StepResult r = requireStep(n);
            if (!statuses.contains(r.status())) {
                wrong.add("'" + n + "' is " + r.status());
            }
        }
        if (!wrong.isEmpty()) {
            failWithMessage("Expecting steps %s of run %s to be %s, but %s.%n%s", List.of(names), actual.runId(), what,
                    String.join(", ", wrong), summary());
        }
        return this;
    }

    private StepResult requireStep(String name) {
        isNotNull();
        Optional<StepResult> r = actual.step(name);
        if (r.isEmpty()) {
            failWithMessage("Expecting run %s of plan '%s' to have a step named '%s' but the plan has none.%nSteps: %s", actual.runId(),
                    actual.planName(), name, actual.steps().stream().map(StepResult::name).toList());
        }
        return r.orElseThrow();
    }

    private static boolean ran(StepResult r) {
        return r.status() == StepResult.Status.SUCCEEDED || r.status() == StepResult.Status.FAILED;
    }

    private String summary() {
        StringBuilder b = new StringBuilder();
        actual.failureIfAny().ifPresent(f -> b.append("Failure at '").append(f.step()).append("': ").append(f.message()).append('\n')
                .append(f.stateLeftBehind()).append('\n'));
        b.append("Steps:");
        for (StepResult s : actual.steps()) {
            b.append("\n  ").append(s.index()).append(' ').append(s.name()).append(": ").append(s.status());
            if (s.error() != null) {
                b.append(" - ").append(s.error());
            }
        }
        return b.toString();
    }
}
