package dev.rollback.mongo.internal;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import dev.rollback.core.StepContext;
import dev.rollback.mongo.LeftAside;
import dev.rollback.mongo.RestoreResult.CollectionRestore;
import dev.rollback.mongo.RestoreResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The step outputs of a restore, following the convention the incident report renders: {@code kept.}
 * for data kept on purpose, {@code leftover.} for temporaries a failed run left, a {@code dataLoss.}
 * segment for the data-loss window.
 */
public final class RestoreOutputs {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreOutputs.class);

    /** The prefix of the data-loss window's outputs, one per collection: {@code mongo.dataLoss.<db>.<collection>}. */
    public static final String DATA_LOSS = "mongo.dataLoss.";

    private RestoreOutputs() {
    }

    /**
     * @param written documents written to the live collection after the backup
     * @param kept    {@code db.collection} where the replaced live collection is kept
     * @return the data-loss window of one collection, as the report shows it
     */
    public static String dataLoss(long written, String kept) {
        return written + " documents written to the live collection after the backup, replaced by the restore (kept in " + kept + ")";
    }

    /**
     * Runs a restore step's work and publishes what it did; on failure, names the temporary
     * collections it leaves ({@link #leftovers}) before the failure goes on.
     *
     * @param connection the server
     * @param ctx        the step's context
     * @param database   the target database, or null for a server-wide restore
     * @param work       the restore
     * @param temps      the temporary collections it used, asked once it succeeded
     */
    public static void execute(MongoConnection connection, StepContext ctx, String database, Supplier<RestoreResult> work,
                               Supplier<List<String>> temps) {
        RestoreResult r;
        try {
            r = work.get();
        } catch (RuntimeException e) {
            leftovers(connection, ctx, database);
            throw e;
        }
        publish(r, ctx, temps.get());
    }

    /**
     * @param r     what the restore did
     * @param ctx   the step's context
     * @param temps the temporary collections of the restore ({@code db.name}), gone now: an empty {@code leftover.} value
     *              tells the report that a leftover an earlier attempt named is gone
     */
    public static void publish(RestoreResult r, StepContext ctx, List<String> temps) {
        temps.forEach(t -> ctx.output("leftover.mongo." + t, ""));
        ctx.output("mongo.restore.documents", String.valueOf(r.documentsInserted()));
        List<String> previous = new ArrayList<>();
        for (CollectionRestore c : r.collections()) {
            String key = c.database() + "." + c.name();
            if (!c.previousData().isEmpty()) {
                if (c.previousData().startsWith("view definition ")) {
                    ctx.output("kept.mongo.view." + key, c.previousData().substring("view definition ".length())
                            + " (the definition of the replaced view " + key + "; re-create it if the team needs it)");
                } else {
                    previous.add(r.database().isEmpty() ? c.database() + "." + c.previousData() : c.previousData());
                    ctx.output("kept.mongo.before." + key, "collection " + c.database() + "." + c.previousData()
                            + " (pre-rollback data of " + key + "; db.getSiblingDB(\"" + c.database() + "\")." + c.previousData()
                            + ".drop() once the team is satisfied)");
                }
            }
            for (int i = 0; i < c.meanwhileData().size(); i++) {
                ctx.output("kept.mongo.meanwhile." + key + (i == 0 ? "" : "." + (i + 1)), "collection " + c.database() + "."
                        + c.meanwhileData().get(i) + ": written to " + key + " between a crash and the resume; merge or drop once the team has looked");
            }
            if (c.writtenSinceBackup() >= 0) {
                ctx.output(DATA_LOSS + key, dataLoss(c.writtenSinceBackup(), c.database() + "." + c.previousData()));
            }
            if (!c.skippedIndexes().isEmpty()) {
                ctx.output("mongo.restore.skippedIndexes." + key, String.join("; ", c.skippedIndexes()));
            }
        }
        if (!previous.isEmpty()) {
            ctx.output("mongo.restore.previous", String.join(",", previous));
        }
        r.oplog().ifPresent(o -> ctx.output("mongo.dataLoss.oplog", o.describe()));
        List<LeftAside> aside = r.leftAside();
        ctx.output("mongo.restore.leftAside", aside.isEmpty() ? "nothing" : aside.size() + " files or entries not restored (see mongo.restore.leftAside.1..."
                + aside.size() + ")");
        for (int i = 0; i < aside.size(); i++) {
            ctx.output("mongo.restore.leftAside." + (i + 1), aside.get(i).toString());
        }
        if (!r.removedLeftovers().isEmpty()) {
            ctx.output("mongo.restore.removedLeftovers", "dropped temporary collections an earlier crashed run left: " + String.join(", ", r.removedLeftovers()));
        }
        if (!r.usersAndRoles().isEmpty()) {
            ctx.output("mongo.restore.usersAndRoles", r.usersAndRoles());
        }
    }

    /**
     * @param ctx a restore step's context
     * @return the temporary collections its load used, {@code db.name}
     */
    public static List<String> temps(StepContext ctx) {
        return ctx.recall(RestoreEngine.MEMORY_LOADED).map(Loaded::fromJson).map(RestoreOutputs::temps).orElse(List.of());
    }

    /**
     * @param loaded a load
     * @return its temporary collections, {@code db.name}
     */
    public static List<String> temps(Loaded loaded) {
        return loaded.entries().stream().filter(e -> !e.temp().equals(e.name())).map(e -> e.db() + "." + e.temp()).toList();
    }

    /**
     * After a failure: names every temporary collection of this run still on the server as a
     * {@code leftover.} output (the resume reuses them, an abandon drops them). Best effort.
     *
     * @param connection the server
     * @param ctx        the step's context
     * @param database   the target database, or null for a server-wide restore (the databases come from memory)
     */
    public static void leftovers(MongoConnection connection, StepContext ctx, String database) {
        Set<String> dbs = new TreeSet<>();
        if (database != null) {
            dbs.add(database);
        }
        ctx.recall(RestoreEngine.MEMORY_LOADED).map(Loaded::fromJson).ifPresent(l -> l.entries().forEach(e -> dbs.add(e.db())));
        String prefix = TempNames.tempPrefix(TempNames.tag(ctx.runId()));
        try (MongoClient client = connection.open()) {
            for (String db : dbs) {
                MongoDatabase d = client.getDatabase(db);
                for (String name : d.listCollectionNames()) {
                    if (name.startsWith(prefix)) {
                        ctx.output("leftover.mongo." + db + "." + name, "temporary collection " + db + "." + name
                                + " (the restored copy of this run; a resume reuses it, an abandon drops it)");
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not list the temporary collections this run left: {}", e.getMessage());
        }
    }
}
