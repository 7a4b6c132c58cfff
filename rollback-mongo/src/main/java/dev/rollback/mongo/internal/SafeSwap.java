package dev.rollback.mongo.internal;

import com.mongodb.MongoException;
import com.mongodb.MongoNamespace;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.InsertManyOptions;
import dev.rollback.core.StepContext;
import dev.rollback.mongo.BackupCollection.Kind;
import dev.rollback.mongo.MongoServerException;
import dev.rollback.mongo.MongoRestoreFailedException;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Swaps verified temporary collections in for the live ones, keeping every live collection under
 * {@code <name>_before_<run>}, and records in step memory, before each move, what it is about to
 * do, so that a resume after a kill at any instant completes the swap forward and never swaps twice:
 * <ol>
 *   <li>before the first move, which collections were live (the plan): a resume never creates a
 *   {@code _before_} copy of a collection that was not live before the run;</li>
 *   <li>per collection, its step: set aside the live collection, then swap the restored one in, then done;</li>
 *   <li>a collection that appears at a live name the swap has emptied (the application wrote while the
 *   run was down) is set aside under {@code <name>_meanwhile_<run>}, counted and reported, never dropped.</li>
 * </ol>
 * Collections move by rename; time series collections cannot be renamed, so they are copied bucket by
 * bucket (the copy verified before the original is dropped); views are dropped and re-created, the
 * replaced definition remembered. A server error during the swap undoes the renames done so far.
 */
final class SafeSwap {
    private static final Logger LOG = LoggerFactory.getLogger(SafeSwap.class);
    private static final String GENERATION = "mongo.swap.generation";

    /**
     * What the swap did to one collection.
     *
     * @param kept      where the replaced live data is kept (a collection, or a view's definition); empty when nothing was live
     * @param meanwhile collections holding documents written between a crash and the resume, with counts
     * @param written   documents written to the live collection after the backup (-1: not measured)
     * @param how       how {@code written} was measured
     */
    record EntryOutcome(String kept, List<String> meanwhile, long written, String how) {
    }

    /** What the swap did. */
    static final class Outcome {
        private final Map<String, EntryOutcome> byNamespace;

        Outcome(Map<String, EntryOutcome> byNamespace) {
            this.byNamespace = byNamespace;
        }

        EntryOutcome of(String namespace) {
            return byNamespace.get(namespace);
        }

        Map<String, EntryOutcome> all() {
            return byNamespace;
        }
    }

    /** One collection's state, remembered as {@code step;key=value;...}. */
    private static final class State {
        String step = "planned";
        String kept = "";
        long written = -1;
        String how = "";
        List<String> meanwhile = new ArrayList<>();
        String pending = "";
        String copied = "";
        boolean copyIn;

        static State parse(String s) {
            State st = new State();
            String[] parts = s.split(";");
            st.step = parts[0];
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                String k = parts[i].substring(0, eq);
                String v = URLDecoder.decode(parts[i].substring(eq + 1), StandardCharsets.UTF_8);
                switch (k) {
                    case "kept" -> st.kept = v;
                    case "written" -> st.written = Long.parseLong(v);
                    case "how" -> st.how = v;
                    case "meanwhile" -> st.meanwhile = v.isEmpty() ? new ArrayList<>() : new ArrayList<>(List.of(v.split("\n")));
                    case "pending" -> st.pending = v;
                    case "copied" -> st.copied = v;
                    case "copyIn" -> st.copyIn = Boolean.parseBoolean(v);
                    default -> {
                    }
                }
            }
            return st;
        }

        String encode() {
            StringBuilder b = new StringBuilder(step);
            put(b, "kept", kept);
            if (written >= 0) {
                put(b, "written", String.valueOf(written));
                put(b, "how", how);
            }
            put(b, "meanwhile", String.join("\n", meanwhile));
            put(b, "pending", pending);
            put(b, "copied", copied);
            if (copyIn) {
                put(b, "copyIn", "true");
            }
            return b.toString();
        }

        private static void put(StringBuilder b, String k, String v) {
            if (!v.isEmpty()) {
                b.append(';').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        }
    }

    /** One entry of the plan. */
    private record Planned(Kind kind, String db, String name, String temp, String kept, String liveType, Loaded.Entry loaded) {
        String namespace() {
            return db + "." + name;
        }
    }

    private final MongoClient client;
    private final StepContext ctx;
    private final Consumer<String> progress;
    private final String tag;
    private final int generation;
    private final String prefix;
    private final boolean countAtSwap;

