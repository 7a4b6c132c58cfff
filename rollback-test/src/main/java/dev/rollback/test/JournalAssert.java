package dev.rollback.test;

import dev.rollback.core.journal.JournalCodec;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.test.internal.JournalRendering;
import dev.rollback.test.internal.Texts;
import org.assertj.core.api.AbstractAssert;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Assertions on a run's journal events, in the order they were written: approvals, the order of
 * event types, how often a step ran, and that no secret reached the journal. Obtain one with
 * {@link RollbackAssertions#assertThatJournal(List)} or
 * {@link RollbackAssertions#assertThatJournal(dev.rollback.core.journal.Journal, dev.rollback.core.RollbackPlan, String)}.
 * Failure messages list the events, one compact line each.
 *
 * <pre>{@code
 * List<JournalEvent> events = journal.read(plan.name(), report.runId());
 *
 * // succeeds
 * assertThatJournal(events).hasApprovalBy("ops@example.com", "restore backup")
 *                          .recordedEventsInOrder(RunStarted.class, ApprovalGranted.class, RunFinished.class)
 *                          .containsNoText(dbPassword)
 *                          .ranStepTimes("restore backup", 1);
 *
 * // fails: the restore was approved
 * assertThatJournal(events).hasNoApprovalFor("restore backup");
 * }</pre>
 */
public final class JournalAssert extends AbstractAssert<JournalAssert, List<JournalEvent>> {

    JournalAssert(List<JournalEvent> actual) {
        super(actual == null ? null : List.copyOf(actual), JournalAssert.class);
    }

    /**
     * Verifies that this approver approved this step.
     *
     * <pre>{@code
     * assertThatJournal(events).hasApprovalBy("drill", "restore backup");   // fails for another approver, or none
     * }</pre>
     *
     * @param approver who approved
     * @param stepName the destructive step
     * @return this assertion
     */
    public JournalAssert hasApprovalBy(String approver, String stepName) {
        isNotNull();
        List<JournalEvent.ApprovalGranted> forStep = actual.stream().filter(JournalEvent.ApprovalGranted.class::isInstance)
                .map(JournalEvent.ApprovalGranted.class::cast).filter(a -> a.step().equals(stepName)).toList();
        if (forStep.stream().noneMatch(a -> a.approver().equals(approver))) {
            failWithMessage("Expecting the journal to record an approval of '%s' by '%s' but %s.%nEvents:%n%s", stepName, approver,
                    forStep.isEmpty() ? "no approval of that step is recorded"
                            : "it was approved by " + forStep.stream().map(a -> "'" + a.approver() + "' (" + a.method() + ")").toList(),
                    render());
        }
        return this;
    }

    /**
     * Verifies that no approval of this step is recorded (it was refused, could not be asked,
     * or the run never got there).
     *
     * <pre>{@code
     * assertThatJournal(events).hasNoApprovalFor("drop old database");
     * }</pre>
     *
     * @param stepName the step
     * @return this assertion
     */
    public JournalAssert hasNoApprovalFor(String stepName) {
        isNotNull();
        List<String> approvers = actual.stream().filter(JournalEvent.ApprovalGranted.class::isInstance)
                .map(JournalEvent.ApprovalGranted.class::cast).filter(a -> a.step().equals(stepName))
                .map(a -> a.approver() + " (" + a.method() + ")").toList();
        if (!approvers.isEmpty()) {
            failWithMessage("Expecting the journal to record no approval of '%s' but it was approved by %s.%nEvents:%n%s", stepName,
                    approvers, render());
        }
        return this;
    }

    /**
     * Verifies that events of these types were recorded in this order, possibly with other
     * events between them.
     *
     * <pre>{@code
     * assertThatJournal(events).recordedEventsInOrder(StepFailed.class, StepStarted.class, StepFinished.class);
     * }</pre>
     *
     * @param types event types, in the expected order
     * @return this assertion
     */
    @SafeVarargs
    public final JournalAssert recordedEventsInOrder(Class<? extends JournalEvent>... types) {
        isNotNull();
        Objects.requireNonNull(types, "types");
        List<Class<?>> actualTypes = new ArrayList<>();
        actual.forEach(e -> actualTypes.add(e.getClass()));
        List<Class<?>> expected = new ArrayList<>(Arrays.asList(types));
        Texts.Subsequence<Class<?>> mismatch = Texts.subsequenceMismatch(actualTypes, expected);
        if (mismatch != null) {
            failWithMessage("Expecting the journal to record %s in this order but no %s follows %s.%nEvents:%n%s",
                    expected.stream().map(Class::getSimpleName).toList(), mismatch.later().getSimpleName(),
                    mismatch.earlier() == null ? "the start" : mismatch.earlier().getSimpleName() + " (in that order)", render());
        }
        return this;
    }

    /**
     * Verifies that no journal line, encoded exactly as a file journal writes it
     * ({@link JournalCodec#encode(JournalEvent)}), contains this text. The failure message names
     * the offending events with the text masked, so the CI log does not leak it.
     *
     * <pre>{@code
     * assertThatJournal(events).containsNoText(System.getenv("PGPASSWORD"));
     * }</pre>
     *
     * @param secret the text that must not appear
     * @return this assertion
     */
    public JournalAssert containsNoText(String secret) {
        isNotNull();
        Texts.requireUsableSecret(secret);
        List<String> leaks = new ArrayList<>();
        for (int i = 0; i < actual.size(); i++) {
            String line = JournalCodec.encode(actual.get(i));
            if (line.contains(secret)) {
                leaks.add("line " + (i + 1) + ": " + Texts.mask(line, secret));
            }
        }
        if (!leaks.isEmpty()) {
            failWithMessage("Expecting the journal to contain no trace of the secret, but %d line(s) do (secret masked below):%n  %s",
                    leaks.size(), String.join("\n  ", leaks));
        }
        return this;
    }

    /**
     * Verifies how many times a step finished ({@link JournalEvent.StepFinished} events), across
     * every invocation of the run: a step that finished before the checkpoint a resume restarted
     * after must have finished exactly once.
     *
     * <pre>{@code
     * assertThatJournal(events).ranStepTimes("restore backup", 1);   // fails when a resume ran it again
     * }</pre>
     *
     * @param stepName the step
     * @param times    how many times it must have finished
     * @return this assertion
     */
    public JournalAssert ranStepTimes(String stepName, int times) {
        isNotNull();
        if (times < 0) {
            throw new IllegalArgumentException("times must be 0 or more, not " + times);
        }
        long finished = actual.stream().filter(e -> e instanceof JournalEvent.StepFinished f && f.step().equals(stepName)).count();
        if (finished != times) {
            long started = actual.stream().filter(e -> e instanceof JournalEvent.StepStarted s && s.step().equals(stepName)).count();
            long failed = actual.stream().filter(e -> e instanceof JournalEvent.StepFailed s && s.step().equals(stepName)).count();
            failWithMessage("Expecting step '%s' to have finished %d time(s) but it finished %d time(s) (%d attempt(s) started, %d failed)."
                    + "%nEvents:%n%s", stepName, times, finished, started, failed, render());
        }
        return this;
    }

    private String render() {
        return JournalRendering.excerpt(actual, 60);
    }
}
