package dev.rollback.test.drillplans;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Step;

import java.nio.file.Files;
import java.util.function.Supplier;

/** A rollback whose every step is safe to re-run: the crash drill must pass it at every point. */
public final class IdempotentFilePlan implements Supplier<RollbackPlan> {
    /** Made by the crash drill's child JVMs. */
    public IdempotentFilePlan() {
    }

    @Override
    public RollbackPlan get() {
        return Rollback.plan("idempotent-files")
                .precheck("folder exists", c -> Files.isDirectory(DrillFiles.dir())
                        ? CheckResult.passed("folder exists", DrillFiles.dir(), "a folder")
                        : CheckResult.failed("folder exists", "missing", "a folder", "no folder " + DrillFiles.dir()))
                .capture("keep old data", c -> {
                    if (Files.exists(DrillFiles.dir().resolve("data.txt"))) {
                        Files.copy(DrillFiles.dir().resolve("data.txt"), c.runDirectory().resolve("data.before"),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                })
                .step("write config", c -> DrillFiles.write(DrillFiles.dir().resolve("config.txt"), "version=1.4\n"))
                .checkpoint("config-written")
                .restore(Step.of("restore data", c -> {
                    DrillFiles.write(DrillFiles.dir().resolve("data.txt"), "rows=1000\n");
                    c.output("data.rows", "1000");
                }))
                .step("log restore once", c -> DrillFiles.appendOnce(DrillFiles.dir().resolve("log.txt"), "restored " + c.requireOutput("data.rows")))
                .verify("data restored", c -> {
                    String d = Files.readString(DrillFiles.dir().resolve("data.txt"));
                    return d.equals("rows=1000\n") ? CheckResult.passed("data restored", d.trim(), "rows=1000")
                            : CheckResult.failed("data restored", d.trim(), "rows=1000", "data.txt holds the wrong data");
                })
                .checkpoint("data-restored")
                .step("mark done", c -> DrillFiles.write(DrillFiles.dir().resolve("done.txt"), "done\n"))
                .build();
    }
}
