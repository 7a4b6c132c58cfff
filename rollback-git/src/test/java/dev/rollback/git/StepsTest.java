package dev.rollback.git;

import dev.rollback.test.TestStepContext;

import dev.rollback.core.MissingOutputException;
import dev.rollback.core.PlanValidationException;
import dev.rollback.core.Rollback;
import dev.rollback.core.Secret;
import dev.rollback.core.StepDescription;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the steps say about themselves and what they refuse when a plan is built, without a repository. */
class StepsTest {
    final Git app = Git.repo(Path.of("/srv/app"));

    @Test
    void descriptionsAreDeterministicAndShowTheCommandsAGitUserWouldRun() {
        assertThat(app.reset(ResetMode.HARD, "HEAD~5").describe()).isEqualTo(app.reset(ResetMode.HARD, "HEAD~5").describe());
        assertThat(app.reset(ResetMode.HARD, "HEAD~5").describe().commands())
                .containsExactly("git -C /srv/app tag 'rollback/safety/<runId>/<step>' HEAD", "git -C /srv/app reset --hard 'HEAD~5'");
        assertThat(app.revert("abc123", "def456").mainline(1).describe().commands())
                .containsExactly("git -C /srv/app revert --no-edit -m 1 abc123 def456");
        assertThat(app.checkout(Revision.fromOutput("git.previousStableTag")).describe().commands())
                .containsExactly("git -C /srv/app checkout '${git.previousStableTag}'");
        assertThat(app.tag("v1.2.3-rollback").message("Rollback to working version").describe().commands())
                .containsExactly("git -C /srv/app tag -a v1.2.3-rollback -m 'Rollback to working version' HEAD");
        assertThat(app.previousStableTag("v*").describe().commands()).containsExactly("git -C /srv/app tag --sort=-v:refname -l 'v*'");
    }

    @Test
    void aPushDescriptionNeverHoldsTheToken() {
        String token = "glpat-secretvalue-1234";
        PushStep push = app.push("origin").branch("main").credentials(GitCredentials.httpToken("oauth2", Secret.of(token))).force();
        StepDescription d = push.describe();
        assertThat(d.toString()).doesNotContain(token).contains("HTTP token for user oauth2");
        assertThat(d.commands()).contains("git -C /srv/app push --force-with-lease=refs/heads/main origin refs/heads/main:refs/heads/main");
        assertThat(push.name()).isEqualTo("git push --force-with-lease origin main");
    }

    @Test
    void destructiveStepsNeedACaptureBeforeThem() {
        assertThat(app.reset(ResetMode.HARD, "HEAD~1").destructive()).isTrue();
        assertThat(app.reset(ResetMode.SOFT, "HEAD~1").destructive()).isFalse();
        assertThat(app.push("origin").branch("main").destructive()).isFalse();
        assertThatThrownBy(() -> Rollback.plan("p").step(app.reset(ResetMode.HARD, "HEAD~1")).build())
                .isInstanceOf(PlanValidationException.class).hasMessageContaining("no capture before it");
        assertThat(Rollback.plan("p").capture(app.safetyTag()).step(app.reset(ResetMode.HARD, "HEAD~1")).build().steps()).hasSize(2);
    }

    @Test
    void badInputIsRefusedWhenThePlanIsBuilt() {
        assertThatThrownBy(() -> app.tag("v1 2")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid tag name");
        assertThatThrownBy(() -> app.tag("v1..2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> app.revert("HEAD").mainline(0)).hasMessageContaining("parents count from 1");
        assertThatThrownBy(() -> Revision.of("--force")).hasMessageContaining("would read as an option");
        assertThatThrownBy(() -> Revision.of(" ")).hasMessageContaining("blank");
        assertThatThrownBy(() -> app.previousStableTag("")).hasMessageContaining("pattern is blank");
        assertThatThrownBy(() -> Rollback.plan("p").step(app.push("origin")).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not say what to push");
        assertThatThrownBy(() -> app.push("origin").ref("main", "refs/heads/main")).hasMessageContaining("not a full ref name");
        assertThatThrownBy(() -> app.push(" ")).hasMessageContaining("remote is blank");
        assertThatThrownBy(() -> GitCredentials.httpToken(Secret.of(""))).hasMessageContaining("token for user x-access-token is empty");
        assertThatThrownBy(() -> app.identity(" ", "a@b")).hasMessageContaining("name is blank");
    }

    @Test
    void aDryRunDescribesEveryStepWithoutOpeningTheRepository() {
        Git missing = Git.repo(Path.of("/nonexistent/app"));
        var plan = Rollback.plan("dry")
                .precheck(missing.workingTreeClean())
                .step(missing.previousStableTag("v*"))
                .capture(missing.safetyTag())
                .restore(missing.reset(ResetMode.HARD, Revision.fromOutput(PreviousStableTagStep.OUTPUT_TAG)))
                .step(missing.push("origin").tag("v1-rollback").credentials(GitCredentials.sshKey(Secret.of("key material"), Path.of("/kh"))))
                .build();
        var report = Rollback.runner().dryRun(plan);
        assertThat(report.outcome()).isEqualTo(dev.rollback.core.RunOutcome.DRY_RUN);
        assertThat(plan.describe()).contains("git -C /nonexistent/app reset --hard '${git.previousStableTag}'")
                .contains("SSH key, host keys from /kh").doesNotContain("key material");
    }

    @Test
    void aRevisionFromAnOutputIsReadWhenTheStepRuns() {
        Revision r = Revision.fromOutput("git.previousStableTag");
        TestStepContext ctx = TestStepContext.in(Path.of("/tmp")).runId("run").stepName("s");
        assertThatThrownBy(() -> r.in(ctx)).isInstanceOf(MissingOutputException.class).hasMessageContaining("git.previousStableTag");
        ctx.output("git.previousStableTag", "v1.2.3");
        assertThat(r.in(ctx)).isEqualTo("v1.2.3");
        assertThat(r).hasToString("${git.previousStableTag}").isEqualTo(Revision.fromOutput("git.previousStableTag"));
        assertThat(Revision.of("HEAD~5").in(ctx)).isEqualTo("HEAD~5");
    }
}
