package dev.rollback.mongo.internal;

import dev.rollback.mongo.CorruptBackupException;
import org.bson.BsonBinaryReader;
import org.bson.BsonInvalidOperationException;
import org.bson.BsonSerializationException;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.RawBsonDocument;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Streams the documents of a mongodump {@code .bson} or {@code .bson.gz} file: BSON documents back
 * to back, each framed by its 4-byte little-endian length. Only the framing is read here; the
 * bytes are handed to {@link RawBsonDocument} and, when validation is on, walked with the driver's
 * {@link BsonBinaryReader}. Memory use is one document at a time.
 */
public final class BsonFileReader implements AutoCloseable {
    /** The server's maximum user document size, plus the headroom mongodump allows for internal documents. */
    public static final int MAX_DOCUMENT_SIZE = 16 * 1024 * 1024 + 16 * 1024;
    private static final int MIN_DOCUMENT_SIZE = 5;
    private static final BsonDocumentCodec VALIDATOR = new BsonDocumentCodec();

    /** What {@link #next()} returns for the 0xFFFFFFFF terminator of an archive block, when terminators are allowed. */
    public static final RawBsonDocument TERMINATOR = new RawBsonDocument(new byte[]{5, 0, 0, 0, 0});

    private final Path file;
    private final InputStream in;
    private final boolean validate;
    private final boolean terminators;
    private final byte[] header = new byte[4];
    private long offset;
    private long documents;

    private BsonFileReader(Path file, InputStream in, boolean validate, boolean terminators) {
        this.file = file;
        this.in = in;
        this.validate = validate;
        this.terminators = terminators;
    }

    /**
     * Reads BSON documents from a stream that is already open (an archive's uncompressed stream),
     * where 0xFFFFFFFF terminators may stand between blocks.
     *
     * @param file     the file the stream comes from, for messages
     * @param in       the stream (closed by {@link #close()})
     * @param validate whether to walk every document
     * @return the reader
     */
    public static BsonFileReader overArchive(Path file, InputStream in, boolean validate) {
        return new BsonFileReader(file, in, validate, true);
    }

    /**
     * Opens a dump file; a name ending in {@code .gz} is decompressed on the fly.
     *
     * @param file     the file
     * @param validate whether to walk every document and reject malformed BSON
     * @return the reader
     */
    public static BsonFileReader open(Path file, boolean validate) {
        try {
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            InputStream in = file.getFileName().toString().endsWith(".gz") ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
            return new BsonFileReader(file, in, validate, false);
        } catch (IOException e) {
            throw new CorruptBackupException(file, 0, "cannot open it: " + e.getMessage(), e);
        }
    }

    /** @return the offset (in the uncompressed stream) of the next document */
    public long offset() {
        return offset;
    }

    /** @return how many documents were read so far */
    public long documents() {
        return documents;
    }

    /**
     * Reads the next document.
     *
     * @return the document, or null at a clean end of file
     * @throws CorruptBackupException naming the file and offset when the file is truncated or malformed
     */
    public RawBsonDocument next() {
        int n = readFully(header, 0, 4, true);
        if (n == 0) {
            return null;
        }
        if (n < 4) {
            throw corrupt("the file ends inside a document header (" + n + " of 4 length bytes)");
        }
        int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16 | (header[3] & 0xff) << 24;
        if (length == -1 && terminators) {
            offset += 4;
            return TERMINATOR;
        }
        if (length < MIN_DOCUMENT_SIZE || length > MAX_DOCUMENT_SIZE) {
            throw corrupt("invalid document length " + Integer.toUnsignedString(length)
                    + " (a BSON document is " + MIN_DOCUMENT_SIZE + " to " + MAX_DOCUMENT_SIZE + " bytes); the file is not BSON or is damaged");
        }
        byte[] bytes = new byte[length];
        System.arraycopy(header, 0, bytes, 0, 4);
        int body = readFully(bytes, 4, length - 4, false);
        if (body < length - 4) {
            throw corrupt("the file is truncated: the document declares " + length + " bytes but only " + (body + 4) + " remain");
        }
        if (bytes[length - 1] != 0) {
            throw corrupt("the document of " + length + " bytes does not end with a 0x00 terminator");
        }
        if (validate) {
            validate(bytes);
        }
        offset += length;
        documents++;
        return new RawBsonDocument(bytes);
    }

    /**
     * Skips the next document without building it (counting).
     *
     * @return whether a document was skipped (false at end of file)
     */
    public boolean skip() {
        return next() != null;
    }

    /** @return the file read */
    public Path file() {
        return file;
    }

    /**
     * A problem at the current position, naming the file and offset.
     *
     * @param problem what is wrong
     * @return the exception to throw
     */
    public CorruptBackupException corruptHere(String problem) {
        return new CorruptBackupException(file, offset, problem, null);
    }

    private void validate(byte[] bytes) {
        String problem = problem(bytes, 0, bytes.length);
        if (problem != null) {
            throw corrupt(problem);
        }
    }

    /**
     * Walks a document with the driver's codec: every element, nested document, string and length is checked.
     *
     * @param bytes the buffer
     * @param off   where the document starts
     * @param len   its length
     * @return what is wrong with it, or null when it is valid BSON
     */
    public static String problem(byte[] bytes, int off, int len) {
        try (BsonBinaryReader reader = new BsonBinaryReader(ByteBuffer.wrap(bytes, off, len).slice())) {
            VALIDATOR.decode(reader, DecoderContext.builder().build());
            if (reader.getBsonInput().getPosition() != len) {
                return "the document declares " + len + " bytes but its elements end at byte " + reader.getBsonInput().getPosition();
            }
            return null;
        } catch (BsonSerializationException | BsonInvalidOperationException | IllegalArgumentException e) {
            return "the document of " + len + " bytes is not valid BSON: " + e.getMessage();
        }
    }

    private CorruptBackupException corrupt(String problem) {
        return new CorruptBackupException(file, offset, problem + " (document #" + (documents + 1) + ")", null);
    }

    private int readFully(byte[] buf, int off, int len, boolean headerRead) {
        int total = 0;
        try {
            while (total < len) {
                int r = in.read(buf, off + total, len - total);
                if (r < 0) {
                    break;
                }
                total += r;
            }
            return total;
        } catch (EOFException e) {
            // A gzip stream cut short ends with EOFException rather than -1.
            throw corrupt("the compressed file is truncated (" + e.getMessage() + ")");
        } catch (ZipException e) {
            throw corrupt("the gzip data is damaged: " + e.getMessage());
        } catch (IOException e) {
            throw new CorruptBackupException(file, offset, "reading failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Counts the documents of a file, checking its framing.
     *
     * @param file the file
     * @return the number of documents
     */
    public static long count(Path file) {
        try (BsonFileReader r = open(file, false)) {
            while (r.skip()) {
                // counting
            }
            return r.documents();
        }
    }
}
