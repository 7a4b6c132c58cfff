package dev.rollback.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanBuilderTest {

    private static Step destructive(String name) {
        return new Step() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void execute(StepContext context) {
            }

            @Override
            public boolean destructive() {
                return true;
            }

            @Override
            public String confirmationTarget() {
                return "nextcrm";
            }

            @Override
            public StepDescription describe() {
                return StepDescription.of("drop and restore nextcrm").param("password", Secret.of("hunter2-secret"))
                        .param("url", "postgresql://app:pw-in-url@db:5432/nextcrm")
                        .command(List.of("pg_restore", "--clean", "--if-exists", "-d", "nextcrm", "/backups/a b.dump"));
            }
        };
    }

    @Test
    void emptyPlanIsRefusedWithAMessageThatSaysWhatToAdd() {
        assertThatThrownBy(() -> Rollback.plan("empty").build())
                .isInstanceOf(PlanValidationException.class)
                .hasMessageContaining("Plan 'empty' is not valid")
                .hasMessageContaining("has no steps");
        assertThatThrownBy(() -> Rollback.plan("only-checkpoints").checkpoint("a").build())
                .hasMessageContaining("has no steps");
    }

    @Test
    void duplicateStepAndCheckpointNamesAreRefused() {
        assertThatThrownBy(() -> Rollback.plan("dup").step("flush", c -> { }).checkpoint("flush").step("x", c -> { }).build())
                .isInstanceOf(PlanValidationException.class)
                .hasMessageContaining("the name 'flush' is used by more than one step, checkpoint or handler")
                .hasMessageContaining("StepOptions.defaults().name");
    }

    @Test
    void destructiveStepWithoutCaptureBeforeItIsRefusedUnlessThePlanSaysWhy() {
        assertThatThrownBy(() -> Rollback.plan("p").restore(destructive("restore db")).capture("dump", c -> { }).build())
                .isInstanceOf(PlanValidationException.class)
                .hasMessageContaining("destructive step 'restore db' has no capture before it")
                .hasMessageContaining(".withoutCapture(\"why\")");

        RollbackPlan ok = Rollback.plan("p").capture("dump", c -> { }).restore(destructive("restore db")).build();
        assertThat(ok.step("restore db")).get().extracting(PlannedStep::destructive).isEqualTo(true);

        RollbackPlan declared = Rollback.plan("p").withoutCapture("the database is a cache, rebuilt from source")
                .restore(destructive("restore db")).build();
        assertThat(declared.withoutCaptureReason()).contains("the database is a cache, rebuilt from source");
        assertThat(declared.describe()).contains("Destroys without capture first: the database is a cache");
    }

    @Test
    void restoreIsDestructiveByDefaultAndAStepCanBeMarkedDestructive() {
        RollbackPlan plan = Rollback.plan("p")
                .capture("dump", c -> { })
                .restore(Step.of("restore", c -> { }))
                .step("drop cache", c -> { }, StepOptions.defaults().destructive(true))
                .step("harmless", c -> { })
                .build();
        assertThat(plan.steps()).extracting(PlannedStep::destructive).containsExactly(false, true, true, false);
    }

    @Test
    void precheckAfterAChangeIsRefused() {
        assertThatThrownBy(() -> Rollback.plan("p").step("stop", c -> { })
                .precheck("backup exists", c -> CheckResult.passed("backup exists", 1, 1)).build())
                .hasMessageContaining("precheck 'backup exists' comes after 'stop'");
        // notifications, captures and checkpoints change nothing, so a precheck may follow them
        RollbackPlan ok = Rollback.plan("p").notify(Notifier.of("log", n -> { }), "starting").capture("dump", c -> { }).checkpoint("c0")
                .precheck("backup exists", c -> CheckResult.passed("backup exists", 1, 1)).step("stop", c -> { }).build();
        assertThat(ok.steps()).hasSize(5);
    }

    @Test
    void everyProblemIsListedAtOnce() {
        assertThatThrownBy(() -> Rollback.plan("p").restore(destructive("a")).restore(destructive("a")).build())
                .isInstanceOfSatisfying(PlanValidationException.class, e -> assertThat(e.problems()).hasSize(3));
    }

    @Test
    void planIsImmutableAndStepsKeepTheirOrderKindAndPhase() {
        PlanBuilder builder = Rollback.plan("order")
                .precheck("backup ok", c -> CheckResult.passed("backup ok", "26", ">= 26"))
                .capture("schema dump", c -> { })
                .phase("Phase 2: stop", Duration.ofMinutes(2), p -> p.stopApp(new FakeApp()).checkpoint("stopped"))
                .restore(Step.of("restore", c -> { }))
                .verify("counts", c -> CheckResult.passed("counts", 1, 1))
                .startApp(new FakeApp());
        RollbackPlan plan = builder.build();
        builder.step("added later", c -> { });

        assertThat(plan.steps()).extracting(PlannedStep::name)
                .containsExactly("backup ok", "schema dump", "stop fake app", "stopped", "restore", "counts", "start fake app");
        assertThat(plan.steps()).extracting(PlannedStep::kind).containsExactly(StepKind.PRECHECK, StepKind.CAPTURE,
                StepKind.STOP_APP, StepKind.CHECKPOINT, StepKind.RESTORE, StepKind.VERIFY, StepKind.START_APP);
        assertThat(plan.steps()).extracting(PlannedStep::index).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(plan.phases()).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("Phase 2: stop");
            assertThat(p.stepNames()).containsExactly("stop fake app", "stopped");
        });
        assertThatThrownBy(() -> plan.steps().add(null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void describeShowsParametersAndCommandsWithSecretsRedacted() {
        RollbackPlan plan = Rollback.plan("describe").description("Back to the last good backup")
                .capture("dump", c -> { })
                .restore(destructive("restore db"), StepOptions.defaults().timeout(Duration.ofMinutes(10))
                        .retry(Retry.times(3).delay(Duration.ofSeconds(2))))
                .build();
        String text = plan.describe();
        assertThat(text)
                .contains("Plan 'describe' (fingerprint " + plan.fingerprint())
                .contains("Back to the last good backup")
                .contains("2. [restore] restore db  DESTRUCTIVE, approval: type 'nextcrm'")
                .contains("password: ******")
                .contains("url: postgresql://app:******@db:5432/nextcrm")
                .contains("$ pg_restore --clean --if-exists -d nextcrm '/backups/a b.dump'")
                .contains("timeout 10 min 00 s, retry 3 attempts, 2000 ms apart")
                .doesNotContain("hunter2-secret")
                .doesNotContain("pw-in-url");
    }

    @Test
    void fingerprintIsStableForTheSamePlanAndChangesWhenAStepChanges() {
        RollbackPlan a = samplePlan("/backups/one.dump");
        RollbackPlan b = samplePlan("/backups/one.dump");
        RollbackPlan c = samplePlan("/backups/two.dump");
        assertThat(a.fingerprint()).isEqualTo(b.fingerprint()).hasSize(16).matches("[0-9a-f]+");
        assertThat(c.fingerprint()).isNotEqualTo(a.fingerprint());
        RollbackPlan reordered = Rollback.plan("fp").step("b", x -> { }).step("a", x -> { }).build();
        RollbackPlan ordered = Rollback.plan("fp").step("a", x -> { }).step("b", x -> { }).build();
        assertThat(reordered.fingerprint()).isNotEqualTo(ordered.fingerprint());
    }

    @Test
    void fingerprintDoesNotDependOnSecretValues() {
        Step withSecret1 = new Step() {
            public String name() { return "s"; }
            public void execute(StepContext c) { }
            public StepDescription describe() { return StepDescription.of("s").param("token", Secret.of("token-one-1234")); }
        };
        Step withSecret2 = new Step() {
            public String name() { return "s"; }
            public void execute(StepContext c) { }
            public StepDescription describe() { return StepDescription.of("s").param("token", Secret.of("token-two-5678")); }
        };
        assertThat(Rollback.plan("x").step(withSecret1).build().fingerprint())
                .isEqualTo(Rollback.plan("x").step(withSecret2).build().fingerprint());
    }

    private static RollbackPlan samplePlan(String backup) {
        return Rollback.plan("fp").capture("dump", c -> { })
                .restore(new Step() {
                    public String name() { return "restore"; }
                    public void execute(StepContext c) { }
                    public StepDescription describe() { return StepDescription.of("restore").param("backup", backup); }
                }).build();
    }

    @Test
    void phasesDoNotNestAndNamesMustBeUnique() {
        // A phase's builder has no phase(...) nor build(); the plan's builder, captured in the lambda, refuses both.
        PlanBuilder outer = Rollback.plan("p");
        assertThatThrownBy(() -> outer.phase("a", Duration.ofMinutes(1), p -> outer.phase("b", Duration.ofMinutes(1), q -> { })))
                .hasMessageContaining("phases do not nest");
        PlanBuilder other = Rollback.plan("p");
        assertThatThrownBy(() -> other.phase("a", Duration.ofMinutes(1), p -> other.step("x", c -> { })))
                .hasMessageContaining("step on the plan's builder inside phase 'a'");
        PlanBuilder third = Rollback.plan("p");
        assertThatThrownBy(() -> third.phase("a", Duration.ofMinutes(1), p -> third.build()))
                .hasMessageContaining("build on the plan's builder inside phase 'a'");
        PhaseBuilder[] kept = new PhaseBuilder[1];
        PlanBuilder fourth = Rollback.plan("p").phase("a", Duration.ofMinutes(1), p -> kept[0] = p.step("x", c -> { }));
        assertThatThrownBy(() -> kept[0].step("late", c -> { })).hasMessageContaining("after its lambda returned");
        assertThat(fourth.step("y", c -> { }).build().steps()).extracting(PlannedStep::phase).containsExactly("a", null);
        assertThatThrownBy(() -> Rollback.plan("p").phase("a", Duration.ofMinutes(1), p -> p.step("x", c -> { }))
                .phase("a", Duration.ofMinutes(1), p -> p.step("y", c -> { })))
                .hasMessageContaining("phase 'a' is declared twice");
    }

    static final class FakeApp implements AppControl {
        public String name() { return "fake app"; }
        public void stop(StepContext c) { }
        public void start(StepContext c) { }
    }
}
