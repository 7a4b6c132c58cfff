/**
 * A journal in PostgreSQL ({@link dev.rollback.journal.postgres.PostgresJournal}): every run's
 * events and every plan's decisions in one table, one lease per plan with a fencing token and a
 * heartbeat, so that one plan runs from any machine, exactly one at a time, and a runner whose
 * lease was taken over can never write again.
 */
package dev.rollback.journal.postgres;
