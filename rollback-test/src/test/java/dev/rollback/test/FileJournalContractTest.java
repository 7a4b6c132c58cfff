package dev.rollback.test;

import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.Journal;

import java.nio.file.Path;

/** {@link FileJournal} keeps the journal contract. */
class FileJournalContractTest extends JournalContract {
    @Override
    protected Journal createJournal(Path folder) {
        return FileJournal.in(folder.resolve("journal"));
    }
}
