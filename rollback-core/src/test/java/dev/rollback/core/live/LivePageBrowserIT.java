package dev.rollback.core.live;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.report.IncidentReport;
import dev.rollback.core.testing.HeadlessChromium;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The live page and the HTML report in a real browser: Debian's headless Chromium, driven over the
 * DevTools protocol. The plan's steps wait on the test, so the test sees the page between steps.
 * Screenshots go to {@code target/screenshots/}. Skipped, with the reason, where Chromium cannot start.
 */
class LivePageBrowserIT {
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @BeforeAll
    static void chromium() {
        Optional<String> why = HeadlessChromium.unavailable();
        assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
    }

    private static Step gated(String name, Semaphore gate, boolean destructive) {
        return new Step() {
            public String name() { return name; }
            public boolean destructive() { return destructive; }
            public void execute(StepContext c) throws Exception {
                c.progress(name + ": waiting for the test");
                if (!gate.tryAcquire(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never let " + name + " go");
                }
            }
        };
    }

    @Test
    void theStepListUpdatesWhileThePlanRunsTheTimelineHasABarPerStepAndTheReportRenders() throws Exception {
        Semaphore gate = new Semaphore(0);
        Semaphore approval = new Semaphore(0);
        RollbackPlan plan = Rollback.plan("nextcrm-back-to-mongo")
                .description("Return NextCRM to the last good MongoDB backup")
                .phase("Phase 1: preparation", Duration.ofSeconds(20), p -> p
                        .precheck(Check.of("backup readable", c -> CheckResult.passed("backup readable", "26 files", "at least 26")))
                        .capture(gated("schema dump", gate, false)))
                .phase("Phase 2: application shutdown", Duration.ofSeconds(10), p -> p
                        .step(gated("stop nextcrm", gate, false))
                        .checkpoint("app-stopped"))
                .phase("Phase 3: restore", Duration.ofSeconds(30), p -> p
                        .restore(gated("restore nextcrm", gate, true))
                        .verify(Check.of("counts match the backup", c -> CheckResult.passed("counts match the backup", "26 collections", "26 collections"))))
                .build();
        FileJournal journal = FileJournal.in(dir.resolve("journal"));
        Confirmations waitingApprover = request -> {
            try {
                return approval.tryAcquire(60, TimeUnit.SECONDS)
                        ? Confirmations.Approval.approved("dba@example.com", "console") : Confirmations.Approval.refused("console", "timed out");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Confirmations.Approval.refused("console", "interrupted");
            }
        };

        try (LivePage page = LivePage.start("127.0.0.1:0").journal(journal);
             HeadlessChromium browser = HeadlessChromium.start(1280, 1000)) {
            assertThat(page.requiresToken()).isFalse();
            CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> Rollback.runner().journal(journal)
                    .confirmations(waitingApprover).listener(page).operator("alice").reason("bad migration").run(plan));

            browser.open(page.url().toString());
            HeadlessChromium.await(WAIT, () -> browser.evalInt("document.querySelectorAll('#steps li[data-step]').length") == 6);
            // approvals are asked before the first step: the page shows who is being waited for
            HeadlessChromium.await(WAIT, () -> !(Boolean) browser.eval("document.getElementById('waiting').hidden"));
            assertThat((String) browser.eval("document.getElementById('waiting-list').textContent")).contains("restore nextcrm");
            approval.release();

            HeadlessChromium.await(WAIT, () -> status(browser, 2).equals("running"));
            assertThat(status(browser, 1)).isEqualTo("ok");
            assertThat(status(browser, 3)).isEqualTo("pending");
            gate.release();
            HeadlessChromium.await(WAIT, () -> status(browser, 3).equals("running"));
            assertThat(status(browser, 2)).isEqualTo("ok");
            assertThat((String) browser.eval("document.getElementById('now-step').textContent")).isEqualTo("3. stop nextcrm");
            assertThat((String) browser.eval("document.getElementById('now-phase').textContent")).isEqualTo("Phase 2: application shutdown");
            assertThat((String) browser.eval("document.getElementById('now-progress').textContent")).isEqualTo("stop nextcrm: waiting for the test");
            assertThat(browser.evalInt("document.querySelectorAll('#burns .burn').length")).isEqualTo(3);
            assertThat((String) browser.eval("document.getElementById('checks').textContent")).contains("backup readable").contains("PASSED");
            HeadlessChromium.await(WAIT, () -> browser.evalInt("document.querySelectorAll('#timeline svg g.step').length") == 6);
            browser.screenshot(SHOTS.resolve("live-page-running.png"));

            gate.release(2);
            RunReport report = run.get(60, TimeUnit.SECONDS);
            assertThat(report.isSuccess()).isTrue();
            HeadlessChromium.await(WAIT, () -> "SUCCEEDED".equals(browser.eval("document.getElementById('status').textContent")));
            assertThat(browser.evalInt("document.querySelectorAll('#steps li[data-status=ok]').length")).isEqualTo(6);
            HeadlessChromium.await(WAIT, () -> browser.evalInt("document.querySelectorAll('#timeline svg g.step rect.bar').length") == 6);
            assertThat(browser.evalInt("[...document.querySelectorAll('#timeline svg g.step')].filter(g => g.querySelector('rect.bar')).length"))
                    .as("one bar per step").isEqualTo(6);
            browser.screenshot(SHOTS.resolve("live-page-finished.png"));

            // the HTML report the run wrote, as a file, in the same browser
            Path html = report.runDirectory().resolve(IncidentReport.HTML_FILE_NAME);
            browser.open(html.toUri().toString());
            assertThat((String) browser.eval("document.title")).isEqualTo("Incident report: rollback 'nextcrm-back-to-mongo', run " + report.runId());
            assertThat(browser.evalInt("document.querySelectorAll('svg.timeline g.step').length")).isEqualTo(6);
            assertThat(browser.evalInt("[...document.querySelectorAll('svg.timeline g.step')].filter(g => g.querySelector('rect.bar')).length"))
                    .as("one bar per step in the report").isEqualTo(6);
            assertThat(browser.evalInt("document.querySelectorAll('svg.timeline g.approval').length")).isEqualTo(1);
            assertThat(browser.evalInt("document.querySelectorAll('svg.budgets g.burn').length")).isEqualTo(3);
            assertThat(browser.evalInt("Math.round(document.querySelector('svg.timeline').getBoundingClientRect().width)"))
                    .as("the SVG is laid out").isGreaterThan(600);
            browser.screenshot(SHOTS.resolve("incident-report.png"));
        }
    }

