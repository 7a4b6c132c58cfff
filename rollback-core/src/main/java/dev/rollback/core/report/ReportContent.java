package dev.rollback.core.report;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Downtime;
import dev.rollback.core.Durations;
import dev.rollback.core.StepKind;
import dev.rollback.core.journal.JournalEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides what an incident report says, as format-free {@link Block}s: the state the run left
 * first when it needs someone, then the summary, the timeline, steps, phases, approvals, checks,
 * failures, what was kept, the data-loss window, outputs and the events.
 */
final class ReportContent {
    private static final Pattern DATA_LOSS = Pattern.compile("(?i)(?:^|\\.)dataloss\\.(.+)");
    /** Output keys {@code fleet.<action>.<host>}: one host's result, rendered as the Hosts table. */
    private static final Pattern HOST_RESULT = Pattern.compile("fleet\\.([^.]+)\\.(.+)");
    private static final Pattern SAFETY_TAG = Pattern.compile("(?i)(?:^|\\.)safetyTag$");

    private final RunHistory h;
    private final String resumeCommand;

    ReportContent(RunHistory history, String resumeCommand) {
        this.h = history;
        this.resumeCommand = resumeCommand;
    }

    /** @return the report's title */
    String title() {
        return "Incident report: rollback '" + h.planName() + "', run " + h.runId;
    }

    /** @return the blocks, in order */
    List<Block> blocks() {
        List<Block> b = new ArrayList<>();
        b.add(new Block.Heading(1, title()));
        if (h.needsAttention()) {
            b.add(currentState());
        }
        b.add(summary());
        b.add(new Block.Heading(2, "Timeline"));
        TimelineLayout layout = new TimelineLayout(h);
        b.add(new Block.Text("Each bar is a step on the run's time axis (" + Durations.human(layout.total()) + " in all)"
                + (layout.gaps.isEmpty() ? "" : "; the time between processes is a gap, not step time"
                + (layout.shortened() ? ", drawn shortened with its real length in its label" : ""))
                + (layout.downtime.isEmpty() ? "" : "; the band marked \"app down\" is the downtime, from the stop to the app "
                + "verified healthy") + "."));
        b.add(new Block.Timeline(layout));
        downtime(b);
        steps(b);
        if (!h.phases().isEmpty()) {
            b.add(new Block.Heading(2, "Phases against budget"));
            b.add(new Block.PhaseBudgets(h.phases().stream()
                    .map(p -> new Block.PhaseBurn(p.name(), h.phaseTime(p).toMillis(), p.budget().toMillis())).toList()));
        }
        approvals(b);
        checks(b);
        failures(b);
        hosts(b);
        keptAndLeftovers(b);
        cleanup(b);
        capturedFiles(b);
        dataLoss(b);
        outputs(b);
        events(b);
        b.add(new Block.Text("_Rendered from the journal by rollback's IncidentReport; times in UTC._"));
        return b;
    }

