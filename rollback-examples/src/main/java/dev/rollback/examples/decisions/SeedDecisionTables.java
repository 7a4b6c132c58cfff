package dev.rollback.examples.decisions;

import dev.rollback.core.decision.Condition;
import dev.rollback.core.decision.DecisionTable;
import dev.rollback.core.decision.Rule;

import java.time.Duration;

import static dev.rollback.core.decision.Condition.signal;

/**
 * The seeds' "when to roll back" tables as rules. Each signal is a number your monitoring
 * provides (through {@code Signal.of(name, supplier)}, an HTTP check with {@code Signal.failing},
 * or a SQL / MongoDB count with {@code Signal.measured}); flags such as {@code security.breach} are
 * 1 when someone or something raised them and 0 otherwise.
 *
 * <table>
 *   <caption>Signals</caption>
 *   <tr><th>signal</th><th>meaning</th></tr>
 *   <tr><td>{@code error.rate}</td><td>failed requests / all requests, 0..1</td></tr>
 *   <tr><td>{@code users.failing.ratio}</td><td>users unable to use the system, 0..1</td></tr>
 *   <tr><td>{@code latency.ratio}</td><td>p95 latency now / p95 latency of the last good release</td></tr>
 *   <tr><td>{@code integrity.ratio}</td><td>records the validation script found intact, 0..1</td></tr>
 *   <tr><td>{@code health.failing}</td><td>1 while the health endpoint fails</td></tr>
 *   <tr><td>{@code db.connection.failures}</td><td>failed database connections in the last poll</td></tr>
 *   <tr><td>{@code memory.ratio}, {@code cpu.ratio}</td><td>resource use, 0..1</td></tr>
 *   <tr><td>{@code data.corruption}, {@code data.loss}, {@code security.breach}, {@code critical.broken},
 *   {@code auth.broken}, {@code db.unrecoverable}, {@code migration.failed}</td><td>flags, 0 or 1</td></tr>
 *   <tr><td>{@code critical.bugs}, {@code moderate.issues}, {@code minor.issues}</td><td>open issues of that severity</td></tr>
 *   <tr><td>{@code fix.eta.minutes}</td><td>the team's estimate to fix forward</td></tr>
 * </table>
 */
public final class SeedDecisionTables {
    private SeedDecisionTables() {
    }

    /**
     * Seed 000, "When to Initiate Rollback" and its decision framework (PostgreSQL migration back to
     * MongoDB). The framework's tree as rules: a fix within 30 minutes means fix forward; past that,
     * data integrity at risk or over half of the users impacted means roll back; a system that cannot
     * operate partially means roll back.
     *
     * @return the table
     */
    public static DecisionTable seed000() {
        // tag::seed000[]
        return DecisionTable.of(
            // MUST ROLLBACK (Critical - Immediate)
            Rule.must("data corruption detected in PostgreSQL", signal("data.corruption").atLeast(1)),
            Rule.must(">50% of users unable to access system", signal("users.failing.ratio").above(0.5)),
            Rule.must("critical functionality completely broken", signal("critical.broken").atLeast(1)),
            Rule.must("data loss detected", signal("data.loss").atLeast(1)),
            Rule.must("security breach related to migration", signal("security.breach").atLeast(1)),
            Rule.must("validation script fails with <95% data integrity", signal("integrity.ratio").below(0.95)),
            Rule.must("unrecoverable database errors", signal("db.unrecoverable").atLeast(1)),
            // decision framework: no fix within 30 minutes, and data integrity at risk or over half the users impacted
            Rule.must("framework: no fix within 30 minutes and data integrity at risk",
                    Condition.allOf(signal("fix.eta.minutes").above(30), signal("integrity.at.risk").atLeast(1))),
            Rule.must("framework: no fix within 30 minutes and impact >50% users",
                    Condition.allOf(signal("fix.eta.minutes").above(30), signal("users.failing.ratio").above(0.5))),
            Rule.should("framework: no fix within 30 minutes and the system cannot operate partially",
                    Condition.allOf(signal("fix.eta.minutes").above(30), signal("partial.operation.possible").equalTo(0))),
            // SHOULD ROLLBACK (High - within 30 minutes)
            Rule.should("major functionality broken and cannot fix within 2 hours",
                    Condition.allOf(signal("major.broken").atLeast(1), signal("fix.eta.minutes").above(120))),
            Rule.should("performance degradation >10x worse than MongoDB", signal("latency.ratio").above(10)),
            Rule.should("error rate >5% of requests", signal("error.rate").above(0.05)),
            Rule.should("unable to identify root cause of critical issues", signal("root.cause.unknown").atLeast(1)),
            Rule.should("multiple critical bugs discovered simultaneously", signal("critical.bugs").atLeast(2)),
            Rule.should("team consensus that continuing is too risky", signal("team.consensus.rollback").atLeast(1)),
            // CONSIDER ROLLBACK (Medium - evaluate)
            Rule.consider("multiple moderate issues piling up", signal("moderate.issues").atLeast(2)),
            Rule.consider("performance not meeting targets", signal("latency.ratio").above(1.5)),
            Rule.consider("intermittent critical errors", signal("intermittent.errors").atLeast(1)),
            Rule.consider("user experience significantly degraded", signal("ux.degraded").atLeast(1)),
            Rule.consider("uncertainty about data integrity", signal("integrity.ratio").below(0.999)),
            // DO NOT ROLLBACK (fix forward instead)
            Rule.fixForward("framework: fix within 30 minutes",
                    Condition.allOf(signal("fix.eta.minutes").above(0), signal("fix.eta.minutes").atMost(30))),
            Rule.fixForward("minor bugs that can be hotfixed", signal("minor.issues").atLeast(1)),
            Rule.fixForward("performance can be improved with indexes", signal("fixable.with.indexes").atLeast(1)),
            Rule.fixForward("isolated user issues", Condition.allOf(signal("users.failing.ratio").above(0),
                    signal("users.failing.ratio").atMost(0.05))),
            Rule.fixForward("UI/UX issues (not data issues)", signal("ui.issues").atLeast(1)),
            Rule.fixForward("single moderate issue that's understood", signal("moderate.issues").equalTo(1)));
        // end::seed000[]
    }

