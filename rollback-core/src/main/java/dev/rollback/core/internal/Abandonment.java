package dev.rollback.core.internal;

import dev.rollback.core.AbandonReport;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepKind;
import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.JournalEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Abandons an interrupted run: runs {@link dev.rollback.core.Step#cleanUp(StepContext)} of each step
 * that started in it, last started first, journals what each removed or why it failed, then marks
 * the run abandoned. Not public API.
 */
final class Abandonment {
    private static final Logger LOG = LoggerFactory.getLogger("dev.rollback.runner");

    private Abandonment() {
    }

    /**
     * @param plan         the plan as it is now
     * @param runId        the run to abandon
     * @param events       the run's events
     * @param contexts     makes the context a step's cleanup sees (the run's id, outputs, the step's memory)
     * @param append       journals an event
     * @param me           who abandons it
     * @param reason       why
     * @param clock        the clock
     * @param runDirectory the run's folder
     * @return what was done
     */
    static AbandonReport run(RollbackPlan plan, String runId, List<JournalEvent> events, Function<PlannedStep, StepContext> contexts,
                             Consumer<JournalEvent> append, Holder me, String reason, Clock clock, Path runDirectory) {
        String fingerprint = events.stream().filter(JournalEvent.RunStarted.class::isInstance).map(e -> ((JournalEvent.RunStarted) e).fingerprint())
                .findFirst().orElse(null);
        boolean samePlan = plan.fingerprint().equals(fingerprint);
        Map<Integer, String> started = new LinkedHashMap<>();
        for (JournalEvent e : events) {
            // checks change nothing and have nothing to clean up
            if (e instanceof JournalEvent.StepStarted s && s.kind() != StepKind.PRECHECK && s.kind() != StepKind.VERIFY) {
                started.putIfAbsent(s.index(), s.step());
            }
        }
        List<Map.Entry<Integer, String>> order = new ArrayList<>(started.entrySet());
        Collections.reverse(order);
        List<AbandonReport.CleanedStep> cleaned = new ArrayList<>();
        for (Map.Entry<Integer, String> s : order) {
            int index = s.getKey();
            String name = s.getValue();
            if (samePlan ? plan.handlerAt(index).isPresent() : name.startsWith("(on failure) ") || name.startsWith("(always) ")) {
                continue;   // handlers react to how a run ended; they leave no temporaries of the run's own
            }
            Optional<PlannedStep> step = samePlan && index <= plan.steps().size() && plan.steps().get(index - 1).name().equals(name)
                    ? Optional.of(plan.steps().get(index - 1)) : plan.step(name);
            List<String> removed = List.of();
            String error = null;
            if (step.isEmpty()) {
                error = "step '" + name + "' is not in the plan any more (the plan changed since the run started), so its cleanup "
                        + "could not run: remove what it left by hand (see its outputs in the run's journal)";
            } else if (step.get().isCheck()) {
                continue;
            } else {
                try {
                    List<String> r = step.get().step().cleanUp(contexts.apply(step.get()));
                    removed = r == null ? List.of() : r;
                } catch (Exception | LinkageError e) {
                    error = Failures.describe(e);
                }
            }
            if (error != null) {
                LOG.warn("Cleanup of step '{}' of abandoned run {} failed: {}", name, runId, error);
            } else if (!removed.isEmpty()) {
                LOG.info("Cleanup of step '{}' of abandoned run {} removed: {}", name, runId, String.join(", ", removed));
            }
            append.accept(new JournalEvent.StepCleanedUp(runId, clock.instant(), index, name, removed, error));
            cleaned.add(new AbandonReport.CleanedStep(index, name, removed, error));
        }
        int failures = (int) cleaned.stream().filter(c -> c.error() != null).count();
        append.accept(new JournalEvent.RunAbandoned(runId, clock.instant(), me.operator(), reason, me.host(), me.pid(), failures));
        int removedCount = cleaned.stream().mapToInt(c -> c.removed().size()).sum();
        append.accept(PlanGuard.decision(runId, plan, JournalEvent.PlanDecision.Decision.ABANDONED, me, reason, clock.instant(),
                "run " + runId + " abandoned: " + removedCount + " object(s) removed by the cleanup of " + cleaned.size() + " step(s)"
                        + (failures == 0 ? "" : ", " + failures + " cleanup(s) FAILED")));
        return new AbandonReport(plan.name(), runId, me.operator(), reason, cleaned, runDirectory);
    }
}
