package dev.rollback.test;

import java.util.List;

/**
 * What a {@link CrashDrill} found: the end state of an uninterrupted run, and for each crash
 * point whether the killed and resumed run ended in the same state without repeating
 * checkpointed work.
 *
 * @param planName      the plan
 * @param baselineState the state probe's answer after an uninterrupted run
 * @param points        one result per crash point, in plan order
 */
public record CrashDrillReport(String planName, String baselineState, List<PointResult> points) {

    /** Copies the list. */
    public CrashDrillReport {
        points = List.copyOf(points);
    }

    /** @return whether every crash point passed */
    public boolean passed() {
        return points.stream().allMatch(PointResult::passed);
    }

    /** @return the crash points that failed */
    public List<PointResult> failures() {
        return points.stream().filter(p -> !p.passed()).toList();
    }

    /**
     * @return a summary for people: one line per point, then each failure with its problems and journal excerpt
     */
    public String summary() {
        StringBuilder b = new StringBuilder("Crash drill of plan '").append(planName).append("': ")
                .append(points.size() - failures().size()).append(" of ").append(points.size()).append(" crash points passed\n");
        for (PointResult p : points) {
            b.append("  ").append(p.passed() ? "ok    " : "FAILED").append(' ').append(p.description())
                    .append(" (").append(p.resumes()).append(p.resumes() == 1 ? " resume" : " resumes").append(")\n");
        }
        for (PointResult p : failures()) {
            b.append("\nKilled ").append(p.description()).append(":\n");
            p.problems().forEach(x -> b.append("  - ").append(x).append('\n'));
            b.append("  Journal (every invocation):\n").append(p.journalExcerpt().indent(2));
        }
        return b.toString();
    }

    /**
     * One crash point.
     *
     * @param point          the point, as the child understands it ({@code after-step:3})
     * @param description    the point for people ("after step 3 'restore' finished")
     * @param passed         whether every check held
     * @param problems       what did not hold, empty when it passed
     * @param resumes        how many resumes it took
     * @param finalState     the state probe's answer after the last resume, or null if not reached
     * @param journalExcerpt the run's journal, one compact line per event
     */
    public record PointResult(String point, String description, boolean passed, List<String> problems, int resumes,
                              String finalState, String journalExcerpt) {
        /** Copies the list. */
        public PointResult {
            problems = List.copyOf(problems);
        }
    }
}
