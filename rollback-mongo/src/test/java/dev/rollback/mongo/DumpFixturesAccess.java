package dev.rollback.mongo;

import org.bson.BsonDocument;

import java.nio.file.Path;
import java.util.List;

/** {@link DumpFixtures} for tests in other packages. */
public final class DumpFixturesAccess {
    private DumpFixturesAccess() {
    }

    /**
     * Writes a collection (data and metadata) into a database folder.
     *
     * @param dir     the folder
     * @param name    the collection
     * @param docs    its documents
     * @param indexes extra index specs as JSON
     */
    public static void collection(Path dir, String name, List<BsonDocument> docs, String... indexes) {
        DumpFixtures.collection(dir, name, docs, indexes);
    }
}
