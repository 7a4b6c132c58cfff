package dev.rollback.mongo;

import java.nio.file.Path;

/**
 * A backup file cannot be read: a truncated or malformed {@code .bson} file, or metadata that is
 * not valid extended JSON. Names the file and the byte offset (in the uncompressed stream) of the
 * document that could not be read.
 *
 * <pre>{@code
 * // Backup file /backups/p-1/nextcrm/users.bson is corrupt at offset 177: the file is truncated ...
 * }</pre>
 */
public final class CorruptBackupException extends MongoRollbackException {
    /** The stable error code of this failure: {@value}. */
    public static final String CODE = "mongo.backup.corrupt";
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final long offset;

    /**
     * @param file    the file
     * @param offset  the offset of the damaged document, in the uncompressed stream
     * @param problem what is wrong
     * @param cause   the underlying failure, may be null
     */
    public CorruptBackupException(Path file, long offset, String problem, Throwable cause) {
        super("Backup file " + file + " is corrupt at offset " + offset + ": " + problem
                + ". Nothing was read past this point. Fix: take the backup again, or restore from an older backup folder.", cause);
        this.file = file;
        this.offset = offset;
    }

    /** @return the file that could not be read */
    public Path file() {
        return file;
    }

    /** @return the offset of the damaged document */
    public long offset() {
        return offset;
    }

    @Override
    public String code() {
        return CODE;
    }
}
