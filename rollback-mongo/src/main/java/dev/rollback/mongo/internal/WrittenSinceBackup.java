package dev.rollback.mongo.internal;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * The data-loss window of one collection: the documents a collection received after the backup.
 * The swap counts them on the live collection just before it is set aside; a swap that
 * {@linkplain dev.rollback.mongo.MongoSwapIn#countDataLossLater() leaves the count for later}
 * has it counted on the kept collection once the application is healthy again, with the same
 * result: the kept collection is the live one as it was at the swap, and nothing writes to it since.
 *
 * @param documents the documents written after the backup
 * @param how       how they were counted
 */
public record WrittenSinceBackup(long documents, String how) {

    /**
     * @param collection the live collection at the swap, or the collection it was renamed to
     * @param backup     what the restore loaded from the backup for it
     * @return what it received after the backup
     */
    public static WrittenSinceBackup count(MongoCollection<BsonDocument> collection, Loaded.Entry backup) {
        BsonValue maxId = backup.maxId();
        if (maxId != null && maxId.isObjectId()) {
            return new WrittenSinceBackup(collection.countDocuments(new BsonDocument("_id", new BsonDocument("$gt", maxId))),
                    "documents whose ObjectId _id is newer than the backup's newest");
        }
        return new WrittenSinceBackup(Math.max(0, collection.countDocuments() - backup.read()),
                "live count minus the backup's count (the _ids are not ObjectIds)");
    }

    /**
     * @param db   a database
     * @param name a collection's name
     * @return its type ({@code collection}, {@code view}, {@code timeseries}), or null when it does not exist
     */
    public static String typeOf(MongoDatabase db, String name) {
        return SafeSwap.type(db, name);
    }
}
