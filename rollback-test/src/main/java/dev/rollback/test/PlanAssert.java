package dev.rollback.test;

import dev.rollback.core.Phase;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.StepKind;
import dev.rollback.test.internal.Texts;
import org.assertj.core.api.AbstractAssert;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Assertions on a built {@link RollbackPlan}: its order, its safety rules (capture before
 * destruction, verify after it, prechecks first, checkpoints), what its dry run shows and hides,
 * its fingerprint and its phase budgets. Obtain one with {@link RollbackAssertions#assertThat(RollbackPlan)}.
 *
 * <pre>{@code
 * RollbackPlan plan = Rollback.plan("app-back-to-v1")
 *     .precheck(backupComplete)
 *     .capture(dumpNow)
 *     .stopApp(app)
 *     .restore(restoreBackup)
 *     .verify(countsMatch)
 *     .checkpoint("data-restored")
 *     .startApp(app)
 *     .build();
 *
 * // succeeds
 * assertThat(plan).prechecksComeFirst()
 *                 .capturesBeforeEveryDestructiveStep()
 *                 .everyDestructiveStepIsFollowedByAVerify()
 *                 .hasCheckpointAfter("restore backup")
 *                 .hasStepsInOrder("stop app", "restore backup", "start app");
 *
 * // fails: the plan stops the app before it restores
 * assertThat(plan).hasStepsInOrder("restore backup", "stop app");
 * }</pre>
 */
public final class PlanAssert extends AbstractAssert<PlanAssert, RollbackPlan> {

    PlanAssert(RollbackPlan actual) {
        super(actual, PlanAssert.class);
    }

    /**
     * Verifies that the plan has steps of these names in this order, possibly with other steps
     * between them (a subsequence).
     *
     * <pre>{@code
     * // succeeds for a plan "capture, stop app, restore, start app"
     * assertThat(plan).hasStepsInOrder("stop app", "start app");
     * // fails: "start app" comes after "stop app"
     * assertThat(plan).hasStepsInOrder("start app", "stop app");
     * }</pre>
     *
     * @param names step names, in the expected order
     * @return this assertion
     */
    public PlanAssert hasStepsInOrder(String... names) {
        isNotNull();
        Objects.requireNonNull(names, "names");
        List<String> actualNames = names();
        for (String n : names) {
            if (!actualNames.contains(n)) {
                failWithMessage("Expecting plan '%s' to have a step named '%s' but it has none.%nSteps: %s", actual.name(), n, actualNames);
            }
        }
        Texts.Subsequence<String> mismatch = Texts.subsequenceMismatch(actualNames, List.of(names));
        if (mismatch != null) {
            failWithMessage("Expecting plan '%s' to have steps in order %s but '%s' (step %d) comes before '%s' (step %d).%nSteps: %s",
                    actual.name(), List.of(names), mismatch.later(), actualNames.indexOf(mismatch.later()) + 1,
                    mismatch.earlier(), actualNames.indexOf(mismatch.earlier()) + 1, actualNames);
        }
        return this;
    }

    /**
     * Verifies that the plan has a step, check or checkpoint of this name.
     *
     * <pre>{@code
     * assertThat(plan).hasStepNamed("restore backup");   // succeeds when the plan has it
     * assertThat(plan).hasStepNamed("flush cache");      // fails, listing the step names there are
     * }</pre>
     *
     * @param name the step name
     * @return this assertion
     */
    public PlanAssert hasStepNamed(String name) {
        isNotNull();
        if (actual.step(name).isEmpty()) {
            failWithMessage("Expecting plan '%s' to have a step named '%s' but it has none.%nSteps: %s", actual.name(), name, names());
        }
        return this;
    }

    /**
     * Verifies that the plan has at least one step of this kind.
     *
     * <pre>{@code
     * assertThat(plan).hasStepOfKind(StepKind.PRECHECK);   // fails for a plan without prechecks
     * }</pre>
     *
     * @param kind the kind
     * @return this assertion
     */
    public PlanAssert hasStepOfKind(StepKind kind) {
        isNotNull();
        Objects.requireNonNull(kind, "kind");
        if (actual.steps().stream().noneMatch(s -> s.kind() == kind)) {
            failWithMessage("Expecting plan '%s' to have a %s step but it has none.%nSteps: %s", actual.name(), kind, namesWithKinds());
        }
        return this;
    }

    /**
     * Verifies that every destructive step has its own capture: a {@link StepKind#CAPTURE} step
     * after the previous destructive step (or the start) and before it. Stricter than the rule
     * {@code build()} enforces, which accepts one capture for many destructive steps; this one
     * wants the state each step destroys captured just before it. Lists every offending step.
     *
     * <pre>{@code
     * // succeeds: capture db, restore db, capture files, restore files
     * // fails: capture db, restore db, restore files ("restore files" has no capture of its own)
     * assertThat(plan).capturesBeforeEveryDestructiveStep();
     * }</pre>
     *
     * @return this assertion
     */
    public PlanAssert capturesBeforeEveryDestructiveStep() {
        isNotNull();
        List<String> offenders = new ArrayList<>();
        boolean capturedSinceLastDestruction = false;
        String previousDestructive = null;
        for (PlannedStep s : actual.steps()) {
            if (s.kind() == StepKind.CAPTURE) {
                capturedSinceLastDestruction = true;
            }
            if (s.destructive()) {
                if (!capturedSinceLastDestruction) {
                    offenders.add("'" + s.name() + "' (step " + s.index() + ") has no capture "
                            + (previousDestructive == null ? "before it" : "since destructive step '" + previousDestructive + "'"));
                }
                capturedSinceLastDestruction = false;
                previousDestructive = s.name();
            }
        }
        if (!offenders.isEmpty()) {
            failWithMessage("Expecting plan '%s' to capture before every destructive step, but:%n  %s%n%s%nSteps: %s",
                    actual.name(), String.join("\n  ", offenders), withoutCaptureNote(), namesWithKinds());
        }
        return this;
    }

    /**
     * Verifies the rule {@code build()} applies, also for plans built with
     * {@code .withoutCapture("why")}: no destructive step comes before the first capture.
     * The failure names the first offending step and the reason the plan gave.
     *
     * <pre>{@code
     * // fails for Rollback.plan("p").withoutCapture("no disk").restore(r).build()
     * assertThat(plan).hasNoDestructiveStepWithoutCapture();
     * }</pre>
     *
     * @return this assertion
     */
    public PlanAssert hasNoDestructiveStepWithoutCapture() {
        isNotNull();
        boolean captured = false;
        for (PlannedStep s : actual.steps()) {
            if (s.kind() == StepKind.CAPTURE) {
                captured = true;
            }
            if (s.destructive() && !captured) {
                failWithMessage("Expecting plan '%s' to have no destructive step without a capture before it, but destructive step '%s' "
                                + "(step %d) comes before any capture.%n%s%nAdd .capture(...) of what it destroys before it.%nSteps: %s",
                        actual.name(), s.name(), s.index(), withoutCaptureNote(), namesWithKinds());
            }
        }
        return this;
    }

    /**
     * Verifies that every precheck comes before every step of another kind, so that nothing at
     * all (not even a capture or a notification) happens before the plan knows it can go through.
     * Passes for a plan without prechecks; combine with {@code hasStepOfKind(StepKind.PRECHECK)}.
     *
     * <pre>{@code
     * // succeeds: precheck backup, notify, capture, restore
     * // fails:    notify, precheck backup, capture, restore
     * assertThat(plan).prechecksComeFirst();
     * }</pre>
     *
     * @return this assertion
     */
    public PlanAssert prechecksComeFirst() {
        isNotNull();
        PlannedStep firstOther = null;
        for (PlannedStep s : actual.steps()) {
            if (s.kind() != StepKind.PRECHECK) {
                if (firstOther == null) {
                    firstOther = s;
                }
            } else if (firstOther != null) {
                failWithMessage("Expecting the prechecks of plan '%s' to come first, but precheck '%s' (step %d) comes after %s '%s' (step %d).%n"
                                + "Steps: %s", actual.name(), s.name(), s.index(), kind(firstOther), firstOther.name(), firstOther.index(),
                        namesWithKinds());
            }
        }
        return this;
    }

    /**
     * Verifies that a checkpoint follows the step before anything else is changed: only
     * read-only steps (verify, capture, notify) may stand between them. A resume then never
     * repeats the step once the checkpoint is reached.
     *
     * <pre>{@code
     * // succeeds: restore, verify counts, checkpoint "data-restored", start app
     * // fails:    restore, start app, checkpoint "app-started"
     * assertThat(plan).hasCheckpointAfter("restore");
     * }</pre>
     *
     * @param stepName the step
     * @return this assertion
     */
    public PlanAssert hasCheckpointAfter(String stepName) {
        isNotNull();
        PlannedStep step = requireStep(stepName);
        for (PlannedStep s : actual.steps().subList(step.index(), actual.steps().size())) {
            if (s.kind() == StepKind.CHECKPOINT) {
                return this;
            }
            if (!s.kind().isReadOnly()) {
                failWithMessage("Expecting a checkpoint after step '%s' of plan '%s' before anything else changes, but %s '%s' (step %d) "
                                + "comes first; a resume after a crash there would run '%s' again.%nSteps: %s",
                        stepName, actual.name(), kind(s), s.name(), s.index(), stepName, namesWithKinds());
            }
        }
        failWithMessage("Expecting a checkpoint after step '%s' of plan '%s' but no checkpoint follows it; a resume after a crash "
                + "would run '%s' again.%nSteps: %s", stepName, actual.name(), stepName, namesWithKinds());
        return this;
    }

    /**
     * Verifies that every destructive step is followed by a verify step before anything else
     * changes (only captures, notifications and checkpoints may stand between them), so that a
     * bad restore is found before the application starts on it. Lists every offending step.
     *
     * <pre>{@code
     * // succeeds: restore, verify counts, start app
     * // fails:    restore, start app, verify health
     * assertThat(plan).everyDestructiveStepIsFollowedByAVerify();
     * }</pre>
     *
     * @return this assertion
     */
    public PlanAssert everyDestructiveStepIsFollowedByAVerify() {
        isNotNull();
        List<String> offenders = new ArrayList<>();
        List<PlannedStep> steps = actual.steps();
        for (PlannedStep d : steps) {
            if (!d.destructive()) {
                continue;
            }
            String problem = "nothing verifies it before the plan ends";
            for (PlannedStep s : steps.subList(d.index(), steps.size())) {
                if (s.kind() == StepKind.VERIFY) {
                    problem = null;
                    break;
                }
                if (!s.kind().isReadOnly()) {
                    problem = kind(s) + " '" + s.name() + "' (step " + s.index() + ") comes before any verify";
                    break;
                }
            }
            if (problem != null) {
                offenders.add("'" + d.name() + "' (step " + d.index() + "): " + problem);
            }
        }
        if (!offenders.isEmpty()) {
            failWithMessage("Expecting every destructive step of plan '%s' to be followed by a verify, but:%n  %s%nSteps: %s",
                    actual.name(), String.join("\n  ", offenders), namesWithKinds());
        }
        return this;
    }

    /**
     * Verifies that the dry-run text ({@link RollbackPlan#describe()}) contains this fragment,
     * typically part of a command line the plan would run.
     *
     * <pre>{@code
     * assertThat(plan).describesCommand("pg_restore --clean");   // fails when no step would run it
     * }</pre>
     *
     * @param fragment the expected text
     * @return this assertion
     */
    public PlanAssert describesCommand(String fragment) {
        isNotNull();
        Objects.requireNonNull(fragment, "fragment");
        String text = actual.describe();
        if (!text.contains(fragment)) {
            failWithMessage("Expecting the dry run of plan '%s' to contain%n  %s%nbut it does not. The dry run:%n%s", actual.name(), fragment, text);
        }
        return this;
    }

    /**
     * Verifies that the dry-run text does not contain a secret value. The failure message names
     * the lines that reveal it with the secret masked, so that the CI log does not leak it either.
     *
     * <pre>{@code
     * assertThat(plan).doesNotRevealSecret(System.getenv("PGPASSWORD"));
     * }</pre>
     *
     * @param secret the secret value
     * @return this assertion
     */
    public PlanAssert doesNotRevealSecret(String secret) {
        isNotNull();
        Texts.requireUsableSecret(secret);
        String text = actual.describe();
        List<String> lines = text.lines().filter(l -> l.contains(secret)).map(l -> Texts.mask(l, secret)).toList();
        if (!lines.isEmpty()) {
            failWithMessage("Expecting the dry run of plan '%s' not to reveal the secret, but it does (secret masked below):%n  %s",
                    actual.name(), String.join("\n  ", lines));
        }
        return this;
    }

    /**
     * Verifies the plan's fingerprint. Pin it in a test to notice any change of what the plan
     * does: a resumed run refuses a plan whose fingerprint changed.
     *
     * <pre>{@code
     * assertThat(plan).hasFingerprint("3f1c0a9b7d2e4c11");
     * }</pre>
     *
     * @param expected 16 hex digits
     * @return this assertion
     */
    public PlanAssert hasFingerprint(String expected) {
        isNotNull();
        if (!actual.fingerprint().equals(expected)) {
            failWithMessage("Expecting plan '%s' to have fingerprint %s but it has %s: what the plan does has changed, and runs "
                    + "started with the old plan cannot be resumed with this one.%nThe plan now:%n%s", actual.name(), expected,
                    actual.fingerprint(), actual.describe());
        }
        return this;
    }

    /**
     * Verifies that no phase has a budget above this limit. Fails when the plan has no phases.
     *
     * <pre>{@code
     * assertThat(plan).phaseBudgetsAtMost(Duration.ofMinutes(15));
     * }</pre>
     *
     * @param limit the largest budget a phase may have
     * @return this assertion
     * @see #totalPhaseBudgetAtMost(Duration)
     */
    public PlanAssert phaseBudgetsAtMost(Duration limit) {
        isNotNull();
        Objects.requireNonNull(limit, "limit");
        requirePhases();
        List<String> over = actual.phases().stream().filter(p -> p.budget().compareTo(limit) > 0)
                .map(p -> "'" + p.name() + "' " + Texts.human(p.budget())).toList();
        if (!over.isEmpty()) {
            failWithMessage("Expecting every phase budget of plan '%s' to be at most %s, but: %s", actual.name(), Texts.human(limit),
                    String.join(", ", over));
        }
        return this;
    }

    /**
     * Verifies that the phase budgets add up to at most this limit, such as the 30 minutes a
     * service level allows for a rollback.
     *
     * <pre>{@code
     * assertThat(plan).totalPhaseBudgetAtMost(Duration.ofMinutes(30));
     * }</pre>
     *
     * @param limit the largest total
     * @return this assertion
     */
    public PlanAssert totalPhaseBudgetAtMost(Duration limit) {
        isNotNull();
        Objects.requireNonNull(limit, "limit");
        requirePhases();
        Duration total = actual.phases().stream().map(Phase::budget).reduce(Duration.ZERO, Duration::plus);
        if (total.compareTo(limit) > 0) {
            failWithMessage("Expecting the phase budgets of plan '%s' to add up to at most %s, but they add up to %s: %s", actual.name(),
                    Texts.human(limit), Texts.human(total), String.join(", ",
                            actual.phases().stream().map(p -> "'" + p.name() + "' " + Texts.human(p.budget())).toList()));
        }
        return this;
    }

    private void requirePhases() {
        if (actual.phases().isEmpty()) {
            failWithMessage("Expecting plan '%s' to have phases with budgets, but it has none; group steps with .phase(name, budget, p -> ...)",
                    actual.name());
        }
    }

    private PlannedStep requireStep(String name) {
        Optional<PlannedStep> s = actual.step(name);
        if (s.isEmpty()) {
            failWithMessage("Expecting plan '%s' to have a step named '%s' but it has none.%nSteps: %s", actual.name(), name, names());
        }
        return s.orElseThrow();
    }

    private String withoutCaptureNote() {
        return actual.withoutCaptureReason().map(r -> "The plan declares withoutCapture(\"" + r + "\").")
                .orElse("The plan declares no withoutCapture reason.");
    }

    private List<String> names() {
        return actual.steps().stream().map(PlannedStep::name).toList();
    }

    private List<String> namesWithKinds() {
        return actual.steps().stream().map(s -> s.index() + " " + s.name() + " [" + kind(s) + (s.destructive() ? ", destructive" : "") + "]")
                .toList();
    }

    private static String kind(PlannedStep s) {
        return s.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
