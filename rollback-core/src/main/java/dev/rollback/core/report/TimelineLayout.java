package dev.rollback.core.report;

import dev.rollback.core.Downtime;
import dev.rollback.core.Durations;
import dev.rollback.core.Phase;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Places a run on one time axis, for every picture of it: one row per step with a segment per
 * attempt, the phases, the approvals, the application's downtime, and the gaps between processes (a crash, or a stop and a
 * later resume). Positions are fractions of the axis, from 0 to 1. A gap is drawn as a gap, never
 * as step time, and a long one is shortened on the axis (its label keeps the real length) so that
 * a crash during a short run does not squash every bar to a line.
 */
final class TimelineLayout {
    /** A long gap takes at most this share of the active time on the axis. */
    private static final double GAP_SHARE = 0.15;

    /** How an attempt ended. */
    enum SegmentKind { OK, FAILED, INTERRUPTED, RUNNING }

    /** One attempt of a step on the axis. */
    record Segment(double from, double to, SegmentKind kind, Instant start, Instant end, String title) {
    }

    /** One step: its bar row. */
    record Row(int index, String name, String phase, String status, String time, List<Segment> segments) {
    }

    /** An approval on the axis. */
    record Marker(double at, boolean granted, String title) {
    }

    /** A time between processes. */
    record GapBox(double from, double to, boolean crash, String title, Instant start, Instant end) {
    }

    /**
     * A time the application was down: from the stop to the first check that passed after the start.
     *
     * @param label    its length, for the band's label
     * @param title    what it spans, for people
     * @param open     whether the app is still down (or unverified) at the journal's end
     */
    record DownBand(double from, double to, String label, String title, Instant start, Instant end, boolean open) {
    }

    /**
     * A phase's extent on the axis, and where its budget would end if it started with its first step.
     *
     * @param budgetTo    where the budget ends on the axis (1 when it ends after the run)
     * @param budgetAfter whether the budget ends after the run's end
     * @param text        its time against its budget, for people
     * @param overBudget  whether it took longer than its budget
     */
    record PhaseSpan(String name, double from, double to, int firstRow, int lastRow, double budgetTo, boolean budgetAfter,
                     String text, boolean overBudget) {
    }

    final List<Row> rows = new ArrayList<>();
    final List<Marker> approvals = new ArrayList<>();
    final List<GapBox> gaps = new ArrayList<>();
    final List<PhaseSpan> phases = new ArrayList<>();
    final List<DownBand> downtime = new ArrayList<>();
    final Instant start;
    final Instant end;
    private final List<long[]> cuts = new ArrayList<>();   // real gap [from, to, shown length] in millis after start
    private final double shownTotal;

