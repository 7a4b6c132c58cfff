/**
 * Reports people read: the {@link dev.rollback.core.report.IncidentReport} every run writes into its
 * run folder, rendered from the journal, and the {@link dev.rollback.core.report.PostMortem} skeleton
 * beside it.
 */
package dev.rollback.core.report;
