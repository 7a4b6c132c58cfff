package dev.rollback.core.cli;

import dev.rollback.core.ApprovalPolicy;
import dev.rollback.core.ApprovalRefusedException;
import dev.rollback.core.ApprovalUnavailableException;
import dev.rollback.core.Approver;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.Step;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.JournalCodec;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.spi.DescribedStep;
import dev.rollback.core.StepDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Multi-person approval: a plan's {@link ApprovalPolicy} ("Migration Lead + DBA, or CTO"), the
 * approvers named by {@code --approve NAME:ROLE} or asked in turn at the console, self-approval and
 * the same person twice refused, every approval journaled with its role.
 */
class MultiPersonApprovalTest {
    private static final ApprovalPolicy LEAD_AND_DBA_OR_CTO = ApprovalPolicy.roles("Migration Lead", "DBA").or(ApprovalPolicy.roles("CTO"));

    @TempDir
    Path dir;

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final AtomicBoolean failRestore = new AtomicBoolean();
    private final InMemoryJournal journal = InMemoryJournal.create();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private RollbackPlan plan(ApprovalPolicy policy) {
        Step restore = DescribedStep.of("restore appdb", StepDescription.of("restore appdb from the dump"), c -> {
            if (failRestore.get()) {
                throw new IllegalStateException("pg_restore exited 1");
            }
            ran.add("restore");
        }).destructive(true).confirmationTarget("appdb");
        return Rollback.plan("phase-4").approvals(policy)
                .capture("dump", c -> ran.add("dump"))
                .checkpoint("captured")
                .restore(restore)
                .build();
    }

    private RunReport run(ApprovalPolicy policy, Confirmations confirmations) {
        return Rollback.runner().journal(journal).operator("alice").reason("bad migration").confirmations(confirmations).run(plan(policy));
    }

    private List<JournalEvent.ApprovalGranted> granted(RunReport report) {
        return journal.read("phase-4", report.runId()).stream().filter(JournalEvent.ApprovalGranted.class::isInstance)
                .map(JournalEvent.ApprovalGranted.class::cast).toList();
    }

    private List<JournalEvent.ApprovalRefused> refusals(RunReport report) {
        return journal.read("phase-4", report.runId()).stream().filter(JournalEvent.ApprovalRefused.class::isInstance)
                .map(JournalEvent.ApprovalRefused.class::cast).toList();
    }

    private static Confirmations named(String... approvers) {
        return Confirmations.approvers(List.of(approvers).stream().map(Approver::parse).toList());
    }

    @Test
    void aPolicyIsSatisfiedByOneOfItsAlternativesEachRoleByItsOwnPerson() {
        assertThat(LEAD_AND_DBA_OR_CTO.describe()).isEqualTo("Migration Lead + DBA, or CTO");
        assertThat(LEAD_AND_DBA_OR_CTO.isSingle()).isFalse();
        assertThat(LEAD_AND_DBA_OR_CTO.mostApprovers()).isEqualTo(2);
        assertThat(LEAD_AND_DBA_OR_CTO.isSatisfiedBy(List.of(new Approver("bob", "Migration Lead"), new Approver("carol", "dba")))).isTrue();
        assertThat(LEAD_AND_DBA_OR_CTO.isSatisfiedBy(List.of(new Approver("dave", "CTO")))).isTrue();
        assertThat(LEAD_AND_DBA_OR_CTO.isSatisfiedBy(List.of(new Approver("bob", "Migration Lead")))).isFalse();
        assertThat(LEAD_AND_DBA_OR_CTO.isSatisfiedBy(List.of(new Approver("carol", "DBA"), new Approver("erin", "DBA")))).isFalse();
        assertThat(ApprovalPolicy.distinct(2).describe()).isEqualTo("2 distinct approvers");
        assertThat(ApprovalPolicy.distinct(2).isSatisfiedBy(List.of(Approver.named("bob"), Approver.named("carol")))).isTrue();
        assertThat(ApprovalPolicy.distinct(2).isSatisfiedBy(List.of(Approver.named("bob")))).isFalse();
        assertThat(ApprovalPolicy.single().isSingle()).isTrue();
        assertThat(Approver.parse("ops:team:DBA")).isEqualTo(new Approver("ops:team", "DBA"));
        assertThat(Approver.parse("bob")).isEqualTo(Approver.named("bob"));
        assertThatThrownBy(() -> Approver.parse(":DBA")).hasMessageContaining("names no approver");
        assertThatThrownBy(() -> ApprovalPolicy.distinct(0)).hasMessageContaining("at least one approver");
        assertThatThrownBy(() -> ApprovalPolicy.roles("DBA", " ")).hasMessageContaining("blank");
    }

