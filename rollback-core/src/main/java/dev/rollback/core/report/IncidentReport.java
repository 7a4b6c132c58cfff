package dev.rollback.core.report;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Durations;
import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Phase;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.Redactor;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Renders a run's journal as a Markdown incident report: summary, timeline with a bar per step
 * against the phase budgets, approvals, verification results, failures, outputs and the
 * data-loss window — what the seeds' ROLLBACK_LOG and INCIDENT_REPORT hold, written from what
 * actually happened rather than from memory.
 *
 * <pre>{@code
 * String md = IncidentReport.of(journal.read(plan.name(), runId)).plan(plan).toMarkdown();
 * }</pre>
 *
 * Outputs with a {@code dataloss.} segment in their key (for example {@code dataloss.crm_Accounts}
 * or {@code postgres.dataLoss.crm_accounts} = "12") are listed under "Data-loss window"; outputs a
 * failed step published before it failed are listed with the failure as evidence. Outputs whose key
 * starts with {@value #KEPT_PREFIX} (data the run set aside on purpose, such as the original a swap
 * kept) or {@value #LEFTOVER_PREFIX} (temporaries a failed attempt left) are listed under "Kept data
 * and leftovers" with what to do about each; a later output of the same key replaces an earlier one,
 * and an empty value says the object is gone.
 */
public final class IncidentReport {
    /** The file name the runner writes in each run folder. */
    public static final String FILE_NAME = "incident-report.md";
    /** Output keys with this segment (any case) are rendered as the data-loss window. */
    public static final String DATA_LOSS_SEGMENT = "dataloss.";
    /** Output keys with this prefix name data the run kept on purpose, to drop once the team is satisfied. */
    public static final String KEPT_PREFIX = "kept.";
    /** Output keys with this prefix name temporaries a failed attempt left behind. */
    public static final String LEFTOVER_PREFIX = "leftover.";
    /** Output keys {@code fleet.<action>.<host>}: one host's result, rendered as the per-host table. */
    private static final java.util.regex.Pattern HOST_RESULT = java.util.regex.Pattern.compile("fleet\\.([^.]+)\\.(.+)");
    private static final java.util.regex.Pattern DATA_LOSS = java.util.regex.Pattern.compile("(?i)(?:^|\\.)dataloss\\.(.+)");

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final int BAR_WIDTH = 40;

    private final List<JournalEvent> events;
    private final RollbackPlan plan;

    private IncidentReport(List<JournalEvent> events, RollbackPlan plan) {
        this.events = List.copyOf(events);
        this.plan = plan;
    }

    /**
     * @param events a run's journal events, in order
     * @return a report of them
     */
    public static IncidentReport of(List<JournalEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("no journal events: there is no run to report");
        }
        return new IncidentReport(events, null);
    }

    /**
     * @param plan the plan the run executed, for phase budgets and step kinds
     * @return a copy that uses it
     */
    public IncidentReport plan(RollbackPlan plan) {
        return new IncidentReport(events, Objects.requireNonNull(plan, "plan"));
    }

    /**
     * Renders the report and writes it into the run folder.
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
            OwnerOnlyFiles.writeString(file, md);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write incident report " + file, e);
        }
        return file;
    }

    /** @return the report as Markdown, secrets redacted */
    public String toMarkdown() {
        JournalEvent.RunStarted start = first(JournalEvent.RunStarted.class).orElse(null);
        Optional<JournalEvent.RunFinished> end = last(JournalEvent.RunFinished.class);
        String runId = events.get(0).runId();
        String planName = start != null ? start.planName() : plan != null ? plan.name() : "?";
        Instant t0 = events.get(0).time();
        Instant t1 = events.get(events.size() - 1).time();

        StringBuilder b = new StringBuilder();
        b.append("# Incident report: rollback '").append(planName).append("', run ").append(runId).append("\n\n");
        b.append("| | |\n|---|---|\n");
        b.append("| Outcome | **").append(end.map(JournalEvent.RunFinished::outcome).orElse("INCOMPLETE (no end recorded: the process stopped)")).append("** |\n");
        if (start != null) {
            b.append("| Started | ").append(TIME.format(start.time())).append(" UTC by ").append(cell(start.operator()))
                    .append(" on ").append(cell(start.host())).append(" (pid ").append(start.pid()).append(") |\n");
            b.append("| Reason | ").append(cell(start.reason() == null || start.reason().isEmpty() ? "(none given)" : start.reason())).append(" |\n");
            b.append("| Plan fingerprint | `").append(start.fingerprint()).append("` |\n");
        }
        b.append("| Ended | ").append(TIME.format(t1)).append(" UTC |\n");
        b.append("| Total time | ").append(Durations.human(Duration.between(t0, t1))).append(" |\n");
        long resumes = events.stream().filter(JournalEvent.RunResumed.class::isInstance).count();
        if (resumes > 0) {
            b.append("| Resumed | ").append(resumes).append(resumes == 1 ? " time" : " times").append(" |\n");
        }
        end.filter(e -> e.failedStep() != null).ifPresent(e -> b.append("| Stopped at | ").append(cell(e.failedStep()))
                .append(": ").append(cell(e.message())).append(" |\n"));
        b.append('\n');

        timeline(b, t0, t1);
        steps(b);
        if (plan != null && !plan.phases().isEmpty()) {
            phases(b);
        }
        approvals(b);
        checks(b);
        failures(b);
        hosts(b);
        keptAndLeftovers(b);
        outputs(b);
        b.append("\n_Rendered from the journal by rollback's IncidentReport; times in UTC._\n");
        return Redactor.redact(b.toString());
    }

    private void timeline(StringBuilder b, Instant t0, Instant t1) {
        b.append("## Timeline\n\n");
        long total = Math.max(1, Duration.between(t0, t1).toMillis());
        List<String[]> rows = new ArrayList<>();
        Map<Integer, Instant> started = new LinkedHashMap<>();
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.StepStarted s) {
                started.putIfAbsent(s.index(), s.time());
            } else if (e instanceof JournalEvent.StepFinished f) {
                rows.add(bar(f.index(), f.step(), started.getOrDefault(f.index(), f.time()), f.time(), t0, total, "ok"));
                started.remove(f.index());
            } else if (e instanceof JournalEvent.StepFailed f && !f.willRetry()) {
                rows.add(bar(f.index(), f.step(), started.getOrDefault(f.index(), f.time()), f.time(), t0, total, "FAILED"));
                started.remove(f.index());
            }
        }
        if (!rows.isEmpty()) {
            b.append("Each bar is a step, placed on the run's time axis (").append(Durations.human(Duration.ofMillis(total))).append(").\n\n```text\n");
            int nameWidth = rows.stream().mapToInt(r -> r[0].length()).max().orElse(10);
            for (String[] r : rows) {
                b.append(String.format("%-" + nameWidth + "s |%s| %s%n", r[0], r[1], r[2]));
            }
            b.append("```\n\n");
        }
        b.append("| Time (UTC) | + | Event |\n|---|---|---|\n");
        for (JournalEvent e : events) {
            String what = describe(e);
            if (what != null) {
                b.append("| ").append(TIME.format(e.time())).append(" | ").append(Durations.human(Duration.between(t0, e.time())))
                        .append(" | ").append(cell(what)).append(" |\n");
            }
        }
        b.append('\n');
    }

    private static String[] bar(int index, String step, Instant from, Instant to, Instant t0, long total, String status) {
        int start = (int) Math.min(BAR_WIDTH - 1, Duration.between(t0, from).toMillis() * BAR_WIDTH / total);
        int len = (int) Math.max(1, Duration.between(from, to).toMillis() * BAR_WIDTH / total);
        len = Math.min(len, BAR_WIDTH - start);
        String line = " ".repeat(start) + (status.equals("ok") ? "#" : "X").repeat(len) + " ".repeat(BAR_WIDTH - start - len);
        return new String[]{index + ". " + step, line, Durations.human(Duration.between(from, to)) + (status.equals("ok") ? "" : " " + status)};
    }

    private void steps(StringBuilder b) {
        b.append("## Steps\n\n| # | Step | Kind | Result | Attempts | Time |\n|---|---|---|---|---|---|\n");
        Map<Integer, String[]> rows = new LinkedHashMap<>();
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.StepFinished f) {
                rows.put(f.index(), new String[]{f.step(), f.kind().name(), "ok", String.valueOf(f.attempt()), Durations.human(Duration.ofMillis(f.durationMillis()))});
            } else if (e instanceof JournalEvent.StepFailed f && !f.willRetry()) {
                rows.put(f.index(), new String[]{f.step(), f.kind().name(), "FAILED", String.valueOf(f.attempt()), Durations.human(Duration.ofMillis(f.durationMillis()))});
            } else if (e instanceof JournalEvent.StepSkipped s && !rows.containsKey(s.index())) {
                rows.put(s.index(), new String[]{s.step(), "", "done earlier", "", ""});
            }
        }
        if (plan != null) {
            for (PlannedStep s : plan.steps()) {
                rows.putIfAbsent(s.index(), new String[]{s.name(), s.kind().name(), "not run", "", ""});
            }
        }
        rows.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(r -> b.append("| ").append(r.getKey()).append(" | ")
                .append(String.join(" | ", java.util.Arrays.stream(r.getValue()).map(IncidentReport::cell).toList())).append(" |\n"));
        b.append('\n');
    }

    private void phases(StringBuilder b) {
        b.append("## Phases against budget\n\n```text\n");
        Map<String, Long> actual = new LinkedHashMap<>();
        for (JournalEvent e : events) {
            int index = e instanceof JournalEvent.StepFinished f ? f.index() : e instanceof JournalEvent.StepFailed f ? f.index() : -1;
            long ms = e instanceof JournalEvent.StepFinished f ? f.durationMillis() : e instanceof JournalEvent.StepFailed f ? f.durationMillis() : 0;
            if (index > 0 && index <= plan.steps().size()) {
                String phase = plan.steps().get(index - 1).phase();
                if (phase != null) {
                    actual.merge(phase, ms, Long::sum);
                }
            }
        }
        int nameWidth = plan.phases().stream().mapToInt(p -> p.name().length()).max().orElse(10);
        for (Phase p : plan.phases()) {
            long a = actual.getOrDefault(p.name(), 0L);
            long budget = Math.max(1, p.budget().toMillis());
            int used = (int) Math.min(BAR_WIDTH, a * BAR_WIDTH / budget);
            String barText = "#".repeat(used) + ".".repeat(BAR_WIDTH - used);
            b.append(String.format("%-" + nameWidth + "s [%s] %s of %s%s%n", p.name(), barText, Durations.human(Duration.ofMillis(a)),
                    Durations.human(p.budget()), a > budget ? "  OVER BUDGET" : ""));
        }
        b.append("```\n\n");
    }

    private void approvals(StringBuilder b) {
        List<String> lines = new ArrayList<>();
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.ApprovalGranted a) {
                lines.add("| " + TIME.format(a.time()) + " | " + cell(a.step()) + " | approved by " + cell(a.approver()) + " | " + cell(a.method()) + " |");
            } else if (e instanceof JournalEvent.ApprovalRefused a) {
                lines.add("| " + TIME.format(a.time()) + " | " + cell(a.step()) + " | NOT approved: " + cell(a.reason()) + " | " + cell(a.method()) + " |");
            }
        }
        b.append("## Approvals\n\n");
        if (lines.isEmpty()) {
            b.append("No destructive step asked for approval.\n\n");
        } else {
            b.append("| Time (UTC) | Step | Decision | How |\n|---|---|---|---|\n");
            lines.forEach(l -> b.append(l).append('\n'));
            b.append('\n');
        }
    }

    private void checks(StringBuilder b) {
        List<String> lines = new ArrayList<>();
        for (JournalEvent e : events) {
            List<CheckResult> cs = e instanceof JournalEvent.StepFinished f ? f.checks()
                    : e instanceof JournalEvent.StepFailed f && !f.willRetry() ? f.checks() : List.of();
            for (CheckResult c : cs) {
                lines.add("| " + cell(c.name()) + " | " + (c.isPassed() ? "passed" : "**FAILED**") + " | " + cell(c.measured()) + " | "
                        + cell(c.expected()) + " | " + cell(c.message()) + " |");
            }
        }
        if (!lines.isEmpty()) {
            b.append("## Verification results\n\n| Check | Result | Measured | Expected | Note |\n|---|---|---|---|---|\n");
            lines.forEach(l -> b.append(l).append('\n'));
            b.append('\n');
        }
    }

    private void failures(StringBuilder b) {
        List<String> lines = new ArrayList<>();
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.StepFailed f) {
                lines.add("- " + TIME.format(f.time()) + " step " + f.index() + " '" + f.step() + "', attempt " + f.attempt()
                        + (f.willRetry() ? " (retried)" : "") + ": " + f.error());
                f.outputs().forEach((k, v) -> lines.add("  - " + k + " = " + v));
            }
        }
        if (!lines.isEmpty()) {
            b.append("## Failures\n\n");
            lines.forEach(l -> b.append(l).append('\n'));
            b.append('\n');
        }
    }

    /**
     * One row per host of a fleet, one column per action, from outputs {@code fleet.<action>.<host>}
     * (published by rollback-process's Fleet and Ansible steps) in journal order: a later attempt's
     * result replaces an earlier one, except that "done earlier" keeps the result it refers to.
     */
    private void hosts(StringBuilder b) {
        Map<String, Map<String, String>> byHost = new LinkedHashMap<>();
        List<String> actions = new ArrayList<>();
        for (JournalEvent e : events) {
            Map<String, String> out = e instanceof JournalEvent.StepFinished f ? f.outputs()
                    : e instanceof JournalEvent.StepFailed f ? f.outputs() : Map.of();
            out.forEach((k, v) -> {
                java.util.regex.Matcher m = HOST_RESULT.matcher(k);
                if (m.matches()) {
                    if (!actions.contains(m.group(1))) {
                        actions.add(m.group(1));
                    }
                    Map<String, String> row = byHost.computeIfAbsent(m.group(2), h -> new LinkedHashMap<>());
                    if (!("done earlier".equals(v) && row.containsKey(m.group(1)))) {
                        row.put(m.group(1), v);
                    }
                }
            });
        }
        if (byHost.isEmpty()) {
            return;
        }
        b.append("## Hosts\n\n");
        for (String a : actions) {
            Map<String, Long> counts = new java.util.TreeMap<>();
            byHost.values().stream().map(r -> r.get(a)).filter(Objects::nonNull)
                    .forEach(v -> counts.merge(v.startsWith("FAILED") ? "failed" : v.startsWith("not tried") ? "not tried" : "ok", 1L, Long::sum));
            b.append("- ").append(a).append(": ").append(counts.entrySet().stream().map(c -> c.getValue() + " " + c.getKey())
                    .reduce((x, y) -> x + ", " + y).orElse("")).append('\n');
        }
        b.append("\n| Host | ").append(String.join(" | ", actions)).append(" |\n|---|")
                .append("---|".repeat(actions.size())).append('\n');
        byHost.forEach((h, row) -> {
            b.append("| ").append(cell(h));
            for (String a : actions) {
                b.append(" | ").append(cell(row.getOrDefault(a, "")));
            }
            b.append(" |\n");
        });
        b.append('\n');
    }

    /**
     * What the run left on purpose (kept.*) and by failing (leftover.*), from every output in
     * journal order: a failed attempt's evidence counts too, since that is where leftovers are named.
     */
    private void keptAndLeftovers(StringBuilder b) {
        Map<String, String> kept = new LinkedHashMap<>();
        Map<String, String> leftovers = new LinkedHashMap<>();
        for (JournalEvent e : events) {
            Map<String, String> out = e instanceof JournalEvent.StepFinished f ? f.outputs()
                    : e instanceof JournalEvent.StepFailed f ? f.outputs()
                    : e instanceof JournalEvent.CheckpointReached c ? c.outputs() : Map.of();
            out.forEach((k, v) -> {
                if (k.startsWith(KEPT_PREFIX)) {
                    kept.put(k, v);
                } else if (k.startsWith(LEFTOVER_PREFIX)) {
                    leftovers.put(k, v);
                }
            });
        }
        kept.values().removeIf(v -> v == null || v.isBlank());
        leftovers.values().removeIf(v -> v == null || v.isBlank());
        if (kept.isEmpty() && leftovers.isEmpty()) {
            return;
        }
        boolean succeeded = last(JournalEvent.RunFinished.class).map(f -> f.outcome().startsWith("SUCCEEDED")).orElse(false)
                && events.get(events.size() - 1) instanceof JournalEvent.RunFinished;
        b.append("## Kept data and leftovers\n\n| | What | Key | What to do |\n|---|---|---|---|\n");
        kept.forEach((k, v) -> b.append("| kept | ").append(cell(v)).append(" | `").append(cell(k))
                .append("` | keep it until the team is satisfied with the rollback, then drop it |\n"));
        leftovers.forEach((k, v) -> b.append("| leftover | ").append(cell(v)).append(" | `").append(cell(k)).append("` | ")
                .append(succeeded ? "left by a failed attempt of this run: drop it once the team is satisfied"
                        : "left by a failed attempt: resuming the run reuses or drops it; abandoning the run drops it")
                .append(" |\n"));
        b.append('\n');
    }

    private void outputs(StringBuilder b) {
        Map<String, String> all = new LinkedHashMap<>();
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.StepFinished f) {
                all.putAll(f.outputs());
            } else if (e instanceof JournalEvent.CheckpointReached c) {
                c.outputs().forEach(all::putIfAbsent);
            }
        }
        Map<String, String> loss = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            java.util.regex.Matcher m = DATA_LOSS.matcher(k);
            if (m.find()) {
                loss.put(m.group(1), v);
            }
        });
        b.append("## Data-loss window\n\n");
        if (loss.isEmpty()) {
            b.append("No step measured a data-loss window in this run.\n\n");
        } else {
            b.append("| What | Lost (created after the backup) |\n|---|---|\n");
            loss.forEach((k, v) -> b.append("| ").append(cell(k)).append(" | ").append(cell(v)).append(" |\n"));
            b.append('\n');
        }
        all.keySet().removeIf(k -> HOST_RESULT.matcher(k).matches());   // in the Hosts table
        if (!all.isEmpty()) {
            b.append("## Outputs\n\n| Key | Value |\n|---|---|\n");
            all.forEach((k, v) -> b.append("| ").append(cell(k)).append(" | ").append(cell(v)).append(" |\n"));
            b.append('\n');
        }
    }

    private static String describe(JournalEvent e) {
        if (e instanceof JournalEvent.RunStarted s) {
            return "run started by " + s.operator() + " (" + s.stepCount() + " steps)";
        } else if (e instanceof JournalEvent.RunResumed r) {
            return "run resumed by " + r.operator() + " after " + (r.fromCheckpoint() == null ? "the start" : "checkpoint '" + r.fromCheckpoint() + "'");
        } else if (e instanceof JournalEvent.StepStarted s) {
            return "step " + s.index() + " '" + s.step() + "' started" + (s.attempt() > 1 ? " (attempt " + s.attempt() + ")" : "");
        } else if (e instanceof JournalEvent.StepFinished f) {
            return "step " + f.index() + " '" + f.step() + "' finished in " + Durations.human(Duration.ofMillis(f.durationMillis()));
        } else if (e instanceof JournalEvent.StepFailed f) {
            return "step " + f.index() + " '" + f.step() + "' FAILED: " + f.error() + (f.willRetry() ? " (will retry)" : "");
        } else if (e instanceof JournalEvent.StepSkipped s) {
            return null;
        } else if (e instanceof JournalEvent.StepMemory m) {
            return "'" + m.step() + "' remembered " + m.key() + " = " + m.value();
        } else if (e instanceof JournalEvent.ApprovalGranted a) {
            return "'" + a.step() + "' approved by " + a.approver() + " (" + a.method() + ")";
        } else if (e instanceof JournalEvent.ApprovalRefused a) {
            return "'" + a.step() + "' NOT approved: " + a.reason();
        } else if (e instanceof JournalEvent.CheckpointReached c) {
            return "checkpoint '" + c.name() + "' reached";
        } else if (e instanceof JournalEvent.RunFinished f) {
            return "run ended " + f.outcome();
        }
        return null;
    }

    private <T extends JournalEvent> Optional<T> first(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    private <T extends JournalEvent> Optional<T> last(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).reduce((a, c) -> c);
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}