    TimelineLayout(RunHistory h) {
        this.start = h.t0;
        Instant last = h.t1;
        this.end = last.isAfter(start) ? last : start.plusMillis(1);
        long total = Duration.between(start, end).toMillis();
        List<RunHistory.Gap> realGaps = h.gaps().stream().filter(g -> g.to().isAfter(g.from())).toList();
        long gapSum = realGaps.stream().mapToLong(g -> Duration.between(g.from(), g.to()).toMillis()).sum();
        long active = Math.max(1, total - gapSum);
        long maxShown = Math.max(1, (long) (active * GAP_SHARE));
        double shown = active;
        for (RunHistory.Gap g : realGaps) {
            long from = Duration.between(start, g.from()).toMillis();
            long to = Duration.between(start, g.to()).toMillis();
            long len = Math.min(to - from, maxShown);
            cuts.add(new long[]{from, to, len});
            shown += len;
        }
        this.shownTotal = Math.max(1, shown);
        for (RunHistory.Gap g : realGaps) {
            String why = g.before().died()
                    ? "process " + g.before().pid() + " on " + g.before().host() + " died (last journaled at " + ReportText.time(g.from())
                    + "); resumed by " + g.after().operator() + " on " + g.after().host() + " after " + Durations.human(Duration.between(g.from(), g.to()))
                    : "run stopped " + g.before().outcome() + "; resumed by " + g.after().operator() + " after "
                    + Durations.human(Duration.between(g.from(), g.to()));
            gaps.add(new GapBox(x(g.from()), x(g.to()), g.before().died(), why, g.from(), g.to()));
        }
        for (RunHistory.StepRecord r : h.stepList()) {
            List<Segment> segs = new ArrayList<>();
            for (RunHistory.Attempt a : r.attempts) {
                SegmentKind kind = a.ok() ? SegmentKind.OK : a.ended() ? SegmentKind.FAILED : SegmentKind.INTERRUPTED;
                segs.add(new Segment(x(a.start()), x(a.end()), kind, a.start(), a.end(), segmentTitle(r, a)));
            }
            if (r.pendingStart != null) {
                segs.add(new Segment(x(r.pendingStart), 1.0, SegmentKind.RUNNING, r.pendingStart, end,
                        r.index + ". " + r.name + ": started " + ReportText.time(r.pendingStart) + ", no end recorded yet"));
            }
            rows.add(new Row(r.index, r.name == null ? "?" : r.name, r.phase, r.status.label,
                    r.attempts.isEmpty() && r.pendingStart == null ? "" : Durations.human(r.time()), segs));
        }
        for (Downtime.Window w : h.downtime.windows()) {
            boolean open = w.end() == Downtime.End.DOWN;
            String label = "app down " + Durations.human(w.duration()) + (open ? " so far" : "");
            String title = label + ": stopped by '" + w.stopStep() + "' at " + ReportText.clock(w.stopped()) + ", " + switch (w.end()) {
                case HEALTHY -> "verified healthy by '" + w.untilStep() + "' at " + ReportText.clock(w.until());
                case STARTED_UNCHECKED -> "started by '" + w.startStep() + "' at " + ReportText.clock(w.until()) + ", no check after the start";
                case DOWN -> "still down or unverified at the journal's last event (" + ReportText.clock(w.until()) + ")";
            } + (w.betweenProcesses().isZero() ? "" : "; " + Durations.human(w.betweenProcesses())
                    + " of it between processes, when the app stayed down");
            downtime.add(new DownBand(x(w.stopped()), x(w.until()), label, title, w.stopped(), w.until(), open));
        }
        for (RunHistory.Approval a : h.approvals) {
            approvals.add(new Marker(x(a.time()), a.granted(), a.granted()
                    ? "'" + a.step() + "' approved by " + a.who() + " (" + a.method() + ") at " + ReportText.time(a.time())
                    : "'" + a.step() + "' NOT approved (" + a.method() + "): " + a.reason()));
        }
        String current = null;
        int first = -1;
        for (int i = 0; i <= rows.size(); i++) {
            String p = i < rows.size() ? rows.get(i).phase() : null;
            if (current != null && (p == null || !p.equals(current))) {
                phases.add(phaseSpan(h, current, first, i - 1));
                current = null;
            }
            if (p != null && current == null) {
                current = p;
                first = i;
            }
        }
    }

    private PhaseSpan phaseSpan(RunHistory h, String name, int first, int last) {
        double from = 1;
        double to = 0;
        Instant begin = null;
        for (int i = first; i <= last; i++) {
            for (Segment s : rows.get(i).segments()) {
                from = Math.min(from, s.from());
                to = Math.max(to, s.to());
                begin = begin == null || s.start().isBefore(begin) ? s.start() : begin;
            }
        }
        Phase phase = h.phases().stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
        Duration budget = phase == null ? Duration.ZERO : phase.budget();
        Duration actual = phase == null ? Duration.ZERO : h.phaseTime(phase);
        boolean after = begin == null || begin.plus(budget).isAfter(end);
        double budgetTo = begin == null ? 0 : x(begin.plus(budget));
        return new PhaseSpan(name, from > to ? 0 : from, from > to ? 0 : to, first, last, budgetTo, after,
                Durations.human(actual) + " of " + Durations.human(budget), actual.compareTo(budget) > 0);
    }

    private static String segmentTitle(RunHistory.StepRecord r, RunHistory.Attempt a) {
        String what = a.ok() ? "ok" : a.ended() ? "FAILED: " + a.error() : "interrupted: the process died during it";
        return r.index + ". " + r.name + ", attempt " + a.number() + ": " + what + " (" + Durations.human(a.duration()) + ", from "
                + ReportText.time(a.start()) + ")";
    }

    /**
     * @param t a time of the run
     * @return its place on the axis, 0 to 1, long gaps shortened
     */
    double x(Instant t) {
        long ms = Math.max(0, Duration.between(start, t).toMillis());
        double shown = ms;
        for (long[] c : cuts) {
            if (ms >= c[1]) {
                shown -= (c[1] - c[0]) - c[2];
            } else if (ms > c[0]) {
                shown -= (ms - c[0]) - (double) (ms - c[0]) * c[2] / Math.max(1, c[1] - c[0]);
            }
        }
        return Math.min(1, Math.max(0, shown / shownTotal));
    }

    /** @return the run's wall time, gaps included */
    Duration total() {
        return Duration.between(start, end);
    }

    /** @return whether any gap was shortened on the axis */
    boolean shortened() {
        return cuts.stream().anyMatch(c -> c[2] < c[1] - c[0]);
    }
}
