package dev.rollback.test;

import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.core.journal.Journal;

import java.nio.file.Path;

/** {@link InMemoryJournal} keeps the journal contract. */
class InMemoryJournalContractTest extends JournalContract {
    @Override
    protected Journal createJournal(Path folder) {
        return InMemoryJournal.create();
    }
}