    /** The callout for a run that needs someone: outcome, the app, what changed, what to clean up, how to go on. */
    private Block currentState() {
        List<Block> body = new ArrayList<>();
        Optional<JournalEvent.RunAbandoned> abandoned = h.abandoned();
        if (abandoned.isPresent()) {
            JournalEvent.RunAbandoned a = abandoned.get();
            body.add(new Block.Text("**ABANDONED** by " + ReportText.plain(a.operator()) + " on " + ReportText.plain(a.host()) + " at "
                    + ReportText.time(a.time()) + " UTC: " + ReportText.plain(a.reason()) + ". Its started steps cleaned up their temporaries "
                    + (a.cleanupFailures() == 0 ? "(see Cleanup below)" : "but " + a.cleanupFailures() + " cleanup(s) FAILED: remove what they "
                    + "left by hand (see Cleanup below)") + "; the run is never resumed, and the plan is idle."));
            List<String> kept = cleanupItems().stream().filter(i -> !i.startsWith("leftover")).toList();
            body.add(new Block.Text("**Still there**" + (kept.isEmpty() ? ": nothing recorded." : ":")));
            if (!kept.isEmpty()) {
                body.add(new Block.Bullets(kept));
            }
            return new Block.Alert("Current state", body);
        }
        body.add(new Block.Text(outcomeSentence()));
        body.add(new Block.Text(appSentence()));
        List<String> changed = new ArrayList<>();
        for (RunHistory.StepRecord r : h.changes()) {
            changed.add("step " + r.index + " " + quote(r.name) + " (" + label(r.kind) + (r.destructive ? ", destructive" : "") + "): "
                    + switch (r.status) {
                        case SUCCEEDED, SKIPPED -> "done";
                        case WAIVED -> "not run: " + ReportText.plain(r.error);
                        case FAILED -> "FAILED, may have changed part of its target: " + ReportText.plain(r.error);
                        case INTERRUPTED -> "INTERRUPTED by the death of its process, may have changed part of its target";
                        case RUNNING -> "started, no end recorded";
                        case NOT_RUN -> "not run";
                    });
        }
        body.add(new Block.Text("**What changed**" + (changed.isEmpty() ? ": nothing; no step that changes anything ran." : ":")));
        if (!changed.isEmpty()) {
            body.add(new Block.Bullets(changed));
        }
        List<String> cleanup = cleanupItems();
        body.add(new Block.Text("**To clean up**" + (cleanup.isEmpty() ? ": nothing recorded (no kept data, leftovers or safety tags)." : ":")));
        if (!cleanup.isEmpty()) {
            body.add(new Block.Bullets(cleanup));
        }
        if (resumeCommand != null && !resumeCommand.isBlank()) {
            body.add(new Block.Text("**To resume** (restarts after the last checkpoint; settings that are secrets are not on the "
                    + "command line: give them through the environment as for the first run):"));
            body.add(new Block.Code("bash", resumeCommand));
        } else {
            body.add(new Block.Text("**To resume**: run the same program with " + ReportText.code("--resume " + h.runId) + "."));
        }
        return new Block.Alert("Current state", body);
    }

    private String outcomeSentence() {
        JournalEvent.RunFinished f = h.finished;
        if (f == null) {
            RunHistory.Invocation last = h.invocations.isEmpty() ? null : h.invocations.get(h.invocations.size() - 1);
            Optional<RunHistory.StepRecord> running = h.stepList().stream().filter(r -> r.pendingStart != null).findFirst();
            return "**INCOMPLETE**: no end is recorded" + (last == null ? "" : "; process " + last.pid() + " on " + last.host()
                    + " last wrote at " + ReportText.time(last.lastSeen()) + " UTC") + running.map(r -> ", during step " + r.index + " "
                    + quote(r.name)).orElse("") + ". It stopped (killed, or the machine died) or it is still running.";
        }
        String at = f.failedStep() == null ? "" : " at step " + stepIndex(f.failedStep()) + quote(f.failedStep());
        return "**" + f.outcome() + "**" + at + (f.message() == null ? "." : ": " + ReportText.plain(f.message()));
    }

    private String stepIndex(String name) {
        return h.stepList().stream().filter(r -> name.equals(r.name)).map(r -> r.index + " ").findFirst().orElse("");
    }

    private String appSentence() {
        Optional<RunHistory.StepRecord> app = h.lastAppStep();
        if (app.isEmpty()) {
            Optional<RunHistory.StepRecord> stop = h.stepList().stream().filter(r -> r.kind == StepKind.STOP_APP).findFirst();
            return "**The app**: no step of this run stopped or started it" + stop.map(s -> " (step " + s.index + " " + quote(s.name)
                    + " has not run)").orElse("") + ", so it is as the run found it.";
        }
        RunHistory.StepRecord r = app.get();
        RunHistory.Attempt last = r.attempts.get(r.attempts.size() - 1);
        Optional<RunHistory.StepRecord> start = h.stepList().stream().filter(s -> s.kind == StepKind.START_APP && s.index > r.index).findFirst();
        if (r.kind == StepKind.STOP_APP) {
            return last.ok()
                    ? "**The app is DOWN**: step " + r.index + " " + quote(r.name) + " stopped it at " + ReportText.time(last.end()) + " UTC"
                    + start.map(s -> " and step " + s.index + " " + quote(s.name) + " has not started it again.").orElse(" and no later step starts it.")
                    : "**The app may be partly DOWN**: step " + r.index + " " + quote(r.name) + " failed while stopping it: "
                    + ReportText.plain(last.error());
        }
        return last.ok()
                ? "**The app is UP** as far as the run knows: step " + r.index + " " + quote(r.name) + " started it at "
                + ReportText.time(last.end()) + " UTC."
                : "**The app is DOWN or unhealthy**: step " + r.index + " " + quote(r.name) + " failed to start it: " + ReportText.plain(last.error());
    }

