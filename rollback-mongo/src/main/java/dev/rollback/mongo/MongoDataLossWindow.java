package dev.rollback.mongo;

import com.mongodb.client.MongoDatabase;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.mongo.internal.Loaded;
import dev.rollback.mongo.internal.RestoreOutputs;
import dev.rollback.mongo.internal.WrittenSinceBackup;
import org.bson.BsonDocument;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the data-loss window of a {@link MongoSwapIn#countDataLossLater() swap that left it for
 * later}: per swapped collection, the documents the live collection received after the backup and
 * up to the swap. It counts them on the kept collection ({@code <name>_before_<run>}), which is the
 * live collection as it was at the swap and which nothing writes to since (the application writes
 * to the restored one), so the figure is the one at the swap, taken once the application is
 * healthy again instead of while it is down. Non-destructive; a rerun counts again, with the same
 * result.
 *
 * <p>Outputs: {@code mongo.dataLoss.<db>.<collection>} per swapped collection, replacing the swap's
 * "not counted yet", for the incident report.
 */
public final class MongoDataLossWindow implements Step {
    private final MongoPrepare prepared;
    private final String swappedKey;
    private final String id;
    private final String swapName;

    MongoDataLossWindow(MongoPrepare prepared, String swappedKey, String id, String swapName) {
        this.prepared = prepared;
        this.swappedKey = swappedKey;
        this.id = id;
        this.swapName = swapName;
    }

    @Override
    public String name() {
        return "data-loss window of MongoDB database " + prepared.database() + " at the swap";
    }

    /** @return the id of the count the swap left for later, which this step takes */
    @Override
    public String completes() {
        return id;
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of("count, on the kept collections, the documents written to " + prepared.database()
                        + " after the backup and up to the swap")
                .param("server", prepared.connection().redactedUri())
                .param("database", prepared.database())
                .param("swap", swapName)
                .command("per swapped collection: countDocuments({_id: {$gt: <the backup's newest _id>}}) on <name>_before_<run>");
    }

    @Override
    public void execute(StepContext context) {
        Map<String, Loaded.Entry> backup = new LinkedHashMap<>();
        Loaded.fromJson(context.requireOutput(prepared.outputKey())).entries().forEach(e -> backup.put(e.namespace(), e));
        String swapped = context.output(swappedKey).orElseThrow(() -> new MongoRestoreFailedException("There is no data-loss window to "
                + "count: step '" + swapName + "' has not swapped " + prepared.database() + " in (its output " + swappedKey + " is missing). "
                + "Nothing was changed. Fix: run this step after the swap that left the count for later (swap.countDataLossLater()).",
                List.of(), null));
        Map<String, String> kept = new LinkedHashMap<>();
        for (String line : swapped.isEmpty() ? new String[0] : swapped.split("\n")) {
            int eq = line.indexOf('=');
            kept.put(line.substring(0, eq), line.substring(eq + 1));
        }
        prepared.connection().call("counting the data-loss window of " + prepared.database() + " on the kept collections",
                "Nothing was changed; the kept collections are still there", client -> {
                    long total = 0;
                    for (Map.Entry<String, String> k : kept.entrySet()) {
                        Loaded.Entry e = backup.get(k.getKey());
                        MongoDatabase db = client.getDatabase(e.db());
                        String where = e.db() + "." + k.getValue();
                        String type = WrittenSinceBackup.typeOf(db, k.getValue());
                        if (!"collection".equals(type)) {
                            String why = type == null ? "the kept collection " + where + " is gone (dropped by hand?); its documents "
                                    + "written after the backup cannot be counted any more"
                                    : "the kept " + where + " is a " + type + ", not counted (as at a swap)";
                            context.output(RestoreOutputs.DATA_LOSS + k.getKey(), "not counted: " + why);
                            context.progress(k.getKey() + ": " + why);
                            continue;
                        }
                        WrittenSinceBackup w = WrittenSinceBackup.count(db.getCollection(k.getValue(), BsonDocument.class), e);
                        context.output(RestoreOutputs.DATA_LOSS + k.getKey(), RestoreOutputs.dataLoss(w.documents(), where)
                                + "; counted after the swap on the kept collection, which nobody writes since: the figure as at the swap");
                        total += w.documents();
                    }
                    context.progress(total + " documents written to " + prepared.database() + " after the backup (up to the swap) are not in "
                            + "the restored collections; they stay in the kept collections");
                    return null;
                });
    }
}
