package dev.rollback.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@link PlanBuilder#build()} checks prepare/swap pairs before anything runs, so a plan cannot stop the app for a swap that would fail. */
class PrepareSwapPlanTest {
    private final AppControl app = new AppControl() {
        public String name() { return "nextcrm"; }
        public void stop(StepContext c) { }
        public void start(StepContext c) { }
    };

    private static Step prepare(String id) {
        return new Step() {
            public String name() { return "prepare " + id; }
            public void execute(StepContext c) { }
            public String prepares() { return id; }
        };
    }

    private static Step swap(String id) {
        return new Step() {
            public String name() { return "swap in " + id; }
            public boolean destructive() { return true; }
            public void execute(StepContext c) { }
            public String swapsIn() { return id; }
        };
    }

    private PlanBuilder plan(String name) {
        return Rollback.plan(name).withoutCapture("a test of the plan rules");
    }

    private static List<String> problems(PlanBuilder b) {
        return catchThrowableOfType(PlanValidationException.class, b::build).problems();
    }

    @Test
    void aPrepareBeforeTheStopAndItsSwapAfterBuild() {
        RollbackPlan p = plan("ok").step(prepare("shop")).stopApp(app).restore(swap("shop"), StepOptions.defaults().name("swap shop in"))
                .startApp(app).build();
        assertThat(p.steps()).extracting(PlannedStep::name).containsExactly("prepare shop", "stop nextcrm", "swap shop in", "start nextcrm");
    }

    @Test
    void aSwapWithNoPrepareIsRefusedNamingTheFix() {
        assertThat(problems(plan("no-prepare").stopApp(app).restore(swap("postgres.prepared.shop@backup.dump")).startApp(app)))
                .containsExactly("step 2 'swap in postgres.prepared.shop@backup.dump' swaps in the prepared copy "
                        + "'postgres.prepared.shop@backup.dump', but no step of the plan prepares it; add the prepare step the swap was made "
                        + "from (plan.step(prepared), before the app is stopped) earlier in the plan");
        // a prepare of another copy does not count
        assertThat(problems(plan("other").step(prepare("crm")).stopApp(app).restore(swap("shop"))))
                .singleElement().asString().contains("'shop', but no step of the plan prepares it");
    }

    @Test
    void aPrepareAfterItsSwapIsRefused() {
        assertThat(problems(plan("late").stopApp(app).restore(swap("shop")).step(prepare("shop")).startApp(app)))
                .containsExactly("step 2 'swap in shop' swaps in the prepared copy 'shop' before step 3 'prepare shop' prepares it; "
                        + "move the prepare before the swap (before the app is stopped, so that it runs while the app serves)");
    }

    @Test
    void aCopySwappedInTwiceIsRefused() {
        PlanValidationException e = catchThrowableOfType(PlanValidationException.class, () -> plan("twice").step(prepare("shop"))
                .stopApp(app).restore(swap("shop")).restore(swap("shop"), StepOptions.defaults().name("swap shop in again")).build());
        assertThat(e.problems()).containsExactly("the prepared copy 'shop' is swapped in by 2 steps: step 3 'swap in shop', "
                + "step 4 'swap shop in again'; the first swap takes the copy in under the live name, so there is nothing left for the others: "
                + "keep one swap, or prepare a second copy from another backup for the other");
        assertThat(e).hasMessageStartingWith("Plan 'twice' is not valid:");
    }

    @Test
    void aCopyPreparedTwiceIsRefusedAndEveryProblemIsListed() {
        assertThat(problems(plan("prepared-twice").step(prepare("shop")).step(prepare("shop"), StepOptions.defaults().name("prepare again"))
                .stopApp(app).restore(swap("shop")).restore(swap("crm"))))
                .containsExactly("the copy 'shop' is prepared by 2 steps: step 1 'prepare shop', step 2 'prepare again'; each prepare "
                                + "replaces the copy the one before made, so keep one of them (prepare another database or backup under "
                                + "another target if you need two copies)",
                        "step 5 'swap in crm' swaps in the prepared copy 'crm', but no step of the plan prepares it; add the prepare step "
                                + "the swap was made from (plan.step(prepared), before the app is stopped) earlier in the plan");
    }

    private static Step swapCountingLater(String id) {
        return new Step() {
            public String name() { return "swap in " + id; }
            public boolean destructive() { return true; }
            public void execute(StepContext c) { }
            public String swapsIn() { return id; }
            public String leavesForLater() { return id + "#dataLoss"; }
        };
    }

    private static Step countLater(String id) {
        return new Step() {
            public String name() { return "data-loss window of " + id; }
            public void execute(StepContext c) { }
            public String completes() { return id + "#dataLoss"; }
        };
    }

    @Test
    void workLeftForLaterNeedsALaterStepThatCompletesIt() {
        RollbackPlan ok = plan("later").step(prepare("shop")).stopApp(app).restore(swapCountingLater("shop")).startApp(app)
                .step(countLater("shop")).build();
        assertThat(ok.steps()).extracting(PlannedStep::name).endsWith("start nextcrm", "data-loss window of shop");
        assertThat(problems(plan("never").step(prepare("shop")).stopApp(app).restore(swapCountingLater("shop")).startApp(app)))
                .containsExactly("step 3 'swap in shop' leaves 'shop#dataLoss' for a later step, but no later step of the plan completes it; "
                        + "add the step that completes it (for a swap: swap.dataLossWindow(), after the app is verified healthy) after "
                        + "step 3, or use the swap that counts at the swap");
        // before the swap does not count, nor does a step completing other work
        assertThat(problems(plan("early").step(prepare("shop")).step(countLater("shop")).stopApp(app).restore(swapCountingLater("shop"))
                .step(countLater("crm"))))
                .singleElement().asString().startsWith("step 4 'swap in shop' leaves 'shop#dataLoss' for a later step");
    }
}
