package dev.rollback.mongo.faults;

import dev.rollback.core.Confirmations;
import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.mongo.BackupSource;
import dev.rollback.mongo.Mongo;
import dev.rollback.mongo.MongoBackup;
import dev.rollback.mongo.MongoDb;
import dev.rollback.mongo.MongoPrepare;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * The runner of the fault-injection tests, in its own JVM: builds the plan, runs or resumes it with
 * a file journal, writes the outcome and outputs to a properties file.
 *
 * <p>Arguments: {@code run|resume <plan variant> <journal dir> <backup> <mongodb uri> <result file> [run id]}.
 * Variants: {@code restore} (capture, restore, verify), {@code checkpoint} (capture, checkpoint, restore,
 * verify), {@code prepared} (prepare, capture, checkpoint, swap in, verify).
 */
public final class FaultChild {
    private FaultChild() {
    }

    static final String PLAN = "fault-drill";
    static final String DB = "crm";

    static RollbackPlan plan(String variant, Path backup, String uri) {
        MongoDb crm = Mongo.at(uri).serverSelectionTimeout(Duration.ofSeconds(10)).database(DB);
        BackupSource source = MongoBackup.at(backup);
        PlanBuilder p = Rollback.plan(PLAN + "-" + variant);
        switch (variant) {
            case "restore" -> p.capture(crm.dump())
                    .restore(crm.restoreFrom(source).parallelCollections(1).batchSize(50))
                    .verify(crm.countsMatch(source));
            case "checkpoint" -> p.capture(crm.dump())
                    .checkpoint("captured")
                    .restore(crm.restoreFrom(source).parallelCollections(1).batchSize(50))
                    .verify(crm.countsMatch(source));
            case "prepared" -> {
                MongoPrepare prepared = crm.prepare(source).parallelCollections(1).batchSize(50);
                p.step(prepared)
                        .capture(crm.dump())
                        .step("pause between prepare and swap", ctx -> {
                            String marker = System.getProperty("fault.pauseMarker");
                            if (marker != null && !Files.exists(Path.of(marker))) {
                                Files.writeString(Path.of(marker), "paused");
                                Thread.sleep(60_000);
                            }
                        })
                        .checkpoint("prepared")
                        .restore(crm.swapIn(prepared))
                        .verify(crm.countsMatch(source));
            }
            default -> throw new IllegalArgumentException(variant);
        }
        return p.build();
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        RollbackPlan plan = plan(args[1], Path.of(args[3]), args[4]);
        FileJournal journal = FileJournal.in(Path.of(args[2]));
        var runner = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("fault-drill@example.com"));
        RunReport report = mode.equals("run") ? runner.run(plan) : runner.resume(plan, args[6]);
        Properties p = new Properties();
        p.setProperty("outcome", report.outcome().name());
        p.setProperty("runId", report.runId());
        p.setProperty("runDirectory", String.valueOf(report.runDirectory()));
        report.failureIfAny().ifPresent(f -> p.setProperty("error", f.message()));
        report.outputs().forEach((k, v) -> p.setProperty("output." + k, v));
        try (OutputStream out = Files.newOutputStream(Path.of(args[5]))) {
            p.store(out, null);
        }
        System.exit(0);
    }
}
