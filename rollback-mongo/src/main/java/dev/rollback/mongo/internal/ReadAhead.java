package dev.rollback.mongo.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a stream ahead on its own thread (a gzip stream: decompression then runs beside the
 * framing and dispatch of the documents), in blocks, with a bounded number of blocks in memory.
 * Failures of the underlying stream surface, as they were, at the read that reaches them.
 */
final class ReadAhead extends InputStream {
    private static final byte[] END = new byte[0];

    private final InputStream in;
    private final BlockingQueue<Object> blocks;
    private final Thread thread;
    private volatile boolean closed;
    private byte[] current = new byte[0];
    private int pos;
    private boolean ended;

    /**
     * @param in        the stream to read ahead
     * @param blockSize bytes per block
     * @param blocks    blocks held at most
     */
    ReadAhead(InputStream in, int blockSize, int blocks) {
        this.in = in;
        this.blocks = new ArrayBlockingQueue<>(blocks);
        this.thread = new Thread(() -> pump(blockSize), "archive-read-ahead");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void pump(int blockSize) {
        try {
            while (!closed) {
                byte[] b = in.readNBytes(blockSize);
                if (b.length == 0) {
                    put(END);
                    return;
                }
                put(b.length == blockSize ? b : Arrays.copyOf(b, b.length));
            }
        } catch (IOException | RuntimeException e) {
            put(e);
        }
    }

    private void put(Object o) {
        try {
            while (!closed && !blocks.offer(o, 100, TimeUnit.MILLISECONDS)) {
                // wait for the reader, or for close
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean fill() throws IOException {
        if (ended) {
            return false;
        }
        while (pos >= current.length) {
            Object o;
            try {
                o = blocks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while reading the archive");
            }
            if (o == END) {
                ended = true;
                return false;
            }
            if (o instanceof IOException e) {
                throw e;
            }
            if (o instanceof RuntimeException e) {
                throw e;
            }
            current = (byte[]) o;
            pos = 0;
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        return fill() ? current[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        thread.interrupt();
        blocks.clear();
        in.close();
    }
}
