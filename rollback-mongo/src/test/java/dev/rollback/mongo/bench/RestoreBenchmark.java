package dev.rollback.mongo.bench;

import dev.rollback.test.TestStepContext;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;
import dev.rollback.mongo.Mongo;
import dev.rollback.mongo.RestoreResult;
import dev.rollback.mongo.RestoreStrategy;
import dev.rollback.mongo.internal.ArchiveReader;
import dev.rollback.mongo.internal.ArchiveWriter;
import dev.rollback.mongo.internal.BsonFileReader;
import dev.rollback.mongo.internal.BsonFileWriter;
import org.bson.BsonArray;
import org.bson.BsonDateTime;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Restores N documents (default 1 000 000, in 4 collections) from a mongodump folder and from a
 * mongodump archive of the same documents (plain and gzip, namespaces interleaved by chunks of 1000
 * documents as mongodump's parallel dump writes them) into mongo-java-server running in a child
 * JVM, and prints documents per second and the client's peak heap:
 * <ol>
 *   <li>a hand-written best-practice loop: read the .bson files, insertMany(ordered=false) in batches of 1000;</li>
 *   <li>this library, {@link RestoreStrategy#DROP_EXISTING};</li>
 *   <li>this library, {@link RestoreStrategy#SAFE_SWAP} (temporary collections, checks, rename), from the folder;</li>
 *   <li>the same from the archive, plain and gzip (issue 14: at least as fast as the folder, heap at most 512 MB).</li>
 * </ol>
 * Usage, from the repository root (see docs/performance.md#mongodb-restore-rollback-mongo):
 * {@code JAVA_OPTS=-Xmx512m scripts/run-main rollback-mongo dev.rollback.mongo.bench.RestoreBenchmark [documents] [collections] [pairs [rounds]]};
 * with {@code pairs}, only the folder-against-archive comparison, alternated round after round.
 * {@code JAVA_OPTS} caps the benchmark's (the client's) heap; the server JVM gets {@code -Dbench.serverHeap} (default 6g).
 */
public final class RestoreBenchmark {
    private RestoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long documents = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int collections = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path dir = Files.createTempDirectory("mongo-bench");
        Path dump = dir.resolve("dump/bench");
        Files.createDirectories(dump);
        long bytes = writeDump(dump, documents, collections);
        Path dumpGz = dir.resolve("dumpgz/bench");
        Files.createDirectories(dumpGz);
        gzipCopy(dump, dumpGz);
        Path archive = dir.resolve("dump.archive");
        Path archiveGz = dir.resolve("dump.archive.gz");
        writeArchive(dump, archive, false);
        writeArchive(dump, archiveGz, true);
        System.out.printf(Locale.ROOT, "archive: %,d bytes; gzip archive: %,d bytes%n", Files.size(archive), Files.size(archiveGz));
        System.out.printf(Locale.ROOT, "dump: %,d documents in %d collections, %,d bytes of BSON (avg %d bytes/doc)%n",
                documents, collections, bytes, bytes / documents);
        System.out.printf(Locale.ROOT, "client JVM: max heap %d MB, %d cores%n", Runtime.getRuntime().maxMemory() >> 20,
                Runtime.getRuntime().availableProcessors());

        Process server = startServer();
        try {
            String uri = "mongodb://127.0.0.1:" + port(server);
            try (MongoClient client = MongoClients.create(uri)) {
                if (args.length > 2 && args[2].equals("pairs")) {
                    int pairs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
                    pairs(client, uri, documents, dir, dump, dumpGz, archive, archiveGz, pairs);
                    return;
                }
                System.out.println("| variant | documents | seconds | documents/s | client peak heap (MB) |");
                System.out.println("|---|---:|---:|---:|---:|");
                for (int round = 0; round < 2; round++) {
                    // round 0 warms up the JIT and the server; round 1 is reported
                    boolean report = round == 1;
                    run(report, "hand-written insertMany loop (batch 1000, unordered)", documents, client, () -> handWritten(client, dump));
                    run(report, "library, DROP_EXISTING (parallel 2, batch 1000)", documents, client, () ->
                            Mongo.at(uri).database("bench").restoreFrom(dump).replaceExisting().run(TestStepContext.in(dir.resolve("run")).runId("bench")));
                    run(report, "library, DROP_EXISTING, parallel 1", documents, client, () ->
                            Mongo.at(uri).database("bench").restoreFrom(dump).replaceExisting().parallelCollections(1).run(TestStepContext.in(dir.resolve("run")).runId("bench")));
                    run(report, "library, DROP_EXISTING, validation off", documents, client, () ->
                            Mongo.at(uri).database("bench").restoreFrom(dump).replaceExisting().withoutValidation().run(TestStepContext.in(dir.resolve("run")).runId("bench")));
                    run(report, "library, SAFE_SWAP (default), directory", documents, client, () -> safeSwap(uri, dump, dir));
                    run(report, "library, SAFE_SWAP (default), archive", documents, client, () -> safeSwap(uri, archive, dir));
                    run(report, "library, SAFE_SWAP (default), directory gzip", documents, client, () -> safeSwap(uri, dumpGz, dir));
                    run(report, "library, SAFE_SWAP (default), archive gzip", documents, client, () -> safeSwap(uri, archiveGz, dir));
                    run(report, "library, DROP_EXISTING, archive", documents, client, () ->
                            Mongo.at(uri).database("bench").restoreFrom(archive).replaceExisting().run(TestStepContext.in(dir.resolve("run")).runId("bench")));
                }
            }
        } finally {
            server.getOutputStream().close();
            server.waitFor();
        }
    }

    static void safeSwap(String uri, Path backup, Path dir) {
        RestoreResult r = Mongo.at(uri).database("bench").restoreFrom(backup).run(TestStepContext.in(dir.resolve("run")).runId("bench" + System.nanoTime()));
        if (r.collections().stream().anyMatch(c -> !c.previousData().isEmpty())) {
            throw new IllegalStateException("the database was dropped before the run; nothing should have been replaced");
        }
    }

    /** The folder as mongodump --gzip writes it: .bson.gz and .metadata.json.gz. */
    static void gzipCopy(Path from, Path to) throws IOException {
        try (var s = Files.list(from)) {
            for (Path f : s.toList()) {
                try (var in = Files.newInputStream(f);
                     var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(to.resolve(f.getFileName() + ".gz")), 1 << 16)) {
                    in.transferTo(out);
                }
            }
        }
    }

    /** The folder's documents as a mongodump archive, namespaces interleaved by chunks of 1000 as a parallel mongodump writes them. */
    static void writeArchive(Path folder, Path file, boolean gzip) throws IOException {
        List<Path> files;
        try (var s = Files.list(folder)) {
            files = s.filter(p -> p.toString().endsWith(".bson")).sorted().toList();
        }
        try (ArchiveWriter w = ArchiveWriter.create(file, gzip, new ArchiveReader.Header(files.size(), "0.1", "7.0.0", "bench"))) {
            for (Path f : files) {
                String name = f.getFileName().toString().replace(".bson", "");
                w.announce(new ArchiveReader.PreludeEntry("bench", name, Files.readString(folder.resolve(name + ".metadata.json")), Files.size(f),
                        "collection"));
            }
            List<BsonFileReader> readers = new ArrayList<>();
            for (Path f : files) {
                readers.add(BsonFileReader.open(f, false));
            }
            boolean more = true;
            while (more) {
                more = false;
                for (int i = 0; i < readers.size(); i++) {
                    String name = files.get(i).getFileName().toString().replace(".bson", "");
                    for (int k = 0; k < 1000; k++) {
                        RawBsonDocument d = readers.get(i).next();
                        if (d == null) {
                            break;
                        }
                        w.write("bench", name, d);
                        more = true;
                    }
                }
            }
            for (int i = 0; i < readers.size(); i++) {
                readers.get(i).close();
                w.end("bench", files.get(i).getFileName().toString().replace(".bson", ""));
            }
        }
    }

    /**
     * Folder against archive, alternated so that both see the same machine: a warm-up, then {@code pairs} rounds of
     * directory, archive, directory gzip, archive gzip (SAFE_SWAP, the defaults); each time and the medians.
     */
    static void pairs(MongoClient client, String uri, long documents, Path dir, Path dump, Path dumpGz, Path archive, Path archiveGz, int pairs)
            throws Exception {
        Path[] backups = {dump, archive, dumpGz, archiveGz};
        String[] labels = {"directory", "archive", "directory gzip", "archive gzip"};
        for (Path b : backups) {
            run(false, "warm-up", documents, client, () -> safeSwap(uri, b, dir));
        }
        double[][] seconds = new double[4][pairs];
        long[][] heap = new long[4][pairs];
        for (int round = 0; round < pairs; round++) {
            for (int v = 0; v < 4; v++) {
                Path b = backups[v];
                double[] out = measure(documents, client, () -> safeSwap(uri, b, dir));
                seconds[v][round] = out[0];
                heap[v][round] = (long) out[1];
            }
        }
        System.out.println("| SAFE_SWAP from | documents | seconds, each round | median seconds | median documents/s | max client peak heap (MB) |");
        System.out.println("|---|---:|---|---:|---:|---:|");
        for (int v = 0; v < 4; v++) {
            double[] sorted = seconds[v].clone();
            java.util.Arrays.sort(sorted);
            double median = sorted[pairs / 2];
            StringBuilder each = new StringBuilder();
            for (double x : seconds[v]) {
                each.append(each.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", x));
            }
            System.out.printf(Locale.ROOT, "| %s | %,d | %s | %.1f | %,.0f | %d |%n", labels[v], documents, each, median, documents / median,
                    java.util.Arrays.stream(heap[v]).max().orElse(0));
        }
    }

    static double[] measure(long documents, MongoClient client, Work work) throws Exception {
        double[] out = new double[2];
        client.getDatabase("bench").drop();
        System.gc();
        List<MemoryPoolMXBean> heapPools = new ArrayList<>();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
                heapPools.add(p);
            }
        }
        long start = System.nanoTime();
        work.run();
        out[0] = (System.nanoTime() - start) / 1e9;
        out[1] = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() >> 20;
        long count = 0;
        for (String c : client.getDatabase("bench").listCollectionNames()) {
            count += client.getDatabase("bench").getCollection(c).estimatedDocumentCount();
        }
        if (count != documents) {
            throw new IllegalStateException(count + " documents restored, expected " + documents);
        }
        return out;
    }

    interface Work {
        void run() throws Exception;
    }

    static void run(boolean report, String label, long documents, MongoClient client, Work work) throws Exception {
        double[] m = measure(documents, client, work);
        if (report) {
            System.out.printf(Locale.ROOT, "| %s | %,d | %.1f | %,.0f | %d |%n", label, documents, m[0], documents / m[0], (long) m[1]);
        }
    }

    /** The baseline: what a careful engineer writes by hand. */
    static void handWritten(MongoClient client, Path dump) throws IOException {
        InsertManyOptions unordered = new InsertManyOptions().ordered(false);
        try (var files = Files.list(dump)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".bson")).sorted().toList()) {
                String name = f.getFileName().toString().replace(".bson", "");
                MongoCollection<RawBsonDocument> coll = client.getDatabase("bench").getCollection(name, RawBsonDocument.class);
                try (InputStream raw = new BufferedInputStream(Files.newInputStream(f), 1 << 16); DataInputStream in = new DataInputStream(raw)) {
                    List<RawBsonDocument> batch = new ArrayList<>(1000);
                    byte[] header = new byte[4];
                    while (true) {
                        try {
                            in.readFully(header);
                        } catch (EOFException e) {
                            break;
                        }
                        int len = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16 | (header[3] & 0xff) << 24;
                        byte[] doc = new byte[len];
                        System.arraycopy(header, 0, doc, 0, 4);
                        in.readFully(doc, 4, len - 4);
                        batch.add(new RawBsonDocument(doc));
                        if (batch.size() == 1000) {
                            coll.insertMany(batch, unordered);
                            batch = new ArrayList<>(1000);
                        }
                    }
                    if (!batch.isEmpty()) {
                        coll.insertMany(batch, unordered);
                    }
                }
            }
        }
    }

    static long writeDump(Path dir, long documents, int collections) throws IOException {
        long bytes = 0;
        BsonDocumentCodec codec = new BsonDocumentCodec();
        for (int c = 0; c < collections; c++) {
            long n = documents / collections + (c < documents % collections ? 1 : 0);
            try (BsonFileWriter w = BsonFileWriter.create(dir.resolve("c" + c + ".bson"))) {
                for (long i = 0; i < n; i++) {
                    BsonDocument d = new BsonDocument("_id", new BsonObjectId(new ObjectId()))
                            .append("i", new BsonInt32((int) i))
                            .append("name", new BsonString("customer " + i))
                            .append("amount", new BsonDecimal128(new Decimal128(BigDecimal.valueOf(i, 2))))
                            .append("at", new BsonDateTime(1_700_000_000_000L + i))
                            .append("tags", new BsonArray(List.of(new BsonString("a"), new BsonString("b"))))
                            .append("address", new BsonDocument("city", new BsonString("Lyon")).append("zip", new BsonString("69001")));
                    w.write(new RawBsonDocument(d, codec));
                }
                bytes += w.bytes();
            }
            Files.writeString(dir.resolve("c" + c + ".metadata.json"),
                    "{\"indexes\":[{\"v\":{\"$numberInt\":\"2\"},\"key\":{\"_id\":{\"$numberInt\":\"1\"}},\"name\":\"_id_\"}],\"collectionName\":\"c" + c + "\"}");
        }
        return bytes;
    }

    static Process startServer() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx" + System.getProperty("bench.serverHeap", "6g"), "-cp", System.getProperty("java.class.path"),
                BenchServer.class.getName());
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    static int port(Process server) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("PORT ")) {
                return Integer.parseInt(line.substring(5).trim());
            }
        }
        throw new IllegalStateException("the benchmark server did not start");
    }
}
