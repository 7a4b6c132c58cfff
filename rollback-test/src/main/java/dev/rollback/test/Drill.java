package dev.rollback.test;

import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RollbackRunner;
import dev.rollback.core.RunListener;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.report.IncidentReport;
import org.opentest4j.AssertionFailedError;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs plans in a test, as {@link RollbackDrillExtension} hands it to a test method: a fresh
 * journal per test (in memory, or files in a temporary folder), approvals by a named approver
 * ({@code "drill"} unless {@link RollbackDrill#approver()} says otherwise), and the last run's
 * report, journal events and incident report at hand for assertions.
 *
 * <p>{@link #run(RollbackPlan)} and {@link #resume(RollbackPlan)} fail the test, with the
 * incident report in the message, when the run does not succeed; {@link #attempt(RollbackPlan)}
 * and {@link #attemptResume(RollbackPlan)} return whatever happened, for tests of failures.
 *
 * <pre>{@code
 * @RollbackDrill
 * class NextCrmRollbackTest {
 *     @Test
 *     void restoresAndRestarts(Drill drill) {
 *         drill.run(NextCrmRollback.plan(fakes));
 *         assertThat(drill).succeeded().ranStepsInOrder("stop nextcrm", "restore", "start nextcrm");
 *         assertThatJournal(drill.events()).hasApprovalBy("drill", "restore");
 *         assertThat(drill.incidentReport()).contains("SUCCEEDED");
 *     }
 * }
 * }</pre>
 */
public final class Drill {
    private final Journal journal;
    private final Path journalDirectory;
    private Confirmations confirmations;
    private String operator;
    private String reason = "drill";
    private Clock clock = Clock.systemUTC();
    private final List<RunListener> listeners = new ArrayList<>();
    private RollbackPlan lastPlan;
    private RunReport lastReport;

    Drill(Journal journal, Path journalDirectory, String approver, String operator) {
        this.journal = Objects.requireNonNull(journal, "journal");
        this.journalDirectory = journalDirectory;
        this.confirmations = Confirmations.autoApprove(approver);
        this.operator = Objects.requireNonNull(operator, "operator");
    }

    /**
     * @param confirmations how destructive steps are approved from now on, such as
     *                      {@code Confirmations.none()} to test that a plan stops for approval
     * @return this drill
     */
    public Drill confirmations(Confirmations confirmations) {
        this.confirmations = Objects.requireNonNull(confirmations, "confirmations");
        return this;
    }

    /**
     * @param operator who the journal says runs the plan (default {@code "drill"})
     * @return this drill
     */
    public Drill operator(String operator) {
        this.operator = Objects.requireNonNull(operator, "operator");
        return this;
    }

    /**
     * @param reason why the run happens, for the journal (default {@code "drill"})
     * @return this drill
     */
    public Drill reason(String reason) {
        this.reason = Objects.requireNonNull(reason, "reason");
        return this;
    }

    /**
     * @param clock the runner's clock, such as a {@link ManualClock}
     * @return this drill
     */
    public Drill clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * @param listener one more listener for the runs of this drill
     * @return this drill
     */
    public Drill listener(RunListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Runs a plan from its first step and fails the test when the run does not succeed (with
     * or without warnings), with the failure and the incident report in the message.
     *
     * @param plan the plan
     * @return the report of a successful run
     * @throws AssertionFailedError when the run did not succeed
     */
    public RunReport run(RollbackPlan plan) {
        return requireSuccess(attempt(plan), "run");
    }

    /**
     * Runs a plan from its first step and returns the report whatever the outcome.
     *
     * @param plan the plan
     * @return the report
     */
    public RunReport attempt(RollbackPlan plan) {
        Objects.requireNonNull(plan, "plan");
        lastPlan = plan;
        lastReport = runner().run(plan);
        return lastReport;
    }

    /**
     * Resumes the last run of this drill and fails the test when it does not succeed.
     *
     * @param plan the same plan
     * @return the report of a successful resume
     * @throws IllegalStateException when the drill has run nothing yet
     * @throws AssertionFailedError  when the resumed run did not succeed
     */
    public RunReport resume(RollbackPlan plan) {
        return requireSuccess(attemptResume(plan), "resume");
    }

    /**
     * Resumes the last run of this drill and returns the report whatever the outcome.
     *
     * @param plan the same plan
     * @return the report
     * @throws IllegalStateException when the drill has run nothing yet
     */
    public RunReport attemptResume(RollbackPlan plan) {
        Objects.requireNonNull(plan, "plan");
        String runId = report().runId();
        lastPlan = plan;
        lastReport = runner().resume(plan, runId);
        return lastReport;
    }

    /**
     * @return the report of the last run or resume
     * @throws IllegalStateException when the drill has run nothing yet
     */
    public RunReport report() {
        if (lastReport == null) {
            throw new IllegalStateException("the drill has not run a plan yet; call drill.run(plan) or drill.attempt(plan) first");
        }
        return lastReport;
    }

    /**
     * @return the journal events of the last run, every invocation included
     * @throws IllegalStateException when the drill has run nothing yet
     */
    public List<JournalEvent> events() {
        RunReport r = report();
        return journal.read(r.planName(), r.runId());
    }

    /**
     * @return the incident report (Markdown) of the last run, as the runner renders it
     * @throws IllegalStateException when the drill has run nothing yet
     */
    public String incidentReport() {
        return IncidentReport.of(events()).plan(lastPlan).toMarkdown();
    }

    /** @return the journal of this drill */
    public Journal journal() {
        return journal;
    }

    /** @return the folder of the file journal, when the drill uses one */
    public Optional<Path> journalDirectory() {
        return Optional.ofNullable(journalDirectory);
    }

    private RollbackRunner runner() {
        RollbackRunner r = Rollback.runner().journal(journal).confirmations(confirmations).operator(operator).reason(reason).clock(clock);
        listeners.forEach(r::listener);
        return r;
    }

    private RunReport requireSuccess(RunReport report, String what) {
        if (!report.isSuccess()) {
            String failure = report.failureIfAny().map(f -> " at '" + f.step() + "': " + f.message() + "\n" + f.stateLeftBehind())
                    .orElse("");
            throw new AssertionFailedError("Drill " + what + " of plan '" + report.planName() + "' (run " + report.runId() + ") ended "
                    + report.outcome() + failure + "\n"
                    + "Use drill.attempt(plan) to test a run that is meant to fail.\n\nIncident report:\n" + incidentReport());
        }
        return report;
    }

    @Override
    public String toString() {
        return "Drill[" + journal + (lastReport == null ? "" : ", last run " + lastReport.runId() + " " + lastReport.outcome()) + "]";
    }
}
