package dev.rollback.core.testing;

import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.Holder;
import dev.rollback.core.journal.Journal;
import dev.rollback.core.journal.JournalException;

import java.nio.file.Path;

/**
 * Takes a file journal's lock in a child JVM (run as another user, or without the right to
 * override file permissions) and prints the error, for the lock-error tests. Exit 0: locked; 1: refused.
 */
public final class LockProbeMain {
    private LockProbeMain() {
    }

    /**
     * @param args journal folder, plan name
     */
    public static void main(String[] args) {
        try (Journal.JournalWriter w = FileJournal.in(Path.of(args[0])).open(args[1], Holder.thisProcess("probe", "prober"))) {
            System.out.println("locked");
            System.exit(0);
        } catch (JournalException e) {
            System.out.println(e.getMessage());
            System.exit(1);
        }
    }
}
