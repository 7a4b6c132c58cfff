package dev.rollback.core.live;

import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunListener;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Follows a run through its journal, from another terminal or, once the journal is shared,
 * another machine: every event the run journals is handed to listeners (a
 * {@link dev.rollback.core.ConsoleProgress}, a {@link LivePage}) as it appears, until the run ends.
 * It only reads; it never takes the plan's lock.
 *
 * <pre>{@code
 * RunWatch.of(journal, plan, "latest").follow(ConsoleProgress.to(System.out));
 * }</pre>
 */
public final class RunWatch {
    private final Journal journal;
    private final RollbackPlan plan;
    private final String run;
    private final Duration poll;
    private final Duration quiet;
    private final Consumer<String> notices;

    private RunWatch(Journal journal, RollbackPlan plan, String run, Duration poll, Duration quiet, Consumer<String> notices) {
        this.journal = journal;
        this.plan = plan;
        this.run = run;
        this.poll = poll;
        this.quiet = quiet;
        this.notices = notices;
    }

    /**
     * @param journal the journal the run writes
     * @param plan    its plan (for the step list)
     * @param runId   the run, or {@code latest} for the newest run of the plan (the first one to
     *                appear, when there is none yet)
     * @return a watch; nothing is read until {@link #follow(RunListener...)}
     */
    public static RunWatch of(Journal journal, RollbackPlan plan, String runId) {
        return new RunWatch(Objects.requireNonNull(journal, "journal"), Objects.requireNonNull(plan, "plan"),
                Objects.requireNonNull(runId, "runId"), Duration.ofMillis(500), Duration.ofSeconds(60), s -> { });
    }

    /**
     * @param interval how often to read the journal (default 500 ms)
     * @return a copy that polls at that interval
     */
    public RunWatch pollEvery(Duration interval) {
        return new RunWatch(journal, plan, run, Objects.requireNonNull(interval, "interval"), quiet, notices);
    }

    /**
     * @param after   how long without a new event before a notice says the run may have died (default 60 s)
     * @param notices where notices go (a line for people)
     * @return a copy that reports quiet runs there
     */
    public RunWatch noticeQuietAfter(Duration after, Consumer<String> notices) {
        return new RunWatch(journal, plan, run, poll, Objects.requireNonNull(after, "after"), Objects.requireNonNull(notices, "notices"));
    }

    /**
     * Follows the run until its journal records its end, handing every event to the listeners.
     *
     * @param listeners who gets the events
     * @return the end, when the run ended; empty when the thread was interrupted first
     */
    public Optional<JournalEvent.RunFinished> follow(RunListener... listeners) {
        List<RunListener> to = List.of(listeners);
        try {
            String id = resolve();
            int seen = 0;
            Instant lastNew = Instant.now();
            boolean told = false;
            boolean started = false;
            while (!Thread.currentThread().isInterrupted()) {
                List<JournalEvent> events = journal.read(plan.name(), id);
                if (!started && !events.isEmpty()) {
                    boolean resumed = events.stream().anyMatch(JournalEvent.RunResumed.class::isInstance);
                    String runId = id;
                    to.forEach(l -> l.runStarting(plan, runId, resumed));
                    started = true;
                }
                for (int i = seen; i < events.size(); i++) {
                    JournalEvent e = events.get(i);
                    to.forEach(l -> l.event(plan, e));
                }
                if (events.size() > seen) {
                    seen = events.size();
                    lastNew = Instant.now();
                    told = false;
                    if (events.get(seen - 1) instanceof JournalEvent.RunFinished f) {
                        return Optional.of(f);
                    }
                } else if (!told && Duration.between(lastNew, Instant.now()).compareTo(quiet) > 0) {
                    notices.accept("No new event in run " + id + " for " + quiet.toSeconds() + " s"
                            + (events.isEmpty() ? "" : " (last at " + events.get(events.size() - 1).time() + ")")
                            + ": a step may be long, or the run's process died; --status shows the plan's lock holder.");
                    told = true;
                }
                Thread.sleep(poll.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    /** The run to follow: the one named, or the newest, waiting for a first one to appear. */
    private String resolve() throws InterruptedException {
        if (!run.equals("latest")) {
            if (journal.read(plan.name(), run).isEmpty() && !journal.runIds(plan.name()).contains(run)) {
                List<String> known = journal.runIds(plan.name());
                throw new IllegalArgumentException("No run " + run + " of plan '" + plan.name() + "' in "
                        + journal.describeLocation(plan.name(), run) + (known.isEmpty() ? "; the journal has no runs of this plan yet "
                        + "(--watch latest waits for the first one)" : "; recorded runs: "
                        + String.join(", ", known.subList(Math.max(0, known.size() - 5), known.size()))));
            }
            return run;
        }
        boolean told = false;
        while (true) {
            Optional<String> latest = Rollback.runner().journal(journal).latestRun(plan);
            if (latest.isPresent()) {
                return latest.get();
            }
            if (!told) {
                notices.accept("No run of plan '" + plan.name() + "' yet; waiting for the first one.");
                told = true;
            }
            Thread.sleep(poll.toMillis());
        }
    }
}
