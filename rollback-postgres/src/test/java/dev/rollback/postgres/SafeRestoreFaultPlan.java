package dev.rollback.postgres;

import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Secret;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The plan {@link SafeRestoreFaultIT} runs in child JVMs, shaped like the seeds' database
 * rollbacks: prechecks (tools match the server, backup readable), a forensic {@code pre-rollback}
 * dump, optionally a checkpoint, then the safe restore with a check on the new copy, and a check
 * on the live database after the swap. Configured by system properties {@code fault.*}; the
 * password comes from {@code FAULT_PG_PASSWORD}.
 */
public final class SafeRestoreFaultPlan implements Supplier<RollbackPlan> {
    @Override
    public RollbackPlan get() {
        Postgres pg = Postgres.at(System.getProperty("fault.url")).user(System.getProperty("fault.user"))
                .password(Secret.fromEnv("FAULT_PG_PASSWORD"));
        Path backup = Path.of(System.getProperty("fault.backup"));
        boolean checkpoint = Boolean.getBoolean("fault.checkpoint");
        long rows = Long.parseLong(System.getProperty("fault.rows"));
        PlanBuilder b = Rollback.plan(checkpoint ? "pg-fault-checkpoint" : "pg-fault")
                .precheck(pg.toolsMatchServer())
                .precheck(pg.backupReadable(backup))
                .capture(pg.dump(Path.of(System.getProperty("fault.forensics"))));
        if (checkpoint) {
            b.checkpoint("captured");
        }
        return b.restore(pg.restore(backup).verifyWith(db -> db.rowCountExactly("items", rows)))
                .verify(pg.rowCountExactly("items", rows))
                .build();
    }
}
