package dev.rollback.core;

/**
 * The entry point: {@code Rollback.plan(name)} to build a plan, {@code Rollback.runner()} to run it.
 *
 * <pre>{@code
 * RollbackPlan plan = Rollback.plan("app-back-to-v1.4")
 *     .capture(dumpNow)
 *     .stopApp(app)
 *     .restore(restoreBackup)
 *     .startApp(app)
 *     .verify(health)
 *     .build();
 *
 * RunReport report = Rollback.runner()
 *     .journal(FileJournal.in(Path.of("/var/lib/rollback")))
 *     .confirmations(Confirmations.autoApprove("ops@example.com"))
 *     .listener(ConsoleProgress.to(System.out))
 *     .run(plan);
 * }</pre>
 */
public final class Rollback {
    private Rollback() {
    }

    /**
     * Starts a plan.
     *
     * @param name the plan's name; journals and locks are kept per name
     * @return a builder
     */
    public static PlanBuilder plan(String name) {
        return new PlanBuilder(name);
    }

    /**
     * Starts configuring a runner.
     *
     * @return a runner with an in-memory journal, no confirmations and no listener
     */
    public static RollbackRunner runner() {
        return new RollbackRunner();
    }
}
