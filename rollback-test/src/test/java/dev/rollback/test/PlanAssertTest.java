package dev.rollback.test;

import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Secret;
import dev.rollback.core.Step;
import dev.rollback.core.StepDescription;
import dev.rollback.core.StepKind;
import dev.rollback.core.CheckResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.rollback.test.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanAssertTest {
    private final FakeAppControl app = FakeAppControl.named("nextcrm");

    /** A plan that follows every rule: the shape of the seeds' MongoDB rollback. */
    private RollbackPlan goodPlan() {
        return Rollback.plan("nextcrm-back-to-mongo")
                .phase("Phase 1: checks", Duration.ofMinutes(2), p -> p
                        .precheck("backup complete", c -> CheckResult.passed("backup complete", 26, ">= 26")))
                .phase("Phase 2: stop", Duration.ofMinutes(3), p -> p
                        .notify(RecordingNotifier.named("slack"), "Rollback of ${plan} started")
                        .capture(restoreLike("dump crm", false))
                        .stopApp(app)
                        .checkpoint("app-stopped"))
                .phase("Phase 3: restore", Duration.ofMinutes(12), p -> p
                        .restore(restoreLike("restore crm", true))
                        .verify("counts match", c -> CheckResult.passed("counts match", 10, 10))
                        .checkpoint("data-restored"))
                .startApp(app)
                .verify("health", c -> CheckResult.passed("health", 200, 200))
                .build();
    }

    private static Step restoreLike(String name, boolean destructive) {
        return new Step() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void execute(dev.rollback.core.StepContext context) {
            }

            @Override
            public boolean destructive() {
                return destructive;
            }

            @Override
            public StepDescription describe() {
                return StepDescription.of(name).param("password", Secret.of("s3cret-pw-do-not-leak"))
                        .command(List.of("mongorestore", "--drop", "--db", "crm", "/backups/crm"));
            }
        };
    }

    @Test
    void aPlanThatFollowsTheRulesPassesEveryAssertion() {
        RollbackPlan plan = goodPlan();
        assertThat(plan)
                .hasStepsInOrder("backup complete", "stop nextcrm", "restore crm", "start nextcrm")
                .hasStepNamed("counts match")
                .hasStepOfKind(StepKind.CHECKPOINT)
                .capturesBeforeEveryDestructiveStep()
                .hasNoDestructiveStepWithoutCapture()
                .prechecksComeFirst()
                .hasCheckpointAfter("restore crm")
                .hasCheckpointAfter("stop nextcrm")
                .everyDestructiveStepIsFollowedByAVerify()
                .describesCommand("mongorestore --drop --db crm")
                .doesNotRevealSecret("s3cret-pw-do-not-leak")
                .hasFingerprint(plan.fingerprint())
                .phaseBudgetsAtMost(Duration.ofMinutes(12))
                .totalPhaseBudgetAtMost(Duration.ofMinutes(17));
    }

    @Test
    void stepsOutOfOrderFailNamingBothSteps() {
        assertThatThrownBy(() -> assertThat(goodPlan()).hasStepsInOrder("start nextcrm", "stop nextcrm"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to have steps in order [start nextcrm, stop nextcrm]")
                .hasMessageContaining("but 'stop nextcrm' (step 4) comes before 'start nextcrm' (step 9)");
    }

    @Test
    void aMissingStepFailsListingTheStepsThereAre() {
        assertThatThrownBy(() -> assertThat(goodPlan()).hasStepsInOrder("stop nextcrm", "flush cache"))
                .hasMessageContaining("to have a step named 'flush cache' but it has none")
                .hasMessageContaining("restore crm");
        assertThatThrownBy(() -> assertThat(goodPlan()).hasStepNamed("flush cache"))
                .hasMessageContaining("to have a step named 'flush cache' but it has none");
    }

    @Test
    void aMissingKindFails() {
        RollbackPlan plan = Rollback.plan("tiny").step("a", c -> { }).build();
        assertThatThrownBy(() -> assertThat(plan).hasStepOfKind(StepKind.PRECHECK))
                .hasMessageContaining("Expecting plan 'tiny' to have a PRECHECK step but it has none")
                .hasMessageContaining("1 a [action]");
    }

    @Test
    void aDestructiveStepBeforeAnyCaptureFailsBothCaptureAssertionsNamingIt() {
        RollbackPlan plan = Rollback.plan("reckless").withoutCapture("disk full")
                .stopApp(app)
                .restore(restoreLike("drop and restore", true))
                .verify("counts", c -> CheckResult.passed("counts", 1, 1))
                .build();
        assertThatThrownBy(() -> assertThat(plan).capturesBeforeEveryDestructiveStep())
                .hasMessageContaining("'drop and restore' (step 2) has no capture before it")
                .hasMessageContaining("withoutCapture(\"disk full\")");
        assertThatThrownBy(() -> assertThat(plan).hasNoDestructiveStepWithoutCapture())
                .hasMessageContaining("destructive step 'drop and restore' (step 2) comes before any capture")
                .hasMessageContaining("Add .capture(...)");
    }

    @Test
    void aSecondDestructiveStepWithoutItsOwnCaptureFailsTheStricterAssertionOnly() {
        RollbackPlan plan = Rollback.plan("two-restores")
                .capture(restoreLike("dump db", false))
                .restore(restoreLike("restore db", true))
                .restore(restoreLike("restore files", true))
                .verify("ok", c -> CheckResult.passed("ok", 1, 1))
                .build();
        assertThat(plan).hasNoDestructiveStepWithoutCapture();
        assertThatThrownBy(() -> assertThat(plan).capturesBeforeEveryDestructiveStep())
                .hasMessageContaining("'restore files' (step 3) has no capture since destructive step 'restore db'")
                .hasMessageNotContaining("'restore db' (step 2) has no capture");
    }

    @Test
    void aPrecheckAfterAnotherStepFails() {
        RollbackPlan plan = Rollback.plan("late-check")
                .notify(RecordingNotifier.named("slack"), "starting")
                .precheck("backup complete", c -> CheckResult.passed("backup complete", 1, 1))
                .step("a", c -> { })
                .build();
        assertThatThrownBy(() -> assertThat(plan).prechecksComeFirst())
                .hasMessageContaining("precheck 'backup complete' (step 2) comes after notify 'notify slack: starting' (step 1)");
    }

    @Test
    void aChangeBetweenAStepAndItsCheckpointFails() {
        RollbackPlan plan = Rollback.plan("late-checkpoint")
                .capture(restoreLike("dump", false))
                .restore(restoreLike("restore", true))
                .startApp(app)
                .checkpoint("started")
                .build();
        assertThatThrownBy(() -> assertThat(plan).hasCheckpointAfter("restore"))
                .hasMessageContaining("but start app 'start nextcrm' (step 3) comes first")
                .hasMessageContaining("would run 'restore' again");
        RollbackPlan none = Rollback.plan("no-checkpoint").step("a", c -> { }).build();
        assertThatThrownBy(() -> assertThat(none).hasCheckpointAfter("a"))
                .hasMessageContaining("but no checkpoint follows it");
        assertThatThrownBy(() -> assertThat(none).hasCheckpointAfter("b"))
                .hasMessageContaining("to have a step named 'b'");
    }

    @Test
    void aDestructiveStepWithoutVerifyBeforeTheNextChangeFails() {
        RollbackPlan plan = Rollback.plan("unverified")
                .capture(restoreLike("dump", false))
                .restore(restoreLike("restore db", true))
                .startApp(app)
                .verify("health", c -> CheckResult.passed("health", 200, 200))
                .capture(restoreLike("dump files", false))
                .restore(restoreLike("restore files", true))
                .build();
        assertThatThrownBy(() -> assertThat(plan).everyDestructiveStepIsFollowedByAVerify())
                .hasMessageContaining("'restore db' (step 2): start app 'start nextcrm' (step 3) comes before any verify")
                .hasMessageContaining("'restore files' (step 6): nothing verifies it before the plan ends");
    }

    @Test
    void aMissingCommandFailsShowingTheDryRun() {
        assertThatThrownBy(() -> assertThat(goodPlan()).describesCommand("pg_restore"))
                .hasMessageContaining("to contain\n  pg_restore\nbut it does not")
                .hasMessageContaining("$ mongorestore --drop --db crm /backups/crm");
    }

    @Test
    void aRevealedSecretFailsWithoutPrintingTheSecret() {
        Step leaky = new Step() {
            @Override
            public String name() {
                return "leaky";
            }

            @Override
            public void execute(dev.rollback.core.StepContext context) {
            }

            @Override
            public StepDescription describe() {
                return StepDescription.of("leaky").command(List.of("mysql", "--password-file-content", "hunter2-plain"));
            }
        };
        RollbackPlan plan = Rollback.plan("leaky").step(leaky).build();
        assertThatThrownBy(() -> assertThat(plan).doesNotRevealSecret("hunter2-plain"))
                .hasMessageContaining("not to reveal the secret")
                .hasMessageContaining("$ mysql --password-file-content ******")
                .hasMessageNotContaining("hunter2-plain");
        assertThatThrownBy(() -> assertThat(plan).doesNotRevealSecret(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the secret to look for is empty");
    }

    @Test
    void aChangedFingerprintFailsWithBothValues() {
        RollbackPlan plan = goodPlan();
        assertThatThrownBy(() -> assertThat(plan).hasFingerprint("0000000000000000"))
                .hasMessageContaining("to have fingerprint 0000000000000000 but it has " + plan.fingerprint())
                .hasMessageContaining("cannot be resumed");
    }

    @Test
    void phaseBudgetsOverTheLimitFailNamingThePhases() {
        assertThatThrownBy(() -> assertThat(goodPlan()).phaseBudgetsAtMost(Duration.ofMinutes(5)))
                .hasMessageContaining("to be at most 5m, but: 'Phase 3: restore' 12m");
        assertThatThrownBy(() -> assertThat(goodPlan()).totalPhaseBudgetAtMost(Duration.ofMinutes(15)))
                .hasMessageContaining("add up to at most 15m, but they add up to 17m");
        RollbackPlan noPhases = Rollback.plan("flat").step("a", c -> { }).build();
        assertThatThrownBy(() -> assertThat(noPhases).phaseBudgetsAtMost(Duration.ofMinutes(5)))
                .hasMessageContaining("it has none; group steps with .phase(name, budget, p -> ...)");
    }

    @Test
    void aNullPlanFailsClearly() {
        assertThatThrownBy(() -> assertThat((RollbackPlan) null).hasStepNamed("a"))
                .hasMessageContaining("Expecting actual not to be null");
    }

    @Test
    void assertJsOwnAssertThatStillWorksNextToTheTestkitOverloads() {
        assertThat(List.of(1, 2)).containsExactly(1, 2);
        assertThat(goodPlan().steps()).hasSize(10);
    }
}
