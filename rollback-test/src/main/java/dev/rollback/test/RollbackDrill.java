package dev.rollback.test;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Registers {@link RollbackDrillExtension} on a test class or method, so that test and
 * lifecycle methods can take a {@link Drill} parameter. A method's annotation overrides its
 * class's.
 *
 * <pre>{@code
 * @RollbackDrill(approver = "ci@example.com", journal = RollbackDrill.JournalKind.FILE)
 * class RollbackPlanTest {
 *     @Test
 *     void rollsBack(Drill drill) {
 *         drill.run(plan);
 *         assertThat(drill).succeeded();
 *     }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(RollbackDrillExtension.class)
public @interface RollbackDrill {

    /** @return who approves destructive steps in the drill's runs */
    String approver() default "drill";

    /** @return who the journal says runs the plan */
    String operator() default "drill";

    /** @return where the drill's journal lives */
    JournalKind journal() default JournalKind.MEMORY;

    /** Where a drill keeps its journal. */
    enum JournalKind {
        /** An {@link dev.rollback.core.journal.InMemoryJournal}: fastest. */
        MEMORY,
        /** A {@link dev.rollback.core.journal.FileJournal} in a temporary folder deleted after the test: the real format, lock and fsyncs. */
        FILE
    }
}
