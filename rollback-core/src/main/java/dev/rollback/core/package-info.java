/**
 * The plan DSL and the runner: build a {@link dev.rollback.core.RollbackPlan} with
 * {@link dev.rollback.core.Rollback#plan(String)}, run it with {@link dev.rollback.core.Rollback#runner()}.
 *
 * <p>Core interfaces that adapter modules implement: {@link dev.rollback.core.Step},
 * {@link dev.rollback.core.Check}, {@link dev.rollback.core.AppControl} and
 * {@link dev.rollback.core.Notifier}. Results are records: {@link dev.rollback.core.RunReport},
 * {@link dev.rollback.core.StepResult}, {@link dev.rollback.core.CheckResult}. Secrets travel as
 * {@link dev.rollback.core.Secret} and are redacted by {@link dev.rollback.core.Redactor}.
 */
package dev.rollback.core;