    SafeSwap(MongoClient client, StepContext ctx, Consumer<String> progress) {
        this(client, ctx, progress, true);
    }

    /**
     * @param countAtSwap whether the swap counts the data-loss window itself (false: a later step
     *                    counts it on the kept collections, off the downtime)
     */
    SafeSwap(MongoClient client, StepContext ctx, Consumer<String> progress, boolean countAtSwap) {
        this.countAtSwap = countAtSwap;
        this.client = client;
        this.ctx = ctx;
        this.progress = progress;
        this.tag = TempNames.tag(ctx.runId());
        this.generation = generation(ctx);
        this.prefix = "mongo.swap.g" + generation + ".";
    }

    private static int generation(StepContext ctx) {
        return ctx.recall(GENERATION).map(Integer::parseInt).orElse(1);
    }

    /**
     * @param ctx a step's context
     * @return whether this step began a swap in this run that is not undone
     */
    static boolean started(StepContext ctx) {
        return ctx.recall("mongo.swap.g" + generation(ctx) + ".plan").isPresent();
    }

    /**
     * Completes an undo a killed attempt began (a server error during its swap), so that this attempt
     * starts over from the live collections as they were.
     *
     * @param loaded what the earlier attempt loaded
     * @return whether there was one to complete
     */
    boolean completeInterruptedUndo(Loaded loaded) {
        if (ctx.recall(prefix + "undo").isEmpty()) {
            return false;
        }
        List<Planned> plan = recallPlan(loaded).orElseThrow();
        undo(plan, plan.size() - 1);
        progress.accept("an earlier attempt failed during the swap and began to undo it; the undo is complete, the restore starts over");
        return true;
    }

    Outcome run(Loaded loaded) {
        if (ctx.recall(prefix + "undo").isPresent()) {
            List<Planned> plan = recallPlan(loaded).orElseThrow();
            undo(plan, plan.size() - 1);
            throw new MongoRestoreFailedException("An earlier attempt of this step failed during the swap and began to undo it; the undo is now "
                    + "complete: the live collections are as they were before the run, the temporary collections were dropped. Fix: run the "
                    + "step again (resume the run); it restores and swaps again.", List.of(), null);
        }
        List<Planned> plan = recallPlan(loaded).orElseGet(() -> plan(loaded));
        int current = -1;
        try {
            for (int i = 0; i < plan.size(); i++) {
                current = i;
                swapOne(i, plan.get(i));
            }
        } catch (MongoException e) {
            throw failed(plan, current, e);
        }
        Map<String, EntryOutcome> out = new LinkedHashMap<>();
        for (int i = 0; i < plan.size(); i++) {
            State st = state(i);
            out.put(plan.get(i).namespace(), new EntryOutcome(st.kept, List.copyOf(st.meanwhile), st.written, st.how));
        }
        progress.accept("swapped " + plan.size() + " restored collections in");
        return new Outcome(out);
    }

    // ---------------------------------------------------------------------------------- the plan

    private Optional<List<Planned>> recallPlan(Loaded loaded) {
        return ctx.recall(prefix + "plan").map(json -> {
            List<Planned> plan = new ArrayList<>();
            Map<String, Loaded.Entry> byNs = new LinkedHashMap<>();
            loaded.entries().forEach(e -> byNs.put(e.namespace(), e));
            for (BsonValue v : BsonDocument.parse(json).getArray("entries")) {
                BsonDocument d = v.asDocument();
                String ns = d.getString("db").getValue() + "." + d.getString("name").getValue();
                plan.add(new Planned(Kind.valueOf(d.getString("kind").getValue()), d.getString("db").getValue(), d.getString("name").getValue(),
                        d.getString("temp").getValue(), d.getString("kept").getValue(),
                        d.isNull("liveType") ? null : d.getString("liveType").getValue(), byNs.get(ns)));
            }
            return plan;
        });
    }

