/**
 * The seed runbooks' "when to roll back" tables as decision rules.
 */
package dev.rollback.examples.decisions;
