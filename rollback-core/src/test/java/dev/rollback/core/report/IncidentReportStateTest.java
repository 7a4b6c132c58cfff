package dev.rollback.core.report;

import dev.rollback.core.AppControl;
import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Notifier;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.core.StepKind;
import dev.rollback.core.StepOptions;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Each point an incident commander missed in the report, shown on a run that has it. */
class IncidentReportStateTest {

    private static AppControl app(List<String> log) {
        return new AppControl() {
            public String name() { return "nextcrm"; }
            public void stop(StepContext c) { log.add("stop"); }
            public void start(StepContext c) { log.add("start"); }
        };
    }

    private static Step restore(boolean fail) {
        return new Step() {
            public String name() { return "restore nextcrm"; }
            public boolean destructive() { return true; }
            public void execute(StepContext c) {
                c.output("kept.postgres.original", "database nextcrm_before_rollback_20261129");
                c.output("leftover.postgres.copy", "database nextcrm_rollback_20261129");
                c.checkResult(CheckResult.passed("row counts match the dump", "12 tables", "12 tables"));
                c.checkResult(CheckResult.failed("foreign keys valid", "3 orphans", "0 orphans", "crm_contacts.account_id has 3 orphans"));
                if (fail) {
                    throw new IllegalStateException("the restored database failed its checks; it was not swapped in");
                }
            }
        };
    }

    private RollbackPlan failingPlan(List<String> log, Notifier team) {
        return Rollback.plan("nextcrm-back")
                .phase("Phase 1: prepare", Duration.ofMinutes(5), p -> p
                        .notify(team, "ROLLBACK INITIATED: plan ${plan}, run ${runId}, backup ${backup.path}")
                        .capture("forensics", c -> c.output("git.safetyTag", "rollback/safety/r1/tag"))
                        .precheck(Check.of("backup readable", c -> {
                            c.output("postgres.dataLoss.crm_accounts", "37");
                            return CheckResult.passed("backup readable", "26 files", ">= 26");
                        })))
                .phase("Phase 2: stop", Duration.ofMinutes(2), p -> p
                        .step("publish backup", c -> c.output("backup.path", "/backups/production-2026-11-29"))
                        .stopApp(app(log)).checkpoint("app-stopped"))
                .phase("Phase 3: restore", Duration.ofMinutes(12), p -> p.restore(restore(true)))
                .phase("Phase 5: start", Duration.ofMinutes(8), p -> p
                        .startApp(app(log))
                        .verify(Check.of("http GET /api/health", c -> CheckResult.passed("http GET /api/health", 200, 200)),
                                StepOptions.defaults().name("health after restart")))
                .build();
    }

    @Test
    void aFailedRunOpensWithTheAppDownWhatChangedWhatToCleanUpAndTheResumeCommand() {
        InMemoryJournal journal = InMemoryJournal.create();
        List<String> sent = new ArrayList<>();
        RollbackPlan plan = failingPlan(new ArrayList<>(), Notifier.of("slack", n -> sent.add(n.message())));
        RunReport run = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("dba@example.com"))
                .resumeCommand(id -> "nextcrm-rollback --resume " + id + " --journal /var/rollback --set BACKUP_ROOT=/backups").run(plan);

        String md = IncidentReport.of(journal.read(plan.name(), run.runId())).plan(plan)
                .resumeCommand(run.failure().resumeCommand()).toMarkdown();

        String state = md.substring(md.indexOf("## Current state"), md.indexOf("| Outcome |"));
        assertThat(state)
                .contains("> **FAILED** at step 7 'restore nextcrm': IllegalStateException: the restored database failed its checks")
                .contains("> **The app is DOWN**: step 5 'stop nextcrm' stopped it at")
                .contains("and step 8 'start nextcrm' has not started it again.")
                .contains("> - step 5 'stop nextcrm' (stop app): done")
                .contains("> - step 7 'restore nextcrm' (restore, destructive): FAILED, may have changed part of its target")
                .contains("> - kept: database nextcrm_before_rollback_20261129 (`kept.postgres.original`)")
                .contains("> - leftover: database nextcrm_rollback_20261129 (`leftover.postgres.copy`)")
                .contains("> - safety tag `rollback/safety/r1/tag` (`git.safetyTag`)")
                .contains("> nextcrm-rollback --resume " + run.runId() + " --journal /var/rollback --set BACKUP_ROOT=/backups");
        assertThat(md.indexOf("## Current state")).as("the state comes first").isLessThan(md.indexOf("| Outcome |"));