    /** Records, before the first move, which collections are live; refuses what it cannot account for. */
    private List<Planned> plan(Loaded loaded) {
        List<Planned> plan = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        BsonArray entries = new BsonArray();
        for (Loaded.Entry e : loaded.entries()) {
            MongoDatabase db = client.getDatabase(e.db());
            String kept = TempNames.kept(e.name(), tag);
            String liveType = type(db, e.name());
            if (type(db, e.temp()) == null) {
                problems.add("the restored copy " + e.db() + "." + e.temp() + " of " + e.namespace() + " is gone");
            }
            if (liveType != null && !"view".equals(liveType) && type(db, kept) != null) {
                problems.add(e.db() + "." + kept + " already exists, and this step's memory does not say it created it");
            }
            plan.add(new Planned(e.kind(), e.db(), e.name(), e.temp(), kept, liveType, e));
            entries.add(new BsonDocument("kind", new BsonString(e.kind().name())).append("db", new BsonString(e.db()))
                    .append("name", new BsonString(e.name())).append("temp", new BsonString(e.temp())).append("kept", new BsonString(kept))
                    .append("liveType", liveType == null ? BsonNull.VALUE : new BsonString(liveType)));
        }
        if (!problems.isEmpty()) {
            throw new MongoRestoreFailedException("The swap cannot start: " + String.join("; ", problems) + ". Nothing was changed. Fix: check "
                    + "what those collections hold; rename or drop them by hand, then re-run the step (it restores again if its copy is gone).",
                    plan.stream().map(Planned::namespace).toList(), null);
        }
        // Durable before the first rename: a resume reads which collections were live from here, not from the server.
        ctx.remember(prefix + "plan", new BsonDocument("entries", entries).toJson());
        return plan;
    }

    private State state(int i) {
        return ctx.recall(prefix + i).map(State::parse).orElseGet(State::new);
    }

    private void save(int i, State st) {
        ctx.remember(prefix + i, st.encode());
    }

    // ---------------------------------------------------------------------------------- one collection

    private void swapOne(int i, Planned p) {
        MongoDatabase db = client.getDatabase(p.db());
        State st = state(i);
        while (!st.step.equals("done")) {
            switch (st.step) {
                case "planned" -> {
                    if (p.liveType() != null) {
                        if (countAtSwap) {
                            measureWritten(db, p, st);
                        }
                        st.step = "set-aside";
                    } else {
                        st.step = "swap-in";
                    }
                    save(i, st);
                }
                case "set-aside" -> {
                    setAsideOriginal(i, db, p, st);
                    st.step = "swap-in";
                    st.pending = "";
                    save(i, st);
                }
                case "swap-in" -> {
                    swapIn(i, db, p, st);
                    st.step = "done";
                    st.pending = "";
                    save(i, st);
                }
                default -> throw new IllegalStateException("unknown swap state '" + st.step + "' of " + p.namespace());
            }
        }
    }

    /** Counts what the live side received after the backup, before it is set aside: the data-loss window, measured at the swap. */
    private void measureWritten(MongoDatabase db, Planned p, State st) {
        if (p.kind() != Kind.COLLECTION || !"collection".equals(p.liveType()) || p.loaded() == null) {
            return;
        }
        WrittenSinceBackup w = WrittenSinceBackup.count(db.getCollection(p.name(), BsonDocument.class), p.loaded());
        st.written = w.documents();
        st.how = w.how();
    }

    private void setAsideOriginal(int i, MongoDatabase db, Planned p, State st) {
        String liveT = type(db, p.name());
        if ("view".equals(p.liveType())) {
            if ("view".equals(liveT)) {
                BsonDocument def = definition(db, p.name());
                st.kept = "view definition " + def.toJson();
                save(i, st);
                db.getCollection(p.name()).drop();
            }
            return;
        }
        String keptT = type(db, p.kept());
        if (liveT != null && keptT == null) {
            move(i, db, p.name(), p.kept(), liveT, st);
        } else if (liveT != null && "timeseries".equals(liveT) && !p.kept().equals(st.copied)) {
            db.getCollection(p.kept()).drop();   // a copy an earlier attempt did not finish; the original is intact
            move(i, db, p.name(), p.kept(), liveT, st);
        } else if (liveT != null && "timeseries".equals(liveT)) {
            finishCopy(db, p.name(), p.kept());
        } else if (liveT == null && keptT == null) {
            LOG.warn("{} was live when the swap was planned but is gone now; nothing to keep", p.namespace());
            progress.accept(p.namespace() + " was live when the swap was planned but was dropped by someone else before it was set aside");
            return;
        }
        // liveT != null && keptT != null for a renamed collection: the original was set aside, the application
        // re-created the collection since; the swap-in step sets that aside as written meanwhile.
        st.kept = p.kept();
    }

