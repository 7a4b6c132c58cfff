package dev.rollback.core.report;

import dev.rollback.core.AppControl;
import dev.rollback.core.CheckResult;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Where the timeline puts things: journals written at known instants, drawn, and the SVG read back as
 * XML. The chart spans x = 330 to 960 (630 units), so a step that took a tenth of a 100-second run is
 * a bar 63 units wide; rows are 20 units apart from y = 40, a phase's header row first.
 */
class TimelineGeometryTest {
    private static final Instant T0 = Instant.parse("2026-11-29T03:00:00Z");
    private static final String RUN = "r-geometry";
    private static final String RESTORE = "restore nextcrm from the backup taken at 02:00 (production)";

    private static final AppControl APP = new AppControl() {
        public String name() { return "nextcrm"; }
        public void stop(StepContext c) { }
        public void start(StepContext c) { }
    };

    private static final Step RESTORE_STEP = new Step() {
        public String name() { return RESTORE; }
        public boolean destructive() { return true; }
        public void execute(StepContext c) { }
    };

    /** Step 1 stops the app (phase 1, budget 15 s); 2 restores, 3 starts, 4 checks health (phase 2, budget 40 s). */
    private static RollbackPlan plan() {
        return Rollback.plan("nextcrm-back").withoutCapture("the journal is written by the test; nothing runs")
                .phase("Phase 1: stop", Duration.ofSeconds(15), p -> p.stopApp(APP))
                .phase("Phase 2: restore and start again", Duration.ofSeconds(40), p -> p
                        .restore(RESTORE_STEP)
                        .startApp(APP)
                        .verify("health", c -> CheckResult.passed("health", 200, 200)))
                .build();
    }

    /** Writes the events of one run at instants given in seconds after T0. */
    private static final class Events {
        final RollbackPlan plan = plan();
        final List<JournalEvent> list = new ArrayList<>();

        private PlannedStep step(int index) {
            return plan.stepsAndHandlers().stream().filter(s -> s.index() == index).findFirst().orElseThrow();
        }

        private static Instant at(double seconds) {
            return T0.plusMillis(Math.round(seconds * 1000));
        }

        Events started(double t) {
            list.add(new JournalEvent.RunStarted(RUN, at(t), plan.name(), "fp", "dba", "drill", "host-a", 101, 4));
            return this;
        }

        Events resumed(double t) {
            list.add(new JournalEvent.RunResumed(RUN, at(t), "fp", "oncall", "host-b", 202, null));
            return this;
        }

        Events begin(int index, int attempt, double t) {
            PlannedStep s = step(index);
            list.add(new JournalEvent.StepStarted(RUN, at(t), index, s.name(), s.kind(), attempt));
            return this;
        }

        Events ok(int index, int attempt, double from, double to) {
            begin(index, attempt, from);
            PlannedStep s = step(index);
            list.add(new JournalEvent.StepFinished(RUN, at(to), index, s.name(), s.kind(), attempt,
                    Math.round((to - from) * 1000), Map.of(), List.of()));
            return this;
        }

        Events failedAndRetried(int index, int attempt, double from, double to) {
            begin(index, attempt, from);
            PlannedStep s = step(index);
            list.add(new JournalEvent.StepFailed(RUN, at(to), index, s.name(), s.kind(), attempt, Math.round((to - from) * 1000),
                    "pg_restore exited with 1", true, List.of(), Map.of(), IllegalStateException.class.getName(), "step.failed"));
            return this;
        }

        Events approved(double t) {
            list.add(new JournalEvent.ApprovalGranted(RUN, at(t), RESTORE, "cto@example.com", "console", null));
            return this;
        }

        Events finished(double t) {
            list.add(new JournalEvent.RunFinished(RUN, at(t), "SUCCEEDED", null, null, Math.round(t * 1000)));
            return this;
        }

        TimelineLayout layout() {
            return new TimelineLayout(new RunHistory(list, plan));
        }

