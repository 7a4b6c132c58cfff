package dev.rollback.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The dry run's text of a plan: every part a reviewer reads before approving it, in order. */
class PlanDescriptionTest {
    private static final AppControl APP = new AppControl() {
        public String name() { return "nextcrm"; }
        public void stop(StepContext c) { }
        public void start(StepContext c) { }
    };

    private static Step described(String name, StepDescription d) {
        return new Step() {
            public String name() { return name; }
            public StepDescription describe() { return d; }
            public void execute(StepContext c) { }
        };
    }

    @Test
    void theDryRunListsPhasesStepsTheirCommandsOptionsAndHandlers() {
        Notifier team = Notifier.of("slack", n -> { });
        RollbackPlan plan = Rollback.plan("nextcrm-back").description("Back to the 02:00 backup after the failed migration")
                .approvals(ApprovalPolicy.distinct(2))
                .allowNewRunAfter(Duration.ofHours(1))
                .withoutCapture("the backup is the capture")
                .phase("Phase 1: check", Duration.ofMinutes(2), p -> p
                        .precheck(Check.of("disk space", c -> CheckResult.passed("disk space", 1, 1)), StepOptions.defaults().waivable(true))
                        .stopApp(APP, StepOptions.defaults().timeout(Duration.ofSeconds(30))))
                .phase("Phase 2: restore", Duration.ofMinutes(10), p -> p
                        .restore(described("restore nextcrm", StepDescription.of("pg_restore into a copy, then swap")
                                .param("dump", "/backups/nextcrm.dump").command(java.util.List.of("pg_restore", "--dbname=nextcrm_copy"))),
                                StepOptions.defaults().retry(Retry.times(3).delay(Duration.ofSeconds(2))))
                        .always(h -> h.step("phase 2 done", c -> { })))
                .step("warm caches", c -> { }, StepOptions.defaults().onFailure(FailurePolicy.CONTINUE).timeout(Duration.ofMinutes(1))
                        .retry(Retry.times(2)))
                .onFailure(h -> h.notify(team, "rollback FAILED"))
                .build();

        assertThat(plan.describe()).isEqualTo(String.join("\n",
                "Plan 'nextcrm-back' (fingerprint " + plan.fingerprint() + ", 4 steps)",
                "  Back to the 02:00 backup after the failed migration",
                "  Destroys without capture first: the backup is the capture",
                "  Destructive steps need approval by 2 distinct approvers, each a different person and not the operator",
                "  After a success, a new run needs --again --reason TEXT for 1 h 00 min, then runs as usual",
                "",
                "  Phase 1: check (budget 2 min 00 s)",
                "  1. [precheck] disk space  waivable (--waive 'disk space' --reason TEXT)",
                "  2. [stop app] stop nextcrm",
                "       timeout 30.0 s",
                "",
                "  Phase 2: restore (budget 10 min 00 s)",
                "  3. [restore] restore nextcrm  DESTRUCTIVE, approval: type 'restore nextcrm'",
                "       pg_restore into a copy, then swap",
                "       dump: /backups/nextcrm.dump",
                "       $ pg_restore --dbname=nextcrm_copy",
                "       retry 3 attempts, 2000 ms apart",
                "  5. [action] (always) phase 2 done",
                "       phase 2 done",
                "",
                "  4. [action] warm caches",
                "       timeout 1 min 00 s, retry 2 attempts, 0 ms apart, on failure continue",
                "",
                "  When the plan ends",
                "  6. [notify] (on failure) notify slack: rollback FAILED",
                "       notify slack",
                "       message: rollback FAILED",
                ""));
    }

    @Test
    void aPlanWithoutPhasesDescriptionOrOptionsIsJustItsSteps() {
        RollbackPlan plan = Rollback.plan("small").capture("dump", c -> { }).restore(described("restore", StepDescription.of("restore")))
                .build();
        assertThat(plan.describe()).isEqualTo(String.join("\n",
                "Plan 'small' (fingerprint " + plan.fingerprint() + ", 2 steps)",
                "  After a success, a new run needs --again --reason TEXT",
                "  1. [capture] dump",
                "  2. [restore] restore  DESTRUCTIVE, approval: type 'restore'",
                ""));
        // the fingerprint follows what the plan does, not how it is written down
        RollbackPlan same = Rollback.plan("small").capture("dump", c -> { }).restore(described("restore", StepDescription.of("restore")))
                .build();
        RollbackPlan longer = Rollback.plan("small").capture("dump", c -> { })
                .restore(described("restore", StepDescription.of("restore")), StepOptions.defaults().timeout(Duration.ofMinutes(5))).build();
        assertThat(same.fingerprint()).isEqualTo(plan.fingerprint()).matches("[0-9a-f]{16}");
        assertThat(longer.fingerprint()).isNotEqualTo(plan.fingerprint());
    }
}