    List<String> cleanupItems() {
        List<String> items = new ArrayList<>();
        Map<String, String> kept = new LinkedHashMap<>();
        Map<String, String> leftovers = new LinkedHashMap<>();
        Map<String, String> tags = new LinkedHashMap<>();
        sortOutputs(kept, leftovers, tags);
        kept.forEach((k, v) -> items.add("kept: " + ReportText.plain(v) + " (" + ReportText.code(k) + "): keep it until the team is "
                + "satisfied with the rollback, then drop it"));
        leftovers.forEach((k, v) -> items.add("leftover: " + ReportText.plain(v) + " (" + ReportText.code(k) + "): resuming the run "
                + "reuses or drops it; abandoning the run drops it"));
        tags.forEach((k, v) -> items.add("safety tag " + ReportText.code(v) + " (" + ReportText.code(k) + "): marks where the code was; "
                + "delete it once the team is satisfied (" + ReportText.code("git tag -d " + v) + ")"));
        return items;
    }

    /** Kept data, leftovers and safety tags from every output in journal order; a later value of a key wins, empty means gone. */
    private void sortOutputs(Map<String, String> kept, Map<String, String> leftovers, Map<String, String> tags) {
        h.allOutputs.forEach((k, v) -> {
            if (k.startsWith(IncidentReport.KEPT_PREFIX)) {
                kept.put(k, v);
            } else if (k.startsWith(IncidentReport.LEFTOVER_PREFIX)) {
                leftovers.put(k, v);
            } else if (SAFETY_TAG.matcher(k).find()) {
                tags.put(k, v);
            }
        });
        kept.values().removeIf(v -> v == null || v.isBlank());
        leftovers.values().removeIf(v -> v == null || v.isBlank());
        tags.values().removeIf(v -> v == null || v.isBlank());
    }

    private Block summary() {
        List<List<String>> rows = new ArrayList<>();
        String outcome = h.abandoned().isPresent() ? "ABANDONED" : h.finished != null ? h.finished.outcome()
                : "INCOMPLETE (no end recorded: the process stopped)";
        rows.add(List.of("Outcome", "**" + outcome + "**"));
        JournalEvent.RunStarted s = h.started;
        if (s != null) {
            rows.add(List.of("Started", ReportText.time(s.time()) + " UTC by " + ReportText.plain(s.operator()) + " on "
                    + ReportText.plain(s.host()) + " (pid " + s.pid() + ")"));
            rows.add(List.of("Reason", s.reason() == null || s.reason().isEmpty() ? "(none given)" : ReportText.plain(s.reason())));
            rows.add(List.of("Plan fingerprint", ReportText.code(s.fingerprint())));
        }
        rows.add(List.of("Ended", ReportText.time(h.t1) + " UTC"));
        rows.add(List.of("Total time", Durations.human(Duration.between(h.t0, h.t1)) + " (first event to last)"));
        rows.add(List.of("Downtime", downtimeCell()));
        long resumes = h.events.stream().filter(JournalEvent.RunResumed.class::isInstance).count();
        if (resumes > 0) {
            rows.add(List.of("Resumed", resumes + (resumes == 1 ? " time" : " times")));
        }
        if (h.invocations.size() > 1) {
            List<String> procs = new ArrayList<>();
            for (RunHistory.Invocation i : h.invocations) {
                procs.add(i.number() + ". pid " + i.pid() + " on " + ReportText.plain(i.host()) + " by " + ReportText.plain(i.operator())
                        + ", " + ReportText.clock(i.start()) + "-" + ReportText.clock(i.lastSeen()) + ": "
                        + (i.died() ? "**DIED** (no end recorded; the next process resumed the run)"
                        : i.outcome() == null ? "no end recorded" : i.outcome()));
            }
            rows.add(List.of("Processes", String.join("; ", procs)));
        }
        if (h.finished != null && h.finished.failedStep() != null) {
            rows.add(List.of("Stopped at", ReportText.plain(h.finished.failedStep()) + ": " + ReportText.plain(h.finished.message())));
        }
        h.abandoned().ifPresent(a -> rows.add(List.of("Abandoned", ReportText.time(a.time()) + " UTC by " + ReportText.plain(a.operator())
                + " on " + ReportText.plain(a.host()) + ": " + ReportText.plain(a.reason())
                + (a.cleanupFailures() == 0 ? "" : " (" + a.cleanupFailures() + " cleanup(s) FAILED)"))));
        return new Block.Table(List.of("", ""), rows);
    }