    @Test
    void theLeadAndTheDbaApproveAndEachApprovalIsJournaledWithItsRole() {
        RunReport report = run(LEAD_AND_DBA_OR_CTO, named("bob:Migration Lead", "carol:DBA"));

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(ran).containsExactly("dump", "restore");
        assertThat(granted(report)).extracting(JournalEvent.ApprovalGranted::approver, JournalEvent.ApprovalGranted::role,
                JournalEvent.ApprovalGranted::method).containsExactly(
                org.assertj.core.groups.Tuple.tuple("bob", "Migration Lead", "--approve"),
                org.assertj.core.groups.Tuple.tuple("carol", "DBA", "--approve"));
    }

    @Test
    void theCtoAloneIsTheOtherWay() {
        RunReport report = run(LEAD_AND_DBA_OR_CTO, named("dave:CTO"));

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(granted(report)).singleElement().extracting(JournalEvent.ApprovalGranted::role).isEqualTo("CTO");
    }

    @Test
    void tooFewApproversStopBeforeAnythingChangesAndSayWhoIsMissing() {
        RunReport report = run(LEAD_AND_DBA_OR_CTO, named("carol:DBA"));

        assertThat(report.outcome()).isEqualTo(RunOutcome.NEEDS_APPROVAL);
        assertThat(ran).as("approvals are asked up front: not even the capture ran").isEmpty();
        assertThat(report.failure().is(ApprovalUnavailableException.class)).isTrue();
        assertThat(report.failure().message()).contains("needs approval by Migration Lead + DBA, or CTO")
                .contains("approved by carol (DBA)").contains("--approve NAME:ROLE");
        assertThat(granted(report)).extracting(JournalEvent.ApprovalGranted::approver).containsExactly("carol");
        assertThat(refusals(report)).singleElement().extracting(JournalEvent.ApprovalRefused::reason).asString()
                .contains("Migration Lead + DBA, or CTO");
    }

    @Test
    void theOperatorMayNotApproveTheirOwnRun() {
        RunReport report = run(LEAD_AND_DBA_OR_CTO, named("Alice:Migration Lead", "carol:DBA"));

        assertThat(report.outcome()).isEqualTo(RunOutcome.REFUSED);
        assertThat(ran).isEmpty();
        assertThat(report.failure().code()).isEqualTo(ApprovalRefusedException.CODE);
        assertThat(report.failure().message()).contains("Alice runs this plan and may not also approve it (self-approval is refused)");
        assertThat(granted(report)).as("the operator's approval is not recorded as one").isEmpty();
        assertThat(refusals(report)).hasSize(1);
    }

    @Test
    void thePersonWhoApprovedOnceMayNotApproveInASecondRole() {
        RunReport report = run(LEAD_AND_DBA_OR_CTO, named("bob:Migration Lead", "BOB:DBA"));

        assertThat(report.outcome()).isEqualTo(RunOutcome.REFUSED);
        assertThat(report.failure().message()).contains("BOB approved twice");
        assertThat(granted(report)).extracting(JournalEvent.ApprovalGranted::approver).containsExactly("bob");
    }

    @Test
    void theDefaultPolicyIsOneApproverAndTheOperatorMayBeIt() {
        RunReport report = run(ApprovalPolicy.single(), Confirmations.autoApprove("alice"));

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(granted(report)).singleElement().satisfies(g -> {
            assertThat(g.approver()).isEqualTo("alice");
            assertThat(g.role()).isNull();
        });
    }