    /**
     * Seed 001, its "Rollback Decision Matrix" and "Automated Rollback Triggers" in one table
     * (Next.js application): the triggers are sustained thresholds a watchdog reads; memory and
     * database failures must hold for three consecutive polls, so that one bad sample does not roll
     * production back.
     *
     * @return the table
     */
    public static DecisionTable seed001() {
        // tag::seed001[]
        return DecisionTable.of(
            // Automated rollback triggers
            Rule.must("health check failures for 5+ minutes",
                    signal("health.failing").atLeast(1).sustainedFor(Duration.ofMinutes(5))),
            Rule.must("error rate > 10% for 10+ minutes",
                    signal("error.rate").above(0.10).sustainedFor(Duration.ofMinutes(10))),
            Rule.must("database connection failures", signal("db.connection.failures").atLeast(1).forConsecutiveSamples(3)),
            Rule.must("memory usage > 90%", signal("memory.ratio").above(0.90).forConsecutiveSamples(3)),
            Rule.must("CPU usage > 95% for 15+ minutes", signal("cpu.ratio").above(0.95).sustainedFor(Duration.ofMinutes(15))),
            // Immediate rollback required
            Rule.must("database corruption detected", signal("data.corruption").atLeast(1)),
            Rule.must("complete application failure", signal("users.failing.ratio").atLeast(1.0)),
            Rule.must("security vulnerability introduced", signal("security.breach").atLeast(1)),
            Rule.must("data integrity issues", signal("integrity.ratio").below(1.0)),
            Rule.must("authentication system broken", signal("auth.broken").atLeast(1)),
            // Delayed rollback (investigate first)
            Rule.consider("performance degradation", signal("latency.ratio").above(2)),
            Rule.consider("minor functionality issues", signal("moderate.issues").atLeast(1)),
            Rule.consider("non-critical bugs", signal("noncritical.bugs").atLeast(1)),
            Rule.consider("user experience issues", signal("ux.degraded").atLeast(1)),
            Rule.consider("configuration problems", signal("config.problems").atLeast(1)),
            // No rollback needed
            Rule.fixForward("minor UI issues only", Condition.allOf(signal("minor.issues").atLeast(1),
                    signal("moderate.issues").equalTo(0), signal("error.rate").atMost(0.01))),
            Rule.fixForward("documentation updates", signal("docs.only").atLeast(1)),
            Rule.fixForward("monitoring alerts (false positives)", signal("false.positive").atLeast(1)),
            Rule.fixForward("expected behavior changes", signal("expected.change").atLeast(1)));
        // end::seed001[]
    }