        Document svg() {
            return parse(SvgTimeline.timeline(layout()));
        }
    }

    /**
     * 100 s in one process: stop 0-10 s, the restore fails 10-30 s and succeeds 30-60 s, start 60-70 s,
     * health 70-80 s, the run ends at 100 s. The restore was approved at 10 s.
     */
    private static Events oneProcess() {
        return new Events().started(0).ok(1, 1, 0, 10).approved(10).failedAndRetried(2, 1, 10, 30).ok(2, 2, 30, 60)
                .ok(3, 1, 60, 70).ok(4, 1, 70, 80).finished(100);
    }

    @Test
    void eachAttemptIsABarWhereAndAsLongAsItRan() {
        Document svg = oneProcess().svg();

        // 6 rows (4 steps, 2 phase headers) of 20 from y = 40, 30 below, 14 more for the downtime label
        assertThat(svg.getDocumentElement().getAttribute("viewBox")).isEqualTo("0 0 980 204");

        List<Element> stop = all(svg, "//*[@class='step'][@data-step='1']/*[name()='rect']");
        assertThat(stop).singleElement().satisfies(r -> {
            assertThat(r.getAttribute("class")).isEqualTo("bar ok");
            assertThat(r.getAttribute("x")).isEqualTo("330.0");
            assertThat(r.getAttribute("width")).isEqualTo("63.0");
            assertThat(r.getAttribute("y")).isEqualTo("64");       // below phase 1's header row
            assertThat(r.getAttribute("fill")).isEqualTo("#2e7d32");
        });

        List<Element> restore = all(svg, "//*[@class='step'][@data-step='2']/*[name()='rect']");
        assertThat(restore).hasSize(2);
        assertThat(restore.get(0).getAttribute("class")).isEqualTo("bar failed");
        assertThat(restore.get(0).getAttribute("fill")).isEqualTo("#c62828");
        assertThat(restore.get(0).getAttribute("x")).isEqualTo("393.0");
        assertThat(restore.get(0).getAttribute("width")).isEqualTo("126.0");
        assertThat(restore.get(0).getTextContent()).contains("attempt 1: FAILED: pg_restore exited with 1 (20.0 s, from 2026-11-29 03:00:10)");
        assertThat(restore.get(1).getAttribute("class")).isEqualTo("bar ok");
        assertThat(restore.get(1).getAttribute("x")).isEqualTo("519.0");
        assertThat(restore.get(1).getAttribute("width")).isEqualTo("189.0");
        assertThat(restore.get(1).getAttribute("y")).isEqualTo("104");  // below phase 2's header row
        assertThat(restore.get(1).getTextContent()).contains("attempt 2: ok (30.0 s, from 2026-11-29 03:00:30)");

        Element health = one(svg, "//*[@class='step'][@data-step='4']/*[name()='rect']");
        assertThat(health.getAttribute("x")).isEqualTo("771.0");
        assertThat(health.getAttribute("y")).isEqualTo("144");
    }

    @Test
    void labelsAreClippedToTheirColumnAndTimesFollowTheBar() {
        Document svg = oneProcess().svg();

        List<Element> labels = all(svg, "//*[@class='step']/*[name()='text'][@class='label']");
        assertThat(labels).extracting(Element::getTextContent).containsExactly(
                "1. stop nextcrm", ("2. " + RESTORE).substring(0, 43) + "\u2026", "3. start nextcrm", "4. health");
        assertThat(labels).allSatisfy(l -> assertThat(l.getAttribute("x")).isEqualTo("16.0"));

        // the time goes just right of the bar's end, while there is room
        Element stopTime = one(svg, "//*[@class='step'][@data-step='1']/*[name()='text'][@class='time']");
        assertThat(stopTime.getTextContent()).isEqualTo("10.0 s");
        assertThat(stopTime.getAttribute("x")).isEqualTo("397.0");
        assertThat(stopTime.getAttribute("y")).isEqualTo("74.0");
        assertThat(stopTime.getAttribute("text-anchor")).isEqualTo("start");
        Element restoreTime = one(svg, "//*[@class='step'][@data-step='2']/*[name()='text'][@class='time']");
        assertThat(restoreTime.getTextContent()).isEqualTo("50.0 s");
        assertThat(restoreTime.getAttribute("x")).isEqualTo("712.0");
    }

