package dev.rollback.core.report;

import dev.rollback.core.AppControl;
import dev.rollback.core.ApprovalPolicy;
import dev.rollback.core.Approver;
import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Notifier;
import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.decision.Condition;
import dev.rollback.core.decision.DecisionTable;
import dev.rollback.core.decision.Monitoring;
import dev.rollback.core.decision.Rule;
import dev.rollback.core.decision.Signal;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The post-mortem skeleton a run leaves in its folder, from real runs on a file journal: what it
 * fills in from the journal, what it leaves for the team, secrets, file mode, a resume that rewrites
 * it and a team's edits that a later end of the run keeps.
 */
class PostMortemTest {
    private static final Secret TOKEN = Secret.of("pm-s3cr3t-token-4711");

    @TempDir
    Path dir;

    private final AtomicBoolean appUp = new AtomicBoolean(true);
    private final AppControl app = new AppControl() {
        @Override
        public String name() {
            return "nextcrm";
        }

        @Override
        public void stop(StepContext context) {
            appUp.set(false);
        }

        @Override
        public void start(StepContext context) {
            appUp.set(true);
        }
    };

    private RollbackPlan plan(AtomicBoolean restoreFails, AtomicReference<Double> errorRate) {
        Step restore = new Step() {
            @Override
            public String name() {
                return "restore nextcrm";
            }

            @Override
            public void execute(StepContext c) throws Exception {
                if (restoreFails.get()) {
                    throw new IllegalStateException("mongod refused the login with token " + TOKEN.reveal());
                }
                c.output("postgres.dataLoss.crm_accounts", "12");
                c.output("kept.database", "nextcrm_before_1");
            }

            @Override
            public boolean destructive() {
                return true;
            }
        };
        Monitoring watch = Monitoring.rules(DecisionTable.of(Rule.must("error rate > 5%", Condition.signal("error.rate").above(0.05))))
                .signals(Signal.of("error.rate", errorRate::get)).every(Duration.ofMillis(20));
        return Rollback.plan("nextcrm-back-to-mongo")
                .phase("Phase 1: preparation", Duration.ofMinutes(5), p -> p
                        .precheck(Check.of("backup readable", c -> CheckResult.passed("backup readable", 26, ">= 26")))
                        .capture("forensics", c -> Files.writeString(c.runDirectory().resolve("schema.sql"), "create table crm_accounts();")))
                .phase("Phase 2: shutdown", Duration.ofMinutes(2), p -> p.stopApp(app).checkpoint("app-stopped"))
                .phase("Phase 3: restore", Duration.ofMinutes(12), p -> p.restore(restore).checkpoint("restored"))
                .phase("Phase 5: startup", Duration.ofMinutes(8), p -> p.startApp(app)
                        .step("note the DNS follow-up", c -> c.output(PostMortem.FOLLOW_UP_PREFIX + "dns", "Lower the DNS TTL back to 1 h"))
                        .notify(Notifier.of("status page", n -> {
                            throw new java.io.IOException("status page answered 502");
                        }), "restored"))
                .phase("Phase 6: post-rollback", Duration.ofMinutes(5), p -> p.monitorFor(Duration.ofMillis(200), watch))
                .build();
    }

    private RunReport run(FileJournal journal, RollbackPlan plan) {
        return Rollback.runner().journal(journal).operator("alice").reason("data corruption in crm_Accounts (token " + TOKEN.reveal() + ")")
                .confirmations(Confirmations.autoApprove("dba@example.com")).run(plan);
    }

    @Test
    void aRunLeavesAPostMortemSkeletonFilledFromItsJournalBesideTheIncidentReport() throws Exception {
        FileJournal journal = FileJournal.in(dir);
        RollbackPlan plan = plan(new AtomicBoolean(false), new AtomicReference<>(0.0));
        RunReport report = run(journal, plan);
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED_WITH_WARNINGS);

