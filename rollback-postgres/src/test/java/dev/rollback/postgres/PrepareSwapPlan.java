package dev.rollback.postgres;

import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Secret;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The plan {@link PrepareSwapIT} runs in child JVMs: backup check, forensic dump, prepare (the app
 * still serves), swap in, check. Configured by system properties {@code prep.*}; the password comes
 * from {@code PREP_PG_PASSWORD}.
 */
public final class PrepareSwapPlan implements Supplier<RollbackPlan> {
    @Override
    public RollbackPlan get() {
        Postgres pg = Postgres.at(System.getProperty("prep.url")).user(System.getProperty("prep.user"))
                .password(Secret.fromEnv("PREP_PG_PASSWORD"));
        Path backup = Path.of(System.getProperty("prep.backup"));
        PreparedRestore prepared = pg.restore(backup).verifyWith(db -> db.rowCountAtLeast("orders", 1)).prepare();
        return Rollback.plan("pg-prepare-swap")
                .precheck(pg.backupReadable(backup))
                .capture(pg.dump(Path.of(System.getProperty("prep.forensics"))))
                .step(prepared)
                .restore(pg.swapIn(prepared))
                .verify(pg.rowCountExactly("orders", Long.parseLong(System.getProperty("prep.rows"))))
                .build();
    }
}
