package dev.rollback.mongo.internal;

import dev.rollback.mongo.CorruptBackupException;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Reads a mongodump archive ({@code mongodump --archive}, plain or gzip-compressed as a whole)
 * as mongo-tools' {@code common/archive} writes it: the magic number {@code 0x8199e26d}
 * (little-endian), a header document ({@code concurrent_collections}, {@code version},
 * {@code server_version}, {@code tool_version}), one document per collection
 * ({@code db}, {@code collection}, {@code metadata} as canonical extended JSON, {@code size},
 * {@code type}) and a terminator {@code 0xFFFFFFFF}; then blocks, each a namespace header
 * ({@code db}, {@code collection}, {@code EOF}, {@code CRC}) followed by documents and a
 * terminator. Namespaces are interleaved; a namespace ends with a header whose {@code EOF} is true
 * and whose {@code CRC} is the CRC-64 (ECMA) of all its documents' bytes, which is checked.
 * Streaming: one document in memory at a time.
 */
public final class ArchiveReader implements AutoCloseable {
    /** The magic number at the start of every archive. */
    public static final int MAGIC = 0x8199e26d;

    /**
     * The archive's header.
     *
     * @param concurrentCollections collections dumped concurrently
     * @param version               the archive format version ({@code 0.1})
     * @param serverVersion         the MongoDB version dumped from
     * @param toolVersion           the mongodump (or library) version that wrote it
     */
    public record Header(int concurrentCollections, String version, String serverVersion, String toolVersion) {
    }

    /**
     * One collection of the prelude.
     *
     * @param db         database ({@code ""} for the oplog)
     * @param collection collection
     * @param metadata   the metadata as canonical extended JSON, or empty
     * @param size       uncompressed size the dump announced
     * @param type       {@code collection}, {@code view}, {@code timeseries}, or empty
     */
    public record PreludeEntry(String db, String collection, String metadata, long size, String type) {
        /** @return {@code db.collection} */
        public String namespace() {
            return db + "." + collection;
        }

        /** @return the namespace the documents come under: {@code db.system.buckets.<c>} for a time series */
        public String dataNamespace() {
            return "timeseries".equals(type) ? db + ".system.buckets." + collection : namespace();
        }
    }

    /** Receives the body of an archive. */
    public interface BodyConsumer {
        /**
         * @param namespace {@code db.collection}
         * @param document  the next document of that namespace
         */
        void document(String namespace, RawBsonDocument document);

        /**
         * @param namespace {@code db.collection}, whose documents all arrived and whose checksum matched
         * @param documents how many
         */
        default void end(String namespace, long documents) {
        }
    }

    private final Path file;
    private final boolean gzip;
    private final BsonFileReader reader;
    private final Header header;
    private final List<PreludeEntry> prelude;
    private long lastOffset;

    private ArchiveReader(Path file, boolean gzip, BsonFileReader reader, Header header, List<PreludeEntry> prelude) {
        this.file = file;
        this.gzip = gzip;
        this.reader = reader;
        this.header = header;
        this.prelude = List.copyOf(prelude);
    }

