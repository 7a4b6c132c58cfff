package dev.rollback.git;

import dev.rollback.test.TestStepContext;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Push to a bare repository as the remote (and to an HTTP server that refuses the token), cross-checked with the git CLI. */
class PushIT {
    static final String RUN = "20260101-000000-f00d";

    @TempDir
    Path tmp;
    TestRepo local;
    Path bare;

    @BeforeEach
    void setUp() throws IOException {
        local = TestRepo.init(tmp.resolve("app"));
        local.commit("app.txt", "v1\n", "release 1");
        bare = local.addBareOrigin(tmp.resolve("origin.git"));
    }

    private TestStepContext ctx(String step) {
        return TestStepContext.in(tmp.resolve("run")).runId(RUN).stepName(step);
    }

    private String remote(String rev) {
        return GitCli.git(bare, "rev-parse", rev);
    }

    /** Someone else pushed to the remote meanwhile: the remote's main is not in the local history. */
    private String divergeRemote() throws IOException {
        Path other = tmp.resolve("other");
        GitCli.git(tmp, "clone", "-q", bare.toString(), other.toString());
        TestRepo o = TestRepo.open(other);
        o.git("config", "user.name", "Other");
        o.git("config", "user.email", "other@example.com");
        o.commit("app.txt", "their change\n", "their change");
        o.git("push", "-q", "origin", "main");
        return o.head();
    }

    @Test
    void pushesABranchAndAnAnnotatedTag() throws IOException {
        String revert = local.commit("app.txt", "v1 again\n", "revert bad release");
        local.git("tag", "-a", "v1.2.3-rollback", "-m", "Rollback to working version");
        Git app = Git.repo(local.dir());

        TestStepContext ctx = ctx("push main");
        app.push("origin").branch("main").execute(ctx);
        app.push("origin").tag("v1.2.3-rollback").execute(ctx("push tag"));

        assertThat(remote("main")).isEqualTo(revert);
        assertThat(GitCli.git(bare, "cat-file", "-t", "refs/tags/v1.2.3-rollback")).isEqualTo("tag");
        assertThat(remote("v1.2.3-rollback^{commit}")).isEqualTo(revert);
        assertThat(ctx.outputs()).containsEntry(PushStep.OUTPUT_REF, "refs/heads/main").containsEntry(PushStep.OUTPUT_COMMIT, revert);
        assertThat(GitCli.tryGit(bare, "fsck", "--strict", "--no-dangling").exitCode()).isZero();
    }

    @Test
    void aPushThatIsNotAFastForwardIsRejectedClearlyAndTheRemoteIsUnchanged() throws IOException {
        String theirs = divergeRemote();
        String mine = local.commit("app.txt", "my change\n", "my change");

        assertThatThrownBy(() -> Git.repo(local.dir()).push("origin").branch("main").execute(ctx("push")))
                .isInstanceOfSatisfying(PushRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo("REJECTED_NONFASTFORWARD");
                    assertThat(e.remoteRef()).isEqualTo("refs/heads/main");
                })
                .hasMessageContaining("not a fast-forward").hasMessageContaining("Nothing was changed on the remote")
                .hasMessageContaining(".force()");
        assertThat(remote("main")).isEqualTo(theirs);
        assertThat(local.head()).isEqualTo(mine);
    }

    @Test
    void aForcedPushFirstTagsTheRemotesOldHeadOnTheRemote() throws IOException {
        String theirs = divergeRemote();
        String mine = local.commit("app.txt", "my change\n", "my change");
        PushStep force = Git.repo(local.dir()).push("origin").branch("main").force();
        TestStepContext ctx = ctx("force push");

        force.execute(ctx);
        TestStepContext again = ctx.resumed();   // a re-run after a resume: the remote holds our push by now
        force.execute(again);
        assertThat(again.outputs()).containsEntry(PushStep.OUTPUT_SAFETY_TAG, "rollback/safety/" + RUN + "/force-push");

        String tag = "refs/tags/rollback/safety/" + RUN + "/force-push";
        assertThat(remote("main")).isEqualTo(mine);
        assertThat(remote(tag)).isEqualTo(theirs);
        assertThat(local.revParse(tag)).isEqualTo(theirs);
        assertThat(ctx.outputs()).containsEntry(PushStep.OUTPUT_SAFETY_TAG, "rollback/safety/" + RUN + "/force-push");
        assertThat(GitCli.tryGit(bare, "fsck", "--strict", "--no-dangling").exitCode()).isZero();
        assertThat(force.destructive()).isTrue();
    }

    @Test
    void aWrongTokenIsAClearErrorThatNeverShowsTheToken() throws IOException {
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "none" : auth);
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/team/app.git";
            local.git("remote", "add", "secure", url);
            local.commit("app.txt", "v2\n", "release 2");
            String before = local.snapshot();
            String token = "ghp_wrongToken0123456789abcdef";
            Secret secret = Secret.of(token);

            assertThatThrownBy(() -> Git.repo(local.dir()).push("secure").branch("main")
                    .credentials(GitCredentials.httpToken(secret)).execute(ctx("push")))
                    .isInstanceOf(GitAuthenticationException.class)
                    .hasMessageContaining("refused the credentials").hasMessageContaining("HTTP token for user x-access-token")
                    .hasMessageContaining("Nothing was pushed")
                    .satisfies(e -> {
                        for (Throwable t = e; t != null; t = t.getCause()) {
                            assertThat(String.valueOf(t.getMessage())).doesNotContain(token);
                        }
                    });
            // the token was really offered to the server, as basic authentication
            String basic = "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
            assertThat(authorizations).contains(basic);
            assertThat(local.snapshot()).isEqualTo(before);

            // the same through a plan: the report and its failure carry no token either
            RollbackPlan plan = Rollback.plan("push-rollback").step(Git.repo(local.dir()).push("secure").branch("main")
                    .credentials(GitCredentials.httpToken(secret))).build();
            RunReport report = Rollback.runner().confirmations(Confirmations.none()).run(plan);
            assertThat(report.isSuccess()).isFalse();
            assertThat(report.failureIfAny().orElseThrow().message()).contains("refused the credentials").doesNotContain(token);
            assertThat(report.toString()).doesNotContain(token);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anUnknownRemoteOrRefIsAClearError() {
        assertThatThrownBy(() -> Git.repo(local.dir()).push("upstream").branch("main").execute(ctx("push")))
                .isInstanceOf(GitOperationException.class).hasMessageContaining("upstream").hasMessageContaining("Nothing was");
        assertThatThrownBy(() -> Git.repo(local.dir()).push("origin").tag("v9-never-made").execute(ctx("push")))
                .isInstanceOf(UnknownRevisionException.class).hasMessageContaining("refs/tags/v9-never-made");
    }

    @Test
    void aForcedPushDecidedBeforeSomeoneElsePushedIsRefusedOnTheReRun() throws IOException {
        String theirs = divergeRemote();
        local.commit("app.txt", "my change\n", "my change");
        PushStep force = Git.repo(local.dir()).push("origin").branch("main").force();
        TestStepContext ctx = ctx("force push");
        ctx.remember("git.push.remoteOldHead", local.revParse("HEAD~1"));   // the first attempt saw main at release 1, then died

        assertThatThrownBy(() -> force.execute(ctx.resumed())).isInstanceOf(GitOperationException.class)
                .hasMessageContaining("someone pushed meanwhile").hasMessageContaining("Nothing was pushed");
        assertThat(remote("main")).isEqualTo(theirs);
    }
}
