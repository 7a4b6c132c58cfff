package dev.rollback.test.drillplans;

import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;

import java.util.function.Supplier;

/**
 * A rollback with a step that is NOT safe to re-run (it appends an audit line every time) after
 * its checkpoint: the crash drill must catch it.
 */
public final class AppendingPlan implements Supplier<RollbackPlan> {
    /** Made by the crash drill's child JVMs. */
    public AppendingPlan() {
    }

    @Override
    public RollbackPlan get() {
        return Rollback.plan("appending")
                .step("write config", c -> DrillFiles.write(DrillFiles.dir().resolve("config.txt"), "version=1.4\n"))
                .checkpoint("config-written")
                .step("append audit line", c -> DrillFiles.append(DrillFiles.dir().resolve("audit.log"), "rolled back to 1.4"))
                .step("mark done", c -> DrillFiles.write(DrillFiles.dir().resolve("done.txt"), "done\n"))
                .build();
    }
}