    /** The summary's downtime: stopped to verified healthy, what was between processes, whether it is still down. */
    private String downtimeCell() {
        Downtime d = h.downtime;
        if (d.isNone()) {
            return "none: no step of this run stopped the app";
        }
        List<String> notes = new ArrayList<>();
        Downtime.Window first = d.windows().get(0);
        Downtime.Window last = d.windows().get(d.windows().size() - 1);
        notes.add("from " + ReportText.clock(first.stopped()) + " (step " + stepIndex(first.stopStep()) + quote(first.stopStep()) + " began) to "
                + switch (last.end()) {
                    case HEALTHY -> ReportText.clock(last.until()) + " (step " + stepIndex(last.untilStep()) + quote(last.untilStep())
                            + " passed after the app was started)";
                    case STARTED_UNCHECKED -> ReportText.clock(last.until()) + " (step " + stepIndex(last.startStep()) + quote(last.startStep())
                            + " started the app; **no check after the start verified it**)";
                    case DOWN -> ReportText.clock(last.until()) + ", the journal's last event: **the app is still down or unverified**, "
                            + "so the downtime goes on";
                });
        if (d.windows().size() > 1) {
            notes.add("down " + d.windows().size() + " times, see Downtime below");
        }
        if (!d.betweenProcesses().isZero()) {
            notes.add(Durations.human(d.betweenProcesses()) + " of it between processes: the app stayed down while no process ran the run");
        }
        return "**" + Durations.human(d.total()) + "**" + (d.stillDown() ? " so far" : "") + " of " + Durations.human(Duration.between(h.t0, h.t1))
                + ", " + String.join("; ", notes);
    }

    /** Each window of downtime: stopped, started, verified healthy, with what was between processes. */
    private void downtime(List<Block> b) {
        Downtime d = h.downtime;
        b.add(new Block.Heading(2, "Downtime"));
        if (d.isNone()) {
            b.add(new Block.Text("No step of this run stopped the app: no downtime."));
            return;
        }
        b.add(new Block.Text("**" + Durations.human(d.total()) + "**" + (d.stillDown() ? " so far" : "") + " of "
                + Durations.human(Duration.between(h.t0, h.t1)) + " in all. Downtime runs from the moment a step began to stop the app "
                + "to the first verify step that passed after a step started it again (the app verified healthy); steps before the "
                + "stop (a restore prepared while the app served) are not downtime." + (d.betweenProcesses().isZero() ? ""
                : " It is wall time: " + Durations.human(d.betweenProcesses()) + " of it passed between processes (a crash or a stop, "
                + "then a resume), when the app stayed down and no process was working on the run.")));
        List<List<String>> rows = new ArrayList<>();
        for (Downtime.Window w : d.windows()) {
            rows.add(List.of(ReportText.clock(w.stopped()) + " " + stepIndex(w.stopStep()) + quote(w.stopStep()),
                    w.started() == null ? "**not started**" : ReportText.clock(w.started()) + " " + stepIndex(w.startStep()) + quote(w.startStep()),
                    switch (w.end()) {
                        case HEALTHY -> ReportText.clock(w.until()) + " " + stepIndex(w.untilStep()) + quote(w.untilStep()) + " passed";
                        case STARTED_UNCHECKED -> "not checked: no verify step after the start";
                        case DOWN -> "**no**: " + (w.started() == null ? "still down" : "no check after the start passed")
                                + " at the journal's last event, " + ReportText.clock(w.until());
                    },
                    "**" + Durations.human(w.duration()) + "**",
                    w.betweenProcesses().isZero() ? "" : Durations.human(w.betweenProcesses())));
        }
        b.add(new Block.Table(List.of("App stopped", "App started", "Verified healthy", "Down for", "Between processes"), rows));
    }

