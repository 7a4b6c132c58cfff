/**
 * Where runs are recorded: the {@link dev.rollback.core.journal.Journal} interface, its sealed
 * {@link dev.rollback.core.journal.JournalEvent}s, the durable
 * {@link dev.rollback.core.journal.FileJournal} (JSON Lines, one OS lock per plan) and the
 * {@link dev.rollback.core.journal.InMemoryJournal} for tests. The line format is documented in
 * {@code docs/journal-format.md}.
 */
package dev.rollback.core.journal;