    /**
     * @param file a file
     * @return whether it starts like a mongodump archive, plain or gzip
     */
    public static boolean looksLikeArchive(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(4);
            if (b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
                return true;
            }
            return b.length == 4 && littleEndian(b) == MAGIC;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Opens an archive and reads its prelude.
     *
     * @param file     the archive
     * @param validate whether to walk every document of the body
     * @return the reader, positioned at the body
     * @throws CorruptBackupException naming the file and offset when it is not an archive or is damaged
     */
    public static ArchiveReader open(Path file, boolean validate) {
        InputStream in = null;
        try {
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            // read (and, for gzip, decompressed) on a thread of its own, ahead of the framing: at most 4 MiB ahead
            in = new BufferedInputStream(new ReadAhead(gzip ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 20, 4), 1 << 16);
            byte[] magic = in.readNBytes(4);
            if (magic.length < 4 || littleEndian(magic) != MAGIC) {
                in.close();
                throw new CorruptBackupException(file, 0, (gzip ? "the gzip stream" : "the file") + " does not start with mongodump's archive magic "
                        + "number 0x8199e26d; it is not a mongodump archive" + (gzip ? "" : " (a gzip-compressed archive starts with 1f 8b)"), null);
            }
            BsonFileReader r = BsonFileReader.overArchive(file, in, validate);
            RawBsonDocument h = r.next();
            if (h == null || h == BsonFileReader.TERMINATOR) {
                r.close();
                throw r.corruptHere("the archive has no header document after the magic number");
            }
            Header header = header(h);
            List<PreludeEntry> prelude = new ArrayList<>();
            RawBsonDocument d;
            while ((d = r.next()) != BsonFileReader.TERMINATOR) {
                if (d == null) {
                    r.close();
                    throw r.corruptHere("the archive ends inside its prelude (no terminator after the collection list)");
                }
                prelude.add(new PreludeEntry(string(d, "db"), string(d, "collection"), string(d, "metadata"),
                        d.containsKey("size") && d.get("size").isNumber() ? d.get("size").asNumber().longValue() : 0, string(d, "type")));
            }
            return new ArchiveReader(file, gzip, r, header, prelude);
        } catch (IOException e) {
            closeQuietly(in);
            throw new CorruptBackupException(file, 0, "cannot read it: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(in);
            throw e;
        }
    }

    private static Header header(BsonDocument h) {
        BsonValue cc = h.get("concurrent_collections");
        return new Header(cc != null && cc.isNumber() ? cc.asNumber().intValue() : 0, string(h, "version"), string(h, "server_version"),
                string(h, "tool_version"));
    }

    private static String string(BsonDocument d, String key) {
        BsonValue v = d.get(key);
        return v != null && v.isString() ? v.asString().getValue() : "";
    }

    private static int littleEndian(byte[] b) {
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    /** @return whether the whole archive is gzip-compressed */
    public boolean gzip() {
        return gzip;
    }

    /** @return the header */
    public Header header() {
        return header;
    }

    /** @return the collections the prelude announces, in order */
    public List<PreludeEntry> prelude() {
        return prelude;
    }

    /**
     * Streams the body to a consumer, checking framing, namespace headers and checksums; at the
     * end, every namespace the prelude announced must have ended.
     *
     * @param consumer receives documents and namespace ends
     * @throws CorruptBackupException naming the file, offset and namespace when the archive is damaged or truncated
     */
    public void readBody(BodyConsumer consumer) {
        Set<String> expected = new LinkedHashSet<>();
        for (PreludeEntry e : prelude) {
            expected.add(e.dataNamespace());
        }
        Map<String, Crc64> open = new HashMap<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        Set<String> closed = new LinkedHashSet<>();
        while (true) {
            RawBsonDocument h = reader.next();
            if (h == null) {
                break;
            }
            if (h == BsonFileReader.TERMINATOR) {
                throw reader.corruptHere("two terminators in a row (a block without a namespace header)");
            }
            String db = string(h, "db");
            String coll = string(h, "collection");
            if (coll.isEmpty()) {
                throw reader.corruptHere("a block header without a collection: " + h.toJson());
            }
            String ns = db + "." + coll;
            boolean eof = h.containsKey("EOF") && h.get("EOF").isBoolean() && h.getBoolean("EOF").getValue();
            if (closed.contains(ns)) {
                throw reader.corruptHere("namespace " + ns + " continues after its EOF header");
            }
            Crc64 crc = open.computeIfAbsent(ns, k -> new Crc64());
            counts.putIfAbsent(ns, 0L);
            if (eof) {
                long declared = h.containsKey("CRC") && h.get("CRC").isNumber() ? h.get("CRC").asNumber().longValue() : 0;
                if (declared != crc.value()) {
                    throw reader.corruptHere("the checksum of namespace " + ns + " does not match (CRC-64 " + crc.value() + ", the archive says "
                            + declared + "): its documents were damaged");
                }
                open.remove(ns);
                closed.add(ns);
                consumer.end(ns, counts.get(ns));
            }
            RawBsonDocument d;
            while ((d = reader.next()) != BsonFileReader.TERMINATOR) {
                if (d == null) {
                    throw reader.corruptHere("the archive ends inside a block of namespace " + ns + " (it is truncated)");
                }
                if (eof) {
                    throw reader.corruptHere("documents after the EOF header of namespace " + ns);
                }
                ByteBuffer buf = d.getByteBuffer().asNIO();
                crc.update(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
                counts.merge(ns, 1L, Long::sum);
                lastOffset = reader.offset() - buf.remaining();
                consumer.document(ns, d);
            }
        }
        if (!open.isEmpty()) {
            throw reader.corruptHere("the archive ends before namespaces " + open.keySet() + " were complete (it is truncated)");
        }
        expected.removeAll(closed);
        if (!expected.isEmpty()) {
            throw reader.corruptHere("the archive ends before the collections " + expected + " announced in its prelude appeared (it is truncated)");
        }
    }

    /** @return the offset, in the uncompressed stream, of the document last handed to the consumer */
    public long lastOffset() {
        return lastOffset;
    }

    /** @return the archive file */
    public Path file() {
        return file;
    }

    @Override
    public void close() {
        reader.close();
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }
}
