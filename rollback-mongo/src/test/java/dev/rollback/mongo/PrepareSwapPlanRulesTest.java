package dev.rollback.mongo;

import dev.rollback.core.PlanValidationException;
import dev.rollback.core.Rollback;
import dev.rollback.core.StepOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A plan of MongoDB prepare/swap steps is checked when it is built, before any server is contacted. */
class PrepareSwapPlanRulesTest {
    private final MongoDb crm = Mongo.at("mongodb://127.0.0.1:1").database("crm");
    private final MongoPrepare prepared = crm.prepare(MongoBackup.at(Path.of("/backups/crm")));

    @Test
    void theSwapNamesItsPrepareAndAPlanWithThePrepareFirstBuilds() {
        assertThat(prepared.prepares()).isEqualTo("mongo.prepared.crm").isEqualTo(crm.swapIn(prepared).swapsIn());
        assertThat(Rollback.plan("crm").withoutCapture("test").step(prepared).restore(crm.swapIn(prepared)).build().steps()).hasSize(2);
    }

    @Test
    void aSwapWithoutItsPrepareBeforeItIsRefused() {
        assertThat(catchThrowableOfType(PlanValidationException.class,
                () -> Rollback.plan("crm").withoutCapture("test").restore(crm.swapIn(prepared)).build()).problems())
                .singleElement().asString().startsWith("step 1 'swap in restored MongoDB database crm' swaps in the prepared copy "
                        + "'mongo.prepared.crm', but no step of the plan prepares it; add the prepare step");
        assertThat(catchThrowableOfType(PlanValidationException.class,
                () -> Rollback.plan("crm").withoutCapture("test").restore(crm.swapIn(prepared)).step(prepared).build()).problems())
                .singleElement().asString().contains("move the prepare before the swap");
    }

    @Test
    void aDatabasePreparedTwiceOrSwappedTwiceIsRefused() {
        MongoPrepare again = crm.prepare(MongoBackup.at(Path.of("/backups/crm-older")));
        assertThat(catchThrowableOfType(PlanValidationException.class, () -> Rollback.plan("crm").withoutCapture("test").step(prepared)
                .step(again, StepOptions.defaults().name("prepare older")).restore(crm.swapIn(again)).build()).problems())
                .singleElement().asString().startsWith("the copy 'mongo.prepared.crm' is prepared by 2 steps: "
                        + "step 1 'prepare restore of MongoDB database crm', step 2 'prepare older'");
        assertThat(catchThrowableOfType(PlanValidationException.class, () -> Rollback.plan("crm").withoutCapture("test").step(prepared)
                .restore(crm.swapIn(prepared)).restore(crm.swapIn(prepared), StepOptions.defaults().name("swap again")).build()).problems())
                .singleElement().asString().startsWith("the prepared copy 'mongo.prepared.crm' is swapped in by 2 steps");
    }

    @Test
    void aSwapThatCountsLaterNeedsItsCountAfterIt() {
        MongoSwapIn swap = crm.swapIn(prepared).countDataLossLater();
        assertThat(swap.countsDataLossLater()).isTrue();
        assertThat(crm.swapIn(prepared).countsDataLossLater()).isFalse();
        assertThat(swap.leavesForLater()).isEqualTo("mongo.prepared.crm.dataLoss").isEqualTo(swap.dataLossWindow().completes());
        assertThat(crm.swapIn(prepared).leavesForLater()).isNull();
        assertThat(Rollback.plan("crm").withoutCapture("test").step(prepared).restore(swap).step(swap.dataLossWindow()).build().steps())
                .hasSize(3);
        assertThat(catchThrowableOfType(PlanValidationException.class,
                () -> Rollback.plan("crm").withoutCapture("test").step(prepared).restore(swap).build()).problems())
                .containsExactly("step 2 'swap in restored MongoDB database crm' leaves 'mongo.prepared.crm.dataLoss' for a later step, but no "
                        + "later step of the plan completes it; add the step that completes it (for a swap: swap.dataLossWindow(), after "
                        + "the app is verified healthy) after step 2, or use the swap that counts at the swap");
        assertThat(swap.dataLossWindow().destructive()).isFalse();
        assertThat(swap.describe().parameters()).containsEntry("data-loss window", "counted later, on the kept collections, by "
                + "'data-loss window of MongoDB database crm at the swap'");
    }
}