    private void steps(List<Block> b) {
        List<List<String>> rows = new ArrayList<>();
        for (RunHistory.StepRecord r : h.stepList()) {
            int attempts = r.attempts.size() + (r.pendingStart != null ? 1 : 0);
            String note = r.sentMessage != null ? "sent: " + ReportText.plain(r.sentMessage)
                    : r.status == RunHistory.Status.FAILED || r.status == RunHistory.Status.WAIVED ? ReportText.plain(r.error)
                    : r.status == RunHistory.Status.INTERRUPTED ? "its process died during the attempt; a resume runs it again"
                    : r.checks.size() == 1 ? ReportText.plain(r.checks.get(0).summary())
                    : r.checks.size() > 1 ? r.checks.size() + " checks, see Verification results" : "";
            String status = r.status == RunHistory.Status.FAILED || r.status == RunHistory.Status.INTERRUPTED
                    || r.status == RunHistory.Status.WAIVED ? "**" + r.status.label + "**" : r.status.label;
            rows.add(List.of(String.valueOf(r.index), ReportText.plain(r.name), r.kind == null ? "" : r.kind.name(), status,
                    attempts == 0 ? "" : String.valueOf(attempts), attempts == 0 ? "" : Durations.human(r.time()), note));
        }
        section(b, "Steps", List.of("#", "Step", "Kind", "Result", "Attempts", "Time", "Note"), rows);
    }

