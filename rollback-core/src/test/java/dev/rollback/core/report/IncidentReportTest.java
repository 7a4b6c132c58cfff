package dev.rollback.core.report;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepOptions;
import dev.rollback.core.FailurePolicy;
import dev.rollback.core.journal.InMemoryJournal;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class IncidentReportTest {

    @Test
    void rendersSummaryTimelinePhasesApprovalsChecksFailuresAndDataLossWindow() {
        InMemoryJournal journal = InMemoryJournal.create();
        Step restore = new Step() {
            public String name() { return "restore nextcrm"; }
            public void execute(StepContext c) throws Exception { Thread.sleep(15); c.output("dataloss.crm_Accounts", "12 rows created after 2026-11-24T02:00:00Z"); }
            public boolean destructive() { return true; }
        };
        RollbackPlan plan = Rollback.plan("nextcrm-back-to-mongo")
                .phase("Phase 1: prepare", Duration.ofMinutes(5), p -> p.capture("forensics", c -> { }))
                .phase("Phase 3: restore", Duration.ofMillis(1), p -> p.restore(restore).checkpoint("restored"))
                .verify(dev.rollback.core.Check.of("collections", c -> CheckResult.passed("collections", 26, ">= 26")))
                .step("smoke search", c -> { throw new IllegalStateException("search answered 500"); },
                        StepOptions.defaults().onFailure(FailurePolicy.CONTINUE))
                .build();
        RunReport run = Rollback.runner().journal(journal).operator("alice").reason("data corruption in crm_Accounts")
                .confirmations(Confirmations.autoApprove("dba@example.com")).run(plan);

        String md = IncidentReport.of(journal.read(plan.name(), run.runId())).plan(plan).toMarkdown();

        assertThat(md).contains("# Incident report: rollback 'nextcrm-back-to-mongo', run " + run.runId())
                .contains("| Outcome | **SUCCEEDED_WITH_WARNINGS** |")
                .contains("by alice on")
                .contains("| Reason | data corruption in crm_Accounts |")
                .contains("## Timeline").contains("2. restore nextcrm |").contains("#")
                .contains("## Steps").contains("| 5 | smoke search | ACTION | **FAILED** | 1 |")
                .contains("## Phases against budget").contains("Phase 3: restore").contains("OVER BUDGET")
                .contains("## Approvals").contains("| restore nextcrm | approved by dba@example.com | auto-approve |")
                .contains("## Verification results").contains("| 4. collections |  | passed | 26 | >= 26 |")
                .contains("## Failures").contains("search answered 500")
                .contains("## Data-loss window").contains("| crm_Accounts | 12 rows created after 2026-11-24T02:00:00Z |");
    }

    @Test
    void perHostOutputsBecomeAHostsTableAcrossAttemptsAndResumes() {
        InMemoryJournal journal = InMemoryJournal.create();
        boolean[] fixed = {false};
        RollbackPlan plan = Rollback.plan("fleet")
                .step("stop app", c -> {
                    c.output("fleet.stop.web1.example.com", c.recall("done.web1").isPresent() ? "done earlier" : "ok");
                    c.remember("done.web1", "ok");
                    c.output("fleet.stop.web2.example.com", fixed[0] ? "ok" : "FAILED: Connection refused");
                    if (!fixed[0]) {
                        throw new IllegalStateException("stop failed on 1 of 2 hosts");
                    }
                })
                .step("start app", c -> {
                    c.output("fleet.start.web1.example.com", "ok");
                    c.output("fleet.start.web2.example.com", "ok");
                    c.output("other.key", "kept in Outputs");
                })
                .build();
        RunReport first = Rollback.runner().journal(journal).run(plan);
        fixed[0] = true;
        Rollback.runner().journal(journal).resume(plan, first.runId());

        String md = IncidentReport.of(journal.read(plan.name(), first.runId())).plan(plan).toMarkdown();

        assertThat(md).contains("## Hosts", "- stop: 2 ok", "- start: 2 ok", "| Host | stop | start |",
                "| web1.example.com | ok | ok |", "| web2.example.com | ok | ok |", "| other.key | kept in Outputs |");
        assertThat(md.substring(md.indexOf("## Outputs"))).doesNotContain("fleet.stop");
        var events = journal.read(plan.name(), first.runId());
        int firstEnd = 0;
        while (!(events.get(firstEnd) instanceof dev.rollback.core.journal.JournalEvent.RunFinished)) {
            firstEnd++;
        }
        String failedOnly = IncidentReport.of(events.subList(0, firstEnd + 1)).toMarkdown();
        assertThat(failedOnly).contains("- stop: 1 failed, 1 ok", "| web2.example.com | FAILED: Connection refused |");
    }

    @Test
    void dataLossOutputsOfAnyModuleAreRecognisedAndFailedStepEvidenceIsListed() {
        InMemoryJournal journal = InMemoryJournal.create();
        RollbackPlan plan = Rollback.plan("loss")
                .verify(dev.rollback.core.Check.of("rows created after the backup", c -> {
                    c.output("postgres.dataLoss.crm_accounts", "37");
                    c.output("postgres.dataLoss.total", "49");
                    return CheckResult.passed("rows created after the backup", 49, "");
                }))
                .verify(dev.rollback.core.Check.of("orphans", c -> {
                    c.output("postgres.fk.orphans", "3");
                    return CheckResult.failed("orphans", 3, 0, "orphaned rows");
                }))
                .build();
        RunReport run = Rollback.runner().journal(journal).run(plan);
        String md = IncidentReport.of(journal.read("loss", run.runId())).plan(plan).toMarkdown();
        assertThat(md).contains("| crm_accounts | 37 |").contains("| total | 49 |").contains("  - postgres.fk.orphans = 3");
    }

    @Test
    void keptDataAndLeftoversAreListedWithWhatToDo() {
        InMemoryJournal journal = InMemoryJournal.create();
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        RollbackPlan plan = Rollback.plan("kept")
                .capture("forensics", c -> { })
                .step("swap", c -> {
                    c.output("kept.postgres.original", "database shop_before_20261129 (pre-rollback data; drop once the team is satisfied)");
                    c.output("leftover.mongo.temporary", "collection rbtmp_1_accounts");
                    if (attempts.incrementAndGet() == 1) {
                        c.output("leftover.postgres.copy", "database shop_rollback_1");
                        throw new IllegalStateException("pg_restore exited 1");
                    }
                    c.output("leftover.mongo.temporary", "");   // gone once the retry swapped it in
                }, StepOptions.defaults().retry(dev.rollback.core.Retry.times(2)))
                .build();
        RunReport run = Rollback.runner().journal(journal).run(plan);
        String md = IncidentReport.of(journal.read("kept", run.runId())).plan(plan).toMarkdown();
        assertThat(md).contains("## Kept data and leftovers")
                .contains("| kept | database shop_before_20261129 (pre-rollback data; drop once the team is satisfied) | `kept.postgres.original` | "
                        + "keep it until the team is satisfied with the rollback, then drop it |")
                .contains("| leftover | database shop_rollback_1 | `leftover.postgres.copy` | left by a failed attempt of this run")
                .doesNotContain("rbtmp_1_accounts |");

        InMemoryJournal other = InMemoryJournal.create();
        RollbackPlan failing = Rollback.plan("left")
                .step("restore", c -> {
                    c.output("leftover.postgres.copy", "database shop_rollback_2");
                    throw new IllegalStateException("disk full");
                }).build();
        RunReport failed = Rollback.runner().journal(other).run(failing);
        assertThat(IncidentReport.of(other.read("left", failed.runId())).toMarkdown())
                .contains("| leftover | database shop_rollback_2 | `leftover.postgres.copy` | left by a failed attempt: resuming the run reuses or drops it; "
                        + "abandoning the run drops it |");
        InMemoryJournal plain = InMemoryJournal.create();
        RunReport none = Rollback.runner().journal(plain).run(Rollback.plan("none").step("a", c -> c.output("a.b", "c")).build());
        assertThat(IncidentReport.of(plain.read("none", none.runId())).toMarkdown()).doesNotContain("Kept data and leftovers");
    }

    @Test
    void aRunWithoutAnEndSaysItIsIncomplete() {
        InMemoryJournal journal = InMemoryJournal.create();
        try (var w = journal.open("p", dev.rollback.core.journal.Holder.thisProcess("r1", "op"))) {
            w.append(new dev.rollback.core.journal.JournalEvent.RunStarted("r1", java.time.Instant.now(), "p", "f", "op", "", "h", 1, 2));
        }
        assertThat(IncidentReport.of(journal.read("p", "r1")).toMarkdown()).contains("INCOMPLETE (no end recorded");
    }
}
