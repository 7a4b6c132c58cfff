package dev.rollback.test;

import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.test.drillplans.AppendingPlan;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad input to the crash drill, refused before any child JVM starts. */
class CrashDrillTest {

    static final class NotPublic implements Supplier<RollbackPlan> {
        @Override
        public RollbackPlan get() {
            return Rollback.plan("x").step("a", c -> { }).build();
        }
    }

    /** Public, but needs an argument. */
    public static final class NeedsArgument implements Supplier<RollbackPlan> {
        private final String dir;

        /** @param dir a folder */
        public NeedsArgument(String dir) {
            this.dir = dir;
        }

        @Override
        public RollbackPlan get() {
            return Rollback.plan(dir).step("a", c -> { }).build();
        }
    }

    /** Public, but an inner class. */
    public final class Inner implements Supplier<RollbackPlan> {
        /** Needs the enclosing instance. */
        public Inner() {
        }

        @Override
        public RollbackPlan get() {
            return Rollback.plan("inner").step("a", c -> { }).build();
        }
    }

    @Test
    void aFactoryTheChildCannotInstantiateIsRefusedSayingWhy() {
        assertThatThrownBy(() -> CrashDrill.of(NotPublic.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CrashDrill.of(dev.rollback.test.CrashDrillTest$NotPublic)")
                .hasMessageContaining("because it is not public")
                .hasMessageContaining("public class with a public no-arg constructor implementing Supplier<RollbackPlan>");
        assertThatThrownBy(() -> CrashDrill.of(NeedsArgument.class))
                .hasMessageContaining("because it has no public no-arg constructor");
        assertThatThrownBy(() -> CrashDrill.of(Inner.class))
                .hasMessageContaining("it is an inner class; make it static");
        @SuppressWarnings("unchecked")
        Class<? extends Supplier<RollbackPlan>> lambda = (Class<? extends Supplier<RollbackPlan>>) ((Supplier<RollbackPlan>) () -> null).getClass();
        assertThatThrownBy(() -> CrashDrill.of(lambda)).hasMessageContaining("anonymous, local or lambda class");
    }

    @Test
    void aDrillWithoutCrashPointsIsRefused() {
        assertThatThrownBy(() -> CrashDrill.of(AppendingPlan.class).verify(() -> ""))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no crash points; call killAtEveryStepBoundary(), killInsideEveryStep() and/or killAfterEveryStepMemory()");
    }

    @Test
    void badOptionsAreRefused() {
        CrashDrill drill = CrashDrill.of(AppendingPlan.class);
        assertThatThrownBy(() -> drill.childTimeout(Duration.ZERO)).hasMessageContaining("childTimeout must be positive");
        assertThatThrownBy(() -> drill.maxResumes(0)).hasMessageContaining("maxResumes must be at least 1, not 0");
        assertThatThrownBy(() -> drill.approver(" ")).hasMessageContaining("the approver needs a name");
        assertThatThrownBy(() -> drill.systemProperty("rollback.drill.block", "x")).hasMessageContaining("reserved by the crash drill");
        assertThatThrownBy(() -> drill.systemProperty("", "x")).hasMessageContaining("is blank");
        assertThatThrownBy(() -> drill.classPath(" ")).hasMessageContaining("the class path of the child JVMs is blank");
    }

    @Test
    void optionsReturnNewDrillsAndLeaveTheOriginalAlone() {
        CrashDrill drill = CrashDrill.of(AppendingPlan.class);
        CrashDrill withPoints = drill.killAtEveryStepBoundary().killInsideEveryStep();
        assertThat(withPoints).isNotSameAs(drill);
        assertThat(withPoints.toString()).contains("after steps").contains("inside steps");
        assertThat(drill.toString()).doesNotContain("after steps");
    }
}
