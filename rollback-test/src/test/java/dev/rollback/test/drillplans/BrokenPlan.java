package dev.rollback.test.drillplans;

import dev.rollback.core.RollbackPlan;

import java.util.function.Supplier;

/** A plan factory that cannot build its plan: the crash drill must say so, not hang or pass. */
public final class BrokenPlan implements Supplier<RollbackPlan> {
    /** Made by the crash drill's child JVMs. */
    public BrokenPlan() {
    }

    @Override
    public RollbackPlan get() {
        throw new IllegalStateException("backup folder /backups/crm is missing");
    }
}
