package dev.rollback.journal.postgres;

import dev.rollback.core.journal.Journal;
import dev.rollback.test.JournalContract;
import dev.rollback.test.TestPostgres;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link PostgresJournal} keeps the journal contract, against a real PostgreSQL server; each test gets a schema of its own. */
class PostgresJournalContractIT extends JournalContract {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static String database;

    @Override
    protected Journal createJournal(Path folder) throws Exception {
        TestPostgres pg = TestPostgres.shared();
        synchronized (PostgresJournalContractIT.class) {
            if (database == null) {
                database = pg.createDatabase("journal_contract");
            }
        }
        return PostgresJournal.at(pg.url(database), pg.password()).schema("contract_" + SCHEMAS.incrementAndGet())
                .runFolder(folder.resolve("runs"));
    }
}
