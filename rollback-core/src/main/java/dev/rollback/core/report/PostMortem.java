package dev.rollback.core.report;

import dev.rollback.core.Durations;
import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Phase;
import dev.rollback.core.Redactor;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.StepKind;
import dev.rollback.core.decision.Monitoring;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The skeleton of a rollback's post-mortem ({@value #FILE_NAME}), written into the run folder
 * from the journal at the end of every run, beside the incident report: the sections the runbooks'
 * "Rollback Post-Mortem Report" asks for, filled with what the journal knows — the timeline, why the
 * run was started and the decisions taken in it (approvals, resumes, the monitoring window), the
 * approvals, how the rollback went, the data-loss window and the follow-ups (kept data to drop,
 * forensics to read, failed notifications, steps not finished) — and the sections only people can
 * write (impact, root cause, lessons) left for the team. Secrets are redacted and the file is
 * readable by the owner only.
 *
 * <p>A later end of the same run (a resume, an abandon) writes the file again, unless the team has
 * edited it: an edited file is kept, and the new skeleton goes beside it as {@value #NEW_FILE_NAME}.
 * Steps can add follow-ups of their own: an output whose key starts with {@value #FOLLOW_UP_PREFIX}
 * is one follow-up, its value the text.
 *
 * <pre>{@code
 * String md = PostMortem.of(journal.read(plan.name(), runId)).plan(plan).toMarkdown();
 * }</pre>
 */
public final class PostMortem {
    private static final Logger LOG = LoggerFactory.getLogger(PostMortem.class);
    /** The Markdown file written in each run folder. */
    public static final String FILE_NAME = "post-mortem.md";
    /** Where a new skeleton goes when the team has edited {@value #FILE_NAME}. */
    public static final String NEW_FILE_NAME = "post-mortem.new.md";
    /** Outputs whose key starts with this are follow-ups, their value the text. */
    public static final String FOLLOW_UP_PREFIX = "followup.";
    /** The last line of a skeleton as written: the SHA-256 of everything before it, to tell an edited file. */
    private static final Pattern SEAL = Pattern.compile("\\n<!-- rollback post-mortem skeleton, sha256 ([0-9a-f]{64}) -->\\n?$");
    private static final String TO_WRITE = "_To be written by the team._";

    private final List<JournalEvent> events;
    private final RollbackPlan plan;

    private PostMortem(List<JournalEvent> events, RollbackPlan plan) {
        this.events = List.copyOf(events);
        this.plan = plan;
    }

    /**
     * @param events a run's journal events, in order
     * @return a post-mortem of them
     */
    public static PostMortem of(List<JournalEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("no journal events: there is no run to write a post-mortem of");
        }
        return new PostMortem(events, null);
    }

    /**
     * @param plan the plan the run executed, for phases, step kinds and the steps not run
     * @return a copy that uses it
     */
    public PostMortem plan(RollbackPlan plan) {
        return new PostMortem(events, Objects.requireNonNull(plan, "plan"));
    }

    /**
     * Writes the skeleton into the run folder, readable by the owner only; keeps a file the team has edited
     * and writes {@value #NEW_FILE_NAME} beside it instead.
     *
     * @param journal the journal
     * @param plan    the plan
     * @param runId   the run
     * @return the file written
     */
    public static Path write(Journal journal, RollbackPlan plan, String runId) {
        String md = of(journal.read(plan.name(), runId)).plan(plan).toMarkdown();
        Path file = journal.runDirectory(plan.name(), runId).resolve(FILE_NAME);
        try {
            if (Files.exists(file) && isEdited(Files.readString(file, StandardCharsets.UTF_8))) {
                Path beside = file.resolveSibling(NEW_FILE_NAME);
                LOG.warn("{} was edited by the team: kept as it is; the new skeleton is in {}", file, beside.getFileName());
                OwnerOnlyFiles.writeString(beside, md);
                return beside;
            }
            OwnerOnlyFiles.writeString(file, md);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the post-mortem " + file, e);
        }
    }

    /** @return the skeleton as Markdown, sealed with the hash of its content; secrets redacted */
    public String toMarkdown() {
        String body = Redactor.redact(MarkdownReport.render(blocks()));
        return body + "<!-- rollback post-mortem skeleton, sha256 " + sha256(body) + " -->\n";
    }

    /** Whether a skeleton on disk differs from what was written: the team has worked on it. */
    static boolean isEdited(String text) {
        Matcher m = SEAL.matcher(text);
        return !m.find() || !m.group(1).equals(sha256(text.substring(0, m.start() + 1)));
    }

    private List<Block> blocks() {
        RunHistory h = new RunHistory(events, plan);
        ReportContent report = new ReportContent(h, null);
        List<Block> b = new ArrayList<>();
        b.add(new Block.Heading(1, "Post-mortem: rollback '" + h.planName() + "', run " + h.runId));
        b.add(new Block.Text("_A skeleton written from the run's journal by rollback when the run ended; the incident report ("
                + ReportText.code(IncidentReport.FILE_NAME) + ") beside it has every detail. Sections marked \"to be written\" are "
                + "for the team. Times in UTC._"));
        b.add(summary(h));
        b.add(new Block.Heading(2, "What happened: timeline"));
        b.add(new Block.Table(List.of("Time (UTC)", "+", "Event"),
                report.eventRows(e -> !(e instanceof JournalEvent.StepMemory || e instanceof JournalEvent.StepStarted))));
        b.add(new Block.Heading(2, "Why we rolled back"));
        b.add(new Block.Text(why(h)));
        decisions(b, h);
        report.approvals(b);
        execution(b, h, report);
        report.dataLoss(b);
        b.add(new Block.Heading(2, "Impact"));
        b.add(new Block.Text(appWindow(h) + "\n\n" + TO_WRITE + " Users affected and for how long, business consequences, the data "
                + "people must enter again."));
        b.add(new Block.Heading(2, "Root cause"));
        b.add(new Block.Text(TO_WRITE + " What went wrong in the change that was rolled back, and why testing did not catch it."));
        b.add(new Block.Heading(2, "What we learned"));
        b.add(new Block.Text(TO_WRITE));
        followUps(b, h, report);
        return b;
    }

    private static Block summary(RunHistory h) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("Date", ReportText.time(h.t0) + " UTC"));
        String outcome = h.abandoned().isPresent() ? "ABANDONED" : h.finished != null ? h.finished.outcome() : "INCOMPLETE (no end recorded)";
        rows.add(List.of("Outcome", "**" + outcome + "**"));
        rows.add(List.of("Duration", Durations.human(Duration.between(h.t0, h.t1)) + " from the start to the last event"
                + (h.invocations.size() > 1 ? ", in " + h.invocations.size() + " processes" : "")));
        Set<String> operators = new LinkedHashSet<>();
        h.invocations.forEach(i -> operators.add(ReportText.plain(i.operator())));
        rows.add(List.of("Operators", operators.isEmpty() ? "(none recorded)" : String.join(", ", operators)));
        long done = h.stepList().stream().filter(r -> r.status == RunHistory.Status.SUCCEEDED || r.status == RunHistory.Status.SKIPPED).count();
        rows.add(List.of("Steps", done + " of " + h.stepList().size() + " done"));
        return new Block.Table(List.of("", ""), rows);
    }

    private static String why(RunHistory h) {
        String reason = h.started == null ? null : h.started.reason();
        if (reason == null || reason.isBlank()) {
            return "No reason was given when the run started. " + TO_WRITE + " The issues that triggered the rollback decision.";
        }
        String prefix = reason.startsWith("Decision at ") ? "A watchdog started the run on this decision: " : "The reason given when the run started: ";
        return prefix + ReportText.plain(reason) + "\n\n" + TO_WRITE + " The issues behind it, in more detail.";
    }

    /** What was decided during the run, in order: the start, approvals, resumes, the monitoring window, an abandon. */
    private static void decisions(List<Block> b, RunHistory h) {
        List<String> items = new ArrayList<>();
        for (JournalEvent e : h.events) {
            String at = ReportText.time(e.time()) + ": ";
            if (e instanceof JournalEvent.RunStarted s) {
                items.add(at + ReportText.plain(s.operator()) + " started the rollback");
            } else if (e instanceof JournalEvent.ApprovalGranted a) {
                items.add(at + ReportText.plain(a.approver()) + (a.role() == null ? "" : " as " + ReportText.plain(a.role()))
                        + " approved " + quote(a.step()) + " (" + ReportText.plain(a.method()) + ")");
            } else if (e instanceof JournalEvent.ApprovalRefused a) {
                items.add(at + quote(a.step()) + " was **not approved**: " + ReportText.plain(a.reason()));
            } else if (e instanceof JournalEvent.RunResumed r) {
                items.add(at + ReportText.plain(r.operator()) + " resumed the run after "
                        + (r.fromCheckpoint() == null ? "the start" : "checkpoint " + quote(r.fromCheckpoint())));
            } else if (e instanceof JournalEvent.RunAbandoned a) {
                items.add(at + ReportText.plain(a.operator()) + " abandoned the run: " + ReportText.plain(a.reason()));
            } else if (e instanceof JournalEvent.StepFinished f && f.outputs().containsKey(Monitoring.OUTPUT_RESULT)) {
                items.add(at + "monitoring window " + quote(f.step()) + " passed: " + ReportText.plain(f.outputs().get(Monitoring.OUTPUT_RESULT)));
            } else if (e instanceof JournalEvent.StepFailed f && !f.willRetry() && f.outputs().containsKey(Monitoring.OUTPUT_RESULT)) {
                items.add(at + "monitoring window " + quote(f.step()) + " **failed**: " + ReportText.plain(f.outputs().get(Monitoring.OUTPUT_RESULT))
                        + "; the team decides: roll back further or fix forward");
            }
        }
        b.add(new Block.Heading(2, "Decisions"));
        b.add(new Block.Bullets(items));
    }

    private static void execution(List<Block> b, RunHistory h, ReportContent report) {
        b.add(new Block.Heading(2, "Rollback execution"));
        List<List<String>> rows = new ArrayList<>();
        for (Phase p : h.phases()) {
            Duration spent = h.phaseTime(p);
            rows.add(List.of(ReportText.plain(p.name()), Durations.human(spent), Durations.human(p.budget()),
                    spent.compareTo(p.budget()) > 0 ? "**over budget**" : "within budget"));
        }
        if (!rows.isEmpty()) {
            b.add(new Block.Table(List.of("Phase", "Time", "Budget", ""), rows));
        }
        long retried = h.failures.stream().filter(RunHistory.FailureRecord::retried).count();
        long resumes = h.events.stream().filter(JournalEvent.RunResumed.class::isInstance).count();
        b.add(new Block.Text("Time to roll back: " + Durations.human(Duration.between(h.t0, h.t1))
                + (h.gaps().isEmpty() ? "" : ", of which " + Durations.human(h.gaps().stream().map(g -> Duration.between(g.from(), g.to()))
                .reduce(Duration.ZERO, Duration::plus)) + " between a process that stopped and the one that resumed")
                + ". Issues during the rollback: " + (h.failures.isEmpty() && resumes == 0 ? "none recorded." : h.failures.size()
                + " failed attempt(s)" + (retried > 0 ? " (" + retried + " retried)" : "") + ", " + resumes + " resume(s); see Failures.")));
        report.failures(b);
    }

    /** When the application went down and came back, as far as the run's app steps say. */
    private static String appWindow(RunHistory h) {
        Optional<RunHistory.StepRecord> stop = h.stepList().stream().filter(r -> r.kind == StepKind.STOP_APP && okEnd(r).isPresent()).findFirst();
        Optional<RunHistory.StepRecord> start = h.stepList().stream().filter(r -> r.kind == StepKind.START_APP && okEnd(r).isPresent())
                .reduce((a, c) -> c);
        if (stop.isEmpty()) {
            return "No step of the run stopped the application.";
        }
        String down = "The application was stopped at " + ReportText.time(okEnd(stop.get()).get()) + " UTC (" + quote(stop.get().name) + ")";
        if (start.isEmpty() || start.get().index < stop.get().index) {
            return down + " and the run did not start it again.";
        }
        Duration d = Duration.between(okEnd(stop.get()).get(), okEnd(start.get()).get());
        return down + " and started again at " + ReportText.time(okEnd(start.get()).get()) + " UTC (" + quote(start.get().name) + "): down for "
                + Durations.human(d) + " as the run measured it.";
    }

    private static Optional<Instant> okEnd(RunHistory.StepRecord r) {
        return r.attempts.stream().filter(RunHistory.Attempt::ok).map(RunHistory.Attempt::end).reduce((a, c) -> c);
    }

    private static void followUps(List<Block> b, RunHistory h, ReportContent report) {
        List<String> items = new ArrayList<>();
        h.allOutputs.forEach((k, v) -> {
            if (k.startsWith(FOLLOW_UP_PREFIX) && v != null && !v.isBlank()) {
                items.add("[ ] " + ReportText.plain(v));
            }
        });
        if (!h.succeeded()) {
            String code = h.failures.stream().filter(f -> !f.retried() && f.code() != null).reduce((first, last) -> last)
                    .map(f -> ", " + ReportText.code(f.code()) + " at " + quote(f.step().name)).orElse("");
            items.add("[ ] The run did not succeed (" + (h.abandoned().isPresent() ? "abandoned" : h.finished == null ? "no end recorded"
                    : h.finished.outcome() + code) + "): see the current state at the top of the incident report, then resume or repair it");
        }
        report.cleanupItems().forEach(i -> items.add("[ ] " + i));
        Set<String> files = new LinkedHashSet<>();
        h.events.stream().filter(JournalEvent.FileCaptured.class::isInstance).map(e -> ((JournalEvent.FileCaptured) e).path()).forEach(files::add);
        if (!files.isEmpty()) {
            items.add("[ ] Read the forensics the run captured (in its folder): " + ReportText.plain(String.join(", ", files)));
        }
        for (RunHistory.StepRecord r : h.stepList()) {
            if (r.kind == StepKind.NOTIFY && r.status == RunHistory.Status.FAILED) {
                items.add("[ ] Notification " + quote(r.name) + " was not delivered (" + ReportText.plain(r.error) + "): tell them by hand");
            }
        }
        Boolean monitorFailed = null;   // the last word of a monitoring window, if any
        for (JournalEvent e : h.events) {
            if (e instanceof JournalEvent.StepFinished f && f.outputs().containsKey(Monitoring.OUTPUT_RESULT)) {
                monitorFailed = false;
            } else if (e instanceof JournalEvent.StepFailed f && !f.willRetry() && f.outputs().containsKey(Monitoring.OUTPUT_RESULT)) {
                monitorFailed = true;
            }
        }
        if (monitorFailed == null) {
            items.add("[ ] The run watched no monitoring window: watch the system closely for the time the runbook asks");
        } else if (monitorFailed) {
            items.add("[ ] The monitoring window failed: decide whether to roll back further or fix forward");
        }
        items.add("[ ] Hold the root-cause analysis (the runbooks ask for it within 24 hours) and finish this document");
        items.add("[ ] Decide what becomes of the change that was rolled back: retry after fixes, another approach, postpone, or cancel");
        b.add(new Block.Heading(2, "Follow-ups"));
        b.add(new Block.Bullets(items));
    }

    private static String quote(String s) {
        return "'" + ReportText.plain(s) + "'";
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
