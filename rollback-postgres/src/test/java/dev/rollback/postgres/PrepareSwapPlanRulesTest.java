package dev.rollback.postgres;

import dev.rollback.core.PlanValidationException;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.StepOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A plan of PostgreSQL prepare/swap steps is checked when it is built, before any database is touched (no server needed). */
class PrepareSwapPlanRulesTest {
    private final Postgres pg = Postgres.at("jdbc:postgresql://127.0.0.1:1/shop");
    private final PreparedRestore prepared = pg.restore(Path.of("/backups/shop.dump")).prepare();

    @Test
    void theSwapNamesItsPrepareAndAPlanWithThePrepareFirstBuilds() {
        assertThat(prepared.prepares()).isEqualTo("postgres.prepared.shop@shop.dump").isEqualTo(pg.swapIn(prepared).swapsIn());
        RollbackPlan plan = Rollback.plan("shop").withoutCapture("test").step(prepared).restore(pg.swapIn(prepared)).build();
        assertThat(plan.steps()).hasSize(2);
    }

    @Test
    void aSwapWithoutItsPrepareBeforeItIsRefused() {
        PlanValidationException none = catchThrowableOfType(PlanValidationException.class,
                () -> Rollback.plan("shop").withoutCapture("test").restore(pg.swapIn(prepared)).build());
        assertThat(none.problems()).singleElement().asString()
                .startsWith("step 1 'swap in shop@shop.dump' swaps in the prepared copy 'postgres.prepared.shop@shop.dump', but no step "
                        + "of the plan prepares it; add the prepare step");
        // another dump of the same database is another copy
        PreparedRestore other = pg.restore(Path.of("/backups/older.dump")).prepare();
        assertThat(catchThrowableOfType(PlanValidationException.class,
                () -> Rollback.plan("shop").withoutCapture("test").step(other).restore(pg.swapIn(prepared)).build()).problems())
                .singleElement().asString().contains("'postgres.prepared.shop@shop.dump', but no step of the plan prepares it");
        assertThat(catchThrowableOfType(PlanValidationException.class,
                () -> Rollback.plan("shop").withoutCapture("test").restore(pg.swapIn(prepared)).step(prepared).build()).problems())
                .singleElement().asString().contains("before step 2 'prepare shop from shop.dump' prepares it; move the prepare before the swap");
    }

    @Test
    void aPreparedCopySwappedTwiceIsRefused() {
        assertThat(catchThrowableOfType(PlanValidationException.class, () -> Rollback.plan("shop").withoutCapture("test").step(prepared)
                .restore(pg.swapIn(prepared)).restore(pg.swapIn(prepared), StepOptions.defaults().name("swap again")).build()).problems())
                .singleElement().asString().startsWith("the prepared copy 'postgres.prepared.shop@shop.dump' is swapped in by 2 steps: "
                        + "step 2 'swap in shop@shop.dump', step 3 'swap again'");
    }
}
