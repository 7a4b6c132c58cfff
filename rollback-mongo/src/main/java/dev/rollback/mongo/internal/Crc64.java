package dev.rollback.mongo.internal;

/**
 * CRC-64 with the ECMA-182 polynomial as Go's {@code hash/crc64} computes it with
 * {@code crc64.MakeTable(crc64.ECMA)} (reflected, initial value and final XOR all ones): the
 * checksum mongodump writes in each namespace's EOF header of an archive.
 */
public final class Crc64 {
    private static final long POLY = 0xC96C5795D7870F42L;
    private static final long[] TABLE = new long[256];

    static {
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int j = 0; j < 8; j++) {
                crc = (crc & 1) == 1 ? (crc >>> 1) ^ POLY : crc >>> 1;
            }
            TABLE[i] = crc;
        }
    }

    private long crc;

    /** @return the checksum of everything updated so far (0 for nothing) */
    public long value() {
        return crc;
    }

    /**
     * @param b   bytes
     * @param off start
     * @param len length
     */
    public void update(byte[] b, int off, int len) {
        long c = ~crc;
        for (int i = off; i < off + len; i++) {
            c = TABLE[(int) ((c ^ b[i]) & 0xff)] ^ (c >>> 8);
        }
        crc = ~c;
    }
}
