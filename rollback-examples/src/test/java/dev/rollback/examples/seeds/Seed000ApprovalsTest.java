package dev.rollback.examples.seeds;

import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Seed 000's "Rollback Authority" (must approve: Migration Lead + DBA, or CTO) on the program's
 * command line, without a lab: the approvals are asked before the first step, so a run that is not
 * approved stops before anything runs, and one that is goes on to its first precheck, which fails
 * here (no MongoDB on port 1) before anything destructive.
 */
class Seed000ApprovalsTest {
    private static final Map<String, String> ENV = Map.of(
            "PRODUCTION_POSTGRESQL_URL", "postgresql://app:pw@127.0.0.1:1/nextcrm",
            "PRODUCTION_MONGODB_URL", "mongodb://127.0.0.1:1/nextcrm");

    @TempDir
    Path tmp;

    private SeedDrills.Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("--journal", tmp.resolve("journal").toString(), "--set", "BACKUP_ROOT=" + tmp,
                "--set", "BACKUP_TAKEN_AT=2026-11-24T02:00:00Z", "--reason", "drill"));
        all.addAll(List.of(args));
        return SeedDrills.run("seed-000", ENV, "", all, o -> Seed000NextcrmBackToMongo.plan(Seed000NextcrmBackToMongo.Settings.from(o)));
    }

    private List<JournalEvent> events() {
        FileJournal journal = FileJournal.in(tmp.resolve("journal"));
        List<String> runs = journal.runIds(Seed000NextcrmBackToMongo.PLAN);
        assertThat(runs).hasSize(1);
        return journal.read(Seed000NextcrmBackToMongo.PLAN, runs.get(0));
    }

    /** The plan's steps that started; the failure handler's notice to the team (a refused run is told) is not one. */
    private List<JournalEvent> stepsStarted() {
        return events().stream().filter(e -> e instanceof JournalEvent.StepStarted s && !s.step().startsWith("(on failure)")).toList();
    }

    @Test
    void thePlanAsksTheRunbooksRollbackAuthority() {
        assertThat(Seed000NextcrmBackToMongo.APPROVALS.describe()).isEqualTo("Migration Lead + DBA, or CTO");

        SeedDrills.Result dry = run("--dry-run");

        assertThat(dry.exit()).as(dry.all()).isZero();
        assertThat(dry.out()).contains("Migration Lead + DBA, or CTO");
    }

    @Test
    void oneApproverAloneIsNotEnoughAndNothingRuns() {
        SeedDrills.Result r = run("--operator", "oncall@example.com", "--approve", "dba@example.com:DBA");

        assertThat(r.exit()).as(r.all()).isEqualTo(4);
        assertThat(r.out() + r.err()).contains("needs approval by Migration Lead + DBA, or CTO")
                .contains("approved by dba@example.com (DBA)").contains("--approve NAME:ROLE");
        assertThat(stepsStarted()).as("approvals are asked before the first step").isEmpty();
    }

    @Test
    void theOldSingleYesIsNotEnoughEither() {
        SeedDrills.Result r = run("--operator", "oncall@example.com", "--yes", "lead@example.com");

        assertThat(r.exit()).as(r.all()).isEqualTo(4);
        assertThat(r.out() + r.err()).contains("Migration Lead + DBA, or CTO");
        assertThat(stepsStarted()).isEmpty();
    }

    @Test
    void theOperatorMayNotApproveHisOwnRun() {
        SeedDrills.Result r = run("--operator", "lead@example.com", "--approve", "lead@example.com:Migration Lead",
                "--approve", "dba@example.com:DBA");

        assertThat(r.exit()).as(r.all()).isEqualTo(3);
        assertThat(r.out() + r.err()).contains("lead@example.com runs this plan and may not also approve it (self-approval is refused)");
        assertThat(stepsStarted()).isEmpty();
        assertThat(events()).noneMatch(e -> e instanceof JournalEvent.ApprovalGranted g && g.approver().equals("lead@example.com"));
    }

    @Test
    void theCtoAloneApprovesAndTheRunGoesOnWithTheApprovalJournaledWithItsRole() throws Exception {
        SeedDrills.Result r = run("--operator", "oncall@example.com", "--approve", "cto@example.com:CTO");

        // past the approvals: the first precheck runs and fails (no MongoDB here), before anything destructive
        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(events()).filteredOn(JournalEvent.ApprovalGranted.class::isInstance).map(JournalEvent.ApprovalGranted.class::cast)
                .extracting(JournalEvent.ApprovalGranted::approver, JournalEvent.ApprovalGranted::role, JournalEvent.ApprovalGranted::method)
                .isNotEmpty().containsOnly(tuple("cto@example.com", "CTO", "--approve"));
        assertThat(events()).noneMatch(JournalEvent.ApprovalRefused.class::isInstance);
        assertThat(stepsStarted()).isNotEmpty().noneMatch(e -> ((JournalEvent.StepStarted) e).step().startsWith("swap in"));
        assertThat(SeedDrills.read(r.incidentReport())).contains("approved by cto@example.com as CTO");
    }
}
