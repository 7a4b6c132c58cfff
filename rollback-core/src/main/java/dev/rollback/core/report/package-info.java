/**
 * Reports people read: the {@link dev.rollback.core.report.IncidentReport} every run writes into its
 * run folder, rendered from the journal.
 */
package dev.rollback.core.report;
