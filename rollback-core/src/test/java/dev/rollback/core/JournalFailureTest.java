package dev.rollback.core;

import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.JournalException;
import dev.rollback.core.journal.LeaseLostException;
import dev.rollback.core.journal.PlanLock;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A journal that stops accepting events (its server went away, the disk filled, another runner
 * took the lease) stops the run before its next step: nothing runs that the journal did not
 * record, and the run resumes once the journal is back.
 */
class JournalFailureTest {
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final InMemoryJournal store = InMemoryJournal.create();
    private final AtomicReference<Predicate<JournalEvent>> failWhen = new AtomicReference<>(e -> false);
    private final AtomicReference<RollbackException> failure = new AtomicReference<>();

    /** The in-memory journal, with appends that fail on demand. */
    private final Journal flaky = new Journal() {
        @Override
        public JournalWriter open(String planName, Holder holder) {
            JournalWriter w = store.open(planName, holder);
            return new JournalWriter() {
                @Override
                public void append(JournalEvent event) {
                    if (failWhen.get().test(event)) {
                        throw failure.get();
                    }
                    w.append(event);
                }

                @Override
                public void close() {
                    w.close();
                }
            };
        }

        @Override
        public List<JournalEvent> read(String planName, String runId) {
            return store.read(planName, runId);
        }

        @Override
        public List<String> runIds(String planName) {
            return store.runIds(planName);
        }

        @Override
        public List<JournalEvent> planLog(String planName) {
            return store.planLog(planName);
        }

        @Override
        public List<String> planNames() {
            return store.planNames();
        }

        @Override
        public Optional<PlanLock> lock(String planName) {
            return store.lock(planName);
        }

        @Override
        public Path runDirectory(String planName, String runId) {
            return store.runDirectory(planName, runId);
        }

        @Override
        public String describeLocation(String planName, String runId) {
            return "flaky journal, run " + runId;
        }
    };

    private RollbackPlan plan() {
        return Rollback.plan("journal-down")
                .step("s1", c -> ran.add("s1"))
                .checkpoint("cp")
                .step("s2", c -> ran.add("s2"))
                .step("s3", c -> ran.add("s3"))
                .build();
    }

    @Test
    void theRunStopsBeforeTheNextStepWhenTheJournalFailsAndResumesOnceItIsBack() {
        failure.set(new JournalException("I/O error: connection to the journal server at db-ops:5432 refused"));
        failWhen.set(e -> e instanceof JournalEvent.StepStarted s && s.step().equals("s2"));
        RollbackRunner runner = Rollback.runner().journal(flaky).resumeCommand(id -> "app-rollback --resume " + id);
        assertThatThrownBy(() -> runner.run(plan()))
                .isInstanceOf(JournalException.class)
                .hasMessageContaining("The journal stopped accepting events")
                .hasMessageContaining("stopped before step 3 's2'")
                .hasMessageContaining("nothing ran that the journal did not record")
                .hasMessageContaining("connection to the journal server at db-ops:5432 refused")
                .hasMessageContaining("Once the journal is back, resume with: app-rollback --resume ");
        assertThat(ran).containsExactly("s1");
        String runId = store.runIds("journal-down").get(0);
        assertThat(store.read("journal-down", runId)).noneMatch(JournalEvent.RunFinished.class::isInstance);
        assertThat(store.lock("journal-down")).isEmpty();

        failWhen.set(e -> false);
        RunReport resumed = runner.resume(plan(), runId);
        assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(ran).containsExactly("s1", "s2", "s3");
    }

    @Test
    void aStepWhoseEndCannotBeJournaledIsNamedAndNoFurtherStepRuns() {
        failure.set(new JournalException("disk full"));
        failWhen.set(e -> e instanceof JournalEvent.StepFinished f && f.step().equals("s2"));
        assertThatThrownBy(() -> Rollback.runner().journal(flaky).run(plan()))
                .hasMessageContaining("stopped after step 3 's2' ran (its end could not be journaled, so a resume runs it again)");
        assertThat(ran).containsExactly("s1", "s2");
    }

    @Test
    void aRunnerWhoseLeaseWasTakenOverRunsNoFurtherStep() {
        failure.set(new LeaseLostException("The lease of plan 'journal-down' was taken over by run r2 by bob, pid 7 on host-b."));
        failWhen.set(e -> e instanceof JournalEvent.StepStarted s && s.step().equals("s3"));
        assertThatThrownBy(() -> Rollback.runner().journal(flaky).run(plan()))
                .isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("taken over by run r2 by bob, pid 7 on host-b")
                .hasMessageContaining("This runner stopped before step 4 's3' and runs nothing more");
        assertThat(ran).containsExactly("s1", "s2");
    }
}
