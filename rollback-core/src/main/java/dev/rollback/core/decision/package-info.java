/**
 * When to roll back, as code: the runbooks' MUST / SHOULD / CONSIDER tables as typed
 * {@link dev.rollback.core.decision.Rule}s over {@link dev.rollback.core.decision.Signal}s, decided by a
 * {@link dev.rollback.core.decision.DecisionTable}, a {@link dev.rollback.core.decision.Watchdog}
 * that runs a plan when a MUST rule holds, and the post-rollback
 * {@link dev.rollback.core.decision.Monitoring monitoring window} that fails a run when one fires.
 */
package dev.rollback.core.decision;