    void approvals(List<Block> b) {
        b.add(new Block.Heading(2, "Approvals"));
        if (h.approvals.isEmpty()) {
            b.add(new Block.Text("No destructive step asked for approval."));
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (RunHistory.Approval a : h.approvals) {
            rows.add(List.of(ReportText.time(a.time()), ReportText.plain(a.step()),
                    a.granted() ? "approved by " + ReportText.plain(a.who()) : "**NOT approved**: " + ReportText.plain(a.reason()),
                    ReportText.plain(a.method())));
        }
        b.add(new Block.Table(List.of("Time (UTC)", "Step", "Decision", "How"), rows));
    }

    private void checks(List<Block> b) {
        if (h.checks.isEmpty()) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (RunHistory.StepCheck c : h.checks) {
            CheckResult r = c.result();
            String checkName = r.name().equals(c.step().name) ? "" : ReportText.plain(r.name());
            rows.add(List.of(c.step().index + ". " + ReportText.plain(c.step().name), checkName, r.isPassed() ? "passed" : "**FAILED**",
                    ReportText.plain(r.measured()), ReportText.plain(r.expected()), ReportText.plain(r.message())));
        }
        b.add(new Block.Heading(2, "Verification results"));
        b.add(new Block.Text("Every check the run made: prechecks, verify steps, and the checks a step ran on its own work "
                + "(a restore's checks on the new data before it is swapped in)."));
        b.add(new Block.Table(List.of("Step", "Check", "Result", "Measured", "Expected", "Note"), rows));
    }

    void failures(List<Block> b) {
        List<String> items = new ArrayList<>();
        for (RunHistory.FailureRecord f : h.failures) {
            StringBuilder item = new StringBuilder(ReportText.time(f.time()) + " step " + f.step().index + " " + quote(f.step().name)
                    + ", attempt " + f.attempt() + (f.retried() ? " (retried)" : "") + ": " + ReportText.plain(f.error())
                    + (f.code() == null ? "" : " (error code " + f.code() + ")"));
            f.evidence().forEach((k, v) -> {
                if (!k.equals(RunHistory.NOTIFY_MESSAGE)) {
                    item.append('\n').append(k).append(" = ").append(ReportText.plain(v));
                }
            });
            items.add(item.toString());
        }
        for (RunHistory.StepRecord r : h.stepList()) {
            r.attempts.stream().filter(a -> !a.ended()).forEach(a -> items.add(ReportText.time(a.end()) + " step " + r.index + " "
                    + quote(r.name) + ", attempt " + a.number() + ": interrupted, its process died (last journaled at "
                    + ReportText.time(a.end()) + " UTC)"));
        }
        if (items.isEmpty()) {
            return;
        }
        b.add(new Block.Heading(2, "Failures"));
        b.add(new Block.Bullets(items));
    }

    /**
     * One row per host of a fleet, one column per action, from outputs {@code fleet.<action>.<host>}
     * (rollback-process's Fleet and Ansible steps) in journal order: a later attempt's result
     * replaces an earlier one, except that "done earlier" keeps the result it refers to.
     */
    private void hosts(List<Block> b) {
        Map<String, Map<String, String>> byHost = new LinkedHashMap<>();
        List<String> actions = new ArrayList<>();
        for (JournalEvent e : h.events) {
            Map<String, String> out = e instanceof JournalEvent.StepFinished f ? f.outputs()
                    : e instanceof JournalEvent.StepFailed f ? f.outputs() : Map.of();
            out.forEach((k, v) -> {
                Matcher m = HOST_RESULT.matcher(k);
                if (m.matches()) {
                    if (!actions.contains(m.group(1))) {
                        actions.add(m.group(1));
                    }
                    Map<String, String> row = byHost.computeIfAbsent(m.group(2), x -> new LinkedHashMap<>());
                    if (!("done earlier".equals(v) && row.containsKey(m.group(1)))) {
                        row.put(m.group(1), v);
                    }
                }
            });
        }
        if (byHost.isEmpty()) {
            return;
        }
        b.add(new Block.Heading(2, "Hosts"));
        List<String> counts = new ArrayList<>();
        for (String a : actions) {
            Map<String, Long> c = new TreeMap<>();
            byHost.values().stream().map(r -> r.get(a)).filter(Objects::nonNull)
                    .forEach(v -> c.merge(v.startsWith("FAILED") ? "failed" : v.startsWith("not tried") ? "not tried" : "ok", 1L, Long::sum));
            counts.add(a + ": " + c.entrySet().stream().map(x -> x.getValue() + " " + x.getKey()).reduce((x, y) -> x + ", " + y).orElse(""));
        }
        b.add(new Block.Bullets(counts));
        List<String> header = new ArrayList<>(List.of("Host"));
        header.addAll(actions);
        List<List<String>> rows = new ArrayList<>();
        byHost.forEach((host, row) -> {
            List<String> r = new ArrayList<>(List.of(ReportText.plain(host)));
            actions.forEach(a -> r.add(ReportText.plain(row.getOrDefault(a, ""))));
            rows.add(r);
        });
        b.add(new Block.Table(header, rows));
    }

    private void keptAndLeftovers(List<Block> b) {
        Map<String, String> kept = new LinkedHashMap<>();
        Map<String, String> leftovers = new LinkedHashMap<>();
        Map<String, String> tags = new LinkedHashMap<>();
        sortOutputs(kept, leftovers, tags);
        if (kept.isEmpty() && leftovers.isEmpty() && tags.isEmpty()) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        kept.forEach((k, v) -> rows.add(List.of("kept", ReportText.plain(v), ReportText.code(k),
                "keep it until the team is satisfied with the rollback, then drop it")));
        leftovers.forEach((k, v) -> rows.add(List.of("leftover", ReportText.plain(v), ReportText.code(k), h.succeeded()
                ? "left by a failed attempt of this run: drop it once the team is satisfied"
                : "left by a failed attempt: resuming the run reuses or drops it; abandoning the run drops it")));
        tags.forEach((k, v) -> rows.add(List.of("safety tag", ReportText.plain(v), ReportText.code(k),
                "marks where the code was before the rollback; delete it once the team is satisfied")));
        b.add(new Block.Heading(2, "Kept data and leftovers"));
        b.add(new Block.Table(List.of("", "What", "Key", "What to do"), rows));
    }

    /** What abandoning the run removed, and what it could not. */
    private void cleanup(List<Block> b) {
        List<List<String>> rows = new ArrayList<>();
        for (JournalEvent e : h.events) {
            if (e instanceof JournalEvent.StepCleanedUp c) {
                rows.add(List.of(String.valueOf(c.index()), ReportText.plain(c.step()),
                        c.removed().isEmpty() ? "nothing" : ReportText.plain(String.join("; ", c.removed())),
                        c.error() == null ? "ok" : "**FAILED**: " + ReportText.plain(c.error()) + " (remove what it left by hand)"));
            }
        }
        if (!rows.isEmpty()) {
            section(b, "Cleanup (run abandoned)", List.of("#", "Step", "Removed", "Result"), rows);
        }
    }

    /** The files steps wrote into the run folder, as recorded, and any a resume could not see. */
    private void capturedFiles(List<Block> b) {
        Map<String, JournalEvent.FileCaptured> files = new LinkedHashMap<>();
        List<JournalEvent.CapturedFilesMissing> missing = new ArrayList<>();
        for (JournalEvent e : h.events) {
            if (e instanceof JournalEvent.FileCaptured f) {
                files.put(f.path(), f);
            } else if (e instanceof JournalEvent.CapturedFilesMissing m) {
                missing.add(m);
            }
        }
        if (files.isEmpty() && missing.isEmpty()) {
            return;
        }
        b.add(new Block.Heading(2, "Captured files"));
        if (!files.isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            files.values().forEach(f -> rows.add(List.of(ReportText.plain(f.path()), f.size() + " bytes", ReportText.code(f.sha256()),
                    ReportText.plain(f.step()))));
            b.add(new Block.Text("In the run folder, as recorded when each was written:"));
            b.add(new Block.Table(List.of("File", "Size", "SHA-256", "Step"), rows));
        }
        for (JournalEvent.CapturedFilesMissing m : missing) {
            b.add(new Block.Text("Resumed on " + ReportText.plain(m.host()) + " at " + ReportText.time(m.time()) + " UTC without these files:"));
            b.add(new Block.Bullets(m.problems().stream().map(ReportText::plain).toList()));
        }
    }

    void dataLoss(List<Block> b) {
        Map<String, String> loss = new LinkedHashMap<>();
        h.outputs.forEach((k, v) -> {
            Matcher m = DATA_LOSS.matcher(k);
            if (m.find()) {
                loss.put(m.group(1), v);
            }
        });
        b.add(new Block.Heading(2, "Data-loss window"));
        if (loss.isEmpty()) {
            b.add(new Block.Text("No step measured a data-loss window in this run."));
            return;
        }
        String header;
        if (h.restoreRan()) {
            header = "Lost (created after the backup; the restore replaced them)";
        } else if (h.hasRestore()) {
            header = "At risk (created after the backup)";
            b.add(new Block.Text("**Nothing is lost yet: the restore has not run.** These rows were created after the backup; "
                    + "they are lost if the restore runs."));
        } else {
            header = "Created after the backup";
        }
        List<List<String>> rows = new ArrayList<>();
        loss.forEach((k, v) -> rows.add(List.of(ReportText.plain(k), ReportText.plain(v))));
        b.add(new Block.Table(List.of("What", header), rows));
    }

    private void outputs(List<Block> b) {
        Map<String, String> all = new LinkedHashMap<>(h.outputs);
        all.remove(RunHistory.NOTIFY_MESSAGE);
        all.keySet().removeIf(k -> HOST_RESULT.matcher(k).matches());   // in the Hosts table
        if (all.isEmpty()) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        all.forEach((k, v) -> rows.add(List.of(ReportText.plain(k), ReportText.plain(v))));
        section(b, "Outputs", List.of("Key", "Value"), rows);
    }

    /** The journal as a table: one row per step in each process (its last attempt), and every other event. */
    private void events(List<Block> b) {
        section(b, "Events", List.of("Time (UTC)", "+", "Event"), eventRows(e -> true));
    }

    /**
     * @param shown which events to show
     * @return one row per shown event that says something on its own: time, time since the run began, what happened
     */
    List<List<String>> eventRows(java.util.function.Predicate<JournalEvent> shown) {
        List<List<String>> rows = new ArrayList<>();
        List<JournalEvent> ev = h.events;
        for (int i = 0; i < ev.size(); i++) {
            JournalEvent e = ev.get(i);
            String what = shown.test(e) ? describe(e, ev, i) : null;
            if (what != null) {
                rows.add(List.of(ReportText.time(e.time()), Durations.human(Duration.between(h.t0, e.time())), what));
            }
        }
        return rows;
    }

    private String describe(JournalEvent e, List<JournalEvent> ev, int i) {
        if (e instanceof JournalEvent.RunStarted s) {
            return "run started by " + ReportText.plain(s.operator()) + " on " + ReportText.plain(s.host()) + " (pid " + s.pid() + ", "
                    + s.stepCount() + " steps)";
        } else if (e instanceof JournalEvent.RunResumed r) {
            return "run resumed by " + ReportText.plain(r.operator()) + " on " + ReportText.plain(r.host()) + " (pid " + r.pid() + ") after "
                    + (r.fromCheckpoint() == null ? "the start" : "checkpoint " + quote(r.fromCheckpoint()));
        } else if (e instanceof JournalEvent.StepStarted s) {
            return endOf(ev, i, s) ? null : "step " + s.index() + " " + quote(s.step()) + " started"
                    + (s.attempt() > 1 ? " (attempt " + s.attempt() + ")" : "") + "; **no end recorded**";
        } else if (e instanceof JournalEvent.StepFinished f) {
            return "step " + f.index() + " " + quote(displayName(f.index(), f.step())) + " ok in " + Durations.human(Duration.ofMillis(f.durationMillis()))
                    + (f.attempt() > 1 ? " (attempt " + f.attempt() + ")" : "");
        } else if (e instanceof JournalEvent.StepFailed f) {
            return f.willRetry() ? null : "step " + f.index() + " " + quote(displayName(f.index(), f.step())) + " **FAILED** after "
                    + Durations.human(Duration.ofMillis(f.durationMillis())) + (f.attempt() > 1 ? " (attempt " + f.attempt() + ")" : "")
                    + ": " + ReportText.plain(f.error());
        } else if (e instanceof JournalEvent.StepWaived w) {
            return "step " + w.index() + " " + quote(w.step()) + " **WAIVED** by " + ReportText.plain(w.operator()) + ": "
                    + ReportText.plain(w.reason());
        } else if (e instanceof JournalEvent.StepMemory m) {
            return quote(m.step()) + " remembered " + ReportText.plain(m.key()) + " = " + ReportText.plain(m.value());
        } else if (e instanceof JournalEvent.ApprovalGranted a) {
            return quote(a.step()) + " approved by " + ReportText.plain(a.approver()) + (a.role() == null ? "" : " as " + ReportText.plain(a.role()))
                    + " (" + ReportText.plain(a.method()) + ")";
        } else if (e instanceof JournalEvent.ApprovalRefused a) {
            return quote(a.step()) + " **NOT approved**: " + ReportText.plain(a.reason());
        } else if (e instanceof JournalEvent.CheckpointReached c) {
            return "checkpoint " + quote(c.name()) + " reached";
        } else if (e instanceof JournalEvent.RunFinished f) {
            return "run ended " + f.outcome();
        } else if (e instanceof JournalEvent.StepCleanedUp c) {
            return "cleanup of " + quote(c.step()) + ": " + (c.error() != null ? "**FAILED**: " + ReportText.plain(c.error())
                    : c.removed().isEmpty() ? "nothing to remove" : "removed " + ReportText.plain(String.join(", ", c.removed())));
        } else if (e instanceof JournalEvent.RunAbandoned a) {
            return "run abandoned by " + ReportText.plain(a.operator()) + ": " + ReportText.plain(a.reason());
        } else if (e instanceof JournalEvent.CapturedFilesMissing m) {
            return "resumed on " + ReportText.plain(m.host()) + " without " + m.problems().size() + " captured file(s)";
        }
        return null;
    }

    /** A notify step is shown with the message it sent rather than its cut template. */
    private String displayName(int index, String name) {
        RunHistory.StepRecord r = h.steps.get(index);
        return r != null && r.sentMessage != null && r.kind == StepKind.NOTIFY ? "notify: " + r.sentMessage : name;
    }

    /** Whether a started attempt has its end journaled in the same process. */
    private static boolean endOf(List<JournalEvent> ev, int i, JournalEvent.StepStarted s) {
        for (int j = i + 1; j < ev.size(); j++) {
            JournalEvent e = ev.get(j);
            if (e instanceof JournalEvent.RunResumed || e instanceof JournalEvent.RunStarted) {
                return false;
            }
            if (e instanceof JournalEvent.StepFinished f && f.index() == s.index()
                    || e instanceof JournalEvent.StepFailed f2 && f2.index() == s.index()) {
                return true;
            }
        }
        return false;
    }

    private static void section(List<Block> b, String title, List<String> headers, List<List<String>> rows) {
        b.add(new Block.Heading(2, title));
        b.add(new Block.Table(headers, rows));
    }

    private static String quote(String s) {
        return "'" + ReportText.plain(s) + "'";
    }

    private static String label(StepKind k) {
        return k == null ? "step" : k.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