    /**
     * Seed 002, its decision tree and escalation levels (Phase 4 PostgreSQL migration): a critical
     * issue (data corruption, lost connectivity, foreign-key violations) or level 3 is an immediate
     * full rollback; level 2 (a partial failure) defaults to the full rollback; level 1 and an
     * unclear severity mean pause and ask the DBA; a minor issue means go on and fix it.
     *
     * @return the table
     */
    public static DecisionTable seed002() {
        // tag::seed002[]
        return DecisionTable.of(
            // critical issue / level 3: immediate full rollback
            Rule.must("data corruption", signal("data.corruption").atLeast(1)),
            Rule.must("loss of connectivity: cannot connect to database",
                    signal("db.connection.failures").atLeast(1).forConsecutiveSamples(3)),
            Rule.must("FK violations", signal("fk.orphans").atLeast(1)),
            Rule.must("unplanned application errors", signal("health.failing").atLeast(1).forConsecutiveSamples(3)),
            // level 2, partial failure (5-15 minutes in): default option C, full rollback
            Rule.should("partial failure: some migrations succeeded, some failed", signal("migrations.failed").atLeast(1)),
            // level 1, issue detection / unsure: pause, contact the DBA, assess
            Rule.consider("long-running query (> 2 minutes)", signal("query.longest.seconds").above(120)),
            Rule.consider("connection timeouts", signal("db.connection.failures").atLeast(1)),
            Rule.consider("constraint violations with clear root cause", signal("constraint.violations").atLeast(1)),
            Rule.consider("unsure: unclear severity", signal("severity.unclear").atLeast(1)),
            // minor issue, non-critical error: continue, try to fix
            Rule.fixForward("minor issue, non-critical error", signal("minor.issues").atLeast(1)));
        // end::seed002[]
    }

    /**
     * Seed 003, "Rollback Decision Matrix" (deployment rollback guide).
     *
     * @return the table
     */
    public static DecisionTable seed003() {
        // tag::seed003[]
        return DecisionTable.of(
            Rule.must("critical bug affecting all users: immediate rollback", signal("users.failing.ratio").atLeast(1.0)),
            Rule.must("security vulnerability: immediate rollback", signal("security.breach").atLeast(1)),
            Rule.must("database corruption: rollback + restore DB", signal("data.corruption").atLeast(1)),
            Rule.should("performance degradation > 50%: rollback within 15 min", signal("latency.ratio").above(1.5)),
            Rule.should("failed migration: rollback + restore DB", signal("migration.failed").atLeast(1)),
            Rule.consider("feature not working: rollback within 1 hour", signal("critical.broken").atLeast(1)),
            // Rollback vs fix forward: "rollback when ..."
            Rule.should("critical issue affecting many users", Condition.allOf(signal("critical.broken").atLeast(1),
                    signal("users.failing.ratio").above(0.5))),
            Rule.consider("root cause is unknown", signal("root.cause.unknown").atLeast(1)),
            Rule.consider("fix will take more than 30 minutes", signal("fix.eta.minutes").above(30)),
            Rule.should("data integrity is at risk", signal("integrity.at.risk").atLeast(1)),
            // "fix forward when ..."
            Rule.fixForward("minor UI bug: fix forward, don't rollback", Condition.allOf(signal("minor.issues").atLeast(1),
                    signal("error.rate").atMost(0.01))),
            Rule.fixForward("fix is quick (< 15 minutes)", Condition.allOf(signal("fix.eta.minutes").above(0),
                    signal("fix.eta.minutes").below(15))),
            Rule.fixForward("rollback is complex", signal("rollback.complex").atLeast(1)));
        // end::seed003[]
    }

    /**
     * Seed 004: the README gives no triggers of its own; its post-rollback checklist watches errors,
     * the health endpoint and critical user flows. These rules are the ones it implies, for
     * {@code --decide} and the monitoring window.
     *
     * @return the table
     */
    public static DecisionTable seed004() {
        // tag::seed004[]
        return DecisionTable.of(
            Rule.must("health endpoint not returning 200 for 5+ minutes",
                    signal("health.failing").atLeast(1).sustainedFor(Duration.ofMinutes(5))),
            Rule.must("critical user flows broken", signal("critical.broken").atLeast(1)),
            Rule.should("errors in the error tracking dashboard", signal("error.rate").above(0.05)),
            Rule.consider("key business metrics down", signal("business.metrics.down").atLeast(1)),
            Rule.consider("customer support reports", signal("support.reports").atLeast(3)));
        // end::seed004[]
    }
}
