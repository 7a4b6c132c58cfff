package dev.rollback.mongo.faults;

import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A MongoDB wire-protocol proxy between a runner in a child JVM and the server: it forwards every
 * message, reads each command the client sends ({@code OP_MSG}: the body's first key, its value, the
 * documents of an {@code insert}) and, when the fault decides so, stops the world there: it kills the
 * runner at that command, either before forwarding it (in flight) or after the server got it (sent,
 * the reply never reaching the runner).
 */
final class WireProxy implements AutoCloseable {
    private static final int OP_MSG = 2013;

    /** A command as the proxy sees it. */
    record Command(String name, String target, String db, int documents) {
    }

    /** What to do with a command. */
    enum Action {
        /** Forward it. */
        FORWARD,
        /** Do not forward it; kill the runner (the command was in flight). */
        KILL_BEFORE,
        /** Forward it, hold the reply, kill the runner (the command was sent and done). */
        KILL_AFTER
    }

    private final ServerSocket listener;
    private final InetSocketAddress server;
    private final Function<Command, Action> fault;
    private final Runnable kill;
    private final AtomicBoolean killed = new AtomicBoolean();
    private volatile boolean armed = true;
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private final List<Command> seen = Collections.synchronizedList(new ArrayList<>());
    private volatile Command killedAt;

    WireProxy(InetSocketAddress server, Function<Command, Action> fault, Runnable kill) throws IOException {
        this.server = server;
        this.fault = fault;
        this.kill = kill;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "wire-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    String uri() {
        return "mongodb://127.0.0.1:" + listener.getLocalPort() + "/?directConnection=true";
    }

    /** @return the URI the runner used; after the kill the proxy only forwards, so a resume can use the same plan */
    String sameUri() {
        return uri();
    }

    /** @return the command the runner was killed at, or null */
    Command killedAt() {
        return killedAt;
    }

    /** @return every command seen, in order */
    List<Command> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket upstream = new Socket(server.getAddress(), server.getPort());
                sockets.add(client);
                sockets.add(upstream);
                AtomicBoolean holdReplies = new AtomicBoolean();
                start(() -> clientToServer(client, upstream, holdReplies));
                start(() -> serverToClient(upstream, client, holdReplies));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void start(Runnable r) {
        Thread t = new Thread(r, "wire-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void clientToServer(Socket client, Socket upstream, AtomicBoolean holdReplies) {
        try (DataInputStream in = new DataInputStream(client.getInputStream()); OutputStream out = upstream.getOutputStream()) {
            byte[] header = new byte[16];
            while (true) {
                in.readFully(header);
                int length = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
                int opCode = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
                byte[] message = new byte[length];
                System.arraycopy(header, 0, message, 0, 16);
                in.readFully(message, 16, length - 16);
                Action action = Action.FORWARD;
                if (opCode == OP_MSG && armed) {
                    Command c = parse(message);
                    if (c != null) {
                        seen.add(c);
                        action = fault.apply(c);
                        if (action != Action.FORWARD) {
                            killedAt = c;
                        }
                    }
                }
                if (action == Action.KILL_BEFORE) {
                    killNow();
                    return;
                }
                if (action == Action.KILL_AFTER) {
                    holdReplies.set(true);   // before the server can answer: the runner must never see the reply
                }
                out.write(message);
                out.flush();
                if (action == Action.KILL_AFTER) {
                    // let the server finish the command before the runner dies without its reply
                    Thread.sleep(300);
                    killNow();
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the runner went away (killed, or done)
        } finally {
            closeQuietly(upstream);
            closeQuietly(client);
        }
    }

    private void serverToClient(Socket upstream, Socket client, AtomicBoolean holdReplies) {
        try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (holdReplies.get()) {
                    continue;   // swallowed: the runner waits for a reply that never comes, until it is killed
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // closed
        } finally {
            closeQuietly(upstream);
            closeQuietly(client);
        }
    }

    private void killNow() {
        armed = false;
        if (killed.compareAndSet(false, true)) {
            kill.run();
            synchronized (sockets) {
                sockets.forEach(WireProxy::closeQuietly);
            }
        }
    }

    private static Command parse(byte[] m) {
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 20;   // header + flagBits
        BsonDocument body = null;
        int documents = 0;
        while (pos < m.length - 3) {
            int kind = m[pos];
            pos++;
            if (kind == 0) {
                int len = b.getInt(pos);
                try (BsonBinaryReader r = new BsonBinaryReader(ByteBuffer.wrap(m, pos, len).slice())) {
                    body = new BsonDocumentCodec().decode(r, DecoderContext.builder().build());
                }
                pos += len;
            } else if (kind == 1) {
                int size = b.getInt(pos);
                int end = pos + size;
                int p = pos + 4;
                while (m[p] != 0) {
                    p++;
                }
                p++;
                while (p < end) {
                    documents++;
                    p += b.getInt(p);
                }
                pos = end;
            } else {
                break;   // a checksum or something unexpected: stop reading sections
            }
        }
        if (body == null || body.isEmpty()) {
            return null;
        }
        String name = body.getFirstKey();
        String target = body.get(name).isString() ? body.getString(name).getValue() : "";
        String db = body.containsKey("$db") ? body.getString("$db").getValue() : "";
        if (body.containsKey("documents") && body.get("documents").isArray()) {
            documents += body.getArray("documents").size();
        }
        if (name.equals("renameCollection") && body.containsKey("to")) {
            target = target + " -> " + body.getString("to").getValue();
        }
        return new Command(name, target, db, documents);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (sockets) {
            sockets.forEach(WireProxy::closeQuietly);
        }
    }
}