    private void swapIn(int i, MongoDatabase db, Planned p, State st) {
        if (!st.pending.isEmpty() && type(db, st.pending) != null && st.meanwhile.stream().noneMatch(m -> m.startsWith(st.pending + " "))) {
            st.meanwhile.add(st.pending + " (" + count(db, st.pending) + " documents)");
            st.pending = "";
            save(i, st);
        }
        String liveT = type(db, p.name());
        String tempT = type(db, p.temp());
        if (tempT == null) {
            if (liveT != null) {
                return;   // the earlier attempt's move completed
            }
            throw new MongoRestoreFailedException("The restored copy " + p.db() + "." + p.temp() + " of " + p.namespace() + " is gone and "
                    + p.namespace() + " does not exist. Kept data: " + (st.kept.isEmpty() ? "none" : p.db() + "." + st.kept)
                    + ". Fix: restore this collection again (a new run), and tell the team.", List.of(p.namespace()), null);
        }
        if (liveT != null) {
            if (p.kind() == Kind.VIEW && "view".equals(liveT) && definition(db, p.name()).equals(definition(db, p.temp()))) {
                db.getCollection(p.temp()).drop();
                return;
            }
            String mw = nextMeanwhile(db, p.name(), st);
            st.pending = mw;
            save(i, st);
            move(i, db, p.name(), mw, liveT, st);
            String note = st.copyIn ? "; it may hold part of the restore's own copy, interrupted" : "";
            st.meanwhile.add(mw + " (" + count(db, mw) + " documents" + note + ")");
            st.pending = "";
            save(i, st);
            progress.accept("documents written to " + p.namespace() + " while the run was interrupted were set aside in " + p.db() + "." + mw);
        }
        switch (p.kind()) {
            case VIEW -> {
                BsonDocument create = new BsonDocument("create", new BsonString(p.name()));
                definition(db, p.temp()).forEach(create::put);
                db.runCommand(create);
                db.getCollection(p.temp()).drop();
            }
            case TIMESERIES -> {
                st.copyIn = true;
                save(i, st);
                copyTimeseries(db, p.temp(), p.name());
                db.getCollection(p.temp()).drop();
            }
            default -> rename(db, p.temp(), p.name());
        }
    }

    private String nextMeanwhile(MongoDatabase db, String name, State st) {
        int n = st.meanwhile.size() + 1;
        String candidate = TempNames.meanwhile(name, tag, n);
        while (type(db, candidate) != null) {
            n++;
            candidate = TempNames.meanwhile(name, tag, n);
        }
        return candidate;
    }

    /** Moves a live collection aside: rename, or (time series) a verified copy, then the original dropped. */
    private void move(int i, MongoDatabase db, String from, String to, String fromType, State st) {
        switch (fromType) {
            case "timeseries" -> {
                copyTimeseries(db, from, to);
                st.copied = to;
                save(i, st);
                finishCopy(db, from, to);
            }
            case "view" -> {
                // a view holds no documents: its definition is what there is to keep
                BsonDocument create = new BsonDocument("create", new BsonString(to));
                definition(db, from).forEach(create::put);
                db.runCommand(create);
                db.getCollection(from).drop();
            }
            default -> rename(db, from, to);
        }
    }

    private void finishCopy(MongoDatabase db, String from, String to) {
        long a = db.getCollection("system.buckets." + from).countDocuments();
        long b = db.getCollection("system.buckets." + to).countDocuments();
        if (a != b) {
            throw new MongoRestoreFailedException("The copy of time series " + db.getName() + "." + from + " into " + to + " holds " + b
                    + " buckets, the original " + a + "; the original was kept. Fix: re-run the step.", List.of(db.getName() + "." + from), null);
        }
        db.getCollection(from).drop();
    }

    /** Time series collections cannot be renamed: created with the same options, buckets copied, indexes re-created. */
    private static void copyTimeseries(MongoDatabase db, String from, String to) {
        BsonDocument info = RestoreEngine.collectionInfo(db, from);
        if (RestoreEngine.collectionInfo(db, to) == null) {
            BsonDocument create = new BsonDocument("create", new BsonString(to));
            info.getDocument("options", new BsonDocument()).forEach(create::put);
            db.runCommand(create);
        }
        MongoCollection<RawBsonDocument> target = db.getCollection("system.buckets." + to, RawBsonDocument.class);
        List<RawBsonDocument> batch = new ArrayList<>();
        try (MongoCursor<RawBsonDocument> c = db.getCollection("system.buckets." + from, RawBsonDocument.class).find().iterator()) {
            while (c.hasNext()) {
                batch.add(c.next());
                if (batch.size() == 1000) {
                    target.insertMany(batch, new InsertManyOptions().ordered(false));
                    batch = new ArrayList<>();
                }
            }
        }
        if (!batch.isEmpty()) {
            target.insertMany(batch, new InsertManyOptions().ordered(false));
        }
        BsonArray specs = new BsonArray();
        for (BsonDocument idx : db.getCollection(from).listIndexes(BsonDocument.class)) {
            if (!"_id_".equals(IndexSpecs.name(idx))) {
                specs.add(IndexSpecs.forCreate(idx));
            }
        }
        if (!specs.isEmpty()) {
            db.runCommand(new BsonDocument("createIndexes", new BsonString(to)).append("indexes", specs)
                    .append("ignoreUnknownIndexOptions", BsonBoolean.TRUE));
        }
    }