        Path file = report.runDirectory().resolve(PostMortem.FILE_NAME);
        assertThat(file).exists();
        assertThat(file.resolveSibling(IncidentReport.FILE_NAME)).exists();
        assertThat(OwnerOnlyFiles.isOwnerOnly(file)).as("owner-only, like every run file").isTrue();
        String md = Files.readString(file);
        assertThat(md).doesNotContain(TOKEN.reveal())
                .contains("# Post-mortem: rollback 'nextcrm-back-to-mongo', run " + report.runId())
                .contains("| Outcome | **SUCCEEDED_WITH_WARNINGS** |").contains("| Operators | alice |")
                .contains("## What happened: timeline").contains("run started by alice")
                .contains("step 5 'restore nextcrm' ok in").contains("checkpoint 'restored' reached").contains("run ended SUCCEEDED_WITH_WARNINGS")
                .doesNotContain("remembered monitor.watched")
                .contains("## Why we rolled back").contains("The reason given when the run started: data corruption in crm_Accounts")
                .contains("## Decisions").contains(": alice started the rollback").contains(": dba@example.com approved 'restore nextcrm' (auto-approve)")
                .contains("monitoring window 'monitor for 200 ms' passed: no MUST rule fired in 200 ms")
                .contains("## Approvals").contains("| restore nextcrm | approved by dba@example.com | auto-approve |")
                .contains("## Rollback execution").contains("| Phase 3: restore |").contains("within budget")
                .contains("## Data-loss window").contains("| crm_accounts | 12 |")
                .contains("## Impact").contains("The application was stopped at").contains("and started again at")
                .contains("## Root cause").contains("_To be written by the team._")
                .contains("## Follow-ups")
                .contains("- [ ] Lower the DNS TTL back to 1 h")
                .contains("- [ ] kept: nextcrm_before_1")
                .contains("- [ ] Read the forensics the run captured (in its folder): schema.sql")
                .contains("- [ ] Notification 'notify status page: restored' was not delivered (IOException: status page answered 502)")
                .contains("- [ ] Hold the root-cause analysis")
                .contains("1 failed attempt(s), 0 resume(s)")
                .doesNotContain("The run watched no monitoring window").doesNotContain("The run did not succeed");
        assertThat(PostMortem.isEdited(md)).as("sealed as written").isFalse();
    }

    @Test
    void anApprovalUnderARolePolicyNamesTheRoleInTheDecisions() throws Exception {
        FileJournal journal = FileJournal.in(dir);
        RollbackPlan plan = Rollback.plan("phase-4").approvals(ApprovalPolicy.roles("Migration Lead", "DBA").or(ApprovalPolicy.roles("CTO")))
                .capture("dump", c -> { })
                .restore(Step.of("restore appdb", c -> { }))
                .build();
        RunReport report = Rollback.runner().journal(journal).operator("alice").reason("bad migration")
                .confirmations(Confirmations.approvers(List.of(new Approver("bob", "Migration Lead"), new Approver("carol", "DBA"))))
                .run(plan);
        assertThat(report.isSuccess()).isTrue();
        assertThat(Files.readString(report.runDirectory().resolve(PostMortem.FILE_NAME)))
                .contains(": bob as Migration Lead approved 'restore appdb' (").contains(": carol as DBA approved 'restore appdb' (");
    }

    @Test
    void aResumeRewritesTheSkeletonAndATeamsEditsAreKept() throws Exception {
        FileJournal journal = FileJournal.in(dir);
        AtomicBoolean restoreFails = new AtomicBoolean(true);
        RollbackPlan plan = plan(restoreFails, new AtomicReference<>(0.0));
        RunReport failed = run(journal, plan);
        assertThat(failed.outcome()).isEqualTo(RunOutcome.FAILED);
        Path file = failed.runDirectory().resolve(PostMortem.FILE_NAME);
        String first = Files.readString(file);
        assertThat(first).doesNotContain(TOKEN.reveal())
                .contains("| Outcome | **FAILED** |")
                .contains("- [ ] The run did not succeed (FAILED, `step.failed` at 'restore nextcrm'): see the current state at the top "
                        + "of the incident report")
                .contains("- [ ] The run watched no monitoring window");

        restoreFails.set(false);
        RunReport resumed = Rollback.runner().journal(journal).operator("bob").confirmations(Confirmations.autoApprove("dba@example.com"))
                .resume(plan, failed.runId());
        assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED_WITH_WARNINGS);
        String second = Files.readString(file);
        assertThat(second).contains(": bob resumed the run after checkpoint 'app-stopped'").contains("| Operators | alice, bob |")
                .contains("in 2 processes").doesNotContain("The run did not succeed").contains("2 failed attempt(s), 1 resume(s)");
        assertThat(journal.read(plan.name(), failed.runId())).as("the runner's own files are no step's capture")
                .noneMatch(e -> e instanceof JournalEvent.FileCaptured f && f.path().startsWith("post-mortem"))
                .noneMatch(JournalEvent.CapturedFilesMissing.class::isInstance);

        String edited = second.replace("_To be written by the team._ What went wrong", "The migration dropped an index. What went wrong");
        Files.writeString(file, edited);
        assertThat(PostMortem.isEdited(edited)).isTrue();
        Path again = PostMortem.write(journal, plan, failed.runId());
        assertThat(again.getFileName()).hasToString(PostMortem.NEW_FILE_NAME);
        assertThat(Files.readString(file)).as("the team's work is never overwritten").isEqualTo(edited);
        assertThat(Files.readString(again)).isEqualTo(second);
        assertThat(OwnerOnlyFiles.isOwnerOnly(again)).isTrue();
    }

    @Test
    void aFailedMonitoringWindowIsADecisionAndAFollowUp() throws Exception {
        FileJournal journal = FileJournal.in(dir);
        RunReport report = run(journal, plan(new AtomicBoolean(false), new AtomicReference<>(0.3)));
        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        String md = Files.readString(report.runDirectory().resolve(PostMortem.FILE_NAME));
        assertThat(md).contains("monitoring window 'monitor for 200 ms' **failed**: MUST after")
                .contains("MUST 'error rate > 5%'; the team decides: roll back further or fix forward")
                .contains("- [ ] The monitoring window failed: decide whether to roll back further or fix forward")
                .contains("- [ ] The run did not succeed (FAILED, `monitor.window.failed` at 'monitor for 200 ms')");
    }
}