    @Test
    void aFailedRunsReportOpensWithItsCurrentStateInTheBrowser() throws Exception {
        FileJournal journal = FileJournal.in(dir.resolve("failed"));
        RollbackPlan plan = Rollback.plan("nextcrm-back")
                .phase("Phase 2: stop", Duration.ofMinutes(2), p -> p.stopApp(new dev.rollback.core.AppControl() {
                    public String name() { return "nextcrm"; }
                    public void stop(StepContext c) { }
                    public void start(StepContext c) { }
                }))
                .phase("Phase 3: restore", Duration.ofMinutes(12), p -> p.restore(new Step() {
                    public String name() { return "restore nextcrm"; }
                    public boolean destructive() { return true; }
                    public void execute(StepContext c) {
                        c.output("kept.postgres.original", "database nextcrm_before_rollback_20261129");
                        c.checkResult(CheckResult.failed("foreign keys valid", "3 orphans", "0 orphans", "crm_contacts.account_id has 3 orphans"));
                        throw new IllegalStateException("the restored database failed its checks; it was not swapped in");
                    }
                }))
                .withoutCapture("browser test")
                .build();
        RunReport report = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("dba@example.com"))
                .resumeCommand(id -> "nextcrm-rollback --resume " + id + " --journal /var/lib/rollback --set BACKUP_ROOT=/backups").run(plan);
        try (HeadlessChromium browser = HeadlessChromium.start(1100, 900)) {
            browser.open(report.runDirectory().resolve(IncidentReport.HTML_FILE_NAME).toUri().toString());
            assertThat((String) browser.eval("document.querySelector('#current-state').textContent"))
                    .contains("The app is DOWN").contains("nextcrm_before_rollback_20261129")
                    .contains("nextcrm-rollback --resume " + report.runId());
            assertThat((Boolean) browser.eval("document.querySelector('#current-state').getBoundingClientRect().top < "
                    + "document.querySelector('table').getBoundingClientRect().top")).as("the state comes first").isTrue();
            browser.screenshot(SHOTS.resolve("incident-report-failed.png"));
        }
    }

    @Test
    void theHeaderShowsTheAppDownWhileItIsAndThenTheDowntimeOfTheRun() throws Exception {
        Semaphore gate = new Semaphore(0);
        dev.rollback.core.AppControl app = new dev.rollback.core.AppControl() {
            public String name() { return "nextcrm"; }
            public void stop(StepContext c) { }
            public void start(StepContext c) { }
        };
        RollbackPlan plan = Rollback.plan("swap-while-down")
                .step(gated("prepare the copy while the app serves", gate, false))
                .stopApp(app)
                .restore(gated("swap the copy in", gate, true))
                .startApp(app)
                .verify(Check.of("healthy", c -> CheckResult.passed("healthy", "200", "200")))
                .step(gated("count the data-loss window", gate, false))
                .withoutCapture("browser test")
                .build();
        FileJournal journal = FileJournal.in(dir.resolve("journal"));
        try (LivePage page = LivePage.start("127.0.0.1:0").journal(journal);
             HeadlessChromium browser = HeadlessChromium.start(1280, 900)) {
            CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> Rollback.runner().journal(journal)
                    .confirmations(Confirmations.autoApprove("dba@example.com")).listener(page).run(plan));
            browser.open(page.url().toString());
            HeadlessChromium.await(WAIT, () -> status(browser, 1).equals("running"));
            assertThat((String) browser.eval("document.getElementById('downtime').textContent")).as("the app serves").isEmpty();
            gate.release();
            HeadlessChromium.await(WAIT, () -> status(browser, 3).equals("running"));
            HeadlessChromium.await(WAIT, () -> ((String) browser.eval("document.getElementById('downtime').textContent")).startsWith("APP DOWN "));
            assertThat((String) browser.eval("document.getElementById('downtime').className")).isEqualTo("down");
            browser.screenshot(SHOTS.resolve("live-page-app-down.png"));
            gate.release();
            HeadlessChromium.await(WAIT, () -> status(browser, 6).equals("running"));
            assertThat((String) browser.eval("document.getElementById('downtime').textContent"))
                    .as("the window ended at the check after the start").startsWith("downtime ").endsWith(", app verified healthy");
            gate.release();
            RunReport report = run.get(60, TimeUnit.SECONDS);
            assertThat(report.isSuccess()).isTrue();
            HeadlessChromium.await(WAIT, () -> "SUCCEEDED".equals(browser.eval("document.getElementById('status').textContent")));
            // The page parses the journal's timestamps with JavaScript's Date (whole milliseconds), the report
            // subtracts them at full precision and then truncates: the two agree to the millisecond, not beyond.
            assertThat(browser.evalInt("state.downMs")).as("the page's figure is the run's")
                    .isCloseTo((int) report.downtime().total().toMillis(), within(1));
        }
    }

    private static String status(HeadlessChromium browser, int step) {
        Object s = browser.eval("(document.querySelector('#steps li[data-step=\"" + step + "\"]') || {dataset: {}}).dataset.status || ''");
        return String.valueOf(s);
    }
}
