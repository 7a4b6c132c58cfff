package dev.rollback.mongo.internal;

import dev.rollback.core.OwnerOnlyFiles;

import org.bson.RawBsonDocument;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes documents back to back, as mongodump does, optionally gzip-compressed (a name ending in
 * {@code .gz}). The raw bytes of each {@link RawBsonDocument} are copied as they are.
 */
public final class BsonFileWriter implements AutoCloseable {
    private final OutputStream out;
    private long documents;
    private long bytes;

    private BsonFileWriter(OutputStream out) {
        this.out = out;
    }

    /**
     * Creates (or replaces) a file.
     *
     * @param file the file; {@code .gz} means gzip
     * @return the writer
     * @throws IOException when the file cannot be created
     */
    public static BsonFileWriter create(Path file) throws IOException {
        OutputStream raw = OwnerOnlyFiles.newOutputStream(file);
        OutputStream out = file.getFileName().toString().endsWith(".gz")
                ? new BufferedOutputStream(new GZIPOutputStream(raw, 1 << 16), 1 << 16)
                : new BufferedOutputStream(raw, 1 << 16);
        return new BsonFileWriter(out);
    }

    /**
     * Appends one document.
     *
     * @param document the document
     * @throws IOException when writing fails
     */
    public void write(RawBsonDocument document) throws IOException {
        ByteBuffer buf = document.getByteBuffer().asNIO();
        int len = buf.remaining();
        if (buf.hasArray()) {
            out.write(buf.array(), buf.arrayOffset() + buf.position(), len);
        } else {
            byte[] copy = new byte[len];
            buf.get(copy);
            out.write(copy);
        }
        documents++;
        bytes += len;
    }

    /** @return documents written */
    public long documents() {
        return documents;
    }

    /** @return uncompressed bytes written */
    public long bytes() {
        return bytes;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
