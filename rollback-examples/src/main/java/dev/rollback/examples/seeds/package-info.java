/**
 * The seed runbooks as programs: one class per runbook in {@code shared/seeds}, each a {@code main}
 * built on {@link dev.rollback.core.cli.RollbackCommand}. {@code docs/seeds.md} maps every runbook item
 * to its step.
 */
package dev.rollback.examples.seeds;
