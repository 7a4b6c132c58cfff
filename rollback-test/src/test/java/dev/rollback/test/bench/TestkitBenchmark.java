package dev.rollback.test.bench;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Step;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.test.CrashDrill;
import dev.rollback.test.CrashDrillReport;
import dev.rollback.test.drillplans.DrillFiles;
import dev.rollback.test.drillplans.IdempotentFilePlan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static dev.rollback.test.RollbackAssertions.assertThat;
import static dev.rollback.test.RollbackAssertions.assertThatJournal;

/**
 * What the testkit costs in a CI build: the plan, report and journal assertions on a large plan
 * (in process), and the crash drill (two child JVMs per crash point). Not a test: run it with the
 * command in docs/performance.md#testkit-and-crash-drills-rollback-test.
 */
public final class TestkitBenchmark {
    private TestkitBenchmark() {
    }

    /**
     * @param args optional: number of steps of the large plan (default 500)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        assertions(steps);
        crashDrill(false);
        crashDrill(true);
    }

    private static void assertions(int steps) {
        PlanBuilder b = Rollback.plan("large").precheck("ready", c -> CheckResult.passed("ready", 1, 1));
        String[] names = new String[steps / 4];
        for (int i = 0; i < steps / 4; i++) {
            b.capture("dump " + i, c -> { })
                    .restore(Step.of("restore " + i, c -> { }))
                    .verify("verify " + i, c -> CheckResult.passed("v", 1, 1))
                    .checkpoint("cp " + i);
            names[i] = "restore " + i;
        }
        RollbackPlan plan = b.build();
        InMemoryJournal journal = InMemoryJournal.create();
        RunReport report = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("bench")).run(plan);
        int rounds = 200;
        for (int warm = 0; warm < 2; warm++) {
            long t0 = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                assertThat(plan).capturesBeforeEveryDestructiveStep().everyDestructiveStepIsFollowedByAVerify().prechecksComeFirst()
                        .hasStepsInOrder(names).hasCheckpointAfter("restore 0");
            }
            long t1 = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                assertThat(plan).doesNotRevealSecret("not-in-the-plan");
            }
            long t2 = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                assertThat(report).succeeded().ranStepsInOrder(names);
            }
            long t3 = System.nanoTime();
            var events = journal.read("large", report.runId());
            long t4 = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                assertThatJournal(events).containsNoText("not-in-the-journal").ranStepTimes("restore 7", 1);
            }
            long t5 = System.nanoTime();
            if (warm == 1) {
                System.out.printf(Locale.ROOT, "plan of %d steps, %d journal events%n", plan.steps().size(), events.size());
                System.out.printf(Locale.ROOT, "  plan order/safety assertions (5 chained): %.3f ms per plan%n", (t1 - t0) / 1e6 / rounds);
                System.out.printf(Locale.ROOT, "  doesNotRevealSecret (renders the dry run): %.3f ms per plan%n", (t2 - t1) / 1e6 / rounds);
                System.out.printf(Locale.ROOT, "  report succeeded + ranStepsInOrder:        %.3f ms per report%n", (t3 - t2) / 1e6 / rounds);
                System.out.printf(Locale.ROOT, "  journal containsNoText + ranStepTimes:     %.3f ms per journal (%.1f ms to read it)%n",
                        (t5 - t4) / 1e6 / rounds, (t4 - t3) / 1e6);
            }
        }
    }

    private static void crashDrill(boolean inside) throws Exception {
        Path state = Files.createTempDirectory("bench-drill-state-");
        CrashDrill drill = CrashDrill.of(IdempotentFilePlan.class)
                .systemProperty(DrillFiles.DIR_PROPERTY, state.toString())
                .beforeEachRun(() -> DrillFiles.clear(state))
                .killAtEveryStepBoundary();
        if (inside) {
            drill = drill.killInsideEveryStep();
        }
        long t0 = System.nanoTime();
        CrashDrillReport report = drill.verify(() -> DrillFiles.state(state));
        double seconds = (System.nanoTime() - t0) / 1e9;
        int jvms = 1 + report.points().stream().mapToInt(p -> 1 + p.resumes()).sum();
        System.out.printf(Locale.ROOT, "crash drill, 9-step plan, %s: %d points, %d child JVMs, %.1f s total, %.2f s per point%n",
                inside ? "boundaries + inside steps" : "boundaries only", report.points().size(), jvms, seconds,
                seconds / (report.points().size() + 0.5));
    }
}
