package dev.rollback.mongo.internal;

import dev.rollback.core.OwnerOnlyFiles;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a mongodump archive exactly as mongo-tools' multiplexer does (see {@link ArchiveReader}
 * for the layout): magic number, header, prelude, terminator; then for each run of documents of one
 * namespace a header, the documents and a terminator, and for each namespace an EOF header with the
 * CRC-64 (ECMA) of its documents, followed by a terminator. Namespaces may be interleaved. With
 * gzip, the whole stream is compressed, as {@code mongodump --archive --gzip} does.
 */
public final class ArchiveWriter implements AutoCloseable {
    private static final byte[] TERMINATOR = {-1, -1, -1, -1};
    private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();

    private final OutputStream out;
    private final List<ArchiveReader.PreludeEntry> prelude = new ArrayList<>();
    private final Map<String, Crc64> crcs = new HashMap<>();
    private final ArchiveReader.Header header;
    private boolean preludeWritten;
    private String current;
    private long bytes;

    private ArchiveWriter(OutputStream out, ArchiveReader.Header header) {
        this.out = out;
        this.header = header;
    }

    /**
     * Creates (or replaces) an archive file, readable by the owner only.
     *
     * @param file   the file
     * @param gzip   whether to compress the whole stream
     * @param header the header to write
     * @return the writer
     * @throws IOException when the file cannot be created
     */
    public static ArchiveWriter create(Path file, boolean gzip, ArchiveReader.Header header) throws IOException {
        OutputStream raw = OwnerOnlyFiles.newOutputStream(file);
        OutputStream o = gzip ? new BufferedOutputStream(new GZIPOutputStream(raw, 1 << 16), 1 << 16) : new BufferedOutputStream(raw, 1 << 16);
        return new ArchiveWriter(o, header);
    }

    /**
     * Announces a collection in the prelude; all announcements come before the first document.
     *
     * @param entry the collection
     */
    public void announce(ArchiveReader.PreludeEntry entry) {
        if (preludeWritten) {
            throw new IllegalStateException("the prelude was already written");
        }
        prelude.add(entry);
    }

    private void writePrelude() throws IOException {
        if (preludeWritten) {
            return;
        }
        preludeWritten = true;
        out.write(new byte[]{0x6d, (byte) 0xe2, (byte) 0x99, (byte) 0x81});
        write(new BsonDocument("concurrent_collections", new BsonInt32(header.concurrentCollections()))
                .append("version", new BsonString(header.version()))
                .append("server_version", new BsonString(header.serverVersion()))
                .append("tool_version", new BsonString(header.toolVersion())));
        for (ArchiveReader.PreludeEntry e : prelude) {
            write(new BsonDocument("db", new BsonString(e.db())).append("collection", new BsonString(e.collection()))
                    .append("metadata", new BsonString(e.metadata())).append("size", new BsonInt32((int) Math.min(Integer.MAX_VALUE, e.size())))
                    .append("type", new BsonString(e.type())));
        }
        out.write(TERMINATOR);
    }

    /**
     * Appends a document of a namespace.
     *
     * @param db         the database
     * @param collection the collection the documents belong to ({@code system.buckets.<name>} for a time series)
     * @param document   the document
     * @throws IOException when writing fails
     */
    public void write(String db, String collection, RawBsonDocument document) throws IOException {
        writePrelude();
        String ns = db + "." + collection;
        if (!ns.equals(current)) {
            if (current != null) {
                out.write(TERMINATOR);
            }
            write(namespaceHeader(db, collection, false, 0));
            current = ns;
        }
        ByteBuffer buf = document.getByteBuffer().asNIO();
        byte[] b;
        int off;
        int len = buf.remaining();
        if (buf.hasArray()) {
            b = buf.array();
            off = buf.arrayOffset() + buf.position();
        } else {
            b = new byte[len];
            buf.get(b);
            off = 0;
        }
        out.write(b, off, len);
        crcs.computeIfAbsent(ns, k -> new Crc64()).update(b, off, len);
        bytes += len;
    }

    /**
     * Ends a namespace: its EOF header with the checksum of its documents.
     *
     * @param db         the database
     * @param collection the collection
     * @throws IOException when writing fails
     */
    public void end(String db, String collection) throws IOException {
        writePrelude();
        if (current != null) {
            out.write(TERMINATOR);
            current = null;
        }
        Crc64 crc = crcs.remove(db + "." + collection);
        write(namespaceHeader(db, collection, true, crc == null ? 0 : crc.value()));
        out.write(TERMINATOR);
    }

    /** @return bytes of documents written so far */
    public long bytes() {
        return bytes;
    }

    private static BsonDocument namespaceHeader(String db, String collection, boolean eof, long crc) {
        return new BsonDocument("db", new BsonString(db)).append("collection", new BsonString(collection))
                .append("EOF", BsonBoolean.valueOf(eof)).append("CRC", new BsonInt64(crc));
    }

    private void write(BsonDocument doc) throws IOException {
        RawBsonDocument raw = new RawBsonDocument(doc, CODEC);
        ByteBuffer buf = raw.getByteBuffer().asNIO();
        out.write(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
    }

    @Override
    public void close() throws IOException {
        writePrelude();
        out.close();
    }
}