    @Test
    void aPhaseIsAHeaderRowWithItsTimeAgainstItsBudget() {
        Document svg = oneProcess().svg();
        List<Element> phases = all(svg, "//*[name()='g'][@class='phase']");
        assertThat(phases).hasSize(2);

        // phase 1: 0-10 s of a 15 s budget, one step: a band over its header and its step
        Element p1 = phases.get(0);
        Element band1 = child(p1, "rect", 0);
        assertThat(band1.getAttribute("y")).isEqualTo("40");
        assertThat(band1.getAttribute("height")).isEqualTo("40");
        assertThat(band1.getAttribute("fill")).isEqualTo("#eef3f8");
        Element budget1 = child(p1, "rect", 1);
        assertThat(budget1.getAttribute("class")).isEqualTo("budget");
        assertThat(budget1.getAttribute("x")).isEqualTo("330.0");
        assertThat(budget1.getAttribute("width")).isEqualTo("94.5");       // 15 s of 100
        assertThat(budget1.getAttribute("y")).isEqualTo("45");
        assertThat(budget1.getAttribute("stroke")).isEqualTo("#1565c0");
        Element actual1 = child(p1, "rect", 2);
        assertThat(actual1.getAttribute("width")).isEqualTo("63.0");        // 10 s
        assertThat(actual1.getAttribute("y")).isEqualTo("47");
        assertThat(actual1.getAttribute("fill")).isEqualTo("#90a4ae");
        assertThat(child(p1, "text", 0).getTextContent()).isEqualTo("Phase 1: stop  10.0 s of 15.0 s");
        assertThat(child(p1, "text", 0).getAttribute("class")).isEqualTo("phase");
        assertThat(child(p1, "title", 0).getTextContent()).isEqualTo("Phase 1: stop: 10.0 s of 15.0 s");

        // phase 2: its steps took 70 s of a 40 s budget, from 10 s to 80 s: over budget, in red
        Element p2 = phases.get(1);
        Element band2 = child(p2, "rect", 0);
        assertThat(band2.getAttribute("y")).isEqualTo("80");
        assertThat(band2.getAttribute("height")).isEqualTo("80");            // header + 3 steps
        assertThat(band2.getAttribute("fill")).isEqualTo("#f7f7f7");
        Element budget2 = child(p2, "rect", 1);
        assertThat(budget2.getAttribute("x")).isEqualTo("393.0");
        assertThat(budget2.getAttribute("width")).isEqualTo("252.0");         // 10 s + 40 s
        assertThat(budget2.getAttribute("stroke")).isEqualTo("#c62828");
        Element actual2 = child(p2, "rect", 2);
        assertThat(actual2.getAttribute("width")).isEqualTo("441.0");         // 10 s to 80 s
        assertThat(actual2.getAttribute("fill")).isEqualTo("#c62828");
        assertThat(child(p2, "text", 0).getAttribute("class")).isEqualTo("phase over");
        assertThat(child(p2, "title", 0).getTextContent()).endsWith(", OVER BUDGET");
        // the budget ends inside the run: no arrow past the axis
        assertThat(all(svg, "//*[name()='g'][@class='phase']/*[name()='text'][@class='axis']")).isEmpty();

        TimelineLayout layout = oneProcess().layout();
        assertThat(layout.phases).extracting(TimelineLayout.PhaseSpan::firstRow, TimelineLayout.PhaseSpan::lastRow,
                TimelineLayout.PhaseSpan::budgetAfter, TimelineLayout.PhaseSpan::overBudget)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 0, false, false),
                        org.assertj.core.groups.Tuple.tuple(1, 3, false, true));
    }

    @Test
    void aBudgetThatEndsAfterTheRunPointsPastTheAxis() {
        // phase 2 begins at 10 s; a 40 s budget would end at 50 s, after a run that ends at 45 s
        Document svg = new Events().started(0).ok(1, 1, 0, 10).ok(2, 1, 10, 20).ok(3, 1, 20, 30).ok(4, 1, 30, 40).finished(45).svg();
        Element arrow = one(svg, "//*[name()='g'][@class='phase'][2]/*[name()='text'][@class='axis']");
        assertThat(arrow.getTextContent()).isEqualTo("\u2192");
        assertThat(arrow.getAttribute("x")).isEqualTo("962.0");
        // and its frame stops at the axis's end
        Element budget = child(one(svg, "//*[name()='g'][@class='phase'][2]"), "rect", 1);
        assertThat(Double.parseDouble(budget.getAttribute("x")) + Double.parseDouble(budget.getAttribute("width")))
                .isCloseTo(960.0, within(0.11));
    }

    @Test
    void theDowntimeIsARedBandFromTheStopToTheHealthyCheck() {
        Document svg = oneProcess().svg();
        Element down = one(svg, "//*[@class='downtime']");
        Element band = child(down, "rect", 0);
        assertThat(band.getAttribute("x")).isEqualTo("330.0");
        assertThat(band.getAttribute("width")).isEqualTo("504.0");          // 0 s to 80 s
        assertThat(band.getAttribute("y")).isEqualTo("32");
        assertThat(band.getAttribute("height")).isEqualTo("128");           // from the axis to the last row
        Element bar = child(down, "rect", 1);
        assertThat(bar.getAttribute("y")).isEqualTo("180");
        assertThat(bar.getAttribute("width")).isEqualTo("504.0");
        Element label = child(down, "text", 0);
        assertThat(label.getTextContent()).isEqualTo("app down 1 min 20 s");
        assertThat(label.getAttribute("x")).isEqualTo("582.0");             // the band's middle
        assertThat(label.getAttribute("y")).isEqualTo("196.0");
        assertThat(child(down, "title", 0).getTextContent())
                .isEqualTo("app down 1 min 20 s: stopped by 'stop nextcrm' at 03:00:00.000, verified healthy by 'health' at 03:01:20.000");
    }

    @Test
    void theAxisShowsTheRunsEndsAndApprovalsAsDiamonds() {
        Events events = oneProcess();
        events.list.add(events.list.size() - 1,
                new JournalEvent.ApprovalRefused(RUN, T0.plusSeconds(90), "drop old schema", "console", "not tonight"));
        Document svg = events.svg();

        List<Element> texts = all(svg, "/*/*[name()='text'][@class='axis']");
        assertThat(texts).extracting(Element::getTextContent)
                .containsExactly("start 03:00:00.000", "end 03:01:40.000 (+1 min 40 s)");
        assertThat(texts).extracting(e -> e.getAttribute("x")).containsExactly("330.0", "960.0");
        Element axis = one(svg, "/*/*[name()='line']");
        assertThat(List.of(axis.getAttribute("x1"), axis.getAttribute("y1"), axis.getAttribute("x2"), axis.getAttribute("y2")))
                .containsExactly("330.0", "32.0", "960.0", "32.0");

        List<Element> approvals = all(svg, "//*[@class='approval']/*[name()='path']");
        assertThat(approvals).extracting(e -> e.getAttribute("d")).containsExactly(
                "M393.0 26 l5 6 l-5 6 l-5 -6 z", "M897.0 26 l5 6 l-5 6 l-5 -6 z");
        assertThat(approvals).extracting(e -> e.getAttribute("fill")).containsExactly("#1565c0", "#c62828");
        assertThat(all(svg, "//*[@class='approval']/*[name()='title']")).extracting(Element::getTextContent).containsExactly(
                "'" + RESTORE + "' approved by cto@example.com (console) at 2026-11-29 03:00:10",
                "'drop old schema' NOT approved (console): not tonight");
    }

    /**
     * Two processes: the first dies 10 s in, during the restore; the second resumes 990 s later and
     * finishes in 30 s. The gap is drawn at most 15 % of the 40 s of work (6 s), so the bars keep their width.
     */
    private static Events crashAndResume() {
        return new Events().started(0).ok(1, 1, 0, 10).begin(2, 1, 10)
                .resumed(1000).ok(2, 2, 1000, 1020).ok(3, 1, 1020, 1025).ok(4, 1, 1025, 1030).finished(1030);
    }

    @Test
    void aLongGapBetweenProcessesIsDrawnShortenedAndLabelledWithItsRealLength() {
        TimelineLayout layout = crashAndResume().layout();
        assertThat(layout.shortened()).isTrue();
        assertThat(layout.total()).isEqualTo(Duration.ofSeconds(1030));
        // 40 s of work + 6 s of gap on the axis
        assertThat(layout.x(T0.plusSeconds(10))).isCloseTo(10 / 46.0, within(1e-9));
        assertThat(layout.x(T0.plusSeconds(1000))).isCloseTo(16 / 46.0, within(1e-9));
        assertThat(layout.x(T0.plusSeconds(505))).as("halfway through the gap: halfway through its shortened box")
                .isCloseTo(13 / 46.0, within(1e-9));
        assertThat(layout.x(T0.plusSeconds(1020))).isCloseTo(36 / 46.0, within(1e-9));
        assertThat(layout.x(T0.plusSeconds(1030))).isEqualTo(1.0);
        assertThat(layout.x(T0.minusSeconds(5))).as("before the start").isEqualTo(0.0);
        assertThat(layout.x(T0.plusSeconds(5000))).as("after the end").isEqualTo(1.0);

        Document svg = crashAndResume().svg();
        Element gap = one(svg, "//*[@class='gap']");
        Element box = child(gap, "rect", 0);
        assertThat(box.getAttribute("x")).isEqualTo("467.0");    // 330 + 630 * 10/46
        assertThat(box.getAttribute("width")).isEqualTo("82.2");  // 630 * 6/46
        assertThat(child(gap, "text", 0).getTextContent()).isEqualTo("process died");
        assertThat(child(gap, "title", 0).getTextContent()).isEqualTo(
                "process 101 on host-a died (last journaled at 2026-11-29 03:00:10); resumed by oncall on host-b after 16 min 30 s");

        // the attempt the crash cut short: a thin hatched bar; the retry after the resume
        List<Element> restore = all(svg, "//*[@class='step'][@data-step='2']/*[name()='rect']");
        assertThat(restore).extracting(e -> e.getAttribute("class")).containsExactly("bar interrupted", "bar ok");
        assertThat(restore.get(0).getAttribute("fill")).isEqualTo("url(#cut)");
        assertThat(restore.get(0).getAttribute("width")).isEqualTo("2.5");
        assertThat(restore.get(0).getTextContent()).contains("interrupted: the process died during it");
        // the last bar ends at the axis's end: its time goes left of the bars, right-aligned
        Element lastTime = one(svg, "//*[@class='step'][@data-step='4']/*[name()='text'][@class='time']");
        assertThat(lastTime.getAttribute("x")).isEqualTo("326.0");
        assertThat(lastTime.getAttribute("text-anchor")).isEqualTo("end");
    }

    @Test
    void aShortStopBetweenProcessesIsDrawnAtItsRealLength() {
        // the first process stops after step 1 (its run failed), the next resumes 2 s later
        Events events = new Events().started(0).ok(1, 1, 0, 10);
        events.list.add(new JournalEvent.RunFinished(RUN, T0.plusSeconds(10), "FAILED", "restore", "no", 10_000));
        events.resumed(12).ok(2, 1, 12, 20).ok(3, 1, 20, 30).ok(4, 1, 30, 40).finished(40);
        TimelineLayout layout = events.layout();
        assertThat(layout.shortened()).isFalse();
        assertThat(layout.gaps).singleElement().satisfies(g -> {
            assertThat(g.crash()).isFalse();
            assertThat(g.from()).isCloseTo(0.25, within(1e-9));
            assertThat(g.to()).isCloseTo(0.30, within(1e-9));
            assertThat(g.title()).isEqualTo("run stopped FAILED; resumed by oncall after 2.0 s");
        });
        assertThat(child(one(events.svg(), "//*[@class='gap']"), "text", 0).getTextContent()).isEqualTo("stopped");
    }

    @Test
    void aStepStillRunningIsABlueBarToTheEnd() {
        Events events = new Events().started(0).ok(1, 1, 0, 10).begin(2, 1, 10);
        TimelineLayout layout = events.layout();
        assertThat(layout.rows.get(1).segments()).singleElement().satisfies(s -> {
            assertThat(s.kind()).isEqualTo(TimelineLayout.SegmentKind.RUNNING);
            assertThat(s.to()).isEqualTo(1.0);
            assertThat(s.title()).isEqualTo("2. " + RESTORE + ": started 2026-11-29 03:00:10, no end recorded yet");
        });
        Element bar = one(events.svg(), "//*[@class='step'][@data-step='2']/*[name()='rect']");
        assertThat(bar.getAttribute("fill")).isEqualTo("#1565c0");
        // steps that never ran have no time and no bar
        assertThat(layout.rows.get(2).time()).isEmpty();
        assertThat(all(events.svg(), "//*[@class='step'][@data-step='3']/*")).extracting(Element::getTagName)
                .containsExactly("text");
    }

    /** A text row of the Markdown timeline: the label padded to the longest, 50 columns, the time. */
    private static String textRow(String label, String columns, String time) {
        return String.format(java.util.Locale.ROOT, "%-62s |%-50s| %s%n", label, columns, time);
    }

    @Test
    void theMarkdownTimelineDrawsTheSameRunInFiftyColumnsAndAsAMermaidGantt() {
        Events events = oneProcess();
        TimelineLayout layout = events.layout();
        String md = MarkdownReport.render(List.of(new Block.Timeline(layout)));

        String restoreLabel = ("2. " + RESTORE);
        assertThat(md).startsWith("```text\n"
                + textRow("app down", "=".repeat(40), "1 min 20 s")
                + textRow("1. stop nextcrm", "#".repeat(5), "10.0 s")
                + textRow(restoreLabel, " ".repeat(5) + "X".repeat(10) + "#".repeat(15), "50.0 s")
                + textRow("3. start nextcrm", " ".repeat(30) + "#".repeat(5), "10.0 s")
                + textRow("4. health", " ".repeat(35) + "#".repeat(5), "10.0 s")
                + "```\n\n"
                + "- `=` app down 1 min 20 s: stopped by 'stop nextcrm' at 03:00:00.000, verified healthy by 'health' at 03:01:20.000\n\n"
                + "`#` ok, `X` failed, `!` interrupted by the death of its process, `>` running, `=` the app was down (stopped to "
                + "verified healthy).\n\n");
        long t0 = T0.toEpochMilli();
        assertThat(md).contains("```mermaid\ngantt\n    dateFormat x\n    axisFormat %H:%M:%S\n"
                + "    section Phase 1 - stop\n"
                + "    1. stop nextcrm :done, s1, " + t0 + ", " + (t0 + 10_000) + "\n"
                + "    section Phase 2 - restore and start again\n"
                + "    2. restore nextcrm from the backup taken at 02 -00 (production) :crit, s2, " + (t0 + 10_000) + ", " + (t0 + 30_000) + "\n"
                + "    2. restore nextcrm from the backup taken at 02 -00 (production) :done, s3, " + (t0 + 30_000) + ", " + (t0 + 60_000) + "\n"
                + "    3. start nextcrm :done, s4, " + (t0 + 60_000) + ", " + (t0 + 70_000) + "\n"
                + "    4. health :done, s5, " + (t0 + 70_000) + ", " + (t0 + 80_000) + "\n"
                + "    section Downtime\n"
                + "    app down 1 min 20 s :crit, d6, " + t0 + ", " + (t0 + 80_000) + "\n"
                + "```\n\n");
    }

    @Test
    void theMarkdownTimelineMarksTheGapTheInterruptedAttemptAndARunningStep() {
        String md = MarkdownReport.render(List.of(new Block.Timeline(crashAndResume().layout())));
        // the gap is columns 11 to 17 (10/46 to 16/46 of 50); the attempt the crash cut short is one '!' at its start
        String gap = " ".repeat(11) + "/".repeat(7);
        assertThat(md).contains(textRow("1. stop nextcrm", "#".repeat(11) + "/".repeat(7), "10.0 s"))
                .contains(textRow("2. " + RESTORE, " ".repeat(11) + "!" + "/".repeat(5) + "#".repeat(22), "20.0 s"))
                .contains(textRow("4. health", gap + " ".repeat(27) + "#####", "5.0 s"))
                .contains("- `/` gap: process 101 on host-a died (last journaled at 2026-11-29 03:00:10); resumed by oncall on host-b after "
                        + "16 min 30 s\n\n")
                .contains("    section Between processes\n    process died, resumed later :crit, g")
                .contains(":active, s2, " + T0.plusSeconds(10).toEpochMilli() + ", " + (T0.plusSeconds(10).toEpochMilli() + 1) + "\n");

        Events running = new Events().started(0).ok(1, 1, 0, 10).begin(2, 1, 10);
        running.list.add(new JournalEvent.StepMemory(RUN, T0.plusSeconds(20), 2, RESTORE, "swap.next", "rename"));
        assertThat(MarkdownReport.render(List.of(new Block.Timeline(running.layout()))))
                .contains(textRow("2. " + RESTORE, " ".repeat(25) + ">".repeat(25), "0 ms running"));
        assertThat(MarkdownReport.render(List.of(new Block.Timeline(new Events().started(0).layout()))))
                .as("nothing ran: no picture").isEqualTo("```mermaid\ngantt\n    dateFormat x\n    axisFormat %H:%M:%S\n```\n\n");
    }

    @Test
    void theMarkdownBudgetsAreFiftyColumnBars() {
        String md = MarkdownReport.render(List.of(new Block.PhaseBudgets(List.of(
                new Block.PhaseBurn("Phase 1: stop", 10_000, 15_000),
                new Block.PhaseBurn("Phase 2: restore", 70_000, 40_000),
                new Block.PhaseBurn("no budget", 0, 0)))));
        assertThat(md).isEqualTo("```text\n"
                + "Phase 1: stop    [" + "#".repeat(33) + ".".repeat(17) + "] 10.0 s of 15.0 s\n"
                + "Phase 2: restore [" + "#".repeat(50) + "] 1 min 10 s of 40.0 s  OVER BUDGET\n"
                + "no budget        [" + ".".repeat(50) + "] 0 ms of 0 ms\n"
                + "```\n\n");
        assertThat(MarkdownReport.render(List.of(new Block.Table(List.of("a", "b"), List.of(List.of("x|y", "two\nlines"))))))
                .isEqualTo("| a | b |\n|---|---|\n| x\\|y | two lines |\n\n");
    }

    @Test
    void budgetsAreBarsAgainstAFullBudgetAt60PercentOfTheChart() {
        Document svg = parse(SvgTimeline.budgets(List.of(
                new Block.PhaseBurn("Phase 1: stop", 10_000, 15_000),
                new Block.PhaseBurn("Phase 2: restore", 70_000, 40_000),
                new Block.PhaseBurn("Phase 3: notify", 0, 0))));
        assertThat(svg.getDocumentElement().getAttribute("viewBox")).isEqualTo("0 0 980 88");
        List<Element> burns = all(svg, "//*[@class='burn']");
        assertThat(burns).hasSize(3);

        Element p1 = burns.get(0);
        assertThat(child(p1, "rect", 0).getAttribute("width")).isEqualTo("378.0");   // the budget: 60 % of 630
        assertThat(child(p1, "rect", 0).getAttribute("y")).isEqualTo("10");
        assertThat(child(p1, "rect", 1).getAttribute("width")).isEqualTo("252.0");   // two thirds of it
        assertThat(child(p1, "rect", 1).getAttribute("fill")).isEqualTo("#2e7d32");
        Element mark = child(p1, "line", 0);
        assertThat(List.of(mark.getAttribute("x1"), mark.getAttribute("y1"), mark.getAttribute("y2")))
                .containsExactly("708.0", "8.0", "26.0");
        Element text1 = child(p1, "text", 1);
        assertThat(text1.getTextContent()).isEqualTo("10.0 s of 15.0 s (67 %)");
        assertThat(text1.getAttribute("x")).isEqualTo("714.0");
        assertThat(text1.getAttribute("y")).isEqualTo("21.0");
        assertThat(child(p1, "text", 0).getAttribute("y")).isEqualTo("21.0");

        Element p2 = burns.get(1);
        assertThat(child(p2, "rect", 0).getAttribute("y")).isEqualTo("34");
        assertThat(child(p2, "rect", 1).getAttribute("width")).as("175 %, capped at the chart").isEqualTo("630.0");
        assertThat(child(p2, "rect", 1).getAttribute("fill")).isEqualTo("#c62828");
        assertThat(child(p2, "text", 1).getTextContent()).isEqualTo("1 min 10 s of 40.0 s (175 %) OVER BUDGET");
        assertThat(child(p2, "text", 1).getAttribute("x")).isEqualTo("966.0");
        assertThat(child(p2, "title", 0).getTextContent()).isEqualTo("Phase 2: restore: 1 min 10 s of 40.0 s (175 %) OVER BUDGET");

        // no budget and no time: a sliver, not a division by zero
        Element p3 = burns.get(2);
        assertThat(child(p3, "rect", 1).getAttribute("width")).isEqualTo("1.0");
        assertThat(child(p3, "text", 1).getTextContent()).isEqualTo("0 ms of 0 ms (0 %)");
    }

    @Test
    void namesAreClippedAtTheirColumnWidthAndNotBefore() {
        String exact = "x".repeat(44);
        String longer = "y".repeat(45);
        Document svg = parse(SvgTimeline.budgets(List.of(new Block.PhaseBurn(exact, 1, 1), new Block.PhaseBurn(longer, 1, 1))));
        assertThat(all(svg, "//*[@class='burn']/*[name()='text'][@class='label']")).extracting(Element::getTextContent)
                .containsExactly(exact, "y".repeat(43) + "\u2026");
    }

    private static Document parse(String svg) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError("not well-formed SVG: " + e + "\n" + svg, e);
        }
    }

    private static List<Element> all(Document d, String xpath) {
        try {
            NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, d,
                    XPathConstants.NODESET);
            List<Element> out = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                out.add((Element) nodes.item(i));
            }
            return out;
        } catch (Exception e) {
            throw new AssertionError(xpath, e);
        }
    }

    private static Element one(Document d, String xpath) {
        List<Element> found = all(d, xpath);
        assertThat(found).as(xpath).hasSize(1);
        return found.get(0);
    }

    private static Element child(Element parent, String name, int n) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && name.equals(e.getTagName())) {
                found.add(e);
            }
        }
        assertThat(found).as("<%s> number %d in <%s class=%s>", name, n, parent.getTagName(), parent.getAttribute("class"))
                .hasSizeGreaterThan(n);
        return found.get(n);
    }
}