    @Test
    void theConsoleAsksEachApproverInTurnForTheirNameRoleAndTheTarget() {
        BufferedReader in = new BufferedReader(new StringReader("bob\nMigration Lead\nappdb\ncarol\nDBA\nappdb\n"));
        PrintStream prompts = new PrintStream(out, true, StandardCharsets.UTF_8);

        RunReport report = run(LEAD_AND_DBA_OR_CTO, Confirmations.console(in, prompts));

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        String asked = out.toString(StandardCharsets.UTF_8);
        assertThat(asked).contains("DESTRUCTIVE STEP 3: restore appdb", "Needs approval by Migration Lead + DBA, or CTO",
                "not the operator (alice)", "Approver 1, your name", "bob, your role", "Approver 2, your name", "carol, your role");
        assertThat(asked.indexOf("Approver 2")).isGreaterThan(asked.indexOf("bob, your role"));
        assertThat(granted(report)).extracting(JournalEvent.ApprovalGranted::approver, JournalEvent.ApprovalGranted::method)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("bob", "console"), org.assertj.core.groups.Tuple.tuple("carol", "console"));
    }

    @Test
    void atTheConsoleTheCtoAloneEndsTheQuestionsAndAWrongTargetRefuses() {
        RunReport cto = run(LEAD_AND_DBA_OR_CTO, Confirmations.console(new BufferedReader(new StringReader("dave\nCTO\nappdb\n")),
                new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertThat(cto.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("Approver 2");

        ran.clear();
        RunReport wrong = Rollback.runner().journal(journal).operator("alice").confirmations(Confirmations.console(
                        new BufferedReader(new StringReader("bob\nMigration Lead\nappdb\ncarol\nDBA\nno\n")), new PrintStream(out, true,
                                StandardCharsets.UTF_8)))
                .runAgain(plan(LEAD_AND_DBA_OR_CTO), "drill");
        assertThat(wrong.outcome()).isEqualTo(RunOutcome.REFUSED);
        assertThat(wrong.failure().message()).contains("carol (DBA) typed 'no' instead of 'appdb'");
        assertThat(ran).isEmpty();
    }

    @Test
    void atTheConsoleAnEmptyNameOrTheEndOfInputLeavesTheStepUnapproved() {
        RunReport stopped = run(LEAD_AND_DBA_OR_CTO, Confirmations.console(new BufferedReader(new StringReader("bob\nMigration Lead\nappdb\n\n")),
                new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertThat(stopped.outcome()).isEqualTo(RunOutcome.NEEDS_APPROVAL);
        assertThat(stopped.failure().message()).contains("approved by bob (Migration Lead)");
        assertThat(ran).isEmpty();
    }

    @Test
    void theDryRunSaysWhoMustApprove() {
        assertThat(plan(LEAD_AND_DBA_OR_CTO).describe())
                .contains("Destructive steps need approval by Migration Lead + DBA, or CTO, each a different person and not the operator");
        assertThat(plan(ApprovalPolicy.single()).describe()).doesNotContain("need approval by");
    }

    @Test
    void anApprovalLineKeepsItsRoleAndOldLinesReadWithout() {
        JournalEvent.ApprovalGranted g = new JournalEvent.ApprovalGranted("r1", Instant.parse("2026-11-30T01:00:00Z"), "restore appdb",
                "carol", "--approve", "DBA");
        String line = JournalCodec.encode(g);
        assertThat(line).contains("\"role\":\"DBA\"");
        assertThat(JournalCodec.decode(line)).isEqualTo(g);
        JournalEvent.ApprovalGranted old = (JournalEvent.ApprovalGranted) JournalCodec.decode("{\"v\":1,\"type\":\"ApprovalGranted\","
                + "\"runId\":\"r1\",\"time\":\"2026-11-30T01:00:00Z\",\"step\":\"restore\",\"approver\":\"ops\",\"method\":\"auto-approve\"}");
        assertThat(old.role()).isNull();
        assertThat(JournalCodec.encode(new JournalEvent.ApprovalGranted("r1", g.time(), "s", "ops", "console"))).doesNotContain("role");
    }

    // The command line: --approve NAME:ROLE, repeated.

    private int command(String... args) {
        return RollbackCommand.named("phase-4-rollback")
                .streams(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                        new ByteArrayInputStream(new byte[0]))
                .environment(Map.of())
                .execute(args, o -> plan(LEAD_AND_DBA_OR_CTO));
    }

    @Test
    void onTheCommandLineEachApproveNamesOneApproverAndTheReportShowsTheirRoles() throws Exception {
        int code = command("--approve", "bob:Migration Lead", "--approve", "carol:DBA", "--operator", "alice", "--journal", dir.toString());

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("approved by bob as Migration Lead (--approve)",
                "approved by carol as DBA (--approve)");
        FileJournal files = FileJournal.in(dir);
        String runId = files.runIds("phase-4").get(0);
        assertThat(files.read("phase-4", runId)).filteredOn(JournalEvent.ApprovalGranted.class::isInstance).hasSize(2);
        assertThat(Files.readString(files.runDirectory("phase-4", runId).resolve("incident-report.md")))
                .contains("approved by bob as Migration Lead", "approved by carol as DBA");
    }

    @Test
    void aFailedRunsResumeCommandNamesTheSameApprovers() {
        failRestore.set(true);
        int code = command("--approve", "bob:Migration Lead", "--approve", "carol:DBA", "--operator", "alice", "--journal", dir.toString());

        assertThat(code).isEqualTo(ExitCode.FAILED.code());
        assertThat(out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8))
                .contains("--approve 'bob:Migration Lead' --approve carol:DBA");
    }

    @Test
    void theOperatorAsApproverOnTheCommandLineIsRefusedWithExitCode3() {
        int code = command("--approve", "alice:Migration Lead", "--approve", "carol:DBA", "--operator", "alice", "--journal", dir.toString());

        assertThat(code).isEqualTo(ExitCode.REFUSED.code());
        assertThat(ran).isEmpty();
    }

    @Test
    void badApproveFlagsAreUsageErrors() {
        assertThat(command("--approve", ":DBA", "--journal", dir.toString())).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--approve ':DBA' names no approver; write NAME:ROLE");
        assertThat(command("--yes", "bob", "--approve", "carol:DBA", "--journal", dir.toString())).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--yes and --approve cannot be combined");
        assertThat(ran).isEmpty();
    }
}
