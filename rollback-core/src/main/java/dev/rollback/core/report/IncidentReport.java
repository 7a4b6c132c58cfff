package dev.rollback.core.report;

import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Redactor;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Renders a run's journal as an incident report, in Markdown ({@value #FILE_NAME}) and as one
 * self-contained, printable HTML page ({@value #HTML_FILE_NAME}) with an SVG timeline: what the
 * seeds' ROLLBACK_LOG and INCIDENT_REPORT hold, written from what actually happened rather than
 * from memory.
 *
 * <p>A run that failed, was refused or stopped without an end opens with its <em>current state</em>:
 * whether the app was left down, what changed, what to clean up (kept databases and collections,
 * leftovers, safety tags) and the exact command that resumes it. Then: summary, timeline (one bar
 * per step, phases against their budgets, approvals, and the time between a dead process and its
 * resume as a gap, never as step time), steps, approvals, every check (also those a restore ran on
 * its new data), failures, kept data, the data-loss window, outputs and the events.
 *
 * <pre>{@code
 * IncidentReport report = IncidentReport.of(journal.read(plan.name(), runId)).plan(plan);
 * String md = report.toMarkdown();
 * String html = report.toHtml();
 * }</pre>
 *
 * Outputs with a {@code dataloss.} segment in their key (for example {@code dataloss.crm_Accounts}
 * or {@code postgres.dataLoss.crm_accounts} = "12") are listed under "Data-loss window", as lost
 * only once a restore ran; outputs a failed step published before it failed are listed with the
 * failure as evidence. Outputs whose key starts with {@value #KEPT_PREFIX} (data the run set aside
 * on purpose, such as the original a swap kept) or {@value #LEFTOVER_PREFIX} (temporaries a failed
 * attempt left), and safety tags (keys ending in {@code safetyTag}), are listed under "Kept data and
 * leftovers" with what to do about each; a later output of the same key replaces an earlier one,
 * and an empty value says the object is gone. Everything is redacted.
 */
public final class IncidentReport {
    /** The Markdown file the runner writes in each run folder. */
    public static final String FILE_NAME = "incident-report.md";
    /** The HTML file the runner writes in each run folder. */
    public static final String HTML_FILE_NAME = "incident-report.html";
    /** Output keys with this segment (any case) are rendered as the data-loss window. */
    public static final String DATA_LOSS_SEGMENT = "dataloss.";
    /** Output keys with this prefix name data the run kept on purpose, to drop once the team is satisfied. */
    public static final String KEPT_PREFIX = "kept.";
    /** Output keys with this prefix name temporaries a failed attempt left behind. */
    public static final String LEFTOVER_PREFIX = "leftover.";

    private final List<JournalEvent> events;
    private final RollbackPlan plan;
    private final String resumeCommand;

    private IncidentReport(List<JournalEvent> events, RollbackPlan plan, String resumeCommand) {
        this.events = List.copyOf(events);
        this.plan = plan;
        this.resumeCommand = resumeCommand;
    }

    /**
     * @param events a run's journal events, in order
     * @return a report of them
     */
    public static IncidentReport of(List<JournalEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("no journal events: there is no run to report");
        }
        return new IncidentReport(events, null, null);
    }

    /**
     * @param plan the plan the run executed, for phase budgets, step kinds and the steps not run
     * @return a copy that uses it
     */
    public IncidentReport plan(RollbackPlan plan) {
        return new IncidentReport(events, Objects.requireNonNull(plan, "plan"), resumeCommand);
    }

    /**
     * @param command the exact command that resumes the run, printed in the current state of a run
     *                that needs someone; it must hold no secret (it is redacted all the same)
     * @return a copy that uses it
     */
    public IncidentReport resumeCommand(String command) {
        return new IncidentReport(events, plan, command);
    }

    /**
     * Renders the report and writes it into the run folder, as Markdown and as HTML, and the
     * {@link PostMortem post-mortem skeleton} beside them; all readable by the owner only.
     *
     * @param journal the journal
     * @param plan    the plan
     * @param runId   the run
     * @return the Markdown file written (the HTML file is beside it)
     */
    public static Path write(Journal journal, RollbackPlan plan, String runId) {
        return write(journal, plan, runId, null);
    }

    /**
     * Renders the report and writes it into the run folder, as Markdown and as HTML, and the
     * {@link PostMortem post-mortem skeleton} beside them; all readable by the owner only.
     *
     * @param journal       the journal
     * @param plan          the plan
     * @param runId         the run
     * @param resumeCommand the command that resumes the run, or null
     * @return the Markdown file written (the HTML file is beside it)
     */
    public static Path write(Journal journal, RollbackPlan plan, String runId, String resumeCommand) {
        IncidentReport report = of(journal.read(plan.name(), runId)).plan(plan).resumeCommand(resumeCommand);
        Path dir = journal.runDirectory(plan.name(), runId);
        Path md = dir.resolve(FILE_NAME);
        Path html = dir.resolve(HTML_FILE_NAME);
        try {
            OwnerOnlyFiles.writeString(md, report.toMarkdown());
            OwnerOnlyFiles.writeString(html, report.toHtml());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write incident report " + md, e);
        }
        PostMortem.write(journal, plan, runId);
        return md;
    }

    /** @return the report as Markdown, with a Mermaid {@code gantt} block of the timeline; secrets redacted */
    public String toMarkdown() {
        return Redactor.redact(MarkdownReport.render(content().blocks()));
    }

    /** @return the report as one self-contained HTML page with SVG pictures; secrets redacted */
    public String toHtml() {
        ReportContent content = content();
        return Redactor.redact(HtmlReport.render(content.title(), content.blocks()));
    }

    /**
     * The timeline alone, as an SVG element for a page of one's own (the live page shows it).
     *
     * @return an {@code <svg>} element: one bar per step, phases against budgets, approvals, gaps; secrets redacted
     */
    public String timelineSvg() {
        return Redactor.redact(SvgTimeline.timeline(new TimelineLayout(new RunHistory(events, plan))));
    }

    private ReportContent content() {
        return new ReportContent(new RunHistory(events, plan), resumeCommand);
    }
}
