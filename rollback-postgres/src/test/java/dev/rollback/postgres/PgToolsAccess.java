package dev.rollback.postgres;

import dev.rollback.postgres.internal.PgTools;

import java.nio.file.Path;
import java.util.List;

/** Finds the machine's real tools for wrappers in tests. */
final class PgToolsAccess {
    private PgToolsAccess() {
    }

    static Path realTool(String name) {
        List<Path> found = PgTools.candidates(name, null);
        if (found.isEmpty()) {
            throw new IllegalStateException(name + " is not installed; the PostgreSQL client tools are required for these tests");
        }
        return found.get(0);
    }
}
