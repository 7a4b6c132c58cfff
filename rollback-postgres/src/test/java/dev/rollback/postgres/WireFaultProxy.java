package dev.rollback.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy between a runner and PostgreSQL that stops the conversation at a chosen message, so
 * that a test can SIGKILL the runner at that exact instant: the n-th time the client sends bytes
 * containing a pattern (an {@code ALTER DATABASE ... RENAME TO}, pg_restore's {@code COPY ... FROM
 * stdin}), the proxy either holds those bytes (the message is <i>in flight</i>: the server never
 * gets it) or forwards them and holds the server's answer (the message was <i>sent</i>: the server
 * acted on it, the client never learns). Either way it then reports the point reached and keeps
 * the connection stalled until {@link #release()}, which drops both sides. One fault at a time;
 * everything else is forwarded as it is, for any number of connections.
 */
final class WireFaultProxy implements AutoCloseable {
    /** Where to stop. */
    enum Mode {
        /** Hold the client's message: the server never receives it. */
        IN_FLIGHT,
        /** Forward the message, hold the server's answer: the server acted on it. */
        SENT
    }

    private record Fault(byte[] pattern, int occurrence, Mode mode) {
    }

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final AtomicReference<Fault> armed = new AtomicReference<>();
    private final AtomicInteger seen = new AtomicInteger();
    private volatile CountDownLatch triggered = new CountDownLatch(1);
    private volatile CountDownLatch released = new CountDownLatch(1);
    private volatile boolean closed;

    WireFaultProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "wire-fault-proxy");
        t.setDaemon(true);
        t.start();
    }

    /** @return the port clients connect to */
    int port() {
        return listener.getLocalPort();
    }

    /**
     * Arms the fault: stop at the {@code occurrence}-th client message containing {@code pattern}.
     *
     * @param pattern    text in the client's message
     * @param occurrence 1 for the first
     * @param mode       in flight or sent
     */
    void arm(String pattern, int occurrence, Mode mode) {
        seen.set(0);
        triggered = new CountDownLatch(1);
        released = new CountDownLatch(1);
        armed.set(new Fault(pattern.getBytes(StandardCharsets.UTF_8), occurrence, mode));
    }

    /** Forwards everything from now on. */
    void disarm() {
        armed.set(null);
    }

    /**
     * @param timeout how long to wait
     * @return whether the fault point was reached (a connection is stalled there)
     */
    boolean awaitTriggered(Duration timeout) throws InterruptedException {
        return triggered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Drops the stalled connection (both sides) and disarms. */
    void release() {
        disarm();
        released.countDown();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(targetHost, targetPort), 10_000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                Pair pair = new Pair(client, server);
                start(() -> pair.clientToServer(), "proxy c->s");
                start(() -> pair.serverToClient(), "proxy s->c");
            } catch (IOException e) {
                if (!closed) {
                    // a failed connect to the server: the client sees a closed connection
                    continue;
                }
            }
        }
    }

    private static void start(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** One client connection and its server connection. */
    private final class Pair {
        private final Socket client;
        private final Socket server;
        private volatile boolean holdAnswer;
        private byte[] tail = new byte[0];

        Pair(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void clientToServer() {
            byte[] buf = new byte[65536];
            try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    Fault f = armed.get();
                    if (f != null && matches(buf, n, f.pattern()) && seen.incrementAndGet() == f.occurrence() && armed.compareAndSet(f, null)) {
                        if (f.mode() == Mode.IN_FLIGHT) {
                            stall();
                            return;
                        }
                        holdAnswer = true;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeBoth();
            }
        }

        void serverToClient() {
            byte[] buf = new byte[65536];
            try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (holdAnswer) {
                        stall();
                        return;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeBoth();
            }
        }

        private boolean matches(byte[] buf, int n, byte[] pattern) {
            byte[] window = new byte[tail.length + n];
            System.arraycopy(tail, 0, window, 0, tail.length);
            System.arraycopy(buf, 0, window, tail.length, n);
            boolean found = indexOf(window, pattern) >= 0;
            int keep = Math.min(window.length, pattern.length - 1);
            tail = java.util.Arrays.copyOfRange(window, window.length - keep, window.length);
            return found;
        }

        private void stall() {
            triggered.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeBoth();
        }

        private void closeBoth() {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing
            }
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        released.countDown();
        listener.close();
    }
}