    private static BsonDocument definition(MongoDatabase db, String view) {
        BsonDocument info = RestoreEngine.collectionInfo(db, view);
        return info == null ? new BsonDocument() : info.getDocument("options", new BsonDocument());
    }

    private static long count(MongoDatabase db, String name) {
        String t = type(db, name);
        if ("view".equals(t)) {
            return 0;
        }
        return db.getCollection("timeseries".equals(t) ? "system.buckets." + name : name).countDocuments();
    }

    static String type(MongoDatabase db, String name) {
        BsonDocument info = RestoreEngine.collectionInfo(db, name);
        return info == null ? null : info.getString("type", new BsonString("collection")).getValue();
    }

    private static void rename(MongoDatabase db, String from, String to) {
        db.getCollection(from).renameCollection(new MongoNamespace(db.getName(), to));
    }

    // ---------------------------------------------------------------------------------- failures

    private RuntimeException failed(List<Planned> plan, int failing, MongoException e) {
        String where = failing >= 0 ? plan.get(failing).namespace() : "?";
        boolean renamesOnly = true;
        for (int j = 0; j <= failing; j++) {
            Planned p = plan.get(j);
            boolean touched = !state(j).step.equals("planned") || j == failing;
            if (touched && (p.kind() != Kind.COLLECTION || (p.liveType() != null && !"collection".equals(p.liveType())))) {
                renamesOnly = false;
            }
        }
        if (!renamesOnly) {
            return new MongoServerException("Swapping the restored collections in failed at " + where + ": " + e.getMessage() + ". The swap's "
                    + "state is in the step memory: " + describe(plan) + ". Fix: resolve the server error and resume the run; the swap completes "
                    + "forward from where it stopped.", e);
        }
        String undo;
        try {
            ctx.remember(prefix + "undo", "started");
            undo(plan, failing);
            undo = "The swap was undone: the live collections are as they were before the restore, and the temporary collections were dropped.";
        } catch (MongoException ex) {
            undo = "The swap could not be fully undone (" + ex.getMessage() + "): " + describe(plan) + ". Resuming the run completes the undo.";
        }
        return new MongoServerException("Swapping restored collection " + (failing >= 0 ? plan.get(failing).temp() : "") + " into " + where
                + " failed: " + e.getMessage() + ". " + undo + " Fix: resolve the server error and re-run the step; it restores again and swaps again.", e);
    }

    /** Puts every collection back as it was before the swap began, then starts a new generation of the swap's memory. */
    private void undo(List<Planned> plan, int last) {
        for (int j = Math.min(last, plan.size() - 1); j >= 0; j--) {
            Planned p = plan.get(j);
            MongoDatabase db = client.getDatabase(p.db());
            State st = state(j);
            if (st.step.equals("planned")) {
                continue;
            }
            String liveT = type(db, p.name());
            String tempT = type(db, p.temp());
            if (tempT == null && liveT != null && (st.step.equals("done") || st.step.equals("swap-in"))) {
                rename(db, p.name(), p.temp());
            }
            if (type(db, p.kept()) != null && type(db, p.name()) == null) {
                rename(db, p.kept(), p.name());
            }
        }
        for (Planned p : plan) {
            MongoDatabase db = client.getDatabase(p.db());
            if (type(db, p.temp()) != null) {
                db.getCollection(p.temp()).drop();
            }
        }
        ctx.remember(GENERATION, String.valueOf(generation + 1));
    }

    private String describe(List<Planned> plan) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            Planned p = plan.get(i);
            State st = state(i);
            parts.add(p.namespace() + ": " + st.step + (st.kept.isEmpty() ? "" : ", original kept in " + st.kept));
        }
        return String.join("; ", parts);
    }
}
