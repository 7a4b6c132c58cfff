package dev.rollback.test;

import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;

import java.util.List;
import java.util.Objects;

/**
 * Entry point of the testkit's AssertJ assertions on plans, run reports and journals. Import
 * its methods statically next to AssertJ's own {@code assertThat}; the overloads for
 * {@link RollbackPlan} and {@link RunReport} are more specific, so both imports coexist.
 *
 * <pre>{@code
 * import static dev.rollback.test.RollbackAssertions.assertThat;
 * import static dev.rollback.test.RollbackAssertions.assertThatJournal;
 *
 * assertThat(plan).capturesBeforeEveryDestructiveStep().everyDestructiveStepIsFollowedByAVerify();
 * assertThat(report).succeeded().ranStepsInOrder("stop app", "restore", "start app");
 * assertThatJournal(journal, plan, report.runId()).hasApprovalBy("ci", "restore");
 * }</pre>
 */
public final class RollbackAssertions {
    private RollbackAssertions() {
    }

    /**
     * @param plan the plan under test
     * @return assertions on it
     */
    public static PlanAssert assertThat(RollbackPlan plan) {
        return new PlanAssert(plan);
    }

    /**
     * @param report the report under test
     * @return assertions on it
     */
    public static RunReportAssert assertThat(RunReport report) {
        return new RunReportAssert(report);
    }

    /**
     * @param drill a drill that has run a plan
     * @return assertions on its last report
     * @throws IllegalStateException when the drill has not run anything yet
     */
    public static RunReportAssert assertThat(Drill drill) {
        return new RunReportAssert(Objects.requireNonNull(drill, "drill").report());
    }

    /**
     * @param events a run's journal events, in order
     * @return assertions on them
     */
    public static JournalAssert assertThatJournal(List<JournalEvent> events) {
        return new JournalAssert(events);
    }

    /**
     * Reads a run from a journal and asserts on its events.
     *
     * @param journal the journal
     * @param plan    the plan the run executed
     * @param runId   the run
     * @return assertions on its events
     */
    public static JournalAssert assertThatJournal(Journal journal, RollbackPlan plan, String runId) {
        Objects.requireNonNull(journal, "journal");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(runId, "runId");
        return new JournalAssert(journal.read(plan.name(), runId));
    }
}