        // verifyWith-style checks inside the restore, the failing one included, under the restore's name
        assertThat(md).contains("## Verification results")
                .contains("| 7. restore nextcrm | row counts match the dump | passed | 12 tables | 12 tables |")
                .contains("| 7. restore nextcrm | foreign keys valid | **FAILED** | 3 orphans | 0 orphans | crm_contacts.account_id has 3 orphans |");
        // the notify row shows the message sent, not the cut template
        assertThat(sent).singleElement().isEqualTo("ROLLBACK INITIATED: plan nextcrm-back, run " + run.runId() + ", backup ${backup.path}");
        assertThat(md).contains("sent: ROLLBACK INITIATED: plan nextcrm-back, run " + run.runId())
                .contains("| step 1 'notify: ROLLBACK INITIATED: plan nextcrm-back, run " + run.runId());
        // the restore never ran to the end: nothing is lost yet
        assertThat(md).contains("**Nothing is lost yet: the restore has not run.**")
                .contains("| What | At risk (created after the backup) |").doesNotContain("| What | Lost");
        // one row per step in the events table
        String eventsTable = md.substring(md.indexOf("## Events"));
        for (String step : List.of("'publish backup'", "'stop nextcrm'", "'restore nextcrm'", "'backup readable'")) {
            assertThat(count(eventsTable, "step \\d+ " + Pattern.quote(step))).as("rows of %s", step).isEqualTo(1);
        }
    }

    @Test
    void verifyRowsUseTheStepsNameAndASuccessfulRunSaysTheAppIsUpWithoutACurrentStateCallout() {
        InMemoryJournal journal = InMemoryJournal.create();
        List<String> log = new ArrayList<>();
        RollbackPlan plan = Rollback.plan("ok")
                .capture("forensics", c -> c.output("postgres.dataLoss.total", "49"))
                .stopApp(app(log))
                .restore(new Step() {
                    public String name() { return "restore"; }
                    public boolean destructive() { return true; }
                    public void execute(StepContext c) { }
                })
                .startApp(app(log))
                .verify(Check.of("http GET /api/health", c -> CheckResult.passed("http GET /api/health", 200, 200)),
                        StepOptions.defaults().name("health after restart"))
                .build();
        RunReport run = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("dba")).run(plan);
        String md = IncidentReport.of(journal.read("ok", run.runId())).plan(plan).toMarkdown();
        assertThat(md).doesNotContain("## Current state")
                .contains("| 5. health after restart | http GET /api/health | passed | 200 | 200 |")
                .contains("| What | Lost (created after the backup; the restore replaced them) |").contains("| total | 49 |");
    }

    @Test
    void aCrashGapIsAGapNotStepTimeAndTheReportSaysTheFirstProcessDied() {
        InMemoryJournal journal = InMemoryJournal.create();
        RollbackPlan plan = Rollback.plan("crashed")
                .phase("Phase 3: restore", Duration.ofMinutes(12), p -> p
                        .step("prepare", c -> { })
                        .checkpoint("prepared")
                        .restore(new Step() {
                            public String name() { return "restore nextcrm"; }
                            public boolean destructive() { return true; }
                            public void execute(StepContext c) { }
                        }))
                .step("after", c -> { })
                .withoutCapture("test")
                .build();
        Instant t = Instant.parse("2026-11-29T03:00:00Z");
        String id = "20261129-030000-abcd";
        List<JournalEvent> events = List.of(
                new JournalEvent.RunStarted(id, t, "crashed", plan.fingerprint(), "alice", "drill", "host-a", 111, 4),
                new JournalEvent.StepStarted(id, t.plusMillis(10), 1, "prepare", StepKind.ACTION, 1),
                new JournalEvent.StepFinished(id, t.plusMillis(30), 1, "prepare", StepKind.ACTION, 1, 20, Map.of(), List.of()),
                new JournalEvent.StepStarted(id, t.plusMillis(31), 2, "prepared", StepKind.CHECKPOINT, 1),
                new JournalEvent.StepFinished(id, t.plusMillis(32), 2, "prepared", StepKind.CHECKPOINT, 1, 1, Map.of(), List.of()),
                new JournalEvent.CheckpointReached(id, t.plusMillis(33), 2, "prepared", Map.of()),
                new JournalEvent.ApprovalGranted(id, t.plusMillis(34), "restore nextcrm", "dba", "auto-approve"),
                new JournalEvent.StepStarted(id, t.plusMillis(40), 3, "restore nextcrm", StepKind.RESTORE, 1),
                // kill -9 here: 14 s later another process resumes
                new JournalEvent.RunResumed(id, t.plusMillis(14_040), plan.fingerprint(), "bob", "host-b", 222, "prepared"),
                new JournalEvent.StepSkipped(id, t.plusMillis(14_041), 1, "prepare", "done"),
                new JournalEvent.StepSkipped(id, t.plusMillis(14_041), 2, "prepared", "done"),
                new JournalEvent.ApprovalGranted(id, t.plusMillis(14_042), "restore nextcrm", "dba", "auto-approve"),
                new JournalEvent.StepStarted(id, t.plusMillis(14_050), 3, "restore nextcrm", StepKind.RESTORE, 1),
                new JournalEvent.StepFinished(id, t.plusMillis(14_897), 3, "restore nextcrm", StepKind.RESTORE, 1, 847, Map.of(), List.of()),
                new JournalEvent.StepStarted(id, t.plusMillis(14_900), 4, "after", StepKind.ACTION, 1),
                new JournalEvent.StepFinished(id, t.plusMillis(14_910), 4, "after", StepKind.ACTION, 1, 10, Map.of(), List.of()),
                new JournalEvent.RunFinished(id, t.plusMillis(14_911), "SUCCEEDED", null, null, 871));
        write(journal, "crashed", id, events);

        IncidentReport report = IncidentReport.of(journal.read("crashed", id)).plan(plan);
        String md = report.toMarkdown();
        artifact("crashed.html", report.toHtml());
        assertThat(md).contains("1. pid 111 on host-a by alice, 03:00:00.000-03:00:00.040: **DIED**")
                .contains("2. pid 222 on host-b by bob")
                .contains("process 111 on host-a died (last journaled at 2026-11-29 03:00:00); resumed by bob on host-b after 14.0 s");
        // the restore took its two attempts' time: 847 ms finished, and the 0 ms the dead process had been at it
        assertThat(md).contains("| 3 | restore nextcrm | RESTORE | ok | 2 | 847 ms |")
                .contains("step 3 'restore nextcrm', attempt 1: interrupted, its process died")
                .doesNotContain("14.0 s | ok").doesNotContain("| 3 | restore nextcrm | RESTORE | ok | 2 | 14");
        assertThat(md).contains("Phase 3: restore").contains("868 ms of 12 min 00 s");
        // the text timeline draws the gap as a column of '/', the Mermaid block has the gap between processes
        assertThat(md).containsPattern("3\\. restore nextcrm +\\|[ /!]*/+[ /]*#+ *\\| 847 ms")
                .contains("```mermaid\ngantt\n    dateFormat x").contains("section Between processes")
                .contains("process died, resumed later :crit, g");
        String html = report.toHtml();
        assertThat(html).contains("<g class=\"gap\"><title>process 111 on host-a died").contains("process died</text>");
        assertThat(count(html, "<g class=\"step\" ")).isEqualTo(4);
        Matcher bar = Pattern.compile("<g class=\"step\" data-step=\"3\".*?</g>").matcher(html);
        assertThat(bar.find()).isTrue();
        assertThat(count(bar.group(), "<rect class=\"bar ")).as("two attempts, one bar row").isEqualTo(2);
        assertThat(bar.group()).contains("bar interrupted").contains("bar ok");
    }

    @Test
    void theHtmlReportIsSelfContainedPrintableAndHasTheSvgTimelineAndTheMarkdownAMermaidGantt() {
        InMemoryJournal journal = InMemoryJournal.create();
        List<String> log = new ArrayList<>();
        RollbackPlan plan = failingPlan(log, Notifier.of("log", n -> { }));
        RunReport run = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("dba@example.com")).run(plan);
        IncidentReport report = IncidentReport.of(journal.read(plan.name(), run.runId())).plan(plan).resumeCommand("x --resume " + run.runId());
        String html = report.toHtml();
        artifact("failed.html", html);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("default-src 'none'").contains("@media print")
                .doesNotContain("<script").doesNotContain("<link").doesNotContain("src=\"http").doesNotContain("@import")
                .contains("<section class=\"alert\" id=\"current-state\">").contains("<strong>The app is DOWN</strong>")
                .contains("<svg class=\"timeline\"").contains("<svg class=\"budgets\"")
                .contains("<g class=\"approval\"><title>'restore nextcrm' approved by dba@example.com");
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://").doesNotContain("https://");
        assertThat(count(html, "<g class=\"step\" ")).as("a row per step").isEqualTo(plan.steps().size());
        assertThat(count(html, "<g class=\"phase\">")).isEqualTo(4);
        String md = report.toMarkdown();
        assertThat(md).contains("```mermaid\ngantt\n").contains("    section Phase 3 - restore\n")
                .containsPattern("    7\\. restore nextcrm :crit, s\\d+, \\d{13}, \\d{13}\n");
    }

    @Test
    void theRunnerWritesBothFilesOwnerOnlyWithTheResumeCommandOfAFailedRun() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("report");
        dev.rollback.core.journal.FileJournal journal = dev.rollback.core.journal.FileJournal.in(dir);
        RunReport run = Rollback.runner().journal(journal).resumeCommand(id -> "prog --resume " + id)
                .run(Rollback.plan("w").step("boom", c -> { throw new IllegalStateException("boom"); }).build());
        java.nio.file.Path html = run.runDirectory().resolve(IncidentReport.HTML_FILE_NAME);
        assertThat(html).content().contains("prog --resume " + run.runId());
        assertThat(run.runDirectory().resolve(IncidentReport.FILE_NAME)).content().contains("prog --resume " + run.runId());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(html))).isEqualTo("rw-------");
    }

    private static void write(Journal journal, String plan, String id, List<JournalEvent> events) {
        try (Journal.JournalWriter w = journal.open(plan, dev.rollback.core.journal.Holder.thisProcess(id, "test"))) {
            events.forEach(w::append);
        }
    }

    /** Keeps a rendered report under target/ for people to look at. */
    private static void artifact(String name, String text) {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "report-samples"));
            java.nio.file.Files.writeString(dir.resolve(name), text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
